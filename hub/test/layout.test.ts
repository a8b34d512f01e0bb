/** The hub's arrows: its code, tests and benchmarks import nothing of the Zapier app, only contract/. */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

test('hub/ imports nothing outside hub/ but contract/', () => {
  const outside: string[] = [];
  for (const file of ['src', 'test', 'bench'].flatMap((dir) => tsFiles(join(ROOT, 'hub', dir)))) {
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)) {
      const target = relative(ROOT, resolve(dirname(file), specifier));
      if (!target.startsWith('hub/') && !target.startsWith('contract')) outside.push(`${relative(ROOT, file)} → ${target}`);
    }
  }
  expect(outside).toEqual([]);
});

/**
 * The engine's rooms and their arrows (hub/src/): each folder imports only the folders below it,
 * so storage knows nothing of HTTP and the HTTP layer is the only one that speaks it.
 */
const SRC = join(ROOT, 'hub', 'src');
const FOLDERS: Record<string, string[]> = {
  db: [],
  queue: ['db'],
  tenants: ['db'],
  inbound: ['db'],
  subscriptions: ['db', 'queue'],
  admin: ['db', 'queue'],
  delivery: ['db', 'queue', 'subscriptions', 'tenants'],
  // services.ts: the type of `app.hub`, decorated by hub.ts.
  http: ['db', 'queue', 'tenants', 'inbound', 'subscriptions', 'admin', 'delivery', 'services'],
};
/** Top-level modules: the composition (main, hub, services) and the leaves every room may use. */
const TOP_LEVEL = ['config.ts', 'hub.ts', 'main.ts', 'metrics.ts', 'package-root.ts', 'services.ts'];
const LEAVES = ['config', 'metrics', 'package-root'];

function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)].map(([, specifier]) => relative(SRC, resolve(dirname(file), specifier)));
}

test('hub/src/ is laid out by concern: only the known rooms and top-level modules', () => {
  const entries = readdirSync(SRC, { withFileTypes: true });
  expect(
    entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort(),
  ).toEqual(Object.keys(FOLDERS).sort());
  expect(
    entries
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort(),
  ).toEqual(TOP_LEVEL);
});

test('each room imports only the rooms below it (and the leaves); HTTP is imported by no room but itself', () => {
  const wrong: string[] = [];
  for (const [folder, allowed] of Object.entries(FOLDERS)) {
    for (const file of tsFiles(join(SRC, folder))) {
      for (const target of imports(file)) {
        if (target.startsWith('..')) continue; // contract/, checked above
        const room = target.includes('/') ? target.split('/')[0] : target;
        if (room === folder || allowed.includes(room) || LEAVES.includes(room)) continue;
        wrong.push(`${relative(SRC, file)} → ${target}`);
      }
    }
  }
  expect(wrong).toEqual([]);
});

test("queue/ is the only owner of a delivery's status: no other module updates a delivery", () => {
  const writers = tsFiles(SRC)
    .filter((file) => /UPDATE\s+deliveries/i.test(readFileSync(file, 'utf8')))
    .map((file) => relative(SRC, file));
  expect(writers.length).toBeGreaterThan(0);
  expect(writers.filter((file) => !file.startsWith('queue/'))).toEqual([]);
});

test('migrations are numbered .sql files without a gap, each loaded in order', async () => {
  const { loadMigrations } = await import('../src/db/migrations');
  const files = readdirSync(join(SRC, 'db', 'migrations')).sort();
  expect(files.every((name, i) => name.startsWith(`${String(i + 1).padStart(3, '0')}-`) && name.endsWith('.sql'))).toBe(true);
  expect(loadMigrations()).toEqual(files.map((name) => readFileSync(join(SRC, 'db', 'migrations', name), 'utf8')));
});
