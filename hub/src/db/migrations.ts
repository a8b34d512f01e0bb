/** The hub's schema, as ordered migrations; the same SQL runs on PGlite and PostgreSQL. */
export const MIGRATIONS: readonly string[] = [
  `
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
  `,
  `
  -- The school of each delivery, so the worker can cap deliveries in flight per school and pick
  -- due work school by school (one school's backlog or hanging Zap cannot starve the others).
  ALTER TABLE deliveries ADD COLUMN tenant_key text;
  UPDATE deliveries d SET tenant_key = s.tenant_key FROM subscriptions s WHERE s.id = d.subscription_id;
  ALTER TABLE deliveries ALTER COLUMN tenant_key SET NOT NULL;
  CREATE INDEX deliveries_tenant_due ON deliveries (tenant_key, next_attempt_at, id) WHERE status = 'pending';
  `,
  `
  -- Every attempt of a delivery, for the operator console: when, what the Zap answered, how long.
  CREATE TABLE delivery_attempts (
    delivery_id bigint NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempt     integer NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    status      integer,
    error       text,
    outcome     text NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
  );
  -- A replay starts a new round of retries: attempts stays monotonic (it fences claims), the
  -- retry budget counts from round_start.
  ALTER TABLE deliveries ADD COLUMN round_start integer NOT NULL DEFAULT 0;
  CREATE INDEX deliveries_status_id ON deliveries (status, id);
  CREATE INDEX events_tenant_type ON events (tenant_key, event_type, received_at);
  `,
  `
  -- A school's most recent events of any type, newest first (a trigger test with "any event").
  CREATE INDEX events_tenant_received ON events (tenant_key, received_at);
  `,
  `
  -- A repeat is judged per user: an identical body is a LearnWorlds retry only while it is still
  -- the user's (or, for events without a user, the school's) last event. One row per subject.
  CREATE TABLE inbound_last (
    tenant_key text NOT NULL REFERENCES tenants (tenant_key) ON DELETE CASCADE,
    subject    text NOT NULL,             -- the LearnWorlds user id, or '' for events without one
    body_hash  text NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_key, subject)
  );
  CREATE INDEX inbound_last_expires ON inbound_last (expires_at);
  DROP TABLE inbound_dedupe;

  -- The last tag list seen for each user, from every event that carries one: tag events are told
  -- which tags changed. Kept past the event retention (tag changes can be months apart); one row
  -- per user of a school, removed with the school.
  CREATE TABLE user_tags (
    tenant_key text NOT NULL REFERENCES tenants (tenant_key) ON DELETE CASCADE,
    user_id    text NOT NULL,
    tags       jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_key, user_id)
  );

  -- What the hub worked out when it accepted the event (contract/hub-facts.ts).
  ALTER TABLE events ADD COLUMN facts jsonb NOT NULL DEFAULT '{}'::jsonb;
  `,
  `
  -- Since when the Zap has answered this delivery with nothing but 429 (back-pressure, which
  -- spends no attempt); any other answer clears it. Past HUB_MAX_THROTTLE_HOURS it is given up.
  ALTER TABLE deliveries ADD COLUMN throttled_since timestamptz;
  `,
  `
  -- Pacing (hub/src/queue/pacing.ts): one row per target URL (a Zap's hook) and one per account
  -- (the Zapier user of /hooks/standard/{user}/ or /hooks/catch/{user}/, else the URL's host and
  -- port). Claims lock the rows they send through, so every process spends the same budget.
  CREATE TABLE target_pace (
    target_url   text PRIMARY KEY,
    account      text NOT NULL GENERATED ALWAYS AS (
      CASE WHEN target_url ~ '^[a-z]+://[^/]+/hooks/(standard|catch)/[^/]+/'
        THEN regexp_replace(target_url, '^[a-z]+://([^/]+)/hooks/(standard|catch)/([^/]+)/.*$', '\\1 user \\3')
        ELSE substring(target_url from '^[a-z]+://([^/]+)')
      END
    ) STORED,
    tat_ms       double precision NOT NULL DEFAULT 0,  -- GCRA: when the next send is due (epoch ms)
    paused_until timestamptz,                         -- after a 429: nothing is sent before
    slow_factor  double precision NOT NULL DEFAULT 1, -- after a 429 without Retry-After: the rate was halved to this share
    slowed_at    timestamptz                          -- ... at this time; it recovers linearly from then
  );
  CREATE INDEX target_pace_account ON target_pace (account);
  CREATE TABLE account_pace (
    account         text PRIMARY KEY,
    window_start_ms double precision NOT NULL DEFAULT 0, -- the current window (epoch ms)
    current_n       integer NOT NULL DEFAULT 0,          -- sends in it
    previous_n      integer NOT NULL DEFAULT 0           -- sends in the window before
  );
  INSERT INTO target_pace (target_url) SELECT DISTINCT target_url FROM subscriptions;
  INSERT INTO account_pace (account) SELECT DISTINCT account FROM target_pace;
  CREATE INDEX deliveries_subscription_due ON deliveries (subscription_id, next_attempt_at, id) WHERE status = 'pending';
  `,
];
