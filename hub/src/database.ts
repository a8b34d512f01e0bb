/**
 * One database interface over two engines: PGlite (PostgreSQL compiled to WebAssembly, in
 * process, kept in a data folder; no server, no native build) and PostgreSQL (pg.Pool). Both run
 * the same schema and the same SQL.
 */
import { PGlite } from '@electric-sql/pglite';
import { Client, Pool, type PoolClient } from 'pg';
import { MIGRATIONS } from './schema';

export interface Queryable {
  /** `name` makes a hot statement a prepared one on PostgreSQL (planned once per connection). */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[], name?: string): Promise<{ rows: R[]; rowCount: number }>;
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'embedded' | 'postgres';
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Calls `onMessage` for every NOTIFY on `channel` from any process, and `onReconnect` after a
   * lost listening connection is back (notifications may have been missed meanwhile). The
   * embedded database has one process only: nothing to listen to.
   */
  listen(channel: string, onMessage: (payload: string) => void, onReconnect: () => void): Promise<void>;
  close(): Promise<void>;
}

/**
 * A database error reduced to what is safe to log: the engine's message and SQLSTATE code.
 * PGlite attaches the whole query and its parameters to its errors, and PostgreSQL's `detail`
 * can quote a row: other schools' keys and bodies must never reach a log line through them.
 */
export class DatabaseError extends Error {
  readonly code: string | undefined;
  constructor(source: unknown, statement?: string) {
    const raw = source instanceof Error ? source : new Error(String(source));
    const code = 'code' in raw ? raw.code : undefined;
    super(`${statement ? `${statement}: ` : ''}${raw.message}`);
    this.name = 'DatabaseError';
    this.code = typeof code === 'string' ? code : undefined;
  }
}

async function safely<T>(run: () => Promise<T>, statement?: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof DatabaseError ? error : new DatabaseError(error, statement);
  }
}

interface PgliteLike {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
}

function wrapPglite(db: PgliteLike): Queryable {
  return {
    async query<R>(sql: string, params?: unknown[], name?: string) {
      const result = await safely(() => db.query<R>(sql, params), name);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(sql: string) {
      await safely(() => db.exec(sql));
    },
  };
}

async function openEmbedded(dataDir: string): Promise<Database> {
  const pglite = await PGlite.create(dataDir);
  const base = wrapPglite(pglite);
  return {
    kind: 'embedded',
    ...base,
    transaction: (fn) => safely(() => pglite.transaction((tx) => fn(wrapPglite(tx)))),
    listen: async () => undefined,
    close: () => pglite.close(),
  };
}

function wrapPg(client: Pool | PoolClient): Queryable {
  return {
    async query<R>(sql: string, params?: unknown[], name?: string) {
      const result = await safely(() => (name ? client.query({ name, text: sql, values: params }) : client.query(sql, params)), name);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(sql: string) {
      await safely(() => client.query(sql));
    },
  };
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new Pool({ connectionString: url, max: poolSize });
  // A pool error on an idle client must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  await safely(() => pool.query('SELECT 1'));
  const listeners: Client[] = [];
  let closed = false;
  return {
    kind: 'postgres',
    ...wrapPg(pool),
    async listen(channel, onMessage, onReconnect) {
      const connect = async (): Promise<void> => {
        const client = new Client({ connectionString: url });
        client.on('notification', (message) => {
          if (message.channel === channel) onMessage(message.payload ?? '');
        });
        client.on('error', () => {
          // Reconnect after a pause; whatever was missed meanwhile is reloaded by onReconnect.
          listeners.splice(listeners.indexOf(client), 1);
          client.end().catch(() => undefined);
          const retry = (): void => {
            if (closed) return;
            connect().then(onReconnect, () => setTimeout(retry, 1000).unref());
          };
          setTimeout(retry, 200).unref();
        });
        await client.connect();
        await client.query(`LISTEN ${channel}`);
        listeners.push(client);
      };
      await safely(connect);
    },
    async transaction(fn) {
      const client = await safely(() => pool.connect());
      try {
        await safely(() => client.query('BEGIN'));
        const result = await fn(wrapPg(client));
        await safely(() => client.query('COMMIT'));
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      closed = true;
      await Promise.all(listeners.splice(0).map((c) => c.end().catch(() => undefined)));
      await pool.end();
    },
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
