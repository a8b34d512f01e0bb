/** The hub's own settings (hub_settings), such as the development secret key. */
import type { Database } from './database';

/** The value kept for `key`, created from `create()` by whichever process asks first. */
export async function setting(db: Database, key: string, create: () => string): Promise<string> {
  await db.query('INSERT INTO hub_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, create()]);
  const { rows } = await db.query<{ value: string }>('SELECT value FROM hub_settings WHERE key = $1', [key]);
  return rows[0].value;
}
