/**
 * zapier-platform-core's memory checker ends the process (process.exit) once a process has
 * served 250 runs above 450 MB RSS: a guard for Zapier's Lambda workers. A jest worker is not
 * one (PGlite's WebAssembly alone is large), so the guard is switched off in tests.
 */
jest.mock('zapier-platform-core/src/tools/memory-checker', () => () => undefined);
