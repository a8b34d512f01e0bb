CREATE TABLE hub_settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);

-- One row per school (LearnWorlds webhook secret). No secret in plain text.
CREATE TABLE tenants (
  tenant_key text PRIMARY KEY,          -- HMAC(hub key, webhook secret)
  secret_enc text NOT NULL,             -- AES-256-GCM(webhook secret), to sign forwarded deliveries
  school_url text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE subscriptions (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_key text NOT NULL REFERENCES tenants (tenant_key),
  event      text NOT NULL,             -- LearnWorlds type, or '*'
  target_url text NOT NULL,
  filters    jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_key, event, target_url)
);

-- Verified inbound deliveries, stored before the 2xx answer.
CREATE TABLE events (
  id          bigserial PRIMARY KEY,
  tenant_key  text NOT NULL,
  event_type  text NOT NULL,
  body        bytea NOT NULL,
  body_hash   text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_received_at ON events (received_at);

-- LearnWorlds retries up to 20 times: an identical body from the same tenant within the
-- window is the same event.
CREATE TABLE inbound_dedupe (
  tenant_key text NOT NULL,
  body_hash  text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_key, body_hash)
);

-- The outbox: one row per (event, subscription), claimed with FOR UPDATE SKIP LOCKED.
CREATE TABLE deliveries (
  id              bigserial PRIMARY KEY,
  webhook_id      uuid NOT NULL DEFAULT gen_random_uuid(),
  event_id        bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  subscription_id uuid NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  locked_until    timestamptz,
  last_status     integer,
  last_error      text,
  finished_at     timestamptz
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX deliveries_subscription ON deliveries (subscription_id);
