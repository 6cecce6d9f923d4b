-- Delivery updates each webhook row twice: its lease when a claim takes it, its outcome when it
-- is settled. Room left on each page (fillfactor) lets the lease update write the new row
-- version beside the old one without touching any index (a HOT update: lease_until and
-- lease_owner are in none), so the claim's index walk does not wade through a dead entry per
-- leased row either. Pages written before this keep their old fill.
ALTER TABLE webhooks SET (fillfactor = 60);
-- Unused since 0006: every statement over pending webhooks reads webhooks_due_by_account, and
-- each index is written on every insert and most updates of a webhook.
DROP INDEX IF EXISTS webhooks_due;
DROP INDEX IF EXISTS webhooks_claimable;
