"""The reference as Markdown in the original docs' layout: README.md plus sections/<object>.md.

Tables keep the original's columns (Name | Type | Description, nested attributes written
`**items**->**data**`), so the public docs repository could be regenerated from the spec.
"""

from __future__ import annotations

import http
import re
from dataclasses import dataclass

from .fields import Field
from .html import environment
from .model import DocsView, ErrorView, ResourceView

__all__ = ["MdRow", "render_markdown"]

_LINK = re.compile(r"\[([^\]]+)\]\(#([^)]+)\)")


@dataclass(frozen=True)
class MdRow:
    name: str
    type: str
    required: str
    description: str


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


class MarkdownLinks:
    """Turns the HTML page's anchors into links between the Markdown files."""

    def __init__(self, view: DocsView) -> None:
        self.targets: dict[str, tuple[str, str]] = {}
        for r in view.resources:
            self.targets[r.object_anchor] = (
                r.markdown_file,
                github_slug(f"The {r.object_name} object"),
            )
            for op in r.operations:
                self.targets[op.anchor] = (r.markdown_file, github_slug(op.summary))
        self.readme_targets = {"pagination": "README.md#pagination", "errors": "README.md#errors"}

    def href(self, anchor: str, *, current: str) -> str:
        if anchor in self.targets:
            file, slug = self.targets[anchor]
            return f"#{slug}" if file == current else f"{file}#{slug}"
        if anchor in self.readme_targets:
            return f"../{self.readme_targets[anchor]}"
        return f"#{anchor}"

    def text(self, markdown: str, *, current: str) -> str:
        return _LINK.sub(
            lambda m: f"[{m.group(1)}]({self.href(m.group(2), current=current)})", markdown
        )


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def field_rows(fields: tuple[Field, ...], links: MarkdownLinks, current: str) -> tuple[MdRow, ...]:
    rows: list[MdRow] = []

    def add(field: Field, parents: tuple[str, ...]) -> None:
        name = "->".join(f"**{p}**" for p in (*parents, field.name))
        parts = []
        if field.condition:
            parts.append(f"({field.condition[0].upper()}{field.condition[1:]}.)")
        if field.description:
            parts.append(field.description)
        if len(field.values) > 1:
            parts.append("One of " + ", ".join(f"`{v}`" for v, _ in field.values) + ".")
        elif field.values and field.values[0][0] not in field.description:
            parts.append(f"Always `{field.values[0][0]}`.")
        notes = "; ".join(n for n in field.notes if n not in field.description)
        if notes:
            parts.append(f"{notes[0].upper()}{notes[1:]}.")
        if field.link:
            href = links.href(field.link.anchor, current=current)
            parts.append(f"See [{field.link.label}]({href}).")
        type_ = field.type + (" or null" if field.nullable else "")
        rows.append(
            MdRow(
                name,
                _cell(type_),
                "required" if field.required else "optional",
                _cell(links.text(" ".join(parts), current=current)),
            )
        )
        for child in field.children:
            add(child, (*parents, field.name))

    for field in fields:
        add(field, ())
    return tuple(rows)


def _status_rows(errors: tuple[ErrorView, ...]) -> tuple[MdRow, ...]:
    rows = []
    for error in errors:
        try:
            label = f"{error.status} {http.HTTPStatus(int(error.status)).phrase}"
        except ValueError:
            label = error.status
        rows.append(MdRow(label, "", "", _cell(error.description)))
    return tuple(rows)


def render_markdown(view: DocsView) -> dict[str, str]:
    env = environment(html=False)
    links = MarkdownLinks(view)
    files = {
        "README.md": env.get_template("markdown/README.md.jinja").render(
            view=view,
            statuses=_status_rows(view.error_statuses),
            error_rows=field_rows(view.error_fields, links, "README.md"),
            pagination_rows=field_rows(view.pagination_params, links, "README.md"),
            list_rows=field_rows(view.list_fields, links, "README.md"),
        )
    }
    section = env.get_template("markdown/section.md.jinja")
    for resource in view.resources:
        files[f"sections/{resource.markdown_file}"] = section.render(
            view=view, r=resource, **_section_context(view, resource, links)
        )
    return files


def _section_context(view: DocsView, r: ResourceView, links: MarkdownLinks) -> dict[str, object]:
    current = r.markdown_file
    return {
        "title_rule": "=" * len(r.singular),
        "object_title": f"The {r.object_name} object",
        "attributes": field_rows(r.attributes, links, current),
        "operations": [
            {
                "op": op,
                "rule": "-" * len(op.summary),
                "arguments": field_rows(
                    (*op.path_params, *op.query_params, *op.body), links, current
                ),
                "returns": links.text(op.returns, current=current),
                "errors": _status_rows(op.errors),
                "samples": {s.lang: s.code for s in op.samples},
            }
            for op in r.operations
        ],
        # The event types and their deliveries belong with the event object, as in the original.
        "webhooks": view.webhooks if _is_event_resource(view, r) else (),
        "subscribe_href": links.href(view.subscribe_link.anchor, current=current)
        if view.subscribe_link
        else "",
    }


def _is_event_resource(view: DocsView, r: ResourceView) -> bool:
    anchors = {hook.payload_link.anchor for hook in view.webhooks if hook.payload_link}
    return r.object_anchor in anchors
