-- Pacing (hub/src/queue/pacing.ts): one row per target URL (a Zap's hook) and one per account
-- (the Zapier user of /hooks/standard/{user}/ or /hooks/catch/{user}/, else the URL's host and
-- port). Claims lock the rows they send through, so every process spends the same budget.
CREATE TABLE target_pace (
  target_url   text PRIMARY KEY,
  account      text NOT NULL GENERATED ALWAYS AS (
    CASE WHEN target_url ~ '^[a-z]+://[^/]+/hooks/(standard|catch)/[^/]+/'
      THEN regexp_replace(target_url, '^[a-z]+://([^/]+)/hooks/(standard|catch)/([^/]+)/.*$', '\1 user \3')
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
