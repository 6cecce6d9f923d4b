-- Unused since 0006: every statement over pending webhooks reads webhooks_due_by_account, and
-- each index is written on every insert and most updates of a webhook. (PostgreSQL's twin of this
-- migration also leaves room on the table's pages for its lease updates; SQLite has no such
-- setting.)
DROP INDEX IF EXISTS webhooks_due;
DROP INDEX IF EXISTS webhooks_claimable;
