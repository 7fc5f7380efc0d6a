/** The tests pass: each test's assertion resolves its own parameters, seeing the lab through a ResolveContext. */
import { error, type Diagnostic, type SourcePos } from '../config/diagnostics.ts';
import { SHAPE_CODE } from '../../assertions/common.ts';
import { ASSERTIONS } from '../../assertions/registry.ts';
import type { ResolveContext } from '../../assertions/types.ts';
import { EXTENSIONS } from '../extensions.ts';
import type { TestScope } from '../extensions-types.ts';
import { birdSocket } from '../kinds/bird/index.ts';
import { nodeNetns } from '../model/names.ts';
import { asObj } from '../util/obj.ts';
import { durationTooLong, parseDurationMs } from '../util/units.ts';
import type { ResolveDraft } from './draft.ts';
import { mappingOf, type RawTest } from './raw.ts';

export function tests(d: ResolveDraft): void {
  const rawTests: unknown[] = Array.isArray(d.raw.tests) ? d.raw.tests : [];
  const testNames = rawTests.map((t) => mappingOf<RawTest>(t)?.name).filter((x): x is string => typeof x === 'string' && x !== '');
  const seenNames = new Map<string, number>();
  // what tests see of the extensions (a delete-pod action changes the cluster the tests after it see)
  const scopes = EXTENSIONS.map((ext) => ext.assertionContext?.(d.extras)).filter((x): x is TestScope => !!x);
  const extensionContext = scopes.reduce<TestScope['context']>((all, sc) => ({ ...all, ...sc.context }), {});
  rawTests.forEach((item, i) => {
    const t = mappingOf<RawTest>(item);
    if (!t) return;
    const types = Object.keys(t).filter((k) => ASSERTIONS.has(k));
    const tpos = d.at(['tests', i]);
    if (types.length !== 1) {
      d.diags.push(error('test.type', types.length ? `test ${i + 1} has ${types.length} assertion types (${types.join(', ')}); give each its own list item` : `test ${i + 1} has no assertion type`, tpos, `each test has exactly one of: ${[...ASSERTIONS.keys()].join(', ')}`));
      return;
    }
    const type = types[0];
    const def = ASSERTIONS.get(type)!;
    const name = typeof t.name === 'string' ? t.name : undefined;
    if (name) {
      if (seenNames.has(name)) d.diags.push(error('test.duplicate-name', `two tests are named ${JSON.stringify(name)}`, d.at(['tests', i, 'name']), `the other is test ${seenNames.get(name)! + 1}; names must be unique because tests refer to each other by name`));
      seenNames.set(name, i);
    }
    const ctx: ResolveContext = { ...baseContext(d, i, type, testNames), testName: name, ...extensionContext };
    const r = def.resolve(asObj(t[type]), ctx);
    const schemaSaid = schemaErrorIn(d.diags, tpos, i + 1 < rawTests.length ? d.at(['tests', i + 1]) : undefined);
    d.diags.push(...r.diagnostics.filter((x) => x.code !== SHAPE_CODE || !schemaSaid));
    // a test that did not resolve is an error, never a test that silently disappears from the run (issue 17)
    if (!r.params && !d.diags.some((x) => x.severity === 'error' && inside(x.pos, tpos, i + 1 < rawTests.length ? d.at(['tests', i + 1]) : undefined)))
      d.diags.push(error('test.unresolved', `test ${i + 1} (${type}) could not be resolved`, tpos, 'this is a gap in nslab\'s checks: please report it with the test'));
    if (r.params) for (const sc of scopes) sc.resolved(type, r.params);
    const withinMs = t.within === undefined ? 0 : parseDurationMs(t.within);
    if (withinMs === undefined) d.diags.push(error('test.within', `within: ${JSON.stringify(t.within)} is not a duration`, d.at(['tests', i, 'within']), 'write e.g. 5s, 500ms or 2m'));
    const long = withinMs !== undefined && typeof t.within === 'string' ? durationTooLong(withinMs) : undefined; // numbers: the schema's maximum
    if (long) d.diags.push(error('test.within', `within: ${JSON.stringify(t.within)}: ${long}`, d.at(['tests', i, 'within']), 'a test is retried until it passes or this time has passed: write e.g. 30s or 2m'));
    if (r.params) d.tests.push({ index: i, name: name ?? def.describe(r.params), type, withinMs: withinMs ?? 0, params: r.params, pos: tpos });
  });
}

/** Whether a diagnostic's place lies between two places of the same file (the next test's start, or the end). */
function inside(pos: SourcePos | undefined, from: SourcePos, to: SourcePos | undefined): boolean {
  if (!pos || pos.file !== from.file) return false;
  const after = pos.line > from.line || (pos.line === from.line && pos.col >= from.col);
  const before = !to || pos.line < to.line || (pos.line === to.line && pos.col < to.col);
  return after && before;
}

function schemaErrorIn(diags: readonly Diagnostic[], from: SourcePos, to: SourcePos | undefined): boolean {
  return diags.some((x) => x.severity === 'error' && x.code.startsWith('schema.') && inside(x.pos, from, to));
}

/** What the assertion of test i sees of the lab. */
function baseContext(d: ResolveDraft, i: number, type: string, testNames: readonly string[]): ResolveContext {
  const nodeOf = (x: string) => d.nodes.find((y) => y.name === x);
  return {
    nodeNames: d.nodeNames,
    bridgeNames: [...new Set([...d.bridgeNames, ...d.resolvedBridges.map((b) => b.name)])],
    hasNode: (x) => d.nodeSet.has(x),
    target: (to, from, family) => d.targetOf(to, from, family),
    at: (p, key) => d.at(['tests', i, type, ...p], key),
    unknownNode: (x, p) => d.unknownNode(x, ['tests', i, type, ...p]),
    testNames,
    birdSocket: (x) => (nodeOf(x)?.kind === 'bird' ? birdSocket(d.labName, x) : undefined),
    // a BGP router's BIRD is its daemon `bird` (runner/kinds/bird)
    daemons: (x) => [...(nodeOf(x)?.kind === 'bird' ? ['bird'] : []), ...(nodeOf(x)?.daemons ?? []).map((y) => y.name)],
    containers: (x) => new Map((nodeOf(x)?.containers ?? []).map((c) => [c.name === nodeNetns(d.labName, x) ? x : (c.name.split('.').pop() ?? c.name), c.name])),
  };
}
