"""Serve the stranger server: python -m testing.stranger [PORT] [BREACH...]; the two accounts'
tokens are printed first."""

from __future__ import annotations

import sys

import uvicorn

from testing.stranger.app import create_app


def main(argv: list[str]) -> None:
    port = int(argv[0]) if argv else 8000
    app = create_app(breaches=argv[1:])
    print(" ".join(a.token for a in app.accounts), flush=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main(sys.argv[1:])
