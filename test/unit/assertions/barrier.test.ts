/** Actions (barriers) split a run: everything before an action finishes first; everything after waits for it. */
import { strict as assert } from 'node:assert';
import { runTests } from '../../../assertions/runner.ts';
import type { AssertionDef, RunContext } from '../../../assertions/types.ts';
import type { ResolvedTest } from '../../../runner/model/types.ts';

const log: string[] = [];
const slow: AssertionDef<{ id: string; ms: number }> = {
  type: 'slow',
  describe: (p) => p.id,
  resolve: () => ({ diagnostics: [] }),
  async run(p) {
    log.push(`start ${p.id}`);
    await new Promise((r) => setTimeout(r, p.ms));
    log.push(`end ${p.id}`);
    return { ok: true, expected: '', seen: '', command: '' };
  },
};
const action: AssertionDef<{ id: string; ms: number }> = { ...slow, type: 'act', barrier: true, exclusive: true };
const defs = new Map<string, AssertionDef<{ id: string; ms: number }>>([
  ['slow', slow],
  ['act', action],
]);
const t = (index: number, type: string, id: string, ms: number): ResolvedTest => ({ index, name: id, type, withinMs: 0, params: { id, ms }, pos: { file: 'x', line: index + 1, col: 1 } });

describe('runner: actions between tests', () => {
  it('an action waits for the tests before it, and the tests after it wait for the action', async () => {
    log.length = 0;
    const tests = [t(0, 'slow', 'a', 40), t(1, 'slow', 'b', 10), t(2, 'act', 'down', 5), t(3, 'slow', 'c', 1), t(4, 'slow', 'd', 1)];
    const results = await runTests(tests, { defs, context: () => ({}) as RunContext });
    assert.equal(results.filter((r) => r.ok).length, 5);
    const at = (e: string): number => log.indexOf(e);
    assert.ok(at('start down') > at('end a') && at('start down') > at('end b'), log.join(', '));
    assert.ok(at('start c') > at('end down') && at('start d') > at('end down'), log.join(', '));
    assert.ok(at('start b') < at('end a'), 'tests before the action still run side by side');
  });
});
