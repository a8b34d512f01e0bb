/**
 * The hub's schema, as ordered migrations: hub/src/db/migrations/NNN-name.sql, applied in the
 * order of their numbers (database.ts records each one applied). The same SQL runs on PGlite and
 * PostgreSQL. A migration is never edited once released: a change is a new file.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hubRoot } from '../package-root';

const FOLDER = join('src', 'db', 'migrations');
const NAME = /^(\d{3})-[a-z0-9-]+\.sql$/;

/** Every migration's SQL, in order; numbered 001, 002 … without a gap. */
export function loadMigrations(): string[] {
  const dir = join(hubRoot(__dirname, FOLDER), FOLDER);
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort();
  return files.map((name, index) => {
    const number = NAME.exec(name)?.[1];
    if (number === undefined) throw new Error(`migration ${name}: expected NNN-name.sql`);
    if (Number(number) !== index + 1) throw new Error(`migration ${name}: expected number ${String(index + 1).padStart(3, '0')}`);
    return readFileSync(join(dir, name), 'utf8');
  });
}
