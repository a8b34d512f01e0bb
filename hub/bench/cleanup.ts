/**
 * What a bench must undo however it ends: child processes to kill, PostgreSQL schemas to drop
 * and data folders to remove. On SIGINT/SIGTERM/SIGHUP, or through `exitAfterCleanup` when it throws, the registered
 * cleanups run (a few seconds at most) before the process exits; children still running are
 * killed on any exit.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const children = new Set<ChildProcess>();
const cleanups = new Set<() => Promise<void>>();

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
let exiting = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  // `on`, not `once`: a second signal (a wrapper such as `timeout` forwarding it) must not end the cleanup.
  process.on(signal, () => void exitAfterCleanup(130));
}

/** Kills `child` when the bench ends, if it is still running then. */
export function killAtExit(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Runs `cleanup` if the bench is interrupted or fails before it returns the function to cancel that. */
export function cleanUpIfAborted(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

export async function exitAfterCleanup(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  for (const child of children) child.kill('SIGKILL');
  const pending = [...cleanups].map((cleanup) => cleanup().catch(() => undefined));
  cleanups.clear();
  await Promise.race([Promise.all(pending), new Promise((resolve) => setTimeout(resolve, 5000))]);
  process.exit(code);
}

/** A fresh folder under the system's temporary one, removed if the bench is interrupted or fails (the bench removes it when done). */
export function benchDataDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanUpIfAborted(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
