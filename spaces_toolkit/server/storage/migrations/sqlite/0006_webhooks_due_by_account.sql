-- The delivery claim takes each account's oldest due webhooks (round-robin across accounts): it
-- steps from one account with pending webhooks to the next and reads each one's oldest due rows
-- in order, never every due row. `pending` leads (constant here) so that planners choose this
-- index over webhooks_due (pending, next_attempt_at) for both steps.
CREATE INDEX IF NOT EXISTS webhooks_due_by_account
    ON webhooks (pending, account_id, next_attempt_at, seq) WHERE pending = 1;
