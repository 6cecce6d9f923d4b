"""Single-change revisions of spec/openapi.yaml, each with the classification it must get.

A case applies `change` to a copy of the spec (after `base`, applied to both sides, when the
kind of change needs a starting point the spec lacks). `reverse` compares the changed document
against the spec instead (e.g. "made optional" is "made required" read backwards).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from spaces_toolkit.diff import Comparison, compare_documents
from spaces_toolkit.spec import join_pointer, load_spec

Doc = dict[str, Any]
CLIENTS = frozenset({"clients"})
SERVERS = frozenset({"servers"})
BOTH = frozenset({"clients", "servers"})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Case:
    name: str
    change: Callable[[Doc], None]
    kind: str  # the change `spaces diff` must report ...
    pointer: str  # ... at this pointer ...
    breaks: frozenset[str]  # ... breaking exactly these (and nothing else breaks more)
    docs_only: bool = False  # for `breaks == NOBODY`: documentation only, not compatible
    base: Callable[[Doc], None] | None = None
    reverse: bool = False
    overall: frozenset[str] | None = None  # who the whole revision breaks (default: `breaks`)

    def sides(self, spec: Doc) -> tuple[Doc, Doc]:
        old = copy.deepcopy(spec)
        if self.base is not None:
            self.base(old)
        new = copy.deepcopy(old)
        self.change(new)
        return (new, old) if self.reverse else (old, new)


@functools.cache
def compared(case: Case) -> tuple[Comparison, Comparison]:
    """`spaces diff` of the case's two sides, forwards and backwards (once per session)."""
    old, new = case.sides(load_spec())
    return compare_documents(old, new), compare_documents(new, old)


def op(doc: Doc, path: str, method: str = "get") -> Doc:
    return doc["paths"][path][method]


def schema(doc: Doc, name: str) -> Doc:
    return doc["components"]["schemas"][name]


def comp_param(doc: Doc, name: str) -> Doc:
    return doc["components"]["parameters"][name]


# The webhook headers the spec already declares (spec/NOTES.md 50): a new one goes after them.
_WEBHOOK_PARAMETERS = load_spec()["webhooks"]["customer.created"]["post"].get("parameters", [])


ptr = join_pointer  # the spec model's pointer escaping


def _query(name: str, required: bool) -> Doc:
    return {"name": name, "in": "query", "required": required, "schema": {"type": "string"}}


def _add_param(path: str, param: Doc) -> Callable[[Doc], None]:
    return lambda d: op(d, path).setdefault("parameters", []).append(param)


def _set(getter: Callable[[Doc], Doc], key: str, value: Any) -> Callable[[Doc], None]:
    def apply(d: Doc) -> None:
        getter(d)[key] = value

    return apply


def _drop(getter: Callable[[Doc], Doc], key: str) -> Callable[[Doc], None]:
    def apply(d: Doc) -> None:
        del getter(d)[key]

    return apply


def _chain(*steps: Callable[[Doc], None]) -> Callable[[Doc], None]:
    def apply(d: Doc) -> None:
        for step in steps:
            step(d)

    return apply


def _remove_customer_email(d: Doc) -> None:
    customer = schema(d, "Customer")
    del customer["properties"]["email"]
    customer["required"].remove("email")


def _rename_customer_path(d: Doc) -> None:
    item = d["paths"].pop("/customers/{id}")
    item["get"]["parameters"][0]["name"] = "customer_id"
    d["paths"]["/customers/{customer_id}"] = item


def _inline_limit_as(name: str) -> Callable[[Doc], None]:
    def apply(d: Doc) -> None:
        param = copy.deepcopy(comp_param(d, "Limit"))
        param["name"] = name
        op(d, "/customers")["parameters"][0] = param

    return apply


def _delete_customer(d: Doc) -> None:
    d["paths"]["/customers/{id}"]["delete"] = {
        "operationId": "deleteCustomer",
        "tags": ["Customers"],
        "summary": "Delete a customer",
        "parameters": copy.deepcopy(op(d, "/customers/{id}")["parameters"]),
        "responses": {"204": {"description": "Deleted."}},
    }


def _event_by_id(d: Doc) -> None:
    d["paths"]["/events/{id}"] = {
        "get": {
            "operationId": "retrieveEvent",
            "tags": ["Events"],
            "summary": "Retrieve an event",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {
                    "description": "The event.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Event"}}
                    },
                }
            },
        }
    }


