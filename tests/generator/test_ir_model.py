"""The intermediate model of the real spec: names, types, pagination, webhooks, docs material."""

from __future__ import annotations

import dataclasses

import pytest
from generator_helpers import SPEC

from generator import ir
from generator.build import client_names, load_api
from generator.operations import method_name


@pytest.fixture(scope="module")
def api() -> ir.Api:
    return load_api(SPEC)[1]


@pytest.mark.parametrize(
    ("operation_id", "tag", "expected"),
    [
        ("listCapturedEmails", "Captured Emails", "list"),
        ("retrieveAccount", "Account", "retrieve"),
        ("createResourceSubscription", "Resource Subscriptions", "create"),
        ("retrieveSubscription", "Subscriptions", "retrieve"),
        ("listCustomerSubscriptions", "Subscriptions", "list_customer"),
        ("cancelSubscription", "Subscriptions", "cancel"),
        ("listCategories", "Categories", "list"),
        ("ping", "Health", "ping"),
    ],
)
def test_method_names(operation_id: str, tag: str, expected: str) -> None:
    assert method_name(operation_id, tag) == expected


def test_client_names_come_from_the_title() -> None:
    names = client_names("Spaces API")
    assert (names.client_class, names.async_client_class, names.package, names.env_prefix) == (
        "SpacesClient",
        "AsyncSpacesClient",
        "spaces_client",
        "SPACES",
    )
    assert client_names("Widget Store API").distribution == "widget-store-client"


def test_resources_follow_the_tags(api: ir.Api) -> None:
    assert [(r.name, r.class_name) for r in api.resources][:3] == [
        ("account", "AccountResource"),
        ("captured_emails", "CapturedEmailsResource"),
        ("customers", "CustomersResource"),
    ]
    objects = {r.name: r.object_model for r in api.resources}
    assert objects["customers"] == "Customer" and objects["events"] == "Event"


def test_operations_carry_what_docs_need(api: ir.Api) -> None:
    ops = {op.operation_id: op for op in api.operations}
    retrieve = ops["retrieveSubscription"]
    assert (retrieve.http_method, retrieve.path, retrieve.name) == (
        "GET",
        "/customers/{customer_id}/subscriptions/{token}",
        "retrieve",
    )
    assert [p.python_name for p in retrieve.path_params] == ["customer_id", "token"]
    assert retrieve.response.model == "Subscription" and retrieve.response.examples
    assert [e.status for e in retrieve.errors] == ["400", "401", "404", "500"]
    assert retrieve.errors[2].examples[0].value == {"message": "No such customer: CUSTOMER_TOKEN"}
    create = ops["createResourceSubscription"]
    assert create.body is not None and not create.idempotent
    assert create.body.content_types == ("application/x-www-form-urlencoded", "application/json")
    assert create.body.content_type == "application/json"
    assert [(f.name, f.required) for f in create.body.fields] == [
        ("event", True),
        ("target_url", True),
    ]
    assert create.body.fields[0].type.python.startswith("EventType | Literal[")


def test_pagination_is_detected_with_the_cursor_type(api: ir.Api) -> None:
    ops = {op.operation_id: op for op in api.operations}
    spaces = ops["listSpaces"].pagination
    assert spaces is not None
    assert (spaces.envelope, spaces.item.python, spaces.cursor_type.python) == (
        "SpaceList",
        "Space",
        "int",
    )
    assert (spaces.after_param, spaces.before_param, spaces.cursor_attr) == (
        "starting_after",
        "starting_before",
        "id",
    )
    assert (
        ops["listEvents"].pagination is not None
        and ops["listEvents"].pagination.item.python == "Event"
    )
    assert ops["retrieveCustomer"].pagination is None


def test_models_keep_types_nullability_and_descriptions(api: ir.Api) -> None:
    invoice = {a.name: a for a in api.model("Invoice").attributes}
    assert invoice["shipping_address"].type.python == "Address | None"
    assert invoice["shipping_address"].nullable and invoice["shipping_address"].ref == "Address"
    assert invoice["customer"].ref == "Customer" and invoice["customer"].required
    assert invoice["currency"].type.python == "str"
    assert invoice["object"].has_const and invoice["object"].const == "invoice"
    assert api.model("ItemId").kind == "scalar" and api.model("ItemId").type.python == "str | int"
    event_type = api.model("EventType")
    assert event_type.kind == "enum"
    assert event_type.enum[0].value == "customer.created" and event_type.enum[0].description


def test_the_event_union_and_webhooks(api: ir.Api) -> None:
    event = api.model("Event")
    assert (event.kind, event.discriminator, event.unknown_variant) == (
        "union",
        "type",
        "UnknownEvent",
    )
    assert [v.tag for v in event.variants] == [
        "customer.created",
        "invoice.created",
        "invoice.paid",
        "subscription.created",
        "captured_email.created",
    ]
    assert api.webhook_union == "Event"
    hooks = {w.name: w for w in api.webhooks}
    assert hooks["invoice.paid"].payload_model == "InvoicePaidEvent"
    assert [r.status for r in hooks["invoice.paid"].responses] == ["200", "410"]


def test_the_ir_is_frozen(api: ir.Api) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        api.resources[0].name = "x"  # type: ignore[misc]
