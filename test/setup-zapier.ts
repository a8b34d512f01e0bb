/**
 * zapier-platform-core's memory checker ends the process (process.exit) once a process has
 * served 250 runs above 450 MB RSS: a guard for Zapier's Lambda workers. A jest worker is not
 * one (PGlite's WebAssembly alone is large), so the guard is switched off in tests.
 */
jest.mock('zapier-platform-core/src/tools/memory-checker', () => () => undefined);

/**
 * The app logs every dropped delivery through z.console (`[learnworlds] …`): expected in tests,
 * asserted where it matters (captureOutput), and silenced here so a passing run stays quiet and
 * an unexpected line stands out.
 */
const log = console.log.bind(console);
console.log = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].startsWith('[learnworlds]')) return;
  log(...args);
};