CREATE = "/resource_subscriptions"
PARAMS = "ResourceSubscriptionCreateParams"
FORM = "application/x-www-form-urlencoded"


def _create_params(d: Doc) -> Doc:
    return schema(d, PARAMS)


def _inline_event_enum(d: Doc) -> None:
    """Base: the create request's `event` as its own enum (request-only), not EventType."""
    values = list(schema(d, "EventType")["enum"])
    _create_params(d)["properties"]["event"] = {"type": "string", "enum": values}


def _currency_enum(d: Doc) -> None:
    """Base: a response-only enum (Currency is only ever sent by the server)."""
    schema(d, "Currency")["enum"] = ["USD", "EUR"]


def _create_status_201(d: Doc) -> None:
    responses = op(d, CREATE, "post")["responses"]
    responses["201"] = responses.pop("200")


def _new_webhook(d: Doc) -> None:
    hook = copy.deepcopy(d["webhooks"]["customer.created"])
    hook["post"]["operationId"] = "customerUpdatedWebhook"
    hook["post"]["summary"] = "customer.updated delivery"
    d["webhooks"]["customer.updated"] = hook


def _rename_schema(old: str, new: str) -> Callable[[Doc], None]:
    def apply(d: Doc) -> None:
        schemas = d["components"]["schemas"]
        schemas[new] = schemas.pop(old)

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if node.get("$ref") == f"#/components/schemas/{old}":
                    node["$ref"] = f"#/components/schemas/{new}"
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(d)

    return apply


def _inline_schema(name: str) -> Callable[[Doc], None]:
    def apply(d: Doc) -> None:
        body = d["components"]["schemas"].pop(name)

        def walk(node: Any) -> Any:
            if isinstance(node, dict):
                if node.get("$ref") == f"#/components/schemas/{name}":
                    return copy.deepcopy(body)
                return {key: walk(value) for key, value in node.items()}
            if isinstance(node, list):
                return [walk(value) for value in node]
            return node

        d.update(walk(d))

    return apply


def _rename_tag(d: Doc) -> None:
    for tag in d["tags"]:
        if tag["name"] == "Captured Emails":
            tag["name"] = "Emails"
    op(d, "/captured_emails")["tags"] = ["Emails"]


def _drop_event_variant(d: Doc) -> None:
    event = schema(d, "Event")
    event["oneOf"] = [v for v in event["oneOf"] if not v["$ref"].endswith("/InvoicePaidEvent")]
    del event["discriminator"]["mapping"]["invoice.paid"]


def _links(d: Doc) -> Doc:
    return op(d, "/customers/{id}")["responses"]["200"]["links"]


def _swap_path_parameters(d: Doc) -> None:
    """The argument order of the generated method follows the parameter list, not the URL."""
    op(d, "/customers/{customer_id}/subscriptions/{token}")["parameters"].reverse()


def _second_server(d: Doc) -> None:
    d["servers"].append({"url": "https://eu.spaces.pe/api/v1"})


def _api_key_scheme(d: Doc) -> None:
    """Base: a security scheme no operation uses."""
    d["components"]["securitySchemes"]["apiKey"] = {
        "type": "apiKey",
        "in": "header",
        "name": "X-Api-Key",
    }


def _event_mapping(d: Doc) -> Doc:
    return schema(d, "Event")["discriminator"]["mapping"]


def _encoded_refs(d: Doc) -> None:
    """Every schema `$ref` spelled with its first letter percent-encoded: the same targets."""

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                base, name = ref.rsplit("/", 1)
                node["$ref"] = f"{base}/%{ord(name[0]):02X}{name[1:]}"
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(d)


CUSTOMER = ptr("components", "schemas", "Customer")
CREATE_PARAMS = ptr("components", "schemas", PARAMS)
LIMIT = ptr("components", "parameters", "Limit")
CUSTOMER_GET = ptr("paths", "/customers/{id}", "get")
CUSTOMERS_GET = ptr("paths", "/customers", "get")
CREATE_POST = ptr("paths", CREATE, "post")
CREATE_BODY = f"{CREATE_POST}/requestBody/content"


