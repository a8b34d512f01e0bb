-- A school's most recent events of any type, newest first (a trigger test with "any event").
CREATE INDEX events_tenant_received ON events (tenant_key, received_at);
