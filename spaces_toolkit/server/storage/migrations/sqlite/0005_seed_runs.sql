-- `spaces seed` commits in chunks (a long write transaction would hold SQLite's only write
-- lock, and a live delivery worker's record behind it, for as long as it runs). Each chunk
-- updates its run's row in the same transaction, so an interrupted seed is resumed where it
-- stopped by running it again, and a finished one is not written twice. `state` (JSON: the
-- generator's state, clock, Spaces and counts) is NULL once the run is finished.
CREATE TABLE IF NOT EXISTS seed_runs (
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    seed TEXT NOT NULL,
    flags TEXT NOT NULL,
    done INTEGER NOT NULL,
    summary TEXT NOT NULL,
    state TEXT,
    PRIMARY KEY (account_id, seed)
);
