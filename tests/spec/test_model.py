"""The spec model: loading from every kind of source, `$ref` resolution (pointer escapes and
percent-encoding), the typed objects, list operations and every problem reported at once."""

from __future__ import annotations

import dataclasses
import http.server
import threading
from pathlib import Path

import pytest
import yaml

from spaces_toolkit import spec as model
from spaces_toolkit.spec import SpecError, default_spec, load

# A small document that exercises the corners: a path with `/` and `{}` reached through a
# `$ref` written with `~1` and percent-encoding, schemas under keys holding `~`, `/` and a space
# (component names may not, so they live under an x- key).
TINY = """
openapi: 3.1.0
info: {title: Tiny API, version: "1"}
servers: [{url: "https://tiny.example/v1"}]
security: [{basic: []}]
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - $ref: "#/components/parameters/Limit"
        - {name: starting_after, in: query, schema: {type: integer, minimum: 1}}
      responses:
        "200":
          description: A page.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/ThingList"}
          links:
            First:
              operationId: retrieveThing
              parameters: {id: "$response.body#/data/0/id"}
    post:
      operationId: createThing
      security: []
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema: {$ref: "#/x-defs/a~1b~0c"}
          application/json:
            schema: {$ref: "#/x-defs/a~1b~0c"}
      responses:
        "200": {$ref: "#/components/responses/One"}
  /things/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer}}
    get:
      operationId: retrieveThing
      responses:
        "200": {$ref: "#/components/responses/One"}
        4XX: {description: An error.}
  /stats:
    get:
      operationId: stats
      parameters:
        - {name: starting_after, in: query, schema: {type: string}}
      responses:
        "200":
          description: Not a list (no has_more).
          content:
            application/json:
              schema: {type: object, properties: {data: {type: array}}}
webhooks:
  thing.created:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/x-defs/My%20Thing"}
      responses:
        "200": {description: OK}
x-defs:
  My Thing: {$ref: "#/components/schemas/Thing%2Dv2"}
  a/b~c:
    type: object
    properties: {name: {type: string, maxLength: 5}}
components:
  securitySchemes:
    basic: {type: http, scheme: Basic}
  parameters:
    Limit:
      name: limit
      in: query
      schema: {type: integer, minimum: 1, maximum: 50, default: 10}
  responses:
    One:
      description: One thing.
      content:
        application/json:
          schema: {$ref: "#/paths/~1things~1%7Bid%7D/get/responses/4XX/x-thing"}
  schemas:
    Thing-v2:
      type: object
      properties: {id: {type: integer}, object: {const: thing}}
    ThingList:
      type: object
      properties:
        object: {type: string, const: list}
        data: {type: array, items: {$ref: "#/x-defs/My%20Thing"}}
        has_more: {type: boolean}
"""


def _tiny() -> str:
    # the response schema points into an x- key of a path: a pointer through `~1` and `%7B`
    doc = yaml.safe_load(TINY)
    doc["paths"]["/things/{id}"]["get"]["responses"]["4XX"]["x-thing"] = {
        "$ref": "#/x-defs/My%20Thing"
    }
    return yaml.safe_dump(doc, sort_keys=False)


@pytest.fixture(scope="module")
def tiny() -> model.Spec:
    return load(_tiny())


def test_loads_from_path_text_bytes_and_urls(tmp_path):
    text = _tiny()
    path = tmp_path / "tiny.yaml"
    path.write_text(text)
    by_path = load(path)
    assert by_path.document.label == "tiny.yaml"  # outside the working directory: name only
    assert load(str(path)).document.sha256 == by_path.document.sha256
    assert load(text.encode()).document.label == "<bytes>"
    assert load(text).document.label == "<text>"
    assert load(path.as_uri()).title == "Tiny API"

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.end_headers()
            self.wfile.write(text.encode())

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/tiny.yaml"
        assert [op.operation_id for op in load(url).operations] == [
            op.operation_id for op in by_path.operations
        ]
    finally:
        server.shutdown()
        server.server_close()


def test_refs_with_pointer_escapes_and_percent_encoding(tiny):
    create = tiny.operation("createThing")
    assert create.request_body is not None
    form = create.request_body.content[0].schema
    assert form is not None
    assert form.target == "/x-defs/a~1b~0c"
    assert form.resolved["properties"]["name"]["maxLength"] == 5
    one = tiny.operation("retrieveThing").response(200)
    assert one is not None and one.pointer == "/components/responses/One"
    body = one.media()
    assert body is not None and body.schema is not None
    assert body.schema.resolved["properties"]["object"] == {"const": "thing"}
    assert body.schema.target == "/components/schemas/Thing-v2"
    assert tiny.schema_name({"$ref": "#/components/schemas/Thing%2Dv2"}) == "Thing-v2"
    assert tiny.schema_name({"$ref": "#/x-defs/a~1b~0c"}) is None  # not a component
    assert tiny.lookup("/paths/~1things~1{id}/get/operationId") == "retrieveThing"


