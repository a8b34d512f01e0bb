-- Since when the Zap has answered this delivery with nothing but 429 (back-pressure, which
-- spends no attempt); any other answer clears it. Past HUB_MAX_THROTTLE_HOURS it is given up.
ALTER TABLE deliveries ADD COLUMN throttled_since timestamptz;
