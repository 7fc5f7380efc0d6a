/**
 * The handouts show each traced flow's walk as the model predicts it (runner/handout/traces.ts); this test makes that
 * honest. Every shipped lab with `handout.traces` is brought up once, each traced flow is walked by a real probe
 * through the kernel (traceFlow: the kernel's walk, the model's prediction following the endpoint the kernel chose,
 * and their differences), and:
 *   - the kernel's walk and the model's prediction have no difference at all (the failure lists them);
 *   - the kernel's walk ends as the trace says (`verdict:`, delivered unless it says dropped), and a dropped flow
 *     names what dropped it.
 * Then the lab goes down and leaves nothing behind. Root; the labs are brought up under their own names.
 * NSLAB_TRACE_LABS=a,b checks only those labs (their directory names under labs/).
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLab } from '../../runner/api.ts';
import { traceFlow } from '../../runner/lab/trace.ts';
import { parseLabText } from '../../runner/config/load.ts';
import type { TraceReport, WalkDifference } from '../../runner/model/trace.ts';
import { flowRequest, readHandout, type HandoutTrace } from '../../runner/resolve/handout-spec.ts';
import { traceCommand } from '../../runner/handout/traces.ts';
import { assertSameHost, expectOk, hostSnapshot, lab, labLeftovers, ROOT } from './helpers.ts';

interface TracedLab {
  readonly dir: string;
  readonly file: string;
  readonly name: string;
  readonly traces: readonly HandoutTrace[];
}

/** The shipped labs whose handout has traces. */
function tracedLabs(): TracedLab[] {
  const out: TracedLab[] = [];
  for (const dir of readdirSync(join(ROOT, 'labs')).sort()) {
    const file = join(ROOT, 'labs', dir, 'lab.yaml');
    if (!existsSync(file)) continue;
    const loaded = parseLabText(file, readFileSync(file, 'utf8'));
    const traces = readHandout(loaded)?.traces ?? [];
    if (traces.length) out.push({ dir, file, name: /^name:\s*(\S+)/m.exec(readFileSync(file, 'utf8'))![1], traces });
  }
  return out;
}

function differenceText(d: WalkDifference): string {
  return `${d.direction} ${d.hop < 0 ? 'verdict' : `hop ${d.hop + 1}`}: ${d.what}: kernel ${d.kernel} / model ${d.model}`;
}

/** What to say when a trace fails: the command that shows it, and how each side ended. */
function context(l: TracedLab, t: HandoutTrace, r: TraceReport): string {
  const end = (w: TraceReport['kernel']): string => (w ? `${w.forward.verdict.kind} at ${w.forward.verdict.at}${w.forward.verdict.kind === 'dropped' ? ` (${w.forward.verdict.reason})` : ''}` : 'none');
  return `labs/${l.dir} trace ${t.index + 1} (${traceCommand(l.name, t)}): kernel walk ${end(r.kernel)}; model ${end(r.predicted)}`;
}

/** NSLAB_TRACE_LABS=a,b: only those labs (every one named must have traces). */
const ONLY = (process.env.NSLAB_TRACE_LABS ?? '').split(',').map((x) => x.trim()).filter(Boolean);
const ALL = tracedLabs();
const LABS = ONLY.length ? ALL.filter((l) => ONLY.includes(l.dir)) : ALL;

describe("the handouts' packet walks: the kernel's walk and the model's prediction agree on every traced flow", function () {
  this.timeout(20 * 60_000);

  before(() => {
    assert.equal(process.getuid?.(), 0, 'integration tests need root');
  });

  it('the shipped labs have traces to check', () => {
    if (ONLY.length) {
      assert.deepEqual(LABS.map((l) => l.dir), [...ONLY].sort(), `NSLAB_TRACE_LABS names a lab without handout.traces: ${ONLY.join(', ')}`);
      return;
    }
    assert.ok(ALL.length >= 11, `only ${ALL.length} lab(s) with handout.traces: ${ALL.map((l) => l.dir).join(', ')}`);
  });

  for (const l of LABS) {
    it(`labs/${l.dir}: ${l.traces.length} trace(s)`, async () => {
      const before = await hostSnapshot();
      expectOk(await lab(['up', l.file]), `lab up labs/${l.dir}`);
      const problems: string[] = [];
      try {
        const { lab: resolved } = loadLab(l.file);
        for (const t of l.traces) {
          const r = await traceFlow(resolved, flowRequest(t));
          const where = context(l, t, r);
          if (!r.kernel) {
            problems.push(`${where}: no kernel walk`);
            continue;
          }
          if (!r.predicted) problems.push(`${where}: no prediction`);
          if (r.differences.length) problems.push(`${where}: ${r.differences.length} difference(s):\n    ${r.differences.map(differenceText).join('\n    ')}`);
          const v = r.kernel.forward.verdict;
          if (v.kind !== t.verdict) problems.push(`${where}: the trace says ${t.verdict}, the kernel's walk ended ${v.kind} at ${v.at}`);
          if (v.kind === 'dropped' && v.by === 'unknown') problems.push(`${where}: dropped, but the walk does not say by what`);
          if (v.kind === 'delivered' && !r.kernel.reply) problems.push(`${where}: delivered, but no reply came back`);
        }
      } finally {
        expectOk(await lab(['down', l.name]), `lab down ${l.name}`);
      }
      assert.deepEqual(labLeftovers(l.name), [], `${l.name} left something behind`);
      assertSameHost(before, await hostSnapshot());
      assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
    });
  }
});
