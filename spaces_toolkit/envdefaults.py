"""Flags that also come from the environment, by one rule, applied to every subcommand's parser
after it is built (spaces_toolkit.cli, `apply_env_defaults`).

The rule: every long option `--some-flag` of every `spaces` command is also `$SPACES_SOME_FLAG`
(a flag given on the command line wins), so `spaces serve` and `spaces worker` read the same
`$SPACES_WEBHOOK_TIMEOUT`. Booleans read 1/true/yes/on or 0/false/no/off; repeatable flags and
flags taking several values read a comma-separated list; values convert by the flag's own
type (durations: clihelp). Because the rule is derived from the argparse definition, a flag
added later gets its variable without further code; `--help` names it
(`[env: SPACES_SOME_FLAG]`).

`--token` is `$SPACES_ACCESS_TOKEN` (the client's name for it) and `--second-token`
`$SPACES_SECOND_ACCESS_TOKEN`; the older `$SPACES_TOKEN` and `$SPACES_SECOND_TOKEN` are still
read when the new names are not set. A flag may name its variable itself (`set_variable`): one
whose name means something else in another command (`listen --port`, the listener's, is
`$SPACES_LISTEN_PORT`, not `spaces serve`'s `$SPACES_PORT`), or none where the command weighs
several variables itself (`trigger`: each of --base-url and --db beats both variables).
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
    "env_var",
    "set_variable",
]

PREFIX = "SPACES_"
# Where the sandbox tools (`spaces trigger`, `listen`, `webhooks`) look for a sandbox when neither
# --base-url nor $SPACES_BASE_URL says: `spaces serve`'s default address.
DEFAULT_BASE_URL = "http://127.0.0.1:8000/api/v1"
ACCESS_TOKEN_VARS = ("SPACES_ACCESS_TOKEN", "SPACES_TOKEN")
SECOND_TOKEN_VARS = ("SPACES_SECOND_ACCESS_TOKEN", "SPACES_SECOND_TOKEN")
_TOKENS = {"token": ACCESS_TOKEN_VARS, "second_token": SECOND_TOKEN_VARS}
_VARIABLE = "spaces_variable"  # the attribute set_variable gives an action
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def access_token(environ: Mapping[str, str] | None = None, names=ACCESS_TOKEN_VARS) -> str | None:
    """The access token from the environment: the first of `names` that is set and not empty."""
    environ = os.environ if environ is None else environ
    return next((environ[n] for n in names if environ.get(n)), None)


def env_var(action: argparse.Action) -> str | None:
    """The variable of a long option: `--retry-interval` -> SPACES_RETRY_INTERVAL, `--token` ->
    SPACES_ACCESS_TOKEN; the one `set_variable` gave it; None for --help and positionals."""
    if hasattr(action, _VARIABLE):
        named: str | None = getattr(action, _VARIABLE)
        return named
    longs = [s for s in action.option_strings if s.startswith("--")]
    if not longs or isinstance(action, argparse._HelpAction | argparse._VersionAction):
        return None
    if action.dest in _TOKENS:
        return _TOKENS[action.dest][0]
    return PREFIX + longs[0][2:].upper().replace("-", "_")


def set_variable(action: argparse.Action, name: str | None) -> argparse.Action:
    """Give a flag another variable than the rule's, or (None) none: see the module doc."""
    setattr(action, _VARIABLE, name)
    return action


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
        if action.help != argparse.SUPPRESS:
            action.help = f"{action.help or ''} [env: {name}]".strip()
        if action.dest in _TOKENS:
            action.default = access_token(environ, _TOKENS[action.dest])
            continue
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
    if isinstance(action, argparse._AppendAction) or action.nargs in ("+", "*"):
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
