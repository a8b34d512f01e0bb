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
