"""The generator's lists of names a spec may not take are complete: checked against the generated
client itself (its public attributes, its methods' keyword arguments, its modules' imports)."""

from __future__ import annotations

import ast
import inspect

from generator_helpers import GENERATED, SPEC

from generator.build import client_attributes, load_api
from generator.emitters.python import taken_names
from generator.naming import _RESERVED, py_identifier
from generator.runtime_names import request_option_names

PACKAGE = GENERATED / "python" / "spaces_client"


def test_client_attributes_cover_the_generated_clients() -> None:
    import spaces_client

    _, api = load_api(SPEC)
    resources = {r.name for r in api.resources}
    for cls in (spaces_client.SpacesClient, spaces_client.AsyncSpacesClient):
        client = cls("token")
        public = {n for n in dir(client) if not n.startswith("_")} - resources
        assert public <= client_attributes(), public - client_attributes()


def test_reserved_words_cover_every_per_request_option() -> None:
    import spaces_client

    method = spaces_client.SpacesClient("token").customers.list
    params = set(inspect.signature(method).parameters)
    assert {"extra_headers", "extra_query", "timeout", "max_retries"} <= params
    assert request_option_names() <= _RESERVED
    assert py_identifier("timeout") == "timeout_"  # a spec parameter named so is renamed


def test_runtime_names_cover_what_generated_modules_import() -> None:
    """A model named like something a generated module imports would shadow it."""
    _, api = load_api(SPEC)
    own = {m.name for m in api.models} | {m.unknown_variant for m in api.models}
    imported: set[str] = set()
    for path in [PACKAGE / "models.py", PACKAGE / "webhooks.py", *PACKAGE.glob("resources/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                imported |= {alias.asname or alias.name for alias in node.names}
            elif isinstance(node, ast.Import):
                imported |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    missing = imported - own - taken_names(api) - {"annotations"}
    assert not missing, f"add to _RUNTIME_NAMES in generator/emitters/python.py: {missing}"