CASES: tuple[Case, ...] = (
    # --- paths and operations
    Case("path removed", lambda d: d["paths"].pop("/events"), "path-removed",
         ptr("paths", "/events"), CLIENTS),
    Case("path added", _event_by_id, "path-added", ptr("paths", "/events/{id}"), SERVERS),
    Case("operation removed", lambda d: d["paths"][CREATE].pop("post"), "operation-removed",
         CREATE_POST, CLIENTS),
    Case("operation added", _delete_customer, "operation-added",
         ptr("paths", "/customers/{id}", "delete"), SERVERS),
    Case("operation deprecated", _set(lambda d: op(d, "/events"), "deprecated", True),
         "operation-deprecation-changed", ptr("paths", "/events", "get", "deprecated"), NOBODY),
    # --- parameters
    Case("required query parameter added", _add_param("/customers", _query("space", True)),
         "parameter-added", f"{CUSTOMERS_GET}/parameters/3", BOTH),
    Case("optional query parameter added", _add_param("/customers", _query("space", False)),
         "parameter-added", f"{CUSTOMERS_GET}/parameters/3", SERVERS),
    Case("query parameter removed", lambda d: op(d, "/customers")["parameters"].pop(2),
         "parameter-removed", f"{CUSTOMERS_GET}/parameters/2", CLIENTS),
    Case("query parameter renamed", _inline_limit_as("page_size"), "parameter-renamed",
         f"{CUSTOMERS_GET}/parameters/0", BOTH),
    Case("path parameter renamed (same URL, new argument)", _rename_customer_path,
         "parameter-renamed", ptr("paths", "/customers/{customer_id}", "get", "parameters", "0"),
         CLIENTS),
    Case("parameter made required", _set(lambda d: comp_param(d, "Limit"), "required", True),
         "parameter-required-changed", f"{LIMIT}/required", BOTH),
    Case("parameter made optional", _set(lambda d: comp_param(d, "Limit"), "required", True),
         "parameter-required-changed", f"{LIMIT}/required", SERVERS, reverse=True),
    Case("parameter type changed",
         _set(lambda d: comp_param(d, "SpaceStartingAfter"), "schema", {"type": "string"}),
         "type-changed", ptr("components", "parameters", "SpaceStartingAfter", "schema", "type"),
         BOTH),
    Case("parameter maximum widened", _set(lambda d: comp_param(d, "Limit")["schema"],
         "maximum", 200), "bound-widened", f"{LIMIT}/schema/maximum", SERVERS),
    Case("parameter maximum narrowed", _set(lambda d: comp_param(d, "Limit")["schema"],
         "maximum", 50), "bound-narrowed", f"{LIMIT}/schema/maximum", BOTH),
    Case("parameter minimum raised", _set(lambda d: comp_param(d, "Limit")["schema"],
         "minimum", 5), "bound-narrowed", f"{LIMIT}/schema/minimum", BOTH),
    Case("parameter minLength dropped", _drop(lambda d: comp_param(d, "StartingAfter")["schema"],
         "minLength"), "bound-widened",
         ptr("components", "parameters", "StartingAfter", "schema", "minLength"), SERVERS),
    Case("parameter default changed", _set(lambda d: comp_param(d, "Limit")["schema"],
         "default", 10), "default-changed", f"{LIMIT}/schema/default", BOTH),
    Case("parameter deprecated", _set(lambda d: comp_param(d, "StartingBefore"), "deprecated",
         True), "parameter-deprecation-changed",
         ptr("components", "parameters", "StartingBefore", "deprecated"), NOBODY),
    # --- enums: the side that breaks depends on who writes the value
    Case("event type added (request and response enum)",
         lambda d: schema(d, "EventType")["enum"].append("customer.deleted"), "enum-value-added",
         ptr("components", "schemas", "EventType", "enum"), BOTH),
    Case("request enum value added",
         lambda d: _create_params(d)["properties"]["event"]["enum"].append("customer.deleted"),
         "enum-value-added", f"{CREATE_PARAMS}/properties/event/enum", SERVERS,
         base=_inline_event_enum),
    Case("request enum value removed",
         lambda d: _create_params(d)["properties"]["event"]["enum"].remove("invoice.paid"),
         "enum-value-removed", f"{CREATE_PARAMS}/properties/event/enum", BOTH,
         base=_inline_event_enum),
    Case("response enum value added", lambda d: schema(d, "Currency")["enum"].append("SEK"),
         "enum-value-added", ptr("components", "schemas", "Currency", "enum"), CLIENTS,
         base=_currency_enum),
    # Servers may no longer send it; the generated enum loses its member `EUR` (SDK break).
    Case("response enum value removed", lambda d: schema(d, "Currency")["enum"].remove("EUR"),
         "enum-value-removed", ptr("components", "schemas", "Currency", "enum"), SERVERS,
         base=_currency_enum, overall=BOTH),
    Case("generated enum member removed", lambda d: schema(d, "Currency")["enum"].remove("EUR"),
         "enum-member-removed", ptr("components", "schemas", "Currency"), CLIENTS,
         base=_currency_enum, overall=BOTH),
    # --- response fields
    Case("response field removed", _remove_customer_email, "property-removed",
         f"{CUSTOMER}/properties/email", CLIENTS),
    Case("required response field added",
         _chain(_set(lambda d: schema(d, "Customer")["properties"], "phone", {"type": "string"}),
                lambda d: schema(d, "Customer")["required"].append("phone")),
         "property-added", f"{CUSTOMER}/properties/phone", SERVERS),
    Case("optional response field added",
         _set(lambda d: schema(d, "Customer")["properties"], "phone", {"type": "string"}),
         "property-added", f"{CUSTOMER}/properties/phone", NOBODY),
    Case("response field made optional",
         lambda d: schema(d, "Customer")["required"].remove("email"), "property-made-optional",
         f"{CUSTOMER}/properties/email", CLIENTS),
    Case("response field made required",
         lambda d: schema(d, "Webhook")["required"].append("id"), "property-made-required",
         ptr("components", "schemas", "Webhook", "properties", "id"), SERVERS),
    Case("response field type changed",
         _set(lambda d: schema(d, "Customer")["properties"]["name"], "type", "integer"),
         "type-changed", f"{CUSTOMER}/properties/name/type", BOTH),
    Case("response field became nullable",
         _set(lambda d: schema(d, "Customer")["properties"]["name"], "type", ["string", "null"]),
         "became-nullable", f"{CUSTOMER}/properties/name/type", CLIENTS),
    Case("response field no longer nullable",
         _set(lambda d: schema(d, "Space")["properties"]["url"], "type", "string"),
         "became-non-nullable", ptr("components", "schemas", "Space", "properties", "url", "type"),
         SERVERS),
    Case("response object closed (additionalProperties: false)",
         _set(lambda d: schema(d, "Customer"), "additionalProperties", False),
         "additional-properties-changed", f"{CUSTOMER}/additionalProperties", SERVERS),
    Case("response object opened", _set(lambda d: schema(d, "Customer"),
         "additionalProperties", False), "additional-properties-changed",
         f"{CUSTOMER}/additionalProperties", CLIENTS, reverse=True),
    # --- request fields
    Case("required request field added",
         _chain(_set(lambda d: _create_params(d)["properties"], "secret", {"type": "string"}),
                lambda d: _create_params(d)["required"].append("secret")),
         "property-added", f"{CREATE_PARAMS}/properties/secret", BOTH),
    Case("optional request field added",
         _set(lambda d: _create_params(d)["properties"], "secret", {"type": "string"}),
         "property-added", f"{CREATE_PARAMS}/properties/secret", SERVERS),
    Case("request field removed",
         _chain(lambda d: _create_params(d)["properties"].pop("target_url"),
                lambda d: _create_params(d)["required"].remove("target_url")),
         "property-removed", f"{CREATE_PARAMS}/properties/target_url", CLIENTS),
    Case("request field made optional",
         lambda d: _create_params(d)["required"].remove("target_url"), "property-made-optional",
         f"{CREATE_PARAMS}/properties/target_url", SERVERS),
    Case("request field made required",
         lambda d: _create_params(d)["required"].remove("target_url"), "property-made-required",
         f"{CREATE_PARAMS}/properties/target_url", BOTH, reverse=True),
    Case("request field maxLength narrowed",
         _set(lambda d: _create_params(d)["properties"]["target_url"], "maxLength", 1024),
         "bound-narrowed", f"{CREATE_PARAMS}/properties/target_url/maxLength", BOTH),
    Case("request field maxLength widened",
         _set(lambda d: _create_params(d)["properties"]["target_url"], "maxLength", 4096),
         "bound-widened", f"{CREATE_PARAMS}/properties/target_url/maxLength", SERVERS),
    Case("request field pattern changed",
         _set(lambda d: _create_params(d)["properties"]["target_url"], "pattern", "^https://"),
         "pattern-changed", f"{CREATE_PARAMS}/properties/target_url/pattern", BOTH),
    Case("request field became nullable",
         _set(lambda d: _create_params(d)["properties"]["target_url"], "type", ["string", "null"]),
         "became-nullable", f"{CREATE_PARAMS}/properties/target_url/type", SERVERS),
    Case("request field format dropped",
         _drop(lambda d: _create_params(d)["properties"]["target_url"], "format"),
         "format-changed", f"{CREATE_PARAMS}/properties/target_url/format", SERVERS),
    Case("response constant changed",
         _set(lambda d: schema(d, "Customer")["properties"]["object"], "const", "client"),
         "const-changed", f"{CUSTOMER}/properties/object/const", BOTH),
    Case("response field deprecated",
         _set(lambda d: schema(d, "Customer")["properties"]["name"], "deprecated", True),
         "deprecation-changed", f"{CUSTOMER}/properties/name/deprecated", NOBODY),
    # --- media types
    Case("request media type removed",
         lambda d: op(d, CREATE, "post")["requestBody"]["content"].pop(FORM),
         "media-type-removed", f"{CREATE_BODY}/{ptr(FORM)[1:]}", BOTH),
    Case("request media type added",
         lambda d: op(d, CREATE, "post")["requestBody"]["content"].__setitem__(
             "multipart/form-data", {"schema": {"$ref": f"#/components/schemas/{PARAMS}"}}),
         "media-type-added", f"{CREATE_BODY}/multipart~1form-data", SERVERS),
    Case("response media type added",
         lambda d: op(d, "/customers/{id}")["responses"]["200"]["content"].__setitem__(
             "application/xml", {"schema": {"$ref": "#/components/schemas/Customer"}}),
         "media-type-added", f"{CUSTOMER_GET}/responses/200/content/application~1xml", NOBODY),
    Case("response media type removed",
         lambda d: op(d, "/customers/{id}")["responses"]["200"]["content"].__setitem__(
             "application/xml", {"schema": {"$ref": "#/components/schemas/Customer"}}),
         "media-type-removed", f"{CUSTOMER_GET}/responses/200/content/application~1xml",
         CLIENTS, reverse=True),
    Case("required response header added",
         _set(lambda d: d["components"]["responses"]["Unauthorized"]["headers"], "X-Request-Id",
              {"required": True, "schema": {"type": "string"}}),
         "response-header-added",
         ptr("components", "responses", "Unauthorized", "headers", "X-Request-Id"), SERVERS),
    Case("response header removed",
         lambda d: d["components"]["responses"]["Unauthorized"]["headers"].pop("WWW-Authenticate"),
         "response-header-removed",
         ptr("components", "responses", "Unauthorized", "headers", "WWW-Authenticate"), CLIENTS),
    Case("request body made optional",
         _set(lambda d: op(d, CREATE, "post")["requestBody"], "required", False),
         "request-body-required-changed", f"{CREATE_POST}/requestBody/required", SERVERS),
    # --- status codes
    Case("error status added",
         lambda d: op(d, "/customers")["responses"].__setitem__(
             "404", {"$ref": "#/components/responses/NotFound"}),
         "status-added", f"{CUSTOMERS_GET}/responses/404", NOBODY),
    Case("error status removed", lambda d: op(d, "/customers")["responses"].pop("400"),
         "status-removed", f"{CUSTOMERS_GET}/responses/400", SERVERS),
    Case("success status added (200 -> 201)", _create_status_201, "status-added",
         f"{CREATE_POST}/responses/201", CLIENTS, overall=BOTH),
    Case("success status removed (200 -> 201)", _create_status_201, "status-removed",
         f"{CREATE_POST}/responses/200", SERVERS, overall=BOTH),
    # --- security
    Case("security scheme changed (basic -> bearer)",
         _set(lambda d: d["components"]["securitySchemes"]["basicAuth"], "scheme", "bearer"),
         "security-scheme-changed", ptr("components", "securitySchemes", "basicAuth", "scheme"),
         BOTH),
    Case("operation made public", _set(lambda d: op(d, "/account"), "security", []),
         "security-added", ptr("paths", "/account", "get", "security"), SERVERS),
    Case("operation now requires authentication",
         _set(lambda d: op(d, "/account"), "security", []), "security-removed",
         ptr("paths", "/account", "get", "security"), BOTH, reverse=True),
    # --- webhooks and events (Spaces writes the delivery, the receiver writes the answer)
    Case("webhook removed", lambda d: d["webhooks"].pop("invoice.paid"), "webhook-removed",
         ptr("webhooks", "invoice.paid"), CLIENTS),
    Case("webhook added", _new_webhook, "webhook-added", ptr("webhooks", "customer.updated"),
         SERVERS),
    Case("webhook payload field removed",
         lambda d: schema(d, "EventCustomer")["properties"].pop("token"), "property-removed",
         ptr("components", "schemas", "EventCustomer", "properties", "token"), CLIENTS),
    Case("webhook payload field made required",
         lambda d: schema(d, "EventCustomer")["required"].append("id"), "property-made-required",
         ptr("components", "schemas", "EventCustomer", "properties", "id"), SERVERS),
    Case("required webhook delivery header added",
         lambda d: d["webhooks"]["customer.created"]["post"].setdefault("parameters", []).append(
             {"name": "X-Spaces-Signature", "in": "header", "required": True,
              "schema": {"type": "string"}}),
         "parameter-added", ptr("webhooks", "customer.created", "post", "parameters",
                                str(len(_WEBHOOK_PARAMETERS))),
         SERVERS),
    Case("webhook receiver's 410 answer removed",
         lambda d: d["webhooks"]["invoice.paid"]["post"]["responses"].pop("410"),
         "status-removed", ptr("webhooks", "invoice.paid", "post", "responses", "410"), CLIENTS),
    Case("event variant removed from the Event union", _drop_event_variant, "variant-removed",
         ptr("components", "schemas", "Event", "oneOf"), SERVERS),
    Case("event type unmapped from the Event union",
         lambda d: schema(d, "Event")["discriminator"]["mapping"].pop("invoice.paid"),
         "discriminator-value-removed", ptr("components", "schemas", "Event", "discriminator",
                                            "mapping"), SERVERS),
    # --- links
    Case("link removed", lambda d: _links(d).pop("RetrieveCustomerSpace"), "link-removed",
         f"{CUSTOMER_GET}/responses/200/links/RetrieveCustomerSpace", CLIENTS),
    Case("link added", lambda d: _links(d).__setitem__(
             "ListCustomers", {"operationId": "listCustomers"}), "link-added",
         f"{CUSTOMER_GET}/responses/200/links/ListCustomers", SERVERS),
    Case("link parameter changed", lambda d: _links(d)["RetrieveCustomerSpace"].__setitem__(
             "parameters", {"id": "$response.body#/id"}), "link-changed",
         f"{CUSTOMER_GET}/responses/200/links/RetrieveCustomerSpace/parameters", BOTH),
    # --- the generated client's public surface (wire unchanged)
    Case("method renamed by operationId",
         _set(lambda d: op(d, "/events"), "operationId", "listAllEvents"), "method-renamed",
         ptr("paths", "/events", "get"), CLIENTS),
    Case("resource renamed by tag", _rename_tag, "method-renamed",
         ptr("paths", "/captured_emails", "get"), CLIENTS),
    Case("model renamed", _rename_schema("Address", "PostalAddress"), "schema-renamed",
         ptr("components", "schemas", "PostalAddress"), CLIENTS),
    Case("model removed (inlined where used)", _inline_schema("Address"), "schema-removed",
         ptr("components", "schemas", "Address"), CLIENTS),
    # --- servers, info and documentation
    Case("default server changed",
         _set(lambda d: d["servers"][0], "url", "https://api.spaces.pe/v2"),
         "default-server-changed", "/servers/0/url", CLIENTS),
    Case("server added", lambda d: d["servers"].append({"url": "https://eu.spaces.pe/api/v1"}),
         "server-added", "/servers", NOBODY),
    Case("operation summary reworded",
         _set(lambda d: op(d, "/events"), "summary", "List the events"), "summary-changed",
         ptr("paths", "/events", "get", "summary"), NOBODY, docs_only=True),
    Case("property description reworded",
         _set(lambda d: schema(d, "Customer")["properties"]["name"], "description", "Name."),
         "schema-documentation-changed", f"{CUSTOMER}/properties/name/description", NOBODY,
         docs_only=True),
    Case("info.version changed", _set(lambda d: d["info"], "version", "05-09-2014"),
         "version-changed", "/info/version", NOBODY, docs_only=True),
    # --- every other rule of the catalogue (spaces diff --list-rules)
    Case("info description reworded", _set(lambda d: d["info"], "description", "The API."),
         "info-changed", "/info/description", NOBODY, docs_only=True),
    Case("server removed", lambda d: d["servers"].pop(), "server-removed", "/servers", CLIENTS,
         base=_second_server),
    Case("server description reworded",
         _set(lambda d: d["servers"][0], "description", "Production."),
         "server-description-changed", "/servers", NOBODY, docs_only=True),
    Case("tag reworded", _set(lambda d: d["tags"][0], "description", "Reworded."), "tag-changed",
         "/tags", NOBODY, docs_only=True),
    Case("external docs added",
         _set(lambda d: d, "externalDocs", {"url": "https://docs.spaces.pe/"}),
         "externalDocs-changed", "/externalDocs", NOBODY, docs_only=True),
    Case("JSON Schema dialect declared",
         _set(lambda d: d, "jsonSchemaDialect", "https://spec.openapis.org/oas/3.1/dialect/base"),
         "jsonSchemaDialect-changed", "/jsonSchemaDialect", NOBODY, docs_only=True),
    Case("component example added",
         _set(lambda d: d["components"]["examples"], "Note", {"value": {"id": "c"}}),
         "component-examples-changed", ptr("components", "examples", "Note"), NOBODY,
         docs_only=True),
    Case("operation description reworded",
         _set(lambda d: op(d, "/events"), "description", "Lists events."), "description-changed",
         ptr("paths", "/events", "get", "description"), NOBODY, docs_only=True),
    Case("parameter example changed", _set(lambda d: comp_param(d, "Limit"), "example", 5),
         "example-changed", f"{LIMIT}/example", NOBODY, docs_only=True),
    Case("response examples added",
         _set(lambda d: op(d, "/customers/{id}")["responses"]["200"]["content"][
             "application/json"], "examples", {"one": {"value": {"id": "c"}}}),
         "examples-changed",
         f"{CUSTOMER_GET}/responses/200/content/application~1json/examples", NOBODY,
         docs_only=True),
    Case("operationId changed (wire unchanged)",
         _set(lambda d: op(d, "/events"), "operationId", "listAllEvents"),
         "operation-id-changed", ptr("paths", "/events", "get", "operationId"), NOBODY,
         overall=CLIENTS),
    Case("operation tags changed", _rename_tag, "operation-tags-changed",
         ptr("paths", "/captured_emails", "get", "tags"), NOBODY, overall=CLIENTS),
    Case("operation servers changed",
         _set(lambda d: op(d, "/events"), "servers", [{"url": "https://events.spaces.pe"}]),
         "operation-servers-changed", ptr("paths", "/events", "get", "servers"), BOTH),
    Case("operation callbacks changed", _set(lambda d: op(d, "/events"), "callbacks", {}),
         "operation-callbacks-changed", ptr("paths", "/events", "get", "callbacks"), BOTH),
    Case("parameter style made explicit", _set(lambda d: comp_param(d, "Limit"), "style", "form"),
         "parameter-serialization-changed", f"{LIMIT}/style", BOTH),
    Case("request body removed", lambda d: op(d, CREATE, "post").pop("requestBody"),
         "request-body-removed", f"{CREATE_POST}/requestBody", CLIENTS),
    Case("required request body added", lambda d: op(d, CREATE, "post").pop("requestBody"),
         "request-body-added", f"{CREATE_POST}/requestBody", BOTH, reverse=True),
    Case("request encoding changed",
         _set(lambda d: op(d, CREATE, "post")["requestBody"]["content"][FORM], "encoding",
              {"target_url": {"contentType": "text/plain"}}),
         "media-encoding-changed", f"{CREATE_BODY}/{ptr(FORM)[1:]}/encoding", BOTH),
    Case("response header made required",
         _set(lambda d: d["components"]["responses"]["Unauthorized"]["headers"][
             "WWW-Authenticate"], "required", True),
         "response-header-required-changed",
         ptr("components", "responses", "Unauthorized", "headers", "WWW-Authenticate",
             "required"), SERVERS),
    Case("schema added", _set(lambda d: d["components"]["schemas"], "Note", {"type": "object"}),
         "schema-added", ptr("components", "schemas", "Note"), NOBODY),
    Case("response field may be anything",
         _set(lambda d: schema(d, "Customer")["properties"], "name", True), "schema-changed",
         f"{CUSTOMER}/properties/name", CLIENTS),
    Case("response value no longer an enumeration", _drop(lambda d: schema(d, "Currency"), "enum"),
         "enum-removed", ptr("components", "schemas", "Currency", "enum"), CLIENTS,
         base=_currency_enum),
    Case("response value now an enumeration", _drop(lambda d: schema(d, "Currency"), "enum"),
         "enum-added", ptr("components", "schemas", "Currency", "enum"), SERVERS,
         base=_currency_enum, reverse=True),
    Case("request array requires unique items",
         _set(lambda d: _create_params(d)["properties"], "tags",
              {"type": "array", "items": {"type": "string"}, "uniqueItems": True}),
         "unique-items-changed", f"{CREATE_PARAMS}/properties/tags/uniqueItems", BOTH,
         base=_set(lambda d: _create_params(d)["properties"], "tags",
                   {"type": "array", "items": {"type": "string"}})),
    Case("parameter multipleOf added",
         _set(lambda d: comp_param(d, "Limit")["schema"], "multipleOf", 5),
         "multiple-of-changed", f"{LIMIT}/schema/multipleOf", BOTH),
    Case("response field made read-only",
         _set(lambda d: schema(d, "Customer")["properties"]["name"], "readOnly", True),
         "access-changed", f"{CUSTOMER}/properties/name/readOnly", BOTH),
    Case("unknown keyword changed",
         _set(lambda d: schema(d, "Customer")["properties"]["name"], "contentEncoding",
              "base64"),
         "schema-keyword-changed", f"{CUSTOMER}/properties/name/contentEncoding", BOTH),
    Case("event variant added to the Event union", _drop_event_variant, "variant-added",
         ptr("components", "schemas", "Event", "oneOf", "2"), CLIENTS, reverse=True),
    Case("response field `not` added",
         _set(lambda d: schema(d, "Customer")["properties"]["name"], "not", {"const": ""}),
         "not-changed", f"{CUSTOMER}/properties/name/not", BOTH),
    Case("discriminator property renamed",
         _set(lambda d: schema(d, "Event")["discriminator"], "propertyName", "kind"),
         "discriminator-changed", ptr("components", "schemas", "Event", "discriminator"), BOTH),
    Case("discriminator value remapped",
         lambda d: _event_mapping(d).__setitem__(
             "invoice.paid", "#/components/schemas/InvoiceCreatedEvent"),
         "discriminator-value-remapped",
         ptr("components", "schemas", "Event", "discriminator", "mapping", "invoice.paid"), BOTH),
    Case("event type mapped in the Event union",
         lambda d: _event_mapping(d).pop("invoice.paid"), "discriminator-value-added",
         ptr("components", "schemas", "Event", "discriminator", "mapping", "invoice.paid"),
         CLIENTS, reverse=True),
    Case("security scheme removed",
         lambda d: d["components"]["securitySchemes"].pop("apiKey"), "security-scheme-removed",
         ptr("components", "securitySchemes", "apiKey"), BOTH, base=_api_key_scheme),
    Case("security scheme added", _api_key_scheme, "security-scheme-added",
         ptr("components", "securitySchemes", "apiKey"), NOBODY),
    Case("client renamed by the title", _set(lambda d: d["info"], "title", "Rooms API"),
         "client-renamed", "/info/title", CLIENTS),
    Case("path parameters reordered", _swap_path_parameters, "positional-arguments-changed",
         ptr("paths", "/customers/{customer_id}/subscriptions/{token}", "get"), CLIENTS),
    Case("body field removed (keyword argument)",
         _chain(lambda d: _create_params(d)["properties"].pop("target_url"),
                lambda d: _create_params(d)["required"].remove("target_url")),
         "argument-removed", CREATE_POST, CLIENTS),
    Case("optional body field added (keyword argument)",
         _set(lambda d: _create_params(d)["properties"], "secret", {"type": "string"}),
         "argument-added", CREATE_POST, NOBODY, overall=SERVERS),
    # The model reads `$ref`s percent-decoded: `%43ustomer` is `Customer`, not a new schema.
    Case("response field removed, every $ref percent-encoded",
         _chain(_encoded_refs, _remove_customer_email), "property-removed",
         f"{CUSTOMER}/properties/email", CLIENTS),
    Case("model renamed: the old name is gone", _rename_schema("Address", "PostalAddress"),
         "model-removed", ptr("components", "schemas", "Address"), CLIENTS),
)  # fmt: skip
