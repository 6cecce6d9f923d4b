"""The sandbox: demo data, `spaces trigger`, the /sandbox/v1 helpers and `--faults`."""
