"""Entry points: the `spaces` subcommands of the server and the processes they run."""
