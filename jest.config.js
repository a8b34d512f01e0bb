/**
 * Jest runs on Node 22 (the `node` devDependency puts it first on the npm-script PATH):
 * the integration's tests (test/) and the hub's (hub/test/, real servers on 127.0.0.1).
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
  // The hub tests mostly wait on child processes, sockets and timers: three workers on two cores
  // finish the suite about 1.6x sooner (213 s against 341 s of jest here, 171 s with the migrated template), and every test waits on
  // state, so the extra load is also a standing check that none depends on the machine's speed.
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
      displayName: 'hub',
      testMatch: ['<rootDir>/hub/test/**/*.test.ts'],
      transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/hub/tsconfig.test.json' }] },
    },
  ],
};
