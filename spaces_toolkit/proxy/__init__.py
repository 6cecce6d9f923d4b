"""`spaces proxy`: live contract checking of real traffic, recording and replay.

Put it between any client and any implementation of the Spaces API; it forwards every request
unchanged (`frontend` takes the clients' requests, `forward` passes them on over upstream
connections of its own: `upstream`) and holds each exchange to the contract (`checking`: the
suite's checks and codes, client mistakes apart from server failures, plus what the run's
traffic reveals across exchanges: one cursor giving two pages, an object under two accounts'
tokens; each violation graded a failure of the docs or a deviation from a NOTES decision), off
the forwarding path (`worker`: a bounded channel the event loop feeds, a checking process).
`session` prints and writes what it finds (console lines, JSON lines, the suite's junit.xml and
report.html); `har` records the exchanges with credentials redacted (`redact`); `replay`
re-checks a recording offline with the same verdict. `run` serves it (CLI, or a thread).
"""
