import { strict as assert } from 'node:assert';
import { runTests, type ProgressEvent } from '../../../assertions/runner.ts';
import type { AssertionDef, RunContext } from '../../../assertions/types.ts';
import type { ResolvedTest } from '../../../runner/model/types.ts';

interface FakeParams {
  ms?: number;
  /** Fail this many tries first. */
  failFirst?: number;
  measure?: number;
  needs?: string[];
  throws?: boolean;
  /** Record what measurement(name) gave. */
  read?: string;
}

/** Records when each test ran, to check what overlapped. */
function harness() {
  const spans = new Map<string, { start: number; end: number }>();
  const tries = new Map<string, number>();
  const reads = new Map<string, number | undefined>();
  let running = 0;
  let maxRunning = 0;
  const make = (type: string, exclusive: boolean): AssertionDef<FakeParams> => ({
    type,
    exclusive,
    dependsOn: (p) => p.needs ?? [],
    describe: () => type,
    resolve: () => ({ diagnostics: [] }),
    async run(p, ctx) {
      const name = ctx.test!.name;
      const n = (tries.get(name) ?? 0) + 1;
      tries.set(name, n);
      if (p.read) reads.set(name, ctx.measurement(p.read));
      const start = performance.now();
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, p.ms ?? 20));
      running--;
      spans.set(name, { start, end: performance.now() });
      if (p.throws) throw new Error('boom');
      const ok = n > (p.failFirst ?? 0);
      return { ok, expected: 'ok', seen: ok ? 'ok' : `try ${n} failed`, command: `cmd ${name}`, measurement: p.measure };
    },
  });
  const defs = new Map<string, AssertionDef<FakeParams>>([
    ['par', make('par', false)],
    ['excl', make('excl', true)],
  ]);
  const ctx = (measurements: ReadonlyMap<string, number>): RunContext => ({
    exec: () => Promise.reject(new Error('unused')),
    background: () => Promise.reject(new Error('unused')),
    measurement: (n) => measurements.get(n),
  });
  return { spans, tries, reads, defs, ctx, maxRunning: () => maxRunning };
}

let nextIndex = 0;
function test(name: string, type: 'par' | 'excl' | 'nope', params: FakeParams = {}, withinMs = 0): ResolvedTest {
  return { index: nextIndex++, name, type, withinMs, params: params as Record<string, unknown>, pos: { file: 'lab.yaml', line: 1, col: 1 } };
}

