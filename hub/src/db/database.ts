/**
 * One database interface over two engines: PGlite (PostgreSQL compiled to WebAssembly, in
 * process, kept in a data folder; no server, no native build) and PostgreSQL (pg.Pool). Both run
 * the same schema and the same SQL.
 */
import { PGlite } from '@electric-sql/pglite';
import { Client, Pool, type PoolClient } from 'pg';
import { loadMigrations } from './migrations';

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
    // Duck-typed: a driver's errors may come from another realm (a vm context), where instanceof fails.
    const message =
      typeof source === 'object' && source !== null && 'message' in source && typeof source.message === 'string' ? source.message : String(source);
    const code = typeof source === 'object' && source !== null && 'code' in source ? source.code : undefined;
    super(`${statement ? `${statement}: ` : ''}${message}`);
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

/** How long the hub waits on PostgreSQL before it calls the database unavailable (HUB_DB_*_MS). */
export interface DatabaseTimeouts {
  /** Getting a connection (a new one, or a free one from the pool). */
  connectMs: number;
  /** One statement, on the server (statement_timeout) and, a second later, on the client (a database that never answers). */
  statementMs: number;
  /** A transaction left idle (idle_in_transaction_session_timeout): its locks are freed. */
  idleInTransactionMs: number;
}

export const DEFAULT_TIMEOUTS: DatabaseTimeouts = { connectMs: 5000, statementMs: 15_000, idleInTransactionMs: 15_000 };

/** The pool's timeouts and keep-alive: a refused, hung or black-holed database fails fast instead of hanging. */
function poolOptions(url: string, poolSize: number, timeouts: DatabaseTimeouts) {
  return {
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    query_timeout: timeouts.statementMs + 1000,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    keepAlive: true,
  };
}

async function openPostgres(url: string, poolSize: number, timeouts: DatabaseTimeouts): Promise<Database> {
  const pool = new Pool(poolOptions(url, poolSize, timeouts));
  // A pool error on an idle client must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Every pooled client keeps a listener of its own for its whole life: a connection error
  // emitted while no one else listens (between a checkout and its user's listener, or a second
  // error after the first) must never be an unhandled 'error' event, which ends the process.
  // The query or transaction in progress fails on its own and the pool discards the client.
  pool.on('connect', (client) => client.on('error', () => undefined));
  await safely(() => pool.query('SELECT 1'));
  const listeners: Client[] = [];
  let closed = false;
  return {
    kind: 'postgres',
    ...wrapPg(pool),
    async listen(channel, onMessage, onReconnect) {
      let connecting = false;
      const scheduleRetry = (ms: number): void => {
        setTimeout(() => {
          if (closed) return;
          connecting = true;
          connect().then(
            () => {
              connecting = false;
              onReconnect();
            },
            () => {
              connecting = false;
              scheduleRetry(1000);
            },
          );
        }, ms).unref();
      };
      const connect = async (): Promise<void> => {
        const client = new Client({ connectionString: url, connectionTimeoutMillis: timeouts.connectMs, keepAlive: true });
        client.on('notification', (message) => {
          if (message.channel === channel) onMessage(message.payload ?? '');
        });
        let failed = false;
        client.on('error', () => {
          // Reconnect after a pause (once per lost connection); whatever was missed meanwhile is reloaded by onReconnect.
          if (failed) return;
          failed = true;
          const index = listeners.indexOf(client);
          if (index !== -1) listeners.splice(index, 1);
          client.end().catch(() => undefined);
          if (!connecting) scheduleRetry(200);
        });
        try {
          await client.connect();
          await client.query(`LISTEN ${channel}`);
        } catch (error) {
          failed = true;
          client.end().catch(() => undefined);
          throw error;
        }
        listeners.push(client);
      };
      await safely(connect);
    },
    async transaction(fn) {
      const client = await safely(() => pool.connect());
      // A checked-out client that loses its connection emits 'error' (an unhandled one ends the
      // process); the statement in progress fails on its own, and the client is discarded below.
      let broken: Error | undefined;
      const onError = (error: Error): void => {
        broken = error;
      };
      client.on('error', onError);
      try {
        await safely(() => client.query('BEGIN'));
        const result = await fn(wrapPg(client));
        await safely(() => client.query('COMMIT'));
        return result;
      } catch (error) {
        if (!broken)
          await client
            .query('ROLLBACK')
            .catch((rollbackError: unknown) => (broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError))));
        throw error;
      } finally {
        client.removeListener('error', onError);
        // A broken connection is destroyed, not handed to the next caller.
        client.release(broken ?? false);
      }
    },
    async close() {
      closed = true;
      await Promise.all(listeners.splice(0).map((c) => c.end().catch(() => undefined)));
      await pool.end();
    },
  };
}

/** A statement that only reads (its success says nothing about whether writes work again). */
const PLAIN_READ = /^\s*(?:select|show)\b/i;

/**
 * The same database, reporting every outcome to `health`: a query or transaction that fails
 * because the database is unavailable marks it down, a success marks it up (after a storage
 * fault, only a success of the statement that failed does).
 */
export function withHealth(
  db: Database,
  health: { failed(error: DatabaseError, statement?: string): void; succeeded(wrote: boolean, statement?: string): void },
  isUnavailable: (error: unknown) => boolean,
): Database {
  const watch = async <T>(run: () => Promise<T>, wrote = true, statement?: string): Promise<T> => {
    try {
      const result = await run();
      health.succeeded(wrote, statement);
      return result;
    } catch (error) {
      if (error instanceof DatabaseError && isUnavailable(error)) health.failed(error, statement);
      throw error;
    }
  };
  return {
    kind: db.kind,
    query: (sql, params, name) => watch(() => db.query(sql, params, name), !PLAIN_READ.test(sql), name),
    exec: (sql) => watch(() => db.exec(sql)),
    transaction: (fn) => watch(() => db.transaction(fn)),
    listen: (channel, onMessage, onReconnect) => db.listen(channel, onMessage, onReconnect),
    close: () => db.close(),
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
    for (const [index, sql] of loadMigrations().entries()) {
      const version = index + 1;
      if (done.has(version)) continue;
      await tx.exec(sql);
      await tx.query('INSERT INTO hub_migrations (version) VALUES ($1)', [version]);
      applied.push(version);
    }
    return applied;
  });
}

export async function openDatabase(options: { databaseUrl?: string; dataDir: string; poolSize: number; timeouts?: DatabaseTimeouts }): Promise<Database> {
  const db = options.databaseUrl
    ? await openPostgres(options.databaseUrl, options.poolSize, options.timeouts ?? DEFAULT_TIMEOUTS)
    : await openEmbedded(options.dataDir);
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}
