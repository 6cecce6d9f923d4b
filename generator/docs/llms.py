"""The reference for language models, in the llms.txt layout (https://llmstxt.org):

- `llms.txt`: the API's name, a one-paragraph summary, the facts every request needs, and a
  linked list of every operation and event type (links relative to where a sandbox serves the
  file: `/llms.txt` beside `/docs`, `/openapi.json` and `/llms-full.txt`);
- `llms-full.txt`: the whole Markdown reference (generator.docs.markdown) in one file.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .model import DocsView
from .text import first_sentence

__all__ = ["render_llms"]


def render_llms(view: DocsView, markdown: dict[str, str]) -> dict[str, str]:
    """File name -> text; `markdown` is the Markdown reference (path -> text)."""
    return {"llms.txt": _index(view), "llms-full.txt": _full(view, markdown)}


def _index(view: DocsView) -> str:
    lines = [f"# {view.title}", ""]
    if view.summary:
        lines += [f"> {view.summary}", ""]
    base = view.base_url
    lines += [
        f"- Base URL: `{base}`. A sandbox (`spaces serve`) answers the same API under"
        f" `{urlsplit(base).path}` of its own address, with this reference at `/docs`.",
        f"- Authentication: HTTP {view.auth_kind.capitalize()} with the access token as the"
        f" username and an empty password (`curl -u ACCESS_TOKEN: {base}/...`).",
        "- Errors: a JSON object with a `message`; status codes "
        + ", ".join(f"`{e.status}`" for e in view.error_statuses)
        + ".",
    ]
    if view.pagination_params:
        names = ", ".join(f"`{f.name}`" for f in view.pagination_params)
        lines.append(f"- Lists are paginated by cursor: {names}.")
    lines.append(
        f"- Python client: `{view.package}` (`{view.client_class}`, `{view.async_client_class}`;"
        f" token from `{view.env_prefix}_ACCESS_TOKEN`, URL from `{view.env_prefix}_BASE_URL`)."
    )
    lines += [
        "",
        "## Docs",
        "",
        "- [Full reference](llms-full.txt): every operation, parameter, attribute, error and"
        " event, with curl, Python and JavaScript samples, as one Markdown file",
        "- [HTML reference](docs): the same, with search and a try-it panel per operation",
        "- [OpenAPI document](openapi.json): the machine-readable contract (OpenAPI 3.1)",
    ]
    for resource in view.resources:
        lines += ["", f"## {resource.tag}", ""]
        lines.append(f"- [The {resource.object_name} object](docs#{resource.object_anchor})")
        for op in resource.operations:
            about = first_sentence(op.description)
            lines.append(
                f"- [{op.summary}](docs#{op.anchor}): `{op.method} {op.path}`"
                + (f" — {about}" if about else "")
            )
    if view.webhooks:
        lines += ["", "## Webhook events", ""]
        for hook in view.webhooks:
            about = first_sentence(hook.summary)
            lines.append(f"- [{hook.name}](docs#{hook.anchor})" + (f": {about}" if about else ""))
    return "\n".join(lines) + "\n"


def _full(view: DocsView, markdown: dict[str, str]) -> str:
    parts = [
        f"# {view.title}: full reference\n\n"
        f"> Every operation, parameter, attribute, error and event of the {view.title} "
        f"(version {view.version}), generated from its OpenAPI document."
    ]
    order = ["README.md", *sorted(p for p in markdown if p != "README.md")]
    parts += [markdown[path].strip("\n") for path in order if path in markdown]
    return "\n\n".join(parts) + "\n"
