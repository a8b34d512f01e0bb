/**
 * The console page's three static files (hub/console/), read once. Found from the hub's
 * package root, so the same code serves them from the sources (tests) and from dist/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Asset {
  type: string;
  body: string;
}

function hubRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'console', 'index.html')) && existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`the console files (hub/console/) were not found above ${from}`);
}

export function consoleAssets(): { html: Asset; script: Asset; style: Asset } {
  const dir = join(hubRoot(__dirname), 'console');
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    html: { type: 'text/html; charset=utf-8', body: read('index.html') },
    script: { type: 'text/javascript; charset=utf-8', body: read('console.js') },
    style: { type: 'text/css; charset=utf-8', body: read('console.css') },
  };
}
