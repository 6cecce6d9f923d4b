# Generated from spec/openapi.yaml (sha256 bdfe8b9249afea646b434ebfe373609493d5daf563a0ed766c25ae5aeb8b7593) by the generator.
# Do not edit: change the spec and run `make`.
# Models: datamodel-code-generator 0.89.0.

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AnyUrl, BaseModel, ConfigDict, Discriminator, Field, Tag


class Account(BaseModel):
    """
    The account of the authenticated user.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["account"]
    """
    Is "account".
    """
    created: Annotated[int, Field(examples=[1410196557], ge=0, le=9223372036854775807)]
    """
    Unix time in seconds.
    """
    name: str
    """
    The name of the user.
    """
    email: str
    """
    The email address of the user.
    """
    avatar_image_url: str | None
    """
    The URL of the user's avatar image, or null when the user has none.
    """
    referral_code: str
    """
    The referral code the user can use to refer others.
    """


class Address(BaseModel):
    """
    A postal address.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    line_1: str
    """
    First address line.
    """
    line_2: str | None
    """
    Second address line; may be empty.
    """
    line_3: str | None
    """
    Third address line; may be empty.
    """
    zip_code: str
    """
    Postal code, as a string (leading zeros matter).
    """
    locality: str
    """
    City or locality.
    """
    region: str | None
    """
    State, province or region; may be empty.
    """
    country: str
    """
    Country, as an ISO 3166-1 alpha-2 code.
    """


class CapturedEmail(BaseModel):
    """
    An email captured through a capture email section of a Space. Read only.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["captured_email"]
    """
    Is "captured_email".
    """
    id: Annotated[str | None, Field(min_length=1)] = None
    """
    Not in the docs: an identifier used as the pagination cursor. Servers should send
    it; clients must not require it.

    """
    email: str
    """
    The captured email address.
    """
    created: Annotated[int, Field(examples=[1410196557], ge=0, le=9223372036854775807)]
    """
    Unix time in seconds.
    """
    space: Space


class CapturedEmailCreatedEvent(BaseModel):
    """
    An email has been captured through a capture email section.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["event"]
    """
    Is "event".
    """
    id: Annotated[str | None, Field(min_length=1)] = None
    """
    Not in the docs; the pagination cursor of the event list.
    """
    created: Annotated[int, Field(examples=[1410196557], ge=0, le=9223372036854775807)]
    """
    Unix time in seconds.
    """
    type: Literal["captured_email.created"]
    """
    The event type.
    """
    data: CapturedEmailEventData


class CapturedEmailEventData(BaseModel):
    """
    Referencing data of a captured email event.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: CapturedEmail


class CapturedEmailList(BaseModel):
    """
    A page of captured emails.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["list"]
    """
    Is "list".
    """
    data: list[CapturedEmail]
    """
    The captured emails of this page.
    """
    has_more: bool
    """
    Whether there are more captured emails after this page. If false, this is the last page.
    """
    count: Annotated[int, Field(ge=0)]
    """
    The number of captured emails in `data`.
    """


class Customer(BaseModel):
    """
    A customer of one of the user's Spaces. Read only.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["customer"]
    """
    Is "customer".
    """
    id: Annotated[str, Field(min_length=1)]
    """
    The customer id, unique among all Spaces of the user.
    """
    name: str
    """
    The customer's name.
    """
    email: str
    """
    The customer's email address.
    """
    created: Annotated[int, Field(examples=[1410196557], ge=0, le=9223372036854775807)]
    """
    Unix time in seconds.
    """
    space: Space


class CustomerCreatedEvent(BaseModel):
    """
    A customer has been created.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["event"]
    """
    Is "event".
    """
    id: Annotated[str | None, Field(min_length=1)] = None
    """
    Not in the docs; the pagination cursor of the event list.
    """
    created: Annotated[int, Field(examples=[1410196557], ge=0, le=9223372036854775807)]
    """
    Unix time in seconds.
    """
    type: Literal["customer.created"]
    """
    The event type.
    """
    data: CustomerEventData


class CustomerEventData(BaseModel):
    """
    Referencing data of a customer event.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: EventCustomer


class CustomerList(BaseModel):
    """
    A page of customers.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["list"]
    """
    Is "list".
    """
    data: list[Customer]
    """
    The customers of this page.
    """
    has_more: bool
    """
    Whether there are more customers after this page. If false, this is the last page.
    """
    count: Annotated[int, Field(ge=0)]
    """
    The number of customers in `data`.
    """


