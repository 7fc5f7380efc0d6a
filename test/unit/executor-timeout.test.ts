/** Issue 17: no step holds `lab up` for ever — a step that runs too long is stopped and named. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPhase, STEP_TIMEOUT_MS } from '../../runner/exec/executor.ts';
import type { LabState } from '../../runner/exec/state.ts';
import type { Plan, Step } from '../../runner/plan/ops.ts';

describe('executor: bounded steps', () => {
  let dir: string;
  const saved = process.env.NSLAB_STATE_DIR;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nsl-exec-'));
    process.env.NSLAB_STATE_DIR = dir;
  });
  after(() => {
    if (saved === undefined) delete process.env.NSLAB_STATE_DIR;
    else process.env.NSLAB_STATE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('an exec step that outlives the limit is stopped, and the error names the step and the limit', async () => {
    const step: Step = { id: 'exec.a.1', phase: 'exec', order: 0, op: { type: 'exec', ns: 'nsl.t.a', argv: ['sleep', '30'] } };
    const plan: Plan = { lab: 't', file: 'lab.yaml', hash: 'x', workDir: dir, namespaces: [], steps: [step] };
    const state: LabState = { version: 1, lab: 't', file: 'lab.yaml', hash: 'x', status: 'creating', startedAt: '', namespaces: [], objects: [], daemons: [] };
    const started = Date.now();
    await assert.rejects(
      runPhase({ phase: 'exec', lanes: [[{ phase: 'exec', argv: ['sleep', '30'], steps: [step] }]] }, plan, state, { stepTimeoutMs: 300 }),
      (e: Error) => /step exec\.a\.1 did not finish within 0\.3 s and was stopped/.test(e.message),
    );
    assert.ok(Date.now() - started < 5000, 'stopped at the limit, not after the command ended');
    assert.equal(STEP_TIMEOUT_MS, 60_000);
  });
});
