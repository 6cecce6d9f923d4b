"""The webhook subcommands of `spaces`: listen, webhooks check-receiver, webhook-secret rotate."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..clihelp import Duration, Port, format_duration
from ..envdefaults import DEFAULT_BASE_URL, set_variable
from ..errors import CLIError
from ..server.run.cli import _account, _account_args, _db_arg, _open
from ..server.signing import secret_key
from ..server.webhook_delivery.targets import TargetRefused, check_target_url

__all__ = ["register"]


def _checked_secret(secret: str, flag: str) -> str:
    try:
        secret_key(secret)
    except ValueError as exc:
        raise CLIError(f"{flag}: {exc}") from None
    return secret


# ---------------------------------------------------------------- listen


def _listen(args: argparse.Namespace) -> int:
    from .listen import ListenConfig, current_secret, listen

    if not args.token:
        raise CLIError("say which account: --token TOKEN (or $SPACES_ACCESS_TOKEN)")
    if args.db and "://" not in args.db and not Path(args.db).is_file():
        raise CLIError(
            f"no sandbox database {args.db}: pass the --db of the running `spaces serve`,"
            " or leave --db out to reach the sandbox by --base-url alone"
        )
    if args.print_secret:  # like `stripe listen --print-secret`: for your receiver's config
        if not args.db:
            print(current_secret(args.base_url.rstrip("/"), args.token))
            return 0
        db = _open(args.db)
        try:
            print(current_secret(args.base_url, args.token, db))
        finally:
            db.close()
        return 0
    from ..server.storage.events import EVENT_TYPES  # read from the spec: not loaded for --help

    events = tuple(dict.fromkeys(args.events or EVENT_TYPES))
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        raise CLIError(f"unknown event type {unknown[0]!r}; choose from {', '.join(EVENT_TYPES)}")
    if args.forward_to:
        try:
            check_target_url(args.forward_to, allow_private=True)
        except TargetRefused as exc:
            raise CLIError(f"--forward-to: {exc}") from None
    if args.secret:
        _checked_secret(args.secret, "--secret")
    if args.public_url:
        try:
            check_target_url(args.public_url, allow_private=True)
        except TargetRefused as exc:
            raise CLIError(f"--public-url: {exc}") from None
    config = ListenConfig(
        base_url=args.base_url.rstrip("/"),
        token=args.token,
        events=events,
        forward_to=args.forward_to,
        port=args.port,
        print_json=args.json,
        secret=args.secret,
        host=args.host,
        public_url=args.public_url,
    )
    if not args.db:
        return listen(config)
    db = _open(args.db)
    try:
        return listen(config, db)
    finally:
        db.close()


# ---------------------------------------------------------------- check-receiver


def _check_receiver(args: argparse.Namespace) -> int:
    from .kit import run_kit

    if args.secret:
        secret = _checked_secret(args.secret, "--secret (or $SPACES_WEBHOOK_SECRET)")
    elif args.token:
        from .remote import Sandbox

        with Sandbox(args.base_url, args.token) as sandbox:
            secret = sandbox.secrets()[0]  # the newest: what deliveries are signed with
    else:
        raise CLIError(
            "say which secret: --secret whsec_… (or $SPACES_WEBHOOK_SECRET), or --token"
            " (or $SPACES_ACCESS_TOKEN) to take the account's from the sandbox at --base-url"
        )
    try:
        check_target_url(args.url, allow_private=True)
    except TargetRefused as exc:
        raise CLIError(f"URL: {exc}") from None

    from spaces_toolkit.console import Column, Styled, console, print_table, wants_rich

    rich = wants_rich(sys.stdout)
    out = console(sys.stdout) if rich else None

    def show(outcome: object) -> None:
        from .kit import Outcome

        assert isinstance(outcome, Outcome)
        case = outcome.case
        if out is not None:
            mark = "[green]✓ PASS[/green]" if outcome.passed else "[bold red]✗ FAIL[/bold red]"
            out.print(f"{mark}  {case.name}", highlight=False)
            return
        mark = "PASS" if outcome.passed else "FAIL"
        print(
            f"{mark}  {case.name:<32} expected {case.expect}, got {outcome.got:<5}  {case.why}",
            flush=True,
        )

    print(f"Checking the webhook receiver at {args.url}", file=sys.stderr)
    outcomes = run_kit(args.url, secret, timeout=args.timeout, on_outcome=show)
    failed = [o for o in outcomes if not o.passed]
    if not any(o.reached for o in outcomes):
        raise CLIError(f"the receiver at {args.url} never answered: {outcomes[0].got}")
    if rich:
        print_table(
            (
                Column("Result"),
                Column("Case", style="cyan"),
                Column("Expected"),
                Column("Got"),
                Column("Why", style="dim"),
            ),
            [
                (
                    Styled("PASS", "green") if o.passed else Styled("FAIL", "bold red"),
                    o.case.name,
                    o.case.expect,
                    o.got,
                    o.case.why,
                )
                for o in outcomes
            ],
            title=f"Webhook receiver at {args.url}",
        )
    print(f"{len(outcomes) - len(failed)}/{len(outcomes)} cases passed", file=sys.stderr)
    return 1 if failed else 0


# ---------------------------------------------------------------- webhook-secret


def _rotate(args: argparse.Namespace) -> int:
    from ..server.storage.repo.signing_secrets import rotate_secret

    db = _open(args.db)
    try:
        account_id = _account(db, args)
        secret = rotate_secret(db, account_id, grace=args.grace)
    finally:
        db.close()
    print(secret)
    print(
        f"New webhook signing secret of account {account_id} (shown only once). Deliveries carry"
        f" signatures for it and the previous one for {format_duration(args.grace)}; then only"
        " for it.",
        file=sys.stderr,
    )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `listen`, `webhooks check-receiver` and `webhook-secret rotate` to `spaces`."""
    p = subparsers.add_parser(
        "listen",
        help="receive a running sandbox's webhooks here, verified (like `stripe listen`)",
        description="Subscribe a local receiver to the sandbox's events through the API,"
        " verify each delivery once, print one line per event and optionally forward what was"
        " verified to your app. Needs only the sandbox's URL and a token (its /sandbox/v1"
        " helpers give the signing secret and remove the subscriptions on exit). The sandbox"
        " must run with --allow-private-targets.",
    )
    p.add_argument("--forward-to", metavar="URL", help="POST each delivery on to your app")
    p.add_argument(
        "--events",
        nargs="+",
        metavar="TYPE",
        help="event types the spec declares (default: all of them)",
    )
    p.add_argument("--json", action="store_true", help="also print each event's full JSON")
    p.add_argument(
        "--print-secret",
        action="store_true",
        help="print the account's current webhook signing secret (whsec_…, what your own"
        " receiver verifies with) and exit",
    )
    p.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        help=f"the sandbox API (default: $SPACES_BASE_URL or {DEFAULT_BASE_URL})",
    )
    p.add_argument("--token", help="access token (default: $SPACES_ACCESS_TOKEN)")
    set_variable(
        p.add_argument(
            "--secret",
            help="signing secret to verify with (default: $SPACES_WEBHOOK_SECRET, else the"
            " account's, from the sandbox)",
        ),
        "SPACES_WEBHOOK_SECRET",
    )
    # The listener's own address: `spaces serve`'s $SPACES_PORT and $SPACES_HOST mean another.
    set_variable(
        p.add_argument(
            "--port", type=Port(any_free=True), default=0, help="local port (default: a free one)"
        ),
        "SPACES_LISTEN_PORT",
    )
    set_variable(
        p.add_argument(
            "--host",
            help="local address to listen on (default: 127.0.0.1 for a sandbox on this machine,"
            " else this machine's address on the route to the sandbox)",
        ),
        "SPACES_LISTEN_HOST",
    )
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the URL the sandbox reaches this listener at, when not http://HOST:PORT"
        " (e.g. a tunnel's)",
    )
    p.add_argument(
        "--db",
        help="the sandbox's own database (on its machine): read secrets and remove"
        " subscriptions there instead of through the sandbox helpers",
    )
    p.set_defaults(func=_listen)

    p = subparsers.add_parser("webhooks", help="webhook tools: test a receiver")
    sub = p.add_subparsers(dest="webhooks_command", metavar="COMMAND", required=True)
    c = sub.add_parser(
        "check-receiver",
        help="send a receiver valid and hostile signed deliveries; pass/fail per case",
        description="Exit 0: every case passed; 1: some failed; 2: could not run.",
    )
    c.add_argument("url", metavar="URL", help="the receiver's URL")
    set_variable(
        c.add_argument(
            "--secret",
            help="the whsec_ secret the receiver verifies with (default: $SPACES_WEBHOOK_SECRET,"
            " else the account's current one from the sandbox, with --token)",
        ),
        "SPACES_WEBHOOK_SECRET",
    )
    c.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        help=f"the sandbox to take the secret from (default: $SPACES_BASE_URL or"
        f" {DEFAULT_BASE_URL})",
    )
    c.add_argument("--token", help="access token (default: $SPACES_ACCESS_TOKEN)")
    c.add_argument(
        "--timeout",
        type=Duration(),
        default=10.0,
        metavar="DURATION",
        help="per request (default 10s)",
    )
    c.set_defaults(func=_check_receiver)

    p = subparsers.add_parser("webhook-secret", help="manage an account's webhook signing secret")
    sub = p.add_subparsers(dest="secret_command", metavar="COMMAND", required=True)
    c = sub.add_parser(
        "rotate",
        help="make a new signing secret; the old one keeps signing during a grace period",
    )
    c.add_argument(
        "--grace",
        type=Duration(zero=True),
        default="24h",
        metavar="DURATION",
        help="how long the old secret stays valid (default 24h; 0: not at all)",
    )
    _db_arg(c)
    _account_args(c)
    c.set_defaults(func=_rotate)