def test_schema_validators_follow_escaped_pointers(tiny):
    validator = tiny.validator("/x-defs/a~1b~0c")
    assert validator.is_valid({"name": "short"})
    assert not validator.is_valid({"name": "too long"})
    assert not tiny.validator("/x-defs/My Thing").is_valid({"id": "x"})


def test_operations_parameters_bounds_and_security(tiny):
    assert [op.label for op in tiny.operations] == [
        "GET /things",
        "POST /things",
        "GET /things/{id}",
        "GET /stats",
    ]
    limit = tiny.operation("listThings").parameter("limit")
    assert limit is not None
    assert (limit.bounds.minimum, limit.bounds.maximum, limit.default) == (1, 50, 10)
    assert limit.target == "/components/parameters/Limit"
    path_id = tiny.operation("retrieveThing").parameter("id", "path")
    assert path_id is not None and path_id.required and path_id.type == "integer"
    assert tiny.operation("listThings").security == ((("basic", ()),),)
    assert tiny.operation("createThing").security == ()
    assert tiny.security_schemes[0].scheme == "basic"
    assert tiny.operation("createThing").request_body.media_types == (  # type: ignore[union-attr]
        "application/x-www-form-urlencoded",
        "application/json",
    )
    retrieve = tiny.operation("retrieveThing")
    assert retrieve.response(404) is retrieve.responses[1]  # by its 4XX range
    assert retrieve.response(500) is None


def test_list_operations_and_their_cursor_semantics(tiny):
    (lst,) = tiny.lists  # /stats has a cursor but no has_more: not a list
    assert lst.operation is tiny.operation("listThings")
    assert (lst.after.name, lst.cursor_type, lst.before) == ("starting_after", "integer", None)
    assert lst.limit is not None and lst.limit.bounds.maximum == 50
    assert (lst.items_field, lst.has_more_field, lst.cursor_field) == ("data", "has_more", "id")
    assert lst.item.target == "/components/schemas/Thing-v2"
    assert lst.object_const == "list"
    (item_link,) = lst.item_links
    assert (item_link.operation_id, item_link.parameters) == ("retrieveThing", (("id", "/id"),))
    (link,) = tiny.operation("listThings").success.links  # type: ignore[union-attr]
    assert (link.operation_id, link.parameters) == (
        "retrieveThing",
        (("id", "$response.body#/data/0/id"),),
    )


def test_webhooks(tiny):
    (hook,) = tiny.webhooks
    assert (hook.name, hook.method, hook.operation_id) == ("thing.created", "POST", None)
    body = hook.request_body.media("application/json")  # type: ignore[union-attr]
    assert body is not None and body.schema is not None
    assert body.schema.target == "/components/schemas/Thing-v2"


def test_the_model_is_immutable(tiny):
    with pytest.raises(AttributeError):
        tiny.operations = ()
    op = tiny.operations[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        op.path = "/elsewhere"  # type: ignore[misc]
    assert isinstance(op.parameters, tuple) and isinstance(op.responses, tuple)


def test_every_problem_is_reported_with_its_pointer():
    doc = yaml.safe_load(_tiny())
    doc["paths"]["/things"]["get"]["parameters"].append({"$ref": "#/components/parameters/Nope"})
    doc["components"]["schemas"]["ThingList"]["properties"]["x"] = {"$ref": "other.yaml#/X"}
    with pytest.raises(SpecError) as caught:
        load(yaml.safe_dump(doc))
    assert [str(p) for p in caught.value.problems] == [
        "#/components/schemas/ThingList/properties/x/$ref: "
        "only local references are supported: other.yaml#/X",
        "#/paths/~1things/get/parameters/2/$ref: "
        "reference to nothing: #/components/parameters/Nope",
    ]


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("openapi: [unclosed\n", "not valid YAML (line 2, column 1)"),
        ("- a list\n- not a mapping\n", "not an OpenAPI document"),
        ("openapi: 3.0.3\ninfo: {}\n", "expected an OpenAPI 3.1 document"),
        (Path("no/such/file.yaml"), "cannot read no/such/file.yaml"),
    ],
)
def test_unreadable_documents_say_why(source, problem):
    with pytest.raises(SpecError) as caught:
        load(source)
    assert problem in str(caught.value)


def test_the_shipped_spec_models_the_api():
    spec = default_spec()
    assert spec is default_spec()  # loaded once per process
    ids = [op.operation_id for op in spec.operations]
    assert len(ids) == len(set(ids)) and all(ids)
    assert {lst.operation.operation_id for lst in spec.lists} == {
        op.operation_id
        for op in spec.operations
        if op.method == "GET" and op.parameter("starting_after") is not None
    }
    for lst in spec.lists:
        assert lst.limit is not None and lst.limit.bounds.minimum == 1
        item = lst.item.resolved
        branches = [spec.resolve(b) for b in item.get("oneOf", [])] or [item]
        assert all(lst.cursor_field in b["properties"] for b in branches), lst.label


def test_compatibility_helpers_read_the_same_document():
    raw = model.load_spec()
    assert raw is default_spec().content
    assert model.resolve(raw, {"$ref": "#/components/parameters/Limit"})["name"] == "limit"
    assert model.validator_at("/components/schemas/Customer").is_valid({}) is False
