-- Webhook signing secrets (Standard Webhooks `whsec_…`), kept in clear: the server must sign
-- with them. `expires_at` NULL is the current secret; a rotation gives the old one an end, and
-- until then deliveries carry a signature for each. An account without a secret (made before
-- this table existed) gets one when first needed.
CREATE TABLE IF NOT EXISTS webhook_signing_secrets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    secret TEXT NOT NULL,
    created REAL NOT NULL,
    expires_at REAL
);
CREATE INDEX IF NOT EXISTS webhook_signing_secrets_by_account
    ON webhook_signing_secrets (account_id, seq);
