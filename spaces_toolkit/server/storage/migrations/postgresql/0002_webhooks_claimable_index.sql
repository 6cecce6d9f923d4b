-- The delivery claim scans only pending webhooks, oldest due first; without this index it walks
-- every webhook ever delivered (webhooks_due leads with the low-cardinality `pending` flag).
CREATE INDEX IF NOT EXISTS webhooks_claimable ON webhooks (next_attempt_at, seq) WHERE pending = 1;
