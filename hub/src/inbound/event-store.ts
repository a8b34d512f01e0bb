/**
 * Verified inbound events: stored with their fan-out rows (one delivery per matching Zap) before
 * LearnWorlds is answered, read back for trigger tests, and forgotten after the retention.
 */
import { createHash } from 'node:crypto';
import { type RecentEvent, eventFactsFrom, eventFactsJson } from '../../../contract';
import type { Database, Queryable } from '../db/database';
import { type MicroBatcher, statementBatcher } from '../db/micro-batcher';
import { asDate, iso } from '../db/sql';
import { type InboundEvent, type SubjectState, planInbound, stateKey, subjectOf } from './inbound-plan';

export interface InboundItem extends InboundEvent {
  body: Buffer;
}

export interface InboundResult {
  /** null when the body was a LearnWorlds retry (the user's last event again, within the window). */
  eventId: string | null;
  deliveries: number;
}

/** The advisory lock a batch holds for one (school, subject) while it plans and writes that subject's events. */
export const subjectLockId = (tenantKey: string, subject: string): bigint =>
  createHash('sha256').update(stateKey(tenantKey, subject)).digest().readBigInt64BE(0);

/** One advisory lock id per (school, subject), as signed 64-bit integers, distinct and sorted. */
function sortedLockIds(keys: ReadonlyArray<{ tenantKey: string; subject: string }>): string[] {
  const ids = new Set(keys.map((k) => subjectLockId(k.tenantKey, k.subject)));
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
}

export class EventStore {
  private readonly inbound: MicroBatcher<InboundItem, InboundResult>;

  constructor(
    private readonly db: Database,
    private readonly options: { dedupeWindowHours: number; onBatchFailure?: (error: unknown, size: number) => void },
  ) {
    // One user's events are locked and planned in order: a batch waits for the one before it that
    // holds the same user, and then takes everything of that user queued meanwhile.
    this.inbound = statementBatcher(db, (items) => this.acceptInbound(items), {
      onBatchFailure: options.onBatchFailure,
      keyOf: (item) => stateKey(item.tenantKey, subjectOf(item)),
    });
  }

  /** One verified delivery, stored (batched with concurrent ones) before the promise settles. */
  accept(item: InboundItem): Promise<InboundResult> {
    return this.inbound.submit(item);
  }