class Error(BaseModel):
    """
    The body of every error response.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    message: str
    """
    A human-readable message giving information about the error.
    """


class EventCustomer(BaseModel):
    """
    The customer as embedded in an event's `data.object`. The docs' event examples name the
    customer's id `token` (events) or `id` (webhooks) and leave out `space`, so both names
    are accepted and `space` is optional here.

    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["customer"]
    """
    Is "customer".
    """
    id: Annotated[str | None, Field(min_length=1)] = None
    """
    The customer id.
    """
    token: Annotated[str | None, Field(min_length=1)] = None
    """
    The customer id, under the name the docs' event example uses.
    """
    name: str
    """
    The customer's name.
    """
    email: str
    """
    The customer's email address.
    """
    created: Annotated[int, Field(examples=[1410196557], ge=0, le=9223372036854775807)]
    """
    Unix time in seconds.
    """
    space: Space | None = None


class EventList(BaseModel):
    """
    A page of events.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["list"]
    """
    Is "list".
    """
    data: list[Event]
    """
    The events of this page.
    """
    has_more: bool
    """
    Whether there are more events after this page. If false, this is the last page.
    """
    count: Annotated[int, Field(ge=0)]
    """
    The number of events in `data`.
    """


class EventType(StrEnum):
    """
    The type of an event.
    """

    customer_created = "customer.created"
    """
    A customer has been created.
    """
    invoice_created = "invoice.created"
    """
    An invoice has been created.
    """
    invoice_paid = "invoice.paid"
    """
    An invoice has been paid.
    """
    subscription_created = "subscription.created"
    """
    A subscription has been created.
    """
    captured_email_created = "captured_email.created"
    """
    An email has been captured through a capture email section.
    """


class Invoice(BaseModel):
    """
    An invoice. It belongs to a customer.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["invoice"]
    """
    Is "invoice".
    """
    id: Annotated[str, Field(min_length=1)]
    """
    The invoice id, unique among all Spaces of the user.
    """
    created: Annotated[int, Field(examples=[1410196557], ge=0, le=9223372036854775807)]
    """
    Unix time in seconds.
    """
    order_number: Annotated[int, Field(ge=1)]
    """
    The sequential order number. It's scoped to the Space.
    """
    billing_address: Address | None
    """
    A JSON object containing an address, or null.
    """
    shipping_address: Address | None
    """
    A JSON object containing an address, or null.
    """
    paid: bool
    """
    Whether the invoice has been paid.
    """
    shipped: bool
    """
    Whether the order has been marked as shipped.
    """
    shipping_details: str | None
    """
    A message sent to the customer when the order was marked as shipped.
    """
    total: int
    """
    The fractional amount paid.
    """
    currency: Annotated[str, Field(examples=["USD"], min_length=1)]
    """
    The currency, as an ISO 4217 code.
    """
    items: InvoiceItemList
    customer: Customer


class InvoiceCreatedEvent(BaseModel):
    """
    An invoice has been created.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["event"]
    """
    Is "event".
    """
    id: Annotated[str | None, Field(min_length=1)] = None
    """
    Not in the docs; the pagination cursor of the event list.
    """
    created: Annotated[int, Field(examples=[1410196557], ge=0, le=9223372036854775807)]
    """
    Unix time in seconds.
    """
    type: Literal["invoice.created"]
    """
    The event type.
    """
    data: InvoiceEventData


class InvoiceEventData(BaseModel):
    """
    Referencing data of an invoice event.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Invoice


class InvoiceItem(BaseModel):
    """
    A line of an invoice.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["invoice_item"]
    """
    Is "invoice_item".
    """
    item_id: Annotated[str | int, Field(examples=["100100", 101])]
    """
    The id of the item. The docs show it both as a string ("100100") and as an integer
    (101), so both are accepted.

    """
    description: str
    """
    What the item is.
    """
    quantity: int
    """
    How many units.
    """
    discount: int
    """
    The discount, as a fractional amount.
    """
    unit_amount: int
    """
    The price of one unit, as a fractional amount.
    """
    total_amount: int
    """
    The price of the line, as a fractional amount.
    """
    currency: Annotated[str, Field(examples=["USD"], min_length=1)]
    """
    The currency, as an ISO 4217 code.
    """
    date_range_start: int | None
    """
    Start of the period the line covers (Unix time), or null.
    """
    date_range_end: int | None
    """
    End of the period the line covers (Unix time), or null.
    """


class InvoiceItemList(BaseModel):
    """
    The items of an invoice.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    data: list[InvoiceItem]
    """
    The list of invoice items.
    """
    count: Annotated[int, Field(ge=0)]
    """
    Number of invoice items.
    """


