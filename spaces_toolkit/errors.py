"""Errors the `spaces` command turns into one clear line and an exit code."""

__all__ = ["CLIError"]


class CLIError(Exception):
    """A failure to report as `spaces: error: <message>` with `exit_code` (2: could not run)."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
