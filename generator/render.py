"""The Jinja2 environment: strict (an undefined name is an error), no autoescaping, no magic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

__all__ = ["TEMPLATES", "environment", "render"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


def environment(root: Path = TEMPLATES) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pyrepr"] = repr
    return env


def render(env: jinja2.Environment, template: str, **context: Any) -> str:
    """Render `template` (a path under the templates folder) with `context`."""
    return env.get_template(template).render(**context)
