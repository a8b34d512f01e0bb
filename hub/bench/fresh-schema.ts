/** A fresh PostgreSQL schema for one benchmarked server (HUB_BENCH_DATABASE_URL), dropped afterwards (also when the bench is interrupted or fails); undefined when PostgreSQL is unreachable. */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { cleanUpIfAborted } from './cleanup';

const PG_URL = process.env.HUB_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function freshSchema(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  const schema = `hub_bench_${randomBytes(4).toString('hex')}`;
  const client = new Client({ connectionString: PG_URL });
  try {
    await client.connect();
  } catch {
    return undefined;
  }
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const drop = async () => {
    const c = new Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  };
  const dropped = cleanUpIfAborted(drop);
  return {
    url: url.toString(),
    drop: async () => {
      dropped();
      await drop();
    },
  };
}
