/**
 * Jest runs on Node 22 (the `node` devDependency puts it first on the npm-script PATH):
 * the integration's tests (test/), the hub's (hub/test/, real servers on 127.0.0.1, nothing of the
 * app) and the end-to-end tests that cross both (e2e/, with the demo's harness).
 */
const common = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/hub/dist/', '<rootDir>/build/'],
  setupFiles: ['<rootDir>/test/setup-zapier.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  // Three workers on two cores: most test time is spent waiting on sockets and PGlite, not on the
  // CPU (96 s of jest against 204 s with one worker, docs/measured.md). A test hub that answers 500
  // prints the cause (hub/test/helpers.ts), so a failure under load is never silent.
  maxWorkers: 3,
  // PGlite (WebAssembly) is large: recycle a worker that grew past this between test files.
  workerIdleMemoryLimit: '512MB',
  projects: [
    {
      ...common,
      displayName: 'app',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/**/*.test.ts'],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
    },
    {
      ...common,
      displayName: 'hub',
      testMatch: ['<rootDir>/hub/test/**/*.test.ts'],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/hub/tsconfig.test.json' }] },
    },
  ],
};
