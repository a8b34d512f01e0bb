/** `node hub` as the operator starts it, as a child process (crash and multi-process tests, the demo). */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { atCleanup } from './cleanups';
import { waitFor } from './wait';

/** The hub's package folder (its main is the built hub), found from here under ts-jest and from a compiled copy in dist/ alike. */
function findHubMain(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (basename(dir) === 'hub' && existsSync(join(dir, 'package.json'))) return dir;
    if (existsSync(join(dir, 'hub', 'package.json'))) return join(dir, 'hub');
  }
  throw new Error(`no hub package above ${__dirname}`);
}

export const HUB_MAIN = findHubMain();

/** A hub as a child process (for crash and multi-process tests). */
export class HubProcess {
  child?: ChildProcess;
  url = '';
  output = '';
  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<this> {
    this.output = '';
    const child = spawn(process.execPath, [HUB_MAIN], { env: { ...process.env, ...this.env, NODE_ENV: 'test' }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.output += d.toString()));
    atCleanup(() => this.kill('SIGKILL'));
    await waitFor(() => /listening on (http:\/\/\S+)/.test(this.output) || child.exitCode !== null, 30000, 'the hub process to listen');
    const match = /listening on (http:\/\/\S+)/.exec(this.output);
    if (!match) throw new Error(`hub process did not start:\n${this.output}`);
    this.url = match[1]!;
    return this;
  }

  kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}