class InvoiceList(BaseModel):
    """
    A page of invoices.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["list"]
    """
    Is "list".
    """
    data: list[Invoice]
    """
    The invoices of this page.
    """
    has_more: bool
    """
    Whether there are more invoices after this page. If false, this is the last page.
    """
    count: Annotated[int, Field(ge=0)]
    """
    The number of invoices in `data`.
    """


class InvoicePaidEvent(BaseModel):
    """
    An invoice has been paid.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["event"]
    """
    Is "event".
    """
    id: Annotated[str | None, Field(min_length=1)] = None
    """
    Not in the docs; the pagination cursor of the event list.
    """
    created: Annotated[int, Field(examples=[1410196557], ge=0, le=9223372036854775807)]
    """
    Unix time in seconds.
    """
    type: Literal["invoice.paid"]
    """
    The event type.
    """
    data: InvoiceEventData


class ResourceSubscription(BaseModel):
    """
    A REST Hooks subscription of a target URL to an event type.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["resource_subscription"]
    """
    Is "resource_subscription".
    """
    id: Annotated[str | None, Field(min_length=1)] = None
    """
    Not in the docs; the pagination cursor of the resource subscription list.
    """
    event: EventType
    target_url: str
    """
    The target URL webhooks are sent to.
    """
    api_version: str
    """
    The API version the deliveries are rendered in, e.g. "04-09-2014".
    """
    created: Annotated[int, Field(examples=[1410196557], ge=0, le=9223372036854775807)]
    """
    Unix time in seconds.
    """


class ResourceSubscriptionCreateParams(BaseModel):
    """
    The arguments of a new resource subscription.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    event: EventType
    target_url: AnyUrl
    """
    The target URL to send webhooks to (http or https).
    """


class ResourceSubscriptionList(BaseModel):
    """
    A page of resource subscriptions.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["list"]
    """
    Is "list".
    """
    data: list[ResourceSubscription]
    """
    The resource subscriptions of this page.
    """
    has_more: bool
    """
    Whether there are more resource subscriptions after this page. If false, this is the last page.
    """
    count: Annotated[int, Field(ge=0)]
    """
    The number of resource subscriptions in `data`.
    """


class Space(BaseModel):
    """
    A Space. Read only.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["space"]
    """
    Is "space".
    """
    id: Annotated[int, Field(ge=1, le=9223372036854775807)]
    """
    ID is sequentially running starting from 1.
    """
    created: Annotated[int, Field(examples=[1410196557], ge=0, le=9223372036854775807)]
    """
    Unix time in seconds.
    """
    url: str | None
    """
    The public URL of the Space. If null, the Space is not publicly available.
    """


class SpaceList(BaseModel):
    """
    A page of Spaces.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["list"]
    """
    Is "list".
    """
    data: list[Space]
    """
    The Spaces of this page.
    """
    has_more: bool
    """
    Whether there are more Spaces after this page. If false, this is the last page.
    """
    count: Annotated[int, Field(ge=0)]
    """
    The number of Spaces in `data`.
    """


class Subscription(BaseModel):
    """
    A subscription. Always tied to a customer; its token is unique only within that
    customer.

    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["subscription"]
    """
    Is "subscription".
    """
    id: Annotated[str | None, Field(min_length=1)] = None
    """
    Not in the docs: an identifier unique among the user's subscriptions, used as the
    pagination cursor of the subscription list (the token is only unique within its
    customer). Servers should send it; clients must not require it.

    """
    token: Annotated[str, Field(min_length=1)]
    """
    The token is under the scope of a customer.
    """
    serial_number: Annotated[int, Field(ge=1)]
    """
    The sequential number for the subscription within the scope of the Space.
    """
    created: Annotated[int, Field(examples=[1410196557], ge=0, le=9223372036854775807)]
    """
    Unix time in seconds.
    """
    status: str
    """
    The state of the subscription, e.g. "active". Shown by every example, not in the
    attribute table (required: NOTES 24).

    """
    items: SubscriptionItemList
    total: int
    """
    The fractional amount paid.
    """
    currency: Annotated[str, Field(examples=["USD"], min_length=1)]
    """
    The currency, as an ISO 4217 code.
    """
    customer: Customer


class SubscriptionCreatedEvent(BaseModel):
    """
    A subscription has been created.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["event"]
    """
    Is "event".
    """
    id: Annotated[str | None, Field(min_length=1)] = None
    """
    Not in the docs; the pagination cursor of the event list.
    """
    created: Annotated[int, Field(examples=[1410196557], ge=0, le=9223372036854775807)]
    """
    Unix time in seconds.
    """
    type: Literal["subscription.created"]
    """
    The event type.
    """
    data: SubscriptionEventData


class SubscriptionEventData(BaseModel):
    """
    Referencing data of a subscription event.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Subscription


