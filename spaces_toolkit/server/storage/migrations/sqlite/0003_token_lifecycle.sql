-- Token lifecycle (`spaces token list/revoke`, `create --expires`). `prefix`: the token's first
-- characters, shown by `spaces token list` to tell tokens apart (NULL for tokens made before
-- prefixes were kept). `expires_at`/`revoked_at`: unix seconds. Files written before
-- migrations existed may have these columns already: the runner skips an ADD COLUMN of a
-- column that exists (SQLite has no ADD COLUMN IF NOT EXISTS).
ALTER TABLE access_tokens ADD COLUMN prefix TEXT;
ALTER TABLE access_tokens ADD COLUMN expires_at INTEGER;
ALTER TABLE access_tokens ADD COLUMN revoked_at INTEGER;
