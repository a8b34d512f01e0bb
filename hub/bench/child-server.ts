/**
 * A server the benches run as a child process: started, awaited until it logs where it listens,
 * and stopped. A child still running when the bench ends, however it ends, is killed
 * (cleanup.ts), so an aborted bench leaves no hub, floor or ceiling behind to skew the next
 * measurement.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { killAtExit } from './cleanup';

export interface ChildServer {
  name: string;
  url: string;
  child: ChildProcess;
}

const LISTENING = /listening (?:on|at) (http:\/\/\S+)/;

export async function spawnServer(name: string, script: string, env: Record<string, string>): Promise<ChildServer> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  killAtExit(child);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!LISTENING.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${name} did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { name, url: LISTENING.exec(output)![1], child };
}

export function stopServer(server: ChildServer): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.kill('SIGTERM');
  });
}