class SubscriptionItem(BaseModel):
    """
    A line of a subscription.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["subscription_item"]
    """
    Is "subscription_item".
    """
    item_id: Annotated[str | int, Field(examples=["100100", 101])]
    """
    The id of the item. The docs show it both as a string ("100100") and as an integer
    (101), so both are accepted.

    """
    description: str
    """
    What the item is.
    """
    quantity: int
    """
    How many units.
    """
    discount: int
    """
    The discount, as a fractional amount.
    """
    unit_amount: int
    """
    The price of one unit, as a fractional amount.
    """
    total_amount: int
    """
    The price of the line, as a fractional amount.
    """


class SubscriptionItemList(BaseModel):
    """
    The items of a subscription.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    data: list[SubscriptionItem]
    """
    The list of subscription items.
    """
    count: Annotated[int, Field(ge=0)]
    """
    Number of subscription items.
    """


class SubscriptionList(BaseModel):
    """
    A page of subscriptions.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["list"]
    """
    Is "list".
    """
    data: list[Subscription]
    """
    The subscriptions of this page.
    """
    has_more: bool
    """
    Whether there are more subscriptions after this page. If false, this is the last page.
    """
    count: Annotated[int, Field(ge=0)]
    """
    The number of subscriptions in `data`.
    """


class UnknownEvent(BaseModel):
    """
    An `Event` whose `type` this client does not know (added to the API after the client was generated). Its fields are kept as they are.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    type: str
    """
    The `type`, not one this client knows.
    """
    object: Literal["event"]
    """
    Is "event".
    """
    id: Annotated[str | None, Field(min_length=1)] = None
    """
    Not in the docs; the pagination cursor of the event list.
    """
    created: Annotated[int, Field(examples=[1410196557], ge=0, le=9223372036854775807)]
    """
    Unix time in seconds.
    """


class Webhook(BaseModel):
    """
    One delivery of an event to a URL. Delivery is attempted each hour until delivered, or
    until 24 tries.

    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["webhook"]
    """
    Is "webhook".
    """
    id: Annotated[str | None, Field(min_length=1)] = None
    """
    Not in the docs; the pagination cursor of the webhook list.
    """
    created: Annotated[int, Field(examples=[1410196557], ge=0, le=9223372036854775807)]
    """
    Unix time in seconds.
    """
    url: str
    """
    The URL the event is delivered to.
    """
    event: Event
    """
    Something that happened to your data. `type` names what happened and `data.object` is
    the object it happened to, as it was then.
    """
    pending: bool
    """
    Whether the webhook is yet to be delivered or not.
    """


class WebhookList(BaseModel):
    """
    A page of webhooks.
    """

    model_config = ConfigDict(
        extra="allow",
    )
    object: Literal["list"]
    """
    Is "list".
    """
    data: list[Webhook]
    """
    The webhooks of this page.
    """
    has_more: bool
    """
    Whether there are more webhooks after this page. If false, this is the last page.
    """
    count: Annotated[int, Field(ge=0)]
    """
    The number of webhooks in `data`.
    """


def _discriminate(prop: str, known: frozenset[str], unknown: str) -> Callable[[Any], str]:
    """The tag of a union member: its `prop` when this client knows the value, else `unknown`."""

    def tag(value: Any) -> str:
        found = value.get(prop) if isinstance(value, dict) else getattr(value, prop, None)
        return found if isinstance(found, str) and found in known else unknown

    return tag


Event = Annotated[
    Annotated[CustomerCreatedEvent, Tag("customer.created")]
    | Annotated[InvoiceCreatedEvent, Tag("invoice.created")]
    | Annotated[InvoicePaidEvent, Tag("invoice.paid")]
    | Annotated[SubscriptionCreatedEvent, Tag("subscription.created")]
    | Annotated[CapturedEmailCreatedEvent, Tag("captured_email.created")]
    | Annotated[UnknownEvent, Tag("__unknown__")],
    Discriminator(
        _discriminate(
            "type",
            frozenset(
                (
                    "captured_email.created",
                    "customer.created",
                    "invoice.created",
                    "invoice.paid",
                    "subscription.created",
                )
            ),
            "__unknown__",
        )
    ),
]
"""Something that happened to your data. `type` names what happened and `data.object` is
the object it happened to, as it was then.

Unknown `type` values parse as UnknownEvent."""


def _keep_unknown_member(cls: Any, value: object) -> Any:
    """Enum fallback: a value this client does not know (added to the API later) still parses,
    as a member of its own, instead of failing the whole response."""
    bases: tuple[Any, ...] = (str, int)
    for base in bases:
        if issubclass(cls, base) and isinstance(value, base) and not isinstance(value, bool):
            member = base.__new__(cls, value)
            member._name_ = str(value)
            member._value_ = value
            return member
    return None


for _enum in (EventType,):
    setattr(_enum, "_missing_", classmethod(_keep_unknown_member))  # noqa: B010 (mypy: method)

EventList.model_rebuild()
Webhook.model_rebuild()
WebhookList.model_rebuild()
