/**
 * Validation of the handout's notes: each names a node, a test or a plan step of this lab. The lab layer
 * (runner/api.ts checkLab, after resolve) calls this with the lab as far as it resolved, so `lab validate`,
 * `lab plan`, `lab up` and `lab handout` all refuse a note that names nothing, at its line. Step ids exist only
 * once the lab is compiled: they are checked when the rest of the lab is valid (compiling a broken lab would only
 * add noise).
 */
import { didYouMean, error, type Diagnostic } from '../config/diagnostics.ts';
import type { LoadedFile } from '../config/load.ts';
import type { ResolvedLab } from '../model/types.ts';
import { PHASE_NAMES, stepIds } from './handout-steps.ts';
import { readHandout } from './handout-spec.ts';
import { isObj } from '../util/obj.ts';

const quote = (s: string): string => JSON.stringify(s);
const list = (xs: readonly string[], most = 12): string => (xs.length > most ? `${xs.slice(0, most).join(', ')}, …` : xs.join(', ')) || '(none)';

/**
 * @param lab the lab as resolved so far
 * @param broken whether the rest of the lab has errors (then step ids are not checked)
 */
export function checkHandout(file: Pick<LoadedFile, 'data' | 'at'>, lab: ResolvedLab, broken: boolean): Diagnostic[] {
  const spec = readHandout(file);
  if (!spec?.notes.length) return [];
  const data = isObj(file.data) ? file.data : {};
  const nodeNames = Object.keys(isObj(data.nodes) ? data.nodes : {});
  const bridgeNames = Object.keys(isObj(data.bridges) ? data.bridges : {});
  // tests by the name they are known by: their own, or the one nslab gives a test without one
  const rawTestNames = (Array.isArray(data.tests) ? data.tests : []).map((t: unknown) => (isObj(t) && typeof t.name === 'string' ? t.name : undefined)).filter((x): x is string => !!x);
  const testNames = [...new Set([...rawTestNames, ...lab.tests.map((t) => t.name)])];
  // a test that did not resolve has no name of its own to check against
  const unnamedBroken = (Array.isArray(data.tests) ? data.tests.length : 0) > lab.tests.length;
  let steps: Set<string> | undefined;
  const stepsOf = (): Set<string> | undefined => {
    if (broken) return undefined;
    try {
      steps ??= stepIds(lab);
    } catch {
      return undefined; // compile refused something resolve let through: its own error is reported elsewhere
    }
    return steps;
  };

  const diags: Diagnostic[] = [];
  for (const n of spec.notes) {
    const at = (key: string) => file.at(['handout', 'notes', n.index, key]);
    if (n.step === undefined && n.node === undefined && n.test === undefined) {
      diags.push(error('handout.note', `handout note ${n.index + 1} names no step, node or test`, n.pos, 'say where it belongs: step: <a step id or a phase>, node: <node> or test: <test name>; text for the whole lab goes in intro or sections'));
    }
    if (n.node !== undefined && !nodeNames.includes(n.node)) {
      const guess = didYouMean(n.node, nodeNames);
      const isBridge = bridgeNames.includes(n.node);
      diags.push(
        error(
          'handout.unknown-node',
          `handout note ${n.index + 1}: unknown node ${quote(n.node)}`,
          at('node'),
          isBridge ? `${n.node} is a bridge, not a node: attach the note to its step instead, step: bridge.${n.node}` : guess ? `did you mean ${quote(guess)}? nodes: ${list(nodeNames)}` : `nodes in this lab: ${list(nodeNames)}`,
        ),
      );
    }
    if (n.test !== undefined && !testNames.includes(n.test) && !(unnamedBroken && !rawTestNames.length)) {
      const guess = didYouMean(n.test, testNames);
      diags.push(error('handout.unknown-test', `handout note ${n.index + 1}: no test is named ${quote(n.test)}`, at('test'), guess ? `did you mean ${quote(guess)}?` : `tests: ${list(testNames.map(quote), 8)}`));
    }
    if (n.step !== undefined && !PHASE_NAMES.includes(n.step)) {
      const ids = stepsOf();
      if (ids && !ids.has(n.step)) diags.push(error('handout.unknown-step', `handout note ${n.index + 1}: the plan has no step ${quote(n.step)}`, at('step'), stepHint(n.step, ids, nodeNames)));
    }
  }
  return diags;
}

function stepHint(step: string, ids: ReadonlySet<string>, nodes: readonly string[]): string {
  const all = [...ids, ...PHASE_NAMES];
  const guess = didYouMean(step, all);
  if (guess) return `did you mean ${quote(guess)}?`;
  // steps of the node (or link, bridge) the id starts with
  const head = step.split('.')[0];
  const owner = [...ids].some((id) => id.startsWith(`${head}.`)) ? head : didYouMean(head, [...new Set([...ids].map((id) => id.split('.')[0]))]);
  const mine = owner ? [...ids].filter((id) => id.startsWith(`${owner}.`)) : [];
  if (mine.length) return `steps of ${owner}: ${list(mine, 10)}`;
  const some = nodes.length ? `e.g. ${[...ids].filter((id) => id.startsWith(`${nodes[0]}.`)).slice(0, 3).join(', ')}; ` : '';
  return `a step is a step id from \`lab plan --json\` (${some}) or a phase: ${PHASE_NAMES.join(', ')}`.replace('(; )', '').replace('; )', ')');
}
