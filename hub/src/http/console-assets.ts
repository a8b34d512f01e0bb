/**
 * The console page's three static files (hub/console/), read once. Found from the hub's
 * package root, so the same code serves them from the sources (tests) and from dist/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hubRoot } from '../package-root';

export interface Asset {
  type: string;
  body: string;
}

export function consoleAssets(): { html: Asset; script: Asset; style: Asset } {
  const dir = join(hubRoot(__dirname, join('console', 'index.html')), 'console');
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    html: { type: 'text/html; charset=utf-8', body: read('index.html') },
    script: { type: 'text/javascript; charset=utf-8', body: read('console.js') },
    style: { type: 'text/css; charset=utf-8', body: read('console.css') },
  };
}
