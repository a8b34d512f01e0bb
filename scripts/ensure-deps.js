#!/usr/bin/env node
// Installs the root and hub dependencies when they are missing or older than their lock files,
// so `npm start` and `npm test` work on a fresh clone. Runs on any Node (the system Node 20 too).
// With --browser (npm test), also installs Debian's Chromium for the console's browser test
// when it is missing and this machine can (root with apt-get); otherwise says what to do.
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

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (process.argv.includes('--browser') && !existsSync(chromium)) {
  const canInstall = process.getuid && process.getuid() === 0 && existsSync('/usr/bin/apt-get');
  if (canInstall) {
    console.error("installing Debian's chromium for the console's browser test (apt-get)…");
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  } else {
    console.error(
      `${chromium} is missing: install Debian's chromium (sudo apt-get install chromium) or set CHROMIUM_PATH; the console's browser test needs it.`,
    );
  }
}
