/**
 * One database interface over two engines: PGlite (PostgreSQL compiled to WebAssembly, in
 * process, kept in a data folder; no server, no native build) and PostgreSQL (pg.Pool). Both run
 * the same schema and the same SQL.
 */
import { PGlite } from '@electric-sql/pglite';
import { Pool, type PoolClient } from 'pg';
import { MIGRATIONS } from './schema';

export interface Queryable {
  /** `name` makes a hot statement a prepared one on PostgreSQL (planned once per connection). */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[], name?: string): Promise<{ rows: R[]; rowCount: number }>;
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'embedded' | 'postgres';
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

interface PgliteLike {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
}

function wrapPglite(db: PgliteLike): Queryable {
  return {
    async query<R>(sql: string, params?: unknown[]) {
      const result = await db.query<R>(sql, params);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
  };
}

async function openEmbedded(dataDir: string): Promise<Database> {
  const pglite = await PGlite.create(dataDir);
  const base = wrapPglite(pglite);
  return {
    kind: 'embedded',
    ...base,
    transaction: (fn) => pglite.transaction((tx) => fn(wrapPglite(tx))),
    close: () => pglite.close(),
  };
}

function wrapPg(client: Pool | PoolClient): Queryable {
  return {
    async query<R>(sql: string, params?: unknown[], name?: string) {
      const result = name ? await client.query({ name, text: sql, values: params }) : await client.query(sql, params);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new Pool({ connectionString: url, max: poolSize });
  // A pool error on an idle client must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  await pool.query('SELECT 1');
  return {
    kind: 'postgres',
    ...wrapPg(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrapPg(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Runs every migration not yet applied, once, even with several processes starting together. */
export async function migrate(db: Database): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(724311)');
    await tx.exec('CREATE TABLE IF NOT EXISTS hub_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM hub_migrations');
    const done = new Set(rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const [index, sql] of MIGRATIONS.entries()) {
      const version = index + 1;
      if (done.has(version)) continue;
      await tx.exec(sql);
      await tx.query('INSERT INTO hub_migrations (version) VALUES ($1)', [version]);
      applied.push(version);
    }
    return applied;
  });
}

export async function openDatabase(options: { databaseUrl?: string; dataDir: string; poolSize: number }): Promise<Database> {
  const db = options.databaseUrl ? await openPostgres(options.databaseUrl, options.poolSize) : await openEmbedded(options.dataDir);
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}
