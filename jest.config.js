/**
 * Jest runs the ES-module build of NestJS 12 in ESM mode (`NODE_OPTIONS=--experimental-vm-modules`,
 * set by the npm scripts). ts-jest transpiles each file alone (tsconfig `isolatedModules`); type
 * checking is `npm run typecheck`'s job.
 */
const transform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }],
};
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  transform,
  moduleNameMapper: {
    // The package's entry points, mapped to the library's sources (as tsconfig's paths do).
    '^nestjs-sse-hub$': '<rootDir>/libs/sse/src/index.ts',
    '^nestjs-sse-hub/testing$': '<rootDir>/libs/sse/src/testing/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
};

/** The suites about GET /sse, run once more with the stream served by the Nest controller. */
const STREAM_SUITES = ['stream', 'behind-proxy', 'auth', 'token-scope', 'topic-names', 'cross-site', 'limits', 'cors', 'replay', 'slow-client', 'token-expiry', 'fuzz'];

export default {
  // Jest reads testTimeout from the global config only (a project's own value is ignored), so
  // the e2e bound is set here: each e2e file starts real apps, and a stuck one must not hold the run.
  testTimeout: 30_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{libs,src}/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e-controller',
      setupFiles: ['<rootDir>/test/setup/stream-on-controller.ts'],
      testMatch: STREAM_SUITES.map((name) => `<rootDir>/test/${name}.e2e-spec.ts`),
    },
  ],
};
