"""Serve the stranger server: python -m testing.stranger [--readings NAME] [PORT] [BREACH...];
the two accounts' tokens are printed first. NAME is a profile of READINGS (default: first)."""

from __future__ import annotations

import sys

import uvicorn

from testing.stranger.app import READINGS, create_app


def main(argv: list[str]) -> None:
    readings = "first"
    if argv[:1] == ["--readings"]:
        if len(argv) < 2 or argv[1] not in READINGS:
            sys.exit(f"--readings takes one of: {', '.join(READINGS)}")
        readings, argv = argv[1], argv[2:]
    port = int(argv[0]) if argv else 8000
    app = create_app(breaches=argv[1:], readings=readings)
    print(" ".join(a.token for a in app.accounts), flush=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main(sys.argv[1:])
