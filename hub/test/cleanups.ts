/**
 * What a test (or the demo) must undo, in one list: servers to stop, processes to kill, folders
 * to remove. runCleanups() undoes them last in, first out (tests call it in afterEach).
 */
const cleanups: Array<() => Promise<void> | void> = [];

export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!();
}

/** Runs `fn` when the test's cleanups run (afterEach(runCleanups)), last in, first out. */
export function atCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}
