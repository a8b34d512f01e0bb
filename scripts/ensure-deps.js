#!/usr/bin/env node
// Installs the root and hub dependencies when they are missing or older than their lock files,
// so `npm start` and `npm test` work on a fresh clone. Runs on any Node (the system Node 20 too).
const { execFileSync } = require('node:child_process');
const { existsSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

for (const dir of [root, join(root, 'hub')]) {
  const lock = join(dir, 'package-lock.json');
  const installed = join(dir, 'node_modules', '.package-lock.json');
  const fresh = existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs;
  if (fresh) continue;
  console.error(`installing dependencies in ${dir === root ? '.' : 'hub/'} (npm ci)…`);
  execFileSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
}
