// The layer rule (issue 10): each layer imports only from the layers below it, type-only imports included, and
// nothing forms an import circle. `npm run deps` checks it; `npm test` runs that first. The picture is in the
// README ("How it works"). Bottom to top; a path belongs to the first layer whose pattern it matches.
const LAYERS = [
  // L0 base: diagnostics, YAML loading with positions, the schema check and the generated types; tiny helpers
  ['base', ['^runner/util/', '^runner/config/']],
  // L1 core: the resolved model and the Plan as data, and the contracts plugins implement
  ['core', ['^runner/model/', '^runner/plan/(?!compile\\.ts$)', '^runner/kinds/types\\.ts$', '^assertions/types\\.ts$', '^runner/links/types\\.ts$', '^runner/cluster/types\\.ts$', '^runner/extensions-types\\.ts$']],
  // L2 host: the only code that starts processes or talks to Docker (execa, child_process, dockerode)
  ['host', ['^runner/exec/']],
  // L3 plugins: the packet walk (trace), node kinds, link types, assertions, the cluster, the in-node agent, image recipes
  ['plugins', ['^runner/trace/', '^runner/kinds/(?!registry\\.ts$|types\\.ts$)', '^runner/links/(?!registry\\.ts$|types\\.ts$)', '^assertions/(?!registry\\.ts$|types\\.ts$|runner\\.ts$|reporters/)', '^runner/cluster/(?!types\\.ts$)', '^runner/agent/', '^runner/images/']],
  // L4 registries: one line per plugin
  ['registry', ['^runner/kinds/registry\\.ts$', '^assertions/registry\\.ts$', '^runner/links/registry\\.ts$', '^runner/extensions\\.ts$']],
  // L5 pipeline: resolve (named passes), compile, the assert stage
  ['pipeline', ['^runner/resolve/', '^runner/plan/compile\\.ts$', '^assertions/runner\\.ts$']],
  // L6 views: graph, handout, reporters
  ['views', ['^runner/graph/', '^runner/handout/', '^assertions/reporters/']],
  // L7 lab: the lifecycle (up, test, down, test-many) and the public library index
  ['lab', ['^runner/lab/', '^runner/api\\.ts$']],
  // L8 cli: argv → one library call → print
  ['cli', ['^runner/cli/']],
];

const forbidden = [
  { name: 'no-circular', comment: 'import circles (type-only imports count)', severity: 'error', from: {}, to: { circular: true } },
  {
    name: 'only-exec-starts-processes',
    comment: 'only runner/exec starts processes or talks to Docker',
    severity: 'error',
    from: { path: '^(runner|assertions)/', pathNot: '^runner/exec/' },
    to: { path: '(^|/)node_modules/(execa|dockerode|docker-modem)/|^(node:)?child_process$' },
  },
  { name: 'no-orphan-layer', comment: 'every source file belongs to a layer', severity: 'error', from: { path: '^(runner|assertions)/', pathNot: LAYERS.flatMap(([, p]) => p) }, to: {} },
];
LAYERS.forEach(([name, paths], i) => {
  const higher = LAYERS.slice(i + 1).flatMap(([, p]) => p);
  if (higher.length)
    forbidden.push({ name: `${name}-imports-only-downward`, comment: `${name} may not import from ${LAYERS.slice(i + 1).map(([n]) => n).join(', ')}`, severity: 'error', from: { path: paths }, to: { path: higher } });
});

module.exports = {
  forbidden,

  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(test|bench|scripts|dist)/|^runner/config/generated/.*\\.js$' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
