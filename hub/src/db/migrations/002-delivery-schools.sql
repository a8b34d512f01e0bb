-- The school of each delivery, so the worker can cap deliveries in flight per school and pick
-- due work school by school (one school's backlog or hanging Zap cannot starve the others).
ALTER TABLE deliveries ADD COLUMN tenant_key text;
UPDATE deliveries d SET tenant_key = s.tenant_key FROM subscriptions s WHERE s.id = d.subscription_id;
ALTER TABLE deliveries ALTER COLUMN tenant_key SET NOT NULL;
CREATE INDEX deliveries_tenant_due ON deliveries (tenant_key, next_attempt_at, id) WHERE status = 'pending';
