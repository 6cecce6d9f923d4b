-- Token lifecycle (`spaces token list/revoke`, `create --expires`). `prefix`: the token's first
-- characters, shown by `spaces token list` to tell tokens apart. `expires_at`/`revoked_at`:
-- unix seconds.
ALTER TABLE access_tokens ADD COLUMN IF NOT EXISTS prefix TEXT;
ALTER TABLE access_tokens ADD COLUMN IF NOT EXISTS expires_at BIGINT;
ALTER TABLE access_tokens ADD COLUMN IF NOT EXISTS revoked_at BIGINT;
