/**
 * The layers of libs/sse, enforced by a tool rather than by review (run by `npm run deps:validate`
 * and in CI):
 * - domain/ is plain TypeScript: it imports nothing outside itself, no framework, no broker;
 * - application/ builds on domain/ only (plus npm packages such as rxjs and Nest DI);
 * - adapters/ are reached only through the module's adapter set (sse-adapter-set.ts).
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-stays-pure',
      comment: 'domain/ imports only domain/: no Nest, HTTP, RxJS or Redis.',
      severity: 'error',
      from: { path: '^libs/sse/src/domain/' },
      to: { pathNot: '^libs/sse/src/domain/' },
    },
    {
      name: 'application-depends-on-domain-only',
      comment: 'application/ imports domain/ and npm packages, never http/, auth/ or adapters/.',
      severity: 'error',
      from: { path: '^libs/sse/src/application/' },
      to: {
        path: '^libs/sse/src/',
        pathNot: ['^libs/sse/src/(application|domain)/'],
      },
    },
    {
      name: 'adapters-only-through-the-adapter-set',
      comment: 'Only the adapter set, the public barrel and other adapters import adapters/.',
      severity: 'error',
      from: {
        path: '^libs/sse/src/',
        pathNot: [
          '^libs/sse/src/adapters/',
          '^libs/sse/src/sse-adapter-set\\.ts$',
          '^libs/sse/src/index\\.ts$',
          '\\.spec\\.ts$',
          '^libs/sse/src/testing/',
        ],
      },
      to: { path: '^libs/sse/src/adapters/' },
    },
    {
      name: 'domain-imports-no-packages',
      comment: 'domain/ uses no npm package at all.',
      severity: 'error',
      from: { path: '^libs/sse/src/domain/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '(^|/)(dist|node_modules)/' },
  },
};
