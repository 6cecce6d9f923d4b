-- The delivery claim takes each account's oldest due webhooks (round-robin across accounts):
-- pending rows by account, oldest due first, so it reads them in order instead of sorting.
CREATE INDEX IF NOT EXISTS webhooks_due_by_account
    ON webhooks (account_id, next_attempt_at, seq) WHERE pending = 1;
