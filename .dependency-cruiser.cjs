// Import boundaries of the hub. Run:
//   npx depcruise --config .dependency-cruiser.cjs core schema store gateway subgraphs seed hub test bench
// Paths are relative to the repo root. test/** and bench/** may import anything (only the global rules apply).

// What a path may be that is not a project file: node builtins and unresolvable specifiers are handled
// elsewhere (not-to-unresolvable), npm packages resolve under node_modules/.
const PROJECT_ONLY = { dependencyTypesNot: ['core'], couldNotResolve: false };
// an npm package (also when node_modules is a symlink that resolves outside the repo)
const NPM = '(^|/)node_modules/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-stays-core',
      severity: 'error',
      comment:
        'core/ (incl. core/protocol/) is the base every deployable shares: it may import nothing of the project outside core/',
      from: { path: '^core/' },
      to: { ...PROJECT_ONLY, pathNot: `^core/|${NPM}` },
    },
    {
      name: 'schema-contracts-only-core',
      severity: 'error',
      comment:
        'the gateway reads the manifest and the supergraph: they may reach only core/ and schema/policy/, or the gateway would load department code through them',
      from: { path: '^schema/(manifest|supergraph)\\.ts$' },
      to: { ...PROJECT_ONLY, pathNot: `^(core|schema/policy)/|${NPM}` },
    },
    {
      name: 'schema-policy-only-core',
      severity: 'error',
      comment: 'schema/policy/ is read by the gateway and every subgraph alike: it may depend on core/ only',
      from: { path: '^schema/policy/' },
      to: { ...PROJECT_ONLY, pathNot: `^(core|schema/policy)/|${NPM}` },
    },
    {
      name: 'store-only-core-and-policy',
      severity: 'error',
      comment: 'store/ is a library under the gateway and the hub: it may depend on core/ and schema/policy/ only',
      from: { path: '^store/' },
      to: { ...PROJECT_ONLY, pathNot: `^(core|schema/policy|store)/|${NPM}` },
    },
    {
      name: 'gateway-not-to-subgraphs-seed-hub-compose',
      severity: 'error',
      comment:
        'the gateway deploys without any subgraph code: no subgraphs/, seed/, hub/, nor schema/compose.ts (composition reads every subgraph)',
      from: { path: '^gateway/' },
      to: { path: '^(subgraphs|seed|hub)/|^schema/compose\\.ts$' },
    },
    {
      name: 'gateway-only-allowed',
      severity: 'error',
      comment:
        'the gateway may use only core/, schema/policy/, schema/manifest.ts, schema/supergraph.ts, store/ and itself',
      from: { path: '^gateway/' },
      to: {
        ...PROJECT_ONLY,
        // the explicitly forbidden targets are reported by the rule above, not twice
        pathNot:
          `^(core|schema/policy|store|gateway)/|^schema/(manifest|supergraph)\\.ts$|${NPM}` +
          '|^(subgraphs|seed|hub)/|^schema/compose\\.ts$',
      },
    },
    {
      name: 'subgraph-domains-independent',
      severity: 'error',
      comment:
        "a department deploys its own subgraph alone: no domain reads another's code (share through subgraphs/kit/ or core/)",
      from: { path: '^subgraphs/([^/]+)/', pathNot: '^subgraphs/kit/' },
      // $1 = the importing domain. Files directly under subgraphs/ (registry.ts lists every domain) count as
      // foreign too, so the rule cannot be sidestepped through them.
      to: { path: '^subgraphs/', pathNot: '^subgraphs/(kit|$1)/' },
    },
    {
      name: 'subgraph-kit-domain-free',
      severity: 'error',
      comment: 'subgraphs/kit/ is shared by every domain, so it must not depend on any one of them',
      from: { path: '^subgraphs/kit/' },
      // also not the files directly under subgraphs/ (registry.ts imports every domain)
      to: { path: '^subgraphs/', pathNot: '^subgraphs/kit/' },
    },
    {
      name: 'subgraphs-not-to-gateway-seed-hub',
      severity: 'error',
      comment: 'a subgraph deploys without the gateway, the seed data and the hub launcher: it must not import them',
      from: { path: '^subgraphs/' },
      to: { path: '^(gateway|seed|hub)/' },
    },
    {
      name: 'seed-not-to-gateway-hub',
      severity: 'error',
      comment: 'seeding writes subgraph data directly: it must not depend on the gateway or the hub launcher',
      from: { path: '^seed/' },
      to: { path: '^(gateway|hub)/' },
    },
    {
      name: 'only-hub-test-bench-to-hub',
      severity: 'error',
      comment:
        'hub/ is the top-level launcher that wires everything together: nothing below it may import it (test/ and bench/ may)',
      from: { pathNot: '^(hub|test|bench)/' },
      to: { path: '^hub/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'import cycles make load order fragile and block splitting code into separate deployables (type-only imports are erased and do not count)',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-non-package-json',
      severity: 'error',
      comment:
        'every package the code loads is declared in package.json, so npm ci installs the version it was written against',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'an import that does not resolve to a file or installed package fails at run time (or is a typo)',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment:
        'deployed code runs with production dependencies only: devDependencies are for test/, bench/ and tooling',
      from: { path: '^(core|schema|store|gateway|subgraphs|seed|hub)/' },
      // type-only imports are erased at run time (tsx / verbatimModuleSyntax), so they may name a devDependency
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: '(^|/)node_modules/@types/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules is NOT excluded (that would drop every npm dependency and blind not-to-dev-dep):
    // doNotFollow above keeps it from being cruised.
    exclude: { path: '^(\\.data|dist|coverage)/|^migrations/.*meta/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // `./x.js` specifiers resolve to `./x.ts` (TypeScript NodeNext style): dependency-cruiser retries a
    // missing .js/.jsx/.cjs/.mjs with .ts/.tsx/.cts/.mts by itself; checked in a scratch tree.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      // 'types' too: type-only packages such as @apollo/server-gateway-interface export nothing else, and
      // tsPreCompilationDeps sees `import type` (without it they show up as unresolvable)
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
      mainFields: ['main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