describe('runTests', () => {
  it('runs independent tests in parallel, at most `concurrency` at once, results in input order', async () => {
    const h = harness();
    const tests = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => test(n, 'par', { ms: 60 }));
    const results = await runTests(tests, { defs: h.defs, context: (_t, m) => h.ctx(m), concurrency: 4 });
    assert.equal(h.maxRunning(), 4, 'four ran at once (the wall time of this is in bench/micro.ts)');
    assert.deepEqual(results.map((r) => r.test.name), ['a', 'b', 'c', 'd', 'e', 'f']);
    assert.ok(results.every((r) => r.ok && r.attempts === 1 && r.durationMs >= 55));
  });

  it('concurrency 1 runs one at a time', async () => {
    const h = harness();
    await runTests([test('a', 'par'), test('b', 'par'), test('c', 'par')], { defs: h.defs, context: (_t, m) => h.ctx(m), concurrency: 1 });
    assert.equal(h.maxRunning(), 1);
  });

  it('an exclusive test runs alone, and later tests wait for it', async () => {
    const h = harness();
    const tests = [test('a', 'par', { ms: 40 }), test('b', 'par', { ms: 40 }), test('x', 'excl', { ms: 40 }), test('c', 'par', { ms: 40 }), test('d', 'par', { ms: 40 })];
    await runTests(tests, { defs: h.defs, context: (_t, m) => h.ctx(m) });
    const x = h.spans.get('x')!;
    for (const n of ['a', 'b']) assert.ok(h.spans.get(n)!.end <= x.start, `${n} ended before x started`);
    for (const n of ['c', 'd']) assert.ok(h.spans.get(n)!.start >= x.end, `${n} started after x ended`);
    assert.ok(h.spans.get('c')!.start < h.spans.get('d')!.end, 'c and d overlap again');
  });

  it('dependsOn: a test waits for the tests it names, and sees their measurements', async () => {
    const h = harness();
    const tests = [test('overlay', 'excl', { needs: ['underlay'], read: 'underlay' }), test('underlay', 'excl', { measure: 18.9e9 }), test('other', 'par')];
    const results = await runTests(tests, { defs: h.defs, context: (_t, m) => h.ctx(m) });
    assert.ok(h.spans.get('underlay')!.end <= h.spans.get('overlay')!.start);
    assert.equal(h.reads.get('overlay'), 18.9e9);
    assert.equal(results[1].outcome.measurement, 18.9e9);
  });

  it('a dependency on a test not in this run is ignored; a cycle is reported, not hung', async () => {
    const h = harness();
    const results = await runTests(
      [test('a', 'par', { needs: ['b'] }), test('b', 'par', { needs: ['a'] }), test('c', 'par', { needs: ['elsewhere'] })],
      { defs: h.defs, context: (_t, m) => h.ctx(m) },
    );
    assert.equal(results[2].ok, true);
    for (const r of results.slice(0, 2)) {
      assert.equal(r.ok, false);
      assert.equal(r.attempts, 0);
      assert.match(r.outcome.seen, /not run: it waits for [ab], which waits for it in turn/);
    }
  });

  it('within: retries a failing test until it passes', async () => {
    const h = harness();
    const events: ProgressEvent[] = [];
    const [r] = await runTests([test('flaky', 'par', { ms: 5, failFirst: 2 }, 2000)], { defs: h.defs, context: (_t, m) => h.ctx(m), pauseMs: 10, onProgress: (e) => events.push(e) });
    assert.equal(r.ok, true);
    assert.equal(r.attempts, 3);
    assert.deepEqual(events.map((e) => e.kind), ['start', 'retry', 'retry', 'finish']);
  });

  it('within: gives up when the time is over, keeping the last outcome', async () => {
    const h = harness();
    const [r] = await runTests([test('down', 'par', { ms: 10, failFirst: 1000 }, 150)], { defs: h.defs, context: (_t, m) => h.ctx(m), pauseMs: 20 });
    assert.equal(r.ok, false);
    // retried, and stopped long before the 1000 tries it would take to pass (how soon after `within`: bench/micro.ts)
    assert.ok(r.attempts >= 2 && r.attempts < 50, `attempts ${r.attempts}`);
    assert.match(r.outcome.seen, new RegExp(`try ${r.attempts} failed`));
  });

  it('no within: one try', async () => {
    const h = harness();
    const [r] = await runTests([test('once', 'par', { failFirst: 1 })], { defs: h.defs, context: (_t, m) => h.ctx(m), pauseMs: 1 });
    assert.equal(r.ok, false);
    assert.equal(r.attempts, 1);
  });

  it('a throwing assertion and an unknown type become failures', async () => {
    const h = harness();
    const results = await runTests([test('t', 'par', { throws: true }), test('u', 'nope')], { defs: h.defs, context: (_t, m) => h.ctx(m) });
    assert.equal(results[0].ok, false);
    assert.match(results[0].outcome.seen, /could not run: boom/);
    assert.equal(results[1].ok, false);
    assert.match(results[1].outcome.seen, /unknown assertion type "nope"/);
  });

  it('reports start and finish for every test, start first', async () => {
    const h = harness();
    const events: ProgressEvent[] = [];
    await runTests([test('a', 'par'), test('b', 'excl'), test('c', 'par')], { defs: h.defs, context: (_t, m) => h.ctx(m), onProgress: (e) => events.push(e) });
    for (const n of ['a', 'b', 'c']) {
      const s = events.findIndex((e) => e.kind === 'start' && e.test.name === n);
      const f = events.findIndex((e) => e.kind === 'finish' && e.result.test.name === n);
      assert.ok(s >= 0 && f > s, n);
    }
  });

  it('a stopped run does not start more tests', async () => {
    const h = harness();
    const ac = new AbortController();
    ac.abort();
    const results = await runTests([test('a', 'par'), test('b', 'par')], { defs: h.defs, context: (_t, m) => h.ctx(m), signal: ac.signal });
    assert.equal(h.spans.size, 0);
    assert.ok(results.every((r) => !r.ok && /not run: the run was stopped/.test(r.outcome.seen)));
  });
});
