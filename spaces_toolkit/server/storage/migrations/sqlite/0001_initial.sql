-- Storage of the reference server (SQLite dialect, kept to portable SQL where it costs nothing).
-- Every tenant-owned table carries account_id; `seq` is the stable list order (newest = largest)
-- and the keyset of pagination: lists are `ORDER BY seq DESC`, cursors map an id to its seq.

CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY,
    created INTEGER NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    avatar_image_url TEXT,
    referral_code TEXT NOT NULL,
    webhook_url TEXT
);

CREATE TABLE IF NOT EXISTS access_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    created INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS spaces (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    id INTEGER NOT NULL,
    created INTEGER NOT NULL,
    url TEXT,
    UNIQUE (account_id, id)
);

CREATE TABLE IF NOT EXISTS customers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    id TEXT NOT NULL,
    space_seq INTEGER NOT NULL REFERENCES spaces (seq),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    created INTEGER NOT NULL,
    UNIQUE (account_id, id)
);
CREATE INDEX IF NOT EXISTS customers_by_account ON customers (account_id, seq);

CREATE TABLE IF NOT EXISTS invoices (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    id TEXT NOT NULL,
    customer_seq INTEGER NOT NULL REFERENCES customers (seq),
    space_seq INTEGER NOT NULL REFERENCES spaces (seq),
    order_number INTEGER NOT NULL,
    created INTEGER NOT NULL,
    billing_address TEXT,
    shipping_address TEXT,
    paid INTEGER NOT NULL DEFAULT 0,
    shipped INTEGER NOT NULL DEFAULT 0,
    shipping_details TEXT,
    total INTEGER NOT NULL,
    currency TEXT NOT NULL,
    items TEXT NOT NULL,
    UNIQUE (account_id, id),
    UNIQUE (space_seq, order_number)
);
CREATE INDEX IF NOT EXISTS invoices_by_account ON invoices (account_id, seq);

CREATE TABLE IF NOT EXISTS subscriptions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    id TEXT NOT NULL,
    customer_seq INTEGER NOT NULL REFERENCES customers (seq),
    space_seq INTEGER NOT NULL REFERENCES spaces (seq),
    token TEXT NOT NULL,
    serial_number INTEGER NOT NULL,
    created INTEGER NOT NULL,
    status TEXT NOT NULL,
    total INTEGER NOT NULL,
    currency TEXT NOT NULL,
    items TEXT NOT NULL,
    UNIQUE (account_id, id),
    UNIQUE (customer_seq, token),
    UNIQUE (space_seq, serial_number)
);
CREATE INDEX IF NOT EXISTS subscriptions_by_account ON subscriptions (account_id, seq);

CREATE TABLE IF NOT EXISTS captured_emails (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    id TEXT NOT NULL,
    space_seq INTEGER NOT NULL REFERENCES spaces (seq),
    email TEXT NOT NULL,
    created INTEGER NOT NULL,
    UNIQUE (account_id, id)
);
CREATE INDEX IF NOT EXISTS captured_emails_by_account ON captured_emails (account_id, seq);

-- `data` is the JSON of the event's data object as it was when the event happened.
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    created INTEGER NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (account_id, id)
);
CREATE INDEX IF NOT EXISTS events_by_account ON events (account_id, seq);

CREATE TABLE IF NOT EXISTS resource_subscriptions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    id TEXT NOT NULL,
    event TEXT NOT NULL,
    target_url TEXT NOT NULL,
    api_version TEXT NOT NULL,
    created INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account_id, id)
);
CREATE INDEX IF NOT EXISTS resource_subscriptions_by_account
    ON resource_subscriptions (account_id, seq);
CREATE INDEX IF NOT EXISTS resource_subscriptions_by_event
    ON resource_subscriptions (account_id, event);

-- A 410 answer soft-deletes a resource subscription (deleted = 1): it leaves every list and
-- gets no more deliveries, while ids of it held as cursors keep working.

-- One delivery of an event to a URL. `pending` = will still be tried; `delivered` = a 2xx came
-- back. A worker owns a row while `lease_until` is in the future (claimed in a transaction).
-- resource_subscription_seq is not a foreign key: a 410 deletes the subscription, not its history.
CREATE TABLE IF NOT EXISTS webhooks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    id TEXT NOT NULL,
    event_seq INTEGER NOT NULL REFERENCES events (seq),
    resource_subscription_seq INTEGER,
    url TEXT NOT NULL,
    created INTEGER NOT NULL,
    pending INTEGER NOT NULL DEFAULT 1,
    delivered INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    lease_until REAL,
    lease_owner TEXT,
    UNIQUE (account_id, id)
);
CREATE INDEX IF NOT EXISTS webhooks_by_account ON webhooks (account_id, seq);
CREATE INDEX IF NOT EXISTS webhooks_due ON webhooks (pending, next_attempt_at);

CREATE TABLE IF NOT EXISTS webhook_attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_seq INTEGER NOT NULL REFERENCES webhooks (seq),
    attempt INTEGER NOT NULL,
    started REAL NOT NULL,
    finished REAL NOT NULL,
    status_code INTEGER,
    error TEXT
);
CREATE INDEX IF NOT EXISTS webhook_attempts_by_webhook ON webhook_attempts (webhook_seq);
