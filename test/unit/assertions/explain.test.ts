/**
 * Failures that explain themselves (issue 12): the runner traces one flow of a test that has finally failed, through
 * the run context's trace (faked here with hand-built walks: only the trace function is faked, not the kernel).
 */
import { strict as assert } from 'node:assert';
import { explanationFields, explanationText, flowToExplain, traceToExplain } from '../../../assertions/explain.ts';
import { runTests, type TestResult } from '../../../assertions/runner.ts';
import type { AssertionDef, RunContext } from '../../../assertions/types.ts';
import { path } from '../../../assertions/path.ts';
import type { FlowRequest, TraceReport } from '../../../runner/model/trace.ts';
import type { ResolvedTest } from '../../../runner/model/types.ts';
import { noRouteWalk, policyWalk, reportOf, routedWalk } from './walks.ts';

interface Params {
  readonly ok: boolean;
  /** A flow the outcome's details name (the one that failed). */
  readonly failed?: FlowRequest;
  /** The run ends with a "program missing" result (no retry can help). */
  readonly missing?: boolean;
}

const FLOWS: FlowRequest[] = [
  { from: 'client', to: '10.96.0.10', proto: 'tcp', port: 80 },
  { from: 'other', to: '10.96.0.10', proto: 'tcp', port: 80 },
];

const reach: AssertionDef<Params> = {
  type: 'reach',
  describe: () => 'reach',
  resolve: () => ({ diagnostics: [] }),
  flows: () => FLOWS,
  async run(p, ctx) {
    if (p.missing) await ctx.exec('client', ['nc']);
    return { ok: p.ok, expected: 'open', seen: p.ok ? 'open' : 'closed: timed out', command: 'nc …', ...(p.failed ? { details: { flow: p.failed } } : {}) };
  },
};
const silent: AssertionDef<Params> = { ...reach, type: 'silent', flows: undefined };
const defs = new Map<string, AssertionDef<Params> | typeof path>([
  ['reach', reach],
  ['silent', silent],
  ['path', path],
]);

let n = 0;
function t(type: string, params: object): ResolvedTest {
  return { index: n, name: `t${n++}`, type, withinMs: 0, params: params as Record<string, unknown>, pos: { file: 'lab.yaml', line: 1, col: 1 } };
}

interface Traced {
  readonly calls: FlowRequest[];
  run(tests: ResolvedTest[], explainTimeoutMs?: number): Promise<TestResult[]>;
}

function harness(trace: RunContext['trace']): Traced {
  const calls: FlowRequest[] = [];
  const ctx = (): RunContext => ({
    exec: async (_node, argv) => ({ exitCode: 1, stdout: '', stderr: `exec of "${argv[0]}" failed: No such file or directory\n`, command: argv.join(' '), timedOut: false }),
    background: () => Promise.reject(new Error('unused')),
    measurement: () => undefined,
    ...(trace
      ? {
          trace: (req: FlowRequest, opts?: Parameters<NonNullable<RunContext['trace']>>[1]) => {
            calls.push(req);
            return trace(req, opts);
          },
        }
      : {}),
  });
  return { calls, run: (tests, explainTimeoutMs) => runTests(tests, { context: ctx, defs, pauseMs: 1, ...(explainTimeoutMs ? { explainTimeoutMs } : {}) }) };
}

