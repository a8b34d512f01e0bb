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
