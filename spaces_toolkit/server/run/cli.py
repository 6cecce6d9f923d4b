"""The sandbox subcommands of `spaces`: serve, token create, seed, trigger.

`spaces_toolkit/cli.py` (the top-level command) calls `register(subparsers)`; every handler
takes the parsed args and returns an exit code, and reports failures as CLIError."""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Mapping

from ...clihelp import Port, positive_int
from ...envdefaults import DEFAULT_BASE_URL, apply_env_defaults, set_variable
from ...errors import CLIError
from ..http import limit_flags
from ..storage.database import Database, open_database
from ..storage.repo.accounts import account_exists, account_for_token, account_ids, create_account
from ..storage.repo.signing_secrets import signing_secrets
from ..webhook_delivery.flags import add_delivery_arguments
from ..webhook_delivery.targets import TargetRefused, check_target_url
from . import tokens_cli

__all__ = ["add_serve_arguments", "register", "serve_arguments"]

DEFAULT_DB = "spaces.db"


def _db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        default=DEFAULT_DB,
        help="SQLite database file, or a postgresql://user@host/dbname URL"
        " (default: $SPACES_DB or ./spaces.db)",
    )


def _account_args(p: argparse.ArgumentParser) -> None:
    who = p.add_mutually_exclusive_group()
    who.add_argument("--token", help="access token of the account (default: $SPACES_ACCESS_TOKEN)")
    who.add_argument("--account", type=int, help="account id (instead of a token)")


def _open(path: str) -> Database:
    try:
        return open_database(path)
    except Exception as exc:
        raise CLIError(f"cannot open database {path}: {exc}") from None


def _account(db: Database, args: argparse.Namespace) -> int:
    with db.read() as tx:
        if args.token:
            account_id = account_for_token(tx, args.token)
            if account_id is None:
                raise CLIError(f"unknown access token for database {args.db}")
            return account_id
        if args.account is not None:
            if not account_exists(tx, args.account):
                raise CLIError(f"no account {args.account} in {args.db}")
            return int(args.account)
        ids = account_ids(tx, limit=2)
    if len(ids) == 1:
        return ids[0]
    raise CLIError(
        "say which account: --token TOKEN (or $SPACES_ACCESS_TOKEN) or --account ID"
        + ("" if ids else f"; {args.db} has none yet, run `spaces token create` first")
    )


# ---------------------------------------------------------------- serve


