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