describe('failure explanations', () => {
  it('a failed test is traced once, after its last try, and carries the verdict and the walk', async () => {
    const h = harness(async () => reportOf(policyWalk()));
    const [r] = await h.run([t('reach', { ok: false })]);
    assert.deepEqual(h.calls, [FLOWS[0]]);
    const e = r.explanation!;
    assert.deepEqual(e.flow, FLOWS[0]);
    assert.equal(e.verdict, 'dropped in node-1, filter FORWARD, chain KUBE-NWPLCY-ABC: NetworkPolicy shop/web-only-client allows no 10.244.0.9 (lab.yaml:40:7)');
    assert.match(e.walk!, /^client → node-0 \(dnat 10\.96\.0\.10:80 → 10\.244\.1\.5:8080, vxlan vni 1 out flannel\.1\) → node-1/);
    assert.equal(e.note, undefined);
    assert.ok(e.trace?.kernel);
  });

  it('a drop the kernel words without "dropped in" is said where it happened', async () => {
    const [r] = await harness(async () => reportOf(noRouteWalk())).run([t('reach', { ok: false })]);
    assert.equal(r.explanation?.verdict, 'dropped in b2: b2 has no route to 10.9.9.9: Network is unreachable');
    assert.equal(r.explanation?.walk, 'b2: dropped (route)');
  });

  it('a test that passed is never traced', async () => {
    const h = harness(async () => reportOf(policyWalk()));
    const [r] = await h.run([t('reach', { ok: true })]);
    assert.deepEqual(h.calls, []);
    assert.equal(r.explanation, undefined);
  });

  it('traces the flow the outcome names as the one that failed', async () => {
    const h = harness(async () => reportOf(policyWalk()));
    await h.run([t('reach', { ok: false, failed: FLOWS[1] })]);
    assert.deepEqual(h.calls, [FLOWS[1]]);
    assert.deepEqual(flowToExplain(FLOWS, { ok: false, expected: '', seen: '', command: '', details: { flow: 'nonsense' } }), FLOWS[0]);
  });

  it('a trace that throws gives a note with its message and hint', async () => {
    const h = harness(() => Promise.reject(Object.assign(new Error('lab t is not up'), { hint: 'run `lab up`' })));
    const [r] = await h.run([t('reach', { ok: false })]);
    assert.equal(r.ok, false);
    assert.deepEqual(r.explanation, { flow: FLOWS[0], differences: [], note: 'not traced: lab t is not up (run `lab up`)' });
    assert.deepEqual(explanationFields(r.explanation!), [{ label: 'why', text: 'not traced: lab t is not up (run `lab up`)' }]);
  });

  it('a slow trace gives a note within the bound, and is told to stop', async () => {
    let signal: AbortSignal | undefined;
    const h = harness((_req, opts) => {
      signal = opts?.signal;
      return new Promise<TraceReport>(() => undefined);
    });
    const t0 = performance.now();
    const [r] = await h.run([t('reach', { ok: false })], 100);
    const ms = performance.now() - t0;
    assert.ok(ms < 2000, `took ${ms} ms`);
    assert.equal(r.explanation?.note, 'not traced: the trace of client → 10.96.0.10:80/tcp took longer than 100ms');
    assert.equal(signal?.aborted, true);
  });

  it('the bound counts from the trace’s own start (after waiting its turn), and the wait is bounded too', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const queued: RunContext['trace'] = async (_req, opts) => {
      opts?.onWait?.();
      await sleep(150); // the lab's other traces
      opts?.onStart?.();
      await sleep(60);
      return reportOf(policyWalk());
    };
    const e = await traceToExplain(FLOWS[0], queued!, { timeoutMs: 100, waitMs: 1000 });
    assert.equal(e.note, undefined);
    assert.match(e.verdict ?? '', /NetworkPolicy/);
    const slowAfterWaiting: RunContext['trace'] = async (_req, opts) => {
      opts?.onWait?.();
      await sleep(100);
      opts?.onStart?.();
      return new Promise<TraceReport>(() => undefined);
    };
    const w = await traceToExplain(FLOWS[0], slowAfterWaiting!, { timeoutMs: 50, waitMs: 1000 });
    assert.match(w.note ?? '', /^not traced: the trace of client → 10\.96\.0\.10:80\/tcp took longer than 50ms$/);
    const waiting: RunContext['trace'] = (_req, opts) => {
      opts?.onWait?.(); // and never starts
      return new Promise<TraceReport>(() => undefined);
    };
    const x = await traceToExplain(FLOWS[0], waiting!, { timeoutMs: 50, waitMs: 120 });
    assert.match(x.note ?? '', /waited longer than 120ms for the lab's other traces$/);
  });

  it('no explanation without flows, without a trace, or when the cause is known (a missing program)', async () => {
    const h = harness(async () => reportOf(policyWalk()));
    const rs = await h.run([t('silent', { ok: false }), t('reach', { ok: false, missing: true })]);
    assert.deepEqual(rs.map((r) => r.explanation), [undefined, undefined]);
    assert.deepEqual(h.calls, []);
    const [none] = await harness(undefined).run([t('reach', { ok: false })]);
    assert.equal(none.explanation, undefined);
  });

  it('a path test is explained by its own trace, not traced again; differences from the model are shown', async () => {
    const report = reportOf(routedWalk(), { differences: [{ direction: 'forward', hop: 2, what: 'out', kernel: 'eth1', model: 'eth2' }] });
    const h = harness(async () => report);
    const [r] = await h.run([t('path', { from: 'a1', to: 'b1', verdict: 'dropped' })]);
    assert.equal(r.ok, false);
    assert.equal(h.calls.length, 1, 'the path assertion traced once, the explanation did not trace again');
    assert.equal(r.explanation?.verdict, 'delivered in b1 to 10.2.0.2, and answered');
    assert.equal(r.explanation?.trace, undefined, 'the trace is in the outcome’s details already');
    assert.equal(explanationText(r.explanation!), 'why: delivered in b1 to 10.2.0.2, and answered\nwalk: a1 → lan-a → r → lan-b → b1: delivered to 10.2.0.2; reply: b1 → r → a1: returned\nmodel: differs from the kernel: forward hop 3: out: kernel eth1, model eth2');
  });
});
