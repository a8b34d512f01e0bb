/**
 * npm run bench:hub, part 3 — the cost of one paced claim (Claims.claimDue), the statement
 * every delivery goes through: 200 Zaps of 200 schools with 20 due deliveries each, then the
 * same 200 among 10,000 Zaps with nothing waiting (idle Zaps must not slow the claim); a claim of
 * up to 64 (four rounds of HUB_CONCURRENCY 16; the worker claims at least that much at once), on each engine. Between claims (untimed) the
 * claimed rows are given back and the pacing rows reset, so every claim sees the same backlog.
 * Prints the median and p90 milliseconds per claim and the deliveries each claim returned.
 * CLAIM_BENCH_EXPLAIN=1 prints PostgreSQL's EXPLAIN ANALYZE of one claim as well.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { type Database, openDatabase } from '../src/db/database';
import { Claims } from '../src/queue/claims';
import { benchDataDir, exitAfterCleanup } from './cleanup';
import { freshSchema } from './fresh-schema';

/** Zaps (one school each), and how many of them have due deliveries: all, then few among many idle ones. */
const SHAPES = [
  { zaps: 200, busy: 200 },
  { zaps: 10_000, busy: 200 },
];
type Shape = (typeof SHAPES)[number];
const PER_ZAP = 20;
const CLAIM = 64;
const ROUNDS = 200;
/** The hub's defaults: 25/s per hook URL, 10,000 per 5 minutes per account. */
const CLAIM_OPTIONS = { leaseMs: 60_000, pacing: { targetRatePerSecond: 25, accountLimit: 10_000, accountWindowMs: 300_000 } };

async function seed(db: Database, shape: Shape): Promise<void> {
  await db.query(
    `WITH t AS (
       INSERT INTO tenants (tenant_key, secret_enc, school_url)
       SELECT 'school-' || i, 'x', 'https://s' || i || '.example.com' FROM generate_series(1, $1::int) i
       RETURNING tenant_key
     )
     INSERT INTO subscriptions (tenant_key, event, target_url)
     SELECT tenant_key, 'courseCompleted', 'https://hooks.zapier.com/hooks/catch/' || substr(tenant_key, 8) || '/z/' FROM t`,
    [shape.zaps],
  );
  await db.query('INSERT INTO target_pace (target_url) SELECT target_url FROM subscriptions');
  await db.query('INSERT INTO account_pace (account) SELECT DISTINCT account FROM target_pace');
  await db.query(
    `WITH e AS (
       INSERT INTO events (tenant_key, event_type, body, body_hash)
       SELECT s.tenant_key, 'courseCompleted', '\\x7b7d'::bytea, md5(s.id::text || n) FROM subscriptions s, generate_series(1, $1::int) n
       WHERE substr(s.tenant_key, 8)::int <= $2::int
       RETURNING id, tenant_key
     )
     INSERT INTO deliveries (event_id, subscription_id, tenant_key)
     SELECT e.id, s.id, e.tenant_key FROM e JOIN subscriptions s ON s.tenant_key = e.tenant_key`,
    [PER_ZAP, shape.busy],
  );
  await db.exec('ANALYZE');
}

const RESET = `UPDATE deliveries SET locked_until = NULL WHERE locked_until IS NOT NULL;
  UPDATE target_pace SET tat_ms = 0;
  UPDATE account_pace SET window_start_ms = 0, current_n = 0, previous_n = 0;`;

async function measure(name: string, db: Database, shape: Shape): Promise<void> {
  await seed(db, shape);
  const claims = new Claims(db, CLAIM_OPTIONS);
  const times: number[] = [];
  const sizes: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    await db.exec(RESET);
    const t0 = performance.now();
    const claimed = await claims.claimDue(CLAIM, 12, new Map());
    times.push(performance.now() - t0);
    sizes.push(claimed.length);
  }
  if (process.env.CLAIM_BENCH_EXPLAIN === '1' && db.kind === 'postgres') await explainOneClaim(db);
  const at = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))];
  console.log(
    `${name.padEnd(12)} ${`${shape.zaps.toLocaleString('en')} Zaps`.padStart(11)} ${at(times, 0.5).toFixed(2).padStart(6)} ms median, ${at(times, 0.9).toFixed(2).padStart(6)} ms p90 per claim; ` +
      `${at(sizes, 0.5)} deliveries per claim = ${(at(times, 0.5) / at(sizes, 0.5)).toFixed(3)} ms per delivery`,
  );
}

/** Prints PostgreSQL's plan of one claim, run for real (EXPLAIN ANALYZE) on the same backlog. */
async function explainOneClaim(db: Database): Promise<void> {
  let claim: { sql: string; params?: unknown[] } | undefined;
  const spy: Database = {
    ...db,
    query: <R>(sql: string, params?: unknown[], name?: string) => {
      claim = { sql, params };
      return db.query<R>(sql, params, name);
    },
  };
  const claims = new Claims(spy, CLAIM_OPTIONS);
  await db.exec(RESET);
  await claims.claimDue(CLAIM, 12, new Map());
  await db.exec(RESET);
  if (!claim) return;
  const { rows } = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${claim.sql}`, claim.params);
  console.log(rows.map((r) => r['QUERY PLAN']).join('\n'));
}

async function main(): Promise<void> {
  console.log(`\nClaim cost: Zaps of one school each, ${SHAPES[0].busy} of them with ${PER_ZAP} due deliveries; a claim of up to ${CLAIM}, ${ROUNDS} claims`);
  for (const shape of SHAPES) {
    const dataDir = benchDataDir('lw-claim-bench-');
    try {
      const embedded = await openDatabase({ dataDir, poolSize: 1 });
      await measure('embedded', embedded, shape);
      await embedded.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  for (const shape of SHAPES) {
    const schema = await freshSchema();
    if (!schema) return console.log('PostgreSQL    unreachable: skipped');
    try {
      const pg = await openDatabase({ databaseUrl: schema.url, dataDir: tmpdir(), poolSize: 2 });
      await measure('PostgreSQL', pg, shape);
      await pg.close();
    } finally {
      await schema.drop();
    }
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    void exitAfterCleanup(1);
  });
}
