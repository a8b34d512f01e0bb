/**
 * The hub's package folder (hub/, or /app in the container image), found from a module's own
 * folder, so the same code reads its files (the console page, the migrations) from the sources
 * under test and from dist/.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The nearest folder above `from` that holds `marker` beside a package.json. */
export function hubRoot(from: string, marker: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, marker)) && existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`${marker} was not found above ${from}`);
}