  /**
   * Stores verified deliveries and their fan-out rows, one transaction per batch. Each user's
   * events are taken in commit order: the users' rows are locked (advisory locks, in one sorted
   * order, so batches in other processes wait instead of deadlocking), their state read, the batch
   * planned (inbound-plan.ts: retries, tag changes, new users, filter facts) and everything written
   * in one statement. Results are in input order.
   */
  private async acceptInbound(items: InboundItem[]): Promise<InboundResult[]> {
    const subjects = new Map<string, { tenantKey: string; subject: string }>();
    for (const item of items) {
      const subject = subjectOf(item);
      subjects.set(stateKey(item.tenantKey, subject), { tenantKey: item.tenantKey, subject });
    }
    const keys = [...subjects.values()];
    // PostgreSQL: one transaction, the users' rows locked. PGlite has one connection and this
    // store runs one inbound batch at a time there (nothing else writes the users' state), and the
    // write is one atomic statement: no transaction, no locks, two statements instead of four.
    const run = <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> => (this.db.kind === 'postgres' ? this.db.transaction(fn) : fn(this.db));
    return run(async (tx) => {
      if (this.db.kind === 'postgres') {
        await tx.query(
          'SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT k FROM unnest($1::bigint[]) AS k ORDER BY k OFFSET 0) AS sorted',
          [sortedLockIds(keys)],
          'hub_lock_subjects',
        );
      }
      const { rows: known } = await tx.query<{ tenant_key: string; subject: string; last_hash: string | null; tags: unknown; db_now: Date }>(
        `SELECT k.tenant_key, k.subject, l.body_hash AS last_hash, t.tags, now() AS db_now
         FROM unnest($1::text[], $2::text[]) AS k (tenant_key, subject)
         LEFT JOIN inbound_last l ON l.tenant_key = k.tenant_key AND l.subject = k.subject AND l.expires_at > now()
         LEFT JOIN user_tags t ON t.tenant_key = k.tenant_key AND t.user_id = k.subject AND k.subject <> ''`,
        [keys.map((k) => k.tenantKey), keys.map((k) => k.subject)],
        'hub_read_subjects',
      );
      const state = new Map<string, SubjectState>();
      for (const row of known) {
        const tags = Array.isArray(row.tags) ? row.tags.filter((t): t is string => typeof t === 'string') : undefined;
        state.set(stateKey(row.tenant_key, row.subject), { ...(row.last_hash ? { lastHash: row.last_hash } : {}), ...(tags ? { tags } : {}) });
      }
      const receivedAt = known[0] ? asDate(known[0].db_now) : new Date();
      const plan = planInbound(items, state, receivedAt.getTime());
      const fresh = items.flatMap((item, index) => {
        const planned = plan.events[index];
        return planned.duplicate ? [] : [{ item, index, facts: planned.facts, filterFacts: planned.filterFacts }];
      });
      const results: InboundResult[] = items.map(() => ({ eventId: null, deliveries: 0 }));
      if (fresh.length === 0) return results;
      const { rows } = await tx.query<{ ord: number; event_id: string; deliveries: number }>(
        `WITH input AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
             WITH ORDINALITY AS i (tenant_key, body_hash, event_type, body_b64, facts, filter_facts, ord)
         ), ids AS (
           SELECT ord, nextval('events_id_seq') AS id FROM input
         ), ev AS (
           INSERT INTO events (id, tenant_key, event_type, body, body_hash, facts, received_at)
           SELECT ids.id, i.tenant_key, i.event_type, decode(i.body_b64, 'base64'), i.body_hash, i.facts::jsonb, now()
           FROM input i JOIN ids ON ids.ord = i.ord
           RETURNING id
         ), fan AS (
           INSERT INTO deliveries (event_id, subscription_id, tenant_key)
           SELECT ids.id, s.id, i.tenant_key FROM input i JOIN ids ON ids.ord = i.ord
           JOIN subscriptions s ON s.tenant_key = i.tenant_key AND (s.event = i.event_type OR s.event = '*')
           -- A Zap's filters decide (contract/filters.ts): each chosen value, trimmed and lowercased,
           -- must be among the event's facts for that filter.
           WHERE NOT EXISTS (
             SELECT 1 FROM jsonb_each_text(s.filters) f
             WHERE NOT coalesce((i.filter_facts::jsonb -> f.key) ? lower(btrim(f.value)), false)
           )
           RETURNING event_id
         ), last AS (
           INSERT INTO inbound_last (tenant_key, subject, body_hash, expires_at)
           SELECT tenant_key, subject, body_hash, now() + ($9::double precision * interval '1 hour')
           FROM unnest($7::text[], $8::text[], $10::text[]) AS l (tenant_key, subject, body_hash)
           ON CONFLICT (tenant_key, subject) DO UPDATE SET body_hash = EXCLUDED.body_hash, expires_at = EXCLUDED.expires_at
         ), tags AS (
           INSERT INTO user_tags (tenant_key, user_id, tags)
           SELECT tenant_key, user_id, tags::jsonb FROM unnest($11::text[], $12::text[], $13::text[]) AS t (tenant_key, user_id, tags)
           ON CONFLICT (tenant_key, user_id) DO UPDATE SET tags = EXCLUDED.tags, updated_at = now()
         )
         SELECT ids.ord::int AS ord, ids.id::text AS event_id,
                (SELECT count(*) FROM fan WHERE fan.event_id = ids.id)::int AS deliveries
         FROM ids ORDER BY ids.ord`,
        [
          fresh.map((f) => f.item.tenantKey),
          fresh.map((f) => f.item.bodyHash),
          fresh.map((f) => f.item.eventType),
          fresh.map((f) => f.item.body.toString('base64')),
          fresh.map((f) => JSON.stringify(eventFactsJson(f.facts))),
          fresh.map((f) => JSON.stringify(f.filterFacts)),
          plan.lastHashes.map((l) => l.tenantKey),
          plan.lastHashes.map((l) => l.subject),
          this.options.dedupeWindowHours,
          plan.lastHashes.map((l) => l.bodyHash),
          plan.tags.map((t) => t.tenantKey),
          plan.tags.map((t) => t.userId),
          plan.tags.map((t) => JSON.stringify(t.tags)),
        ],
        'hub_accept_inbound',
      );
      for (const row of rows) results[fresh[Number(row.ord) - 1].index] = { eventId: row.event_id, deliveries: Number(row.deliveries) };
      return results;
    });
  }

  /** A school's most recent verified deliveries of one type (or '*': all), newest first. */
  async recent(tenantKey: string, eventType: string, limit: number): Promise<RecentEvent[]> {
    const { rows } = await this.db.query<{ id: string; event_type: string; received_at: Date; body: Uint8Array; facts: unknown }>(
      `SELECT id::text AS id, event_type, received_at, body, facts FROM events
       WHERE tenant_key = $1 AND ($2 = '*' OR event_type = $2)
       ORDER BY received_at DESC, id DESC LIMIT $3`,
      [tenantKey, eventType, limit],
    );
    return rows.map((r) => {
      const receivedAt = iso(r.received_at);
      return {
        id: r.id,
        event_type: r.event_type,
        received_at: receivedAt,
        body: Buffer.from(r.body).toString('utf8'),
        facts: { event_id: r.id, received_at: receivedAt, ...eventFactsFrom(r.facts) },
      };
    });
  }

  /** Forgets expired repeat keys, and finished events older than the retention (the users' tags are kept). */
  async forgetExpired(retentionDays: number): Promise<void> {
    await this.db.query('DELETE FROM inbound_last WHERE expires_at < now()');
    await this.db.query(
      `DELETE FROM events e WHERE e.received_at < now() - ($1::double precision * interval '1 day')
       AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status = 'pending')`,
      [retentionDays],
    );
  }
}
