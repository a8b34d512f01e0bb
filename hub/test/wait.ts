/** Waiting on state, never on time: a condition polled until it holds, with a generous limit that only turns a hang into a failure. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 15000, what = 'condition'): Promise<void> {
  await waitForValue(async () => ((await condition()) ? true : undefined), timeoutMs, what);
}

/** The same for a value: polls `read` until it gives one (not undefined), and returns it. */
export async function waitForValue<T>(read: () => T | undefined | Promise<T | undefined>, timeoutMs = 15000, what = 'a value'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
