"""Flags that also come from the environment, by one rule, applied to parsers after they are built.

The rule: every long option `--some-flag` of `spaces serve` is also `$SPACES_SOME_FLAG` (a flag
given on the command line wins). Booleans read 1/true/yes/on or 0/false/no/off; repeatable
flags read a comma-separated list. Because the rule is derived from the argparse definition,
a flag added to `serve` later gets its variable without further code.

Every subcommand's `--token` is `$SPACES_ACCESS_TOKEN` (the client's name for it), and
`--second-token` is `$SPACES_SECOND_ACCESS_TOKEN`; the older `$SPACES_TOKEN` and
`$SPACES_SECOND_TOKEN` are still read when the new names are not set.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from typing import Any

__all__ = [
    "DEFAULT_BASE_URL",
    "ACCESS_TOKEN_VARS",
    "PREFIX",
    "SECOND_TOKEN_VARS",
    "access_token",
    "apply_env_defaults",
    "apply_token_defaults",
    "env_var",
]

PREFIX = "SPACES_"
# Where the sandbox tools (`spaces trigger`, `listen`, `webhooks`) look for a sandbox when neither
# --base-url nor $SPACES_BASE_URL says: `spaces serve`'s default address.
DEFAULT_BASE_URL = "http://127.0.0.1:8000/api/v1"
ACCESS_TOKEN_VARS = ("SPACES_ACCESS_TOKEN", "SPACES_TOKEN")
SECOND_TOKEN_VARS = ("SPACES_SECOND_ACCESS_TOKEN", "SPACES_SECOND_TOKEN")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def access_token(environ: Mapping[str, str] | None = None, names=ACCESS_TOKEN_VARS) -> str | None:
    """The access token from the environment: the first of `names` that is set and not empty."""
    environ = os.environ if environ is None else environ
    return next((environ[n] for n in names if environ.get(n)), None)


def env_var(action: argparse.Action) -> str | None:
    """The variable of a long option: `--retry-interval` -> SPACES_RETRY_INTERVAL."""
    longs = [s for s in action.option_strings if s.startswith("--")]
    if not longs or isinstance(action, argparse._HelpAction | argparse._VersionAction):
        return None
    return PREFIX + longs[0][2:].upper().replace("-", "_")


def apply_env_defaults(
    parser: argparse.ArgumentParser, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Give every long option of `parser` its `$SPACES_*` variable as default (see module doc).
    Returns a problem per variable whose value does not convert (the caller reports them when
    that command runs, so a bad serve variable does not break other commands)."""
    environ = os.environ if environ is None else environ
    problems = []
    for action in parser._actions:
        name = env_var(action)
        if name is None:
            continue
        action.help = f"{action.help or ''} [env: {name}]".strip()
        if name not in environ:
            continue
        try:
            action.default = _convert(action, environ[name])
        except (TypeError, ValueError, argparse.ArgumentTypeError) as exc:
            problems.append(f"${name}={environ[name]!r}: {exc}")
            continue
        action.required = False
    return problems


def _convert(action: argparse.Action, raw: str) -> Any:
    if action.nargs == 0:  # store_true / store_false / store_const
        word = raw.strip().lower()
        if word not in _TRUE | _FALSE:
            raise ValueError("expected a boolean: 1/0, true/false, yes/no or on/off")
        given = word in _TRUE
        return action.const if given else _unset_default(action)
    if isinstance(action, argparse._AppendAction):
        return [_one(action, part.strip()) for part in raw.split(",") if part.strip()]
    return _one(action, raw)


def _unset_default(action: argparse.Action) -> Any:
    if isinstance(action, argparse._StoreFalseAction):
        return True
    if isinstance(action, argparse._StoreTrueAction):
        return False
    return None


def _one(action: argparse.Action, raw: str) -> Any:
    value = action.type(raw) if callable(action.type) else raw
    if action.choices is not None and value not in action.choices:
        choices = ", ".join(map(str, action.choices))
        raise ValueError(f"invalid choice {value!r} (choose from {choices})")
    return value


def apply_token_defaults(
    parser: argparse.ArgumentParser, environ: Mapping[str, str] | None = None
) -> None:
    """`--token` / `--second-token` of `parser` default to the access-token variables."""
    for action in parser._actions:
        if action.dest == "token":
            action.default = access_token(environ, ACCESS_TOKEN_VARS)
        elif action.dest == "second_token":
            action.default = access_token(environ, SECOND_TOKEN_VARS)
