"""`spaces token list`, `spaces token revoke`, and `--expires` for `spaces token create`.

A revocation is a write to the database; every server process sharing it checks each
request's token there (no cache), so the next request with that token gets a 401."""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time

from ...clihelp import DURATION_EXAMPLES, Duration
from ...errors import CLIError
from ..storage.database import open_database
from ..storage.repo.accounts import list_tokens, revoke_tokens

__all__ = ["register", "parse_expires"]


class Expiry(Duration):
    """`--expires`: a duration from now (spaces_toolkit.clihelp's grammar) or an ISO-8601 date or
    time ("2027-01-31", "2027-01-31T12:00:00Z"; UTC unless it says otherwise); Unix seconds."""

    def __call__(self, text: str) -> int:
        return parse_expires(text)


def parse_expires(text: str, now: float | None = None) -> int:
    """Unix seconds from `--expires` (see Expiry)."""
    now = time.time() if now is None else now
    try:
        return int(now + Expiry().seconds(text))
    except argparse.ArgumentTypeError:
        pass
    try:
        when = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a duration ({DURATION_EXAMPLES}) or an ISO date/time"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    stamp = int(when.timestamp())
    if stamp <= now:
        raise argparse.ArgumentTypeError(f"{text!r} is in the past")
    return stamp


def _when(stamp: int | None) -> str:
    if stamp is None:
        return "-"
    return datetime.datetime.fromtimestamp(stamp, datetime.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _list(args: argparse.Namespace) -> int:
    db = open_database(args.db)
    try:
        with db.read() as tx:
            rows = list_tokens(tx, args.account)
    finally:
        db.close()
    from ...console import Column, print_table

    now = time.time()
    table = []
    for r in rows:
        if r["revoked_at"] is not None:
            state = f"revoked {_when(r['revoked_at'])}"
        elif r["expires_at"] is not None and r["expires_at"] <= now:
            state = "expired"
        else:
            state = "active"
        table.append(
            (r["account_id"], r["prefix"], _when(r["created"]), _when(r["expires_at"]), state)
        )
    print_table(
        (
            Column("ACCOUNT", "right"),
            Column("PREFIX", style="cyan"),
            Column("CREATED"),
            Column("EXPIRES"),
            Column("STATE", style="bold"),
        ),
        table,
    )
    return 0


def _revoke(args: argparse.Namespace) -> int:
    if (args.prefix is None) == (not args.all):
        raise CLIError("give a token PREFIX (as `spaces token list` shows it) or --all")
    db = open_database(args.db)
    try:
        n = revoke_tokens(db, prefix=args.prefix, account_id=args.account)
    except LookupError as exc:
        raise CLIError(f"token revoke: {exc.args[0]}") from None
    finally:
        db.close()
    scope = f"of account {args.account}" if args.account is not None else "in the database"
    what = f"token {args.prefix}" if args.prefix else f"every live token {scope}"
    print(f"Revoked {n} token(s) ({what}); requests with them now get 401.", file=sys.stderr)
    return 0


def register(
    tokens: argparse._SubParsersAction[argparse.ArgumentParser],
    create: argparse.ArgumentParser,
) -> None:
    """Add `list` and `revoke` under `spaces token`, and `--expires` to `token create`."""
    create.add_argument(
        "--expires",
        type=Expiry(),
        metavar="WHEN",
        help=f"the token stops working then: a duration ({DURATION_EXAMPLES}) or an ISO date/time",
    )
    for name, helptext, func in [
        ("list", "list access tokens: prefixes, creation and expiry times (never secrets)", _list),
        ("revoke", "revoke a token by its prefix, or all with --all (effective at once)", _revoke),
    ]:
        p = tokens.add_parser(name, help=helptext)
        p.add_argument(
            "--db",
            default=os.environ.get("SPACES_DB", "spaces.db"),
            help="SQLite database file (default: $SPACES_DB or ./spaces.db)",
        )
        p.add_argument("--account", type=int, help="only this account's tokens")
        if name == "revoke":
            p.add_argument("prefix", nargs="?", metavar="PREFIX", help="as `token list` shows it")
            p.add_argument("--all", action="store_true", help="every live token (of --account)")
        p.set_defaults(func=func)