def _faults(text: str) -> object:
    from ..sandbox.fault_injection import parse_faults

    try:
        return parse_faults(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def on_off(text: str) -> bool:
    """A switch's value: on/off (also 1/0, true/false, yes/no)."""
    word = text.strip().lower()
    if word in ("on", "1", "true", "yes"):
        return True
    if word in ("off", "0", "false", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected on or off, got {text!r}")


def _serve(args: argparse.Namespace) -> int:
    from .serve import serve

    return serve(args)


# ---------------------------------------------------------------- token


def _token_create(args: argparse.Namespace) -> int:
    if args.webhook_url:
        try:  # private addresses are judged by the server (--allow-private-targets)
            check_target_url(args.webhook_url, allow_private=True)
        except TargetRefused as exc:
            raise CLIError(f"--webhook-url: {exc}") from None
    db = _open(args.db)
    try:
        account_id, token = create_account(
            db,
            name=args.name,
            email=args.email,
            webhook_url=args.webhook_url,
            expires_at=args.expires,
        )
        secret = signing_secrets(db, account_id)[0]
    finally:
        db.close()
    print(token)
    print(
        f"Created account {account_id} in {args.db}. This token is shown only once;"
        f" use it as the Basic auth username: curl -u {token}: …\n"
        f"Webhook signing secret (shown only once; verify deliveries with it): {secret}",
        file=sys.stderr,
    )
    return 0


# ---------------------------------------------------------------- seed


def _seed(args: argparse.Namespace) -> int:
    from ..sandbox.seed import SeedError, seed_account

    if args.spaces < 1 or args.customers < 0:
        raise CLIError("--spaces must be at least 1 and --customers at least 0")
    db = _open(args.db)
    try:
        account_id = _account(db, args)
        run = functools.partial(
            seed_account,
            db,
            account_id,
            spaces=args.spaces,
            customers=args.customers,
            seed=args.seed,
        )
        try:
            if args.customers >= 500 and not args.quiet:
                from rich.console import Console
                from rich.progress import Progress

                with Progress(console=Console(stderr=True), transient=True) as bar:
                    task = bar.add_task("Seeding customers", total=args.customers)
                    summary = run(progress=lambda n: bar.update(task, completed=n))
            else:
                summary = run()
        except SeedError as exc:
            raise CLIError(str(exc), exit_code=1) from None
    finally:
        db.close()
    if summary.finished_before:
        print(
            f"Account {account_id} already holds --seed {args.seed} with these flags: nothing"
            " to do (another --seed adds other data)."
        )
        return 0
    resumed = f" (resumed after customer {summary.resumed_at:,})" if summary.resumed_at else ""
    print(
        f"Seeded account {account_id}{resumed}: {summary.spaces} spaces, {summary.customers}"
        f" customers, {summary.invoices} invoices, {summary.subscriptions} subscriptions,"
        f" {summary.captured_emails} captured emails, {summary.resource_subscriptions}"
        " resource subscription (events and delivered webhooks for all of them)."
    )
    return 0


# ---------------------------------------------------------------- trigger


def trigger_route(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """("http", base URL) or ("db", database) for `spaces trigger`: a flag beats a variable,
    --base-url beats --db, $SPACES_BASE_URL beats $SPACES_DB; with none of them, the sandbox
    at the default local URL over HTTP."""

    environ = os.environ if environ is None else environ
    if args.base_url:
        return "http", args.base_url
    if args.db:
        return "db", args.db
    if environ.get("SPACES_BASE_URL"):
        return "http", environ["SPACES_BASE_URL"]
    if environ.get("SPACES_DB"):
        return "db", environ["SPACES_DB"]
    return "http", DEFAULT_BASE_URL


def _trigger(args: argparse.Namespace) -> int:
    # loads the spec: not for --help
    from ..sandbox.trigger import TriggerError, check_event_type, trigger

    try:
        check_event_type(args.event_type)
    except TriggerError as e:
        raise CLIError(str(e)) from None
    route, where = trigger_route(args)
    if route == "http":
        from ...webhooks.remote import Sandbox

        if args.account is not None:
            raise CLIError("--account needs --db; over HTTP the token says which account")
        if not args.token:
            raise CLIError("say which account: --token TOKEN (or $SPACES_ACCESS_TOKEN)")
        with Sandbox(where, args.token) as sandbox:
            result = sandbox.trigger(args.event_type)
        print(
            f"Triggered {args.event_type}: event {result['event']} ({result['resource']});"
            f" {result['webhooks_queued']} webhook(s) queued for delivery by the sandbox at"
            f" {where}"
        )
        return 0
    args.db = where
    db = _open(where)
    try:
        found = trigger(db, _account(db, args), args.event_type)
    finally:
        db.close()
    print(
        f"Triggered {args.event_type}: event {found['event']} ({found['object']});"
        f" {found['webhooks']} webhook(s) queued for delivery by `spaces serve` on {where}"
    )
    return 0


def serve_arguments(environ: Mapping[str, str] | None = None) -> argparse.Namespace:
    """`spaces serve`'s arguments from SPACES_* variables alone (what the app factory uses)."""
    parser = argparse.ArgumentParser(prog="spaces serve")
    add_serve_arguments(parser)
    problems = apply_env_defaults(parser, environ)
    if problems:
        raise CLIError("; ".join(problems))
    return parser.parse_args([])


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `serve`, `token`, `seed` and `trigger` to the `spaces` command."""
    p = subparsers.add_parser(
        "serve",
        help="run the reference server (a stateful Spaces API sandbox)",
        description="Serve the Spaces API under /api/v1, the spec at /openapi.json and the"
        " docs at /docs, on a SQLite database; deliver webhooks in the background.",
    )
    add_serve_arguments(p)
    _register_sandbox(subparsers)


def add_serve_arguments(p: argparse.ArgumentParser) -> None:
    """The flags of `spaces serve` (each also a SPACES_* variable: spaces_toolkit.envdefaults)."""
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=Port(), default=8000, help="port (default 8000)")
    _db_arg(p)
    p.add_argument("--certfile", help="TLS certificate (PEM): serve HTTPS")
    p.add_argument("--keyfile", help="TLS private key (PEM) for --certfile")
    p.add_argument("--require-https", action="store_true", help="answer plain HTTP with 400")
    p.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDR",
        help="address or CIDR whose X-Forwarded-Proto is believed (repeatable)",
    )
    add_delivery_arguments(p)  # shared with `spaces worker`
    p.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="let browser pages from ORIGIN call the API (repeatable; * for any; default: none)",
    )
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    limit_flags.add_arguments(p)  # connection limits and timeouts
    p.add_argument(
        "--faults",
        type=_faults,
        metavar="SPEC",
        help='misbehave on purpose, seeded: e.g. "latency=200ms,429=5%%,500=2%%,reset=1%%,seed=0"'
        " (see spaces_toolkit/server/sandbox/fault_injection.py)",
    )
    p.add_argument(
        "--sandbox",
        type=on_off,
        default=True,
        metavar="on|off",
        help="serve the sandbox helpers under /sandbox/v1 that `spaces trigger`/`listen` use"
        " over HTTP (default on; off: production mode, those paths are 404)",
    )
    p.add_argument(
        "--workers", type=positive_int, default=1, metavar="N", help="server processes (default 1)"
    )
    p.add_argument(
        "--no-delivery", action="store_true", help="serve only; `spaces worker` delivers"
    )
    p.set_defaults(func=_serve)


def _register_sandbox(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("token", help="manage accounts and access tokens")
    sub = p.add_subparsers(dest="token_command", metavar="COMMAND", required=True)
    c = sub.add_parser("create", help="create an account and print its access token (once)")
    _db_arg(c)
    c.add_argument("--name", default="Sandbox User", help="account name")
    c.add_argument("--email", default="sandbox@example.com", help="account email")
    c.add_argument("--webhook-url", help="account-level URL every event is also delivered to")
    c.set_defaults(func=_token_create)
    tokens_cli.register(sub, c)  # token list / revoke, create --expires

    p = subparsers.add_parser(
        "seed",
        help="add deterministic demo data to an account",
        description="Create Spaces, customers and (derived from them) invoices, subscriptions,"
        " captured emails, events and webhooks. Same flags and --seed, same data. Written in"
        " short transactions beside a live server; a seed that stopped part-way keeps what it"
        " wrote and the same command finishes it; run again once finished, it does nothing.",
    )
    _db_arg(p)
    _account_args(p)
    p.add_argument("--spaces", type=int, default=3, help="number of Spaces (default 3)")
    p.add_argument("--customers", type=int, default=30, help="number of customers (default 30)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_seed)

    p = subparsers.add_parser(
        "trigger",
        help="create an object and its event, queueing webhooks (like `stripe trigger`)",
    )
    p.add_argument(
        "event_type",
        metavar="EVENT_TYPE",
        help="an event type the spec declares, e.g. customer.created (an unknown one lists them)",
    )
    # Their variables are weighed by trigger_route (either flag beats both variables).
    set_variable(
        p.add_argument(
            "--base-url",
            help="the sandbox's API, reached over HTTP with the token alone (default:"
            " $SPACES_BASE_URL, else http://127.0.0.1:8000/api/v1 unless --db or $SPACES_DB)",
        ),
        None,
    )
    set_variable(
        p.add_argument(
            "--db",
            help="write to the sandbox's database instead (SQLite file or postgresql:// URL;"
            " default: $SPACES_DB when $SPACES_BASE_URL is not set)",
        ),
        None,
    )
    _account_args(p)
    p.set_defaults(func=_trigger)

    from . import db_cli, worker_cli  # `spaces db migrate`, `spaces worker`

    db_cli.register(subparsers)
    worker_cli.register(subparsers)
