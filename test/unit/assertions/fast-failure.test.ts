/**
 * Failures come fast (issue 11 item 3): a missing program or a node that is gone is not retried however long
 * `within` allows (judged on the messages `ip netns exec`, nsenter, docker exec and sh print), and a service
 * test that can no longer pass stops probing after its third failed request.
 */
import { strict as assert } from 'node:assert';
import { finalReason, runTests } from '../../../assertions/runner.ts';
import type { AssertionDef, ExecResult, RunContext } from '../../../assertions/types.ts';
import type { ResolvedTest } from '../../../runner/model/types.ts';
import { judgeService, MAX_FAILURES, serviceProbe, type ServiceParams } from '../../../runner/cluster/assertions/service.ts';
import type { ProbeLine } from '../../../runner/agent/probe.ts';

const result = (exitCode: number, stderr: string, stdout = ''): ExecResult => ({ exitCode, stdout, stderr, command: 'x', timedOut: false });

describe('failures that no retry can change', () => {
  it('are recognised from what the tools print (captured on this kernel and Docker)', () => {
    assert.match(finalReason(result(1, 'exec of "tracepath" failed: No such file or directory\n'))!, /^tracepath does not exist where the test runs/);
    assert.match(finalReason(result(255, 'Cannot open network namespace "nsl.lab.h9": No such file or directory\n'))!, /^the node is gone: its namespace nsl\.lab\.h9 does not exist/);
    assert.match(finalReason(result(127, 'nsenter: failed to execute mtr: No such file or directory\n'))!, /^mtr does not exist/);
    assert.match(finalReason(result(126, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "mtr": executable file not found in $PATH: unknown\n'))!, /^mtr does not exist in the container/);
    assert.match(finalReason(result(127, 'sh: 1: tracepath: not found\n'))!, /^a program it runs does not exist/);
    assert.match(finalReason(result(1, 'Error response from daemon: No such container: nsl.lab.c1\n'))!, /^the node is gone: No such container: nsl\.lab\.c1/);
    for (const r of [result(1, 'connect: Connection refused'), result(2, 'ping: connect: Network is unreachable'), result(1, ''), result(127, 'exit 127 on its own')]) assert.equal(finalReason(r), undefined, r.stderr);
  });

  /** A test whose assertion runs `argv` in h1 (answered with `answer`) and passes on try `passOn`. */
  async function runOnce(argv: string[], answer: ExecResult, passOn: number, pauseMs: number): Promise<{ tries: number; r: Awaited<ReturnType<typeof runTests>>[number] }> {
    let tries = 0;
    const def: AssertionDef<Record<string, never>> = {
      type: 'probe',
      describe: () => 'probe',
      resolve: () => ({ diagnostics: [] }),
      async run(_p, ctx) {
        tries++;
        const x = await ctx.exec('h1', argv);
        return { ok: tries >= passOn, expected: 'an answer', seen: `exit ${x.exitCode}`, command: x.command };
      },
    };
    const ctx: RunContext = { exec: async () => answer, background: () => Promise.reject(new Error('unused')), measurement: () => undefined };
    const t: ResolvedTest = { index: 0, name: 'p', type: 'probe', withinMs: 10_000, params: {}, pos: { file: 'lab.yaml', line: 1, col: 1 } };
    const [r] = await runTests([t], { context: () => ctx, defs: new Map([['probe', def]]), pauseMs });
    return { tries, r };
  }

  it('are not retried within `within`: one try, and the reason in what was seen', async () => {
    const t0 = performance.now();
    const { tries, r } = await runOnce(['tracepath', '10.0.0.2'], result(1, 'exec of "tracepath" failed: No such file or directory'), Infinity, 200);
    assert.equal(tries, 1);
    assert.equal(r.attempts, 1);
    assert.equal(r.ok, false);
    assert.match(r.outcome.seen, /^exit 1 — not retried: tracepath does not exist where the test runs/);
    assert.ok(performance.now() - t0 < 5000, 'it did not wait for within');
  });

  it('while an ordinary failure is retried until `within` runs out', async () => {
    const { r } = await runOnce(['ping', '10.0.0.2'], result(1, 'connect: Network is unreachable'), 3, 10);
    assert.equal(r.ok, true);
    assert.equal(r.attempts, 3);
  });
});

describe('a service test that can no longer pass stops probing', () => {
  const p = { service: 'default/web', from: 'ext', via: 'node-port', node: 'node-2', address: '192.168.56.12', port: 30081, servicePort: 80, protocol: 'TCP', requests: 60, tolerance: 0.5, affinity: false, expect: 'reachable', endpoints: ['web-1'], balanceUnknown: false, timeoutMs: 2000 } as unknown as ServiceParams;

  it(`asks the probe to stop after ${MAX_FAILURES} failures when every request must be answered; not when none may be`, () => {
    assert.equal(serviceProbe(p, '192.168.56.12').maxFailures, MAX_FAILURES);
    assert.equal(serviceProbe({ ...p, expect: 'unreachable' }, '192.168.56.12').maxFailures, undefined);
  });

  it('says why it stopped', () => {
    const lines: ProbeLine[] = [1, 2, 3].map((seq) => ({ ok: false, to: '192.168.56.12', seq, error: 'timeout', ms: 2000 }));
    const o = judgeService(p, lines, { address: '192.168.56.12', command: 'probe' });
    assert.equal(o.ok, false);
    assert.match(o.seen, /3 of 60 requests failed; the probe stopped after 3 failed requests \(the test could no longer pass\)/);
  });
});
