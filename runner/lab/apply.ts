/**
 * `lab up` of a changed file on a running lab (issue 15.1): the new plan compared with the one the lab is up from
 * (runner/plan/diff.ts), and only the difference run (runner/exec/apply-exec.ts). `lab plan --diff` prints the same.
 * The state stays exact: before the first command, every namespace the change may make is in it and its status says
 * the lab is being changed; a crash from there on leaves a lab `lab down` removes whole (and `lab up` rebuilds).
 */
import { join } from 'node:path';
import { LabError, type Diagnostic } from '../config/diagnostics.ts';
import { EXIT } from '../config/exit-codes.ts';
import type { ResolvedLab } from '../model/types.ts';
import { structureHash } from '../model/structure-hash.ts';
import { nodeNetns } from '../model/names.ts';
import { appliedOf, diffPlans, droppedObjects, type Applied, type PlanDiff } from '../plan/diff.ts';
import { readApplied, writeApplied } from '../exec/applied.ts';
import { runDiff } from '../exec/apply-exec.ts';
import { dedupeObjects, labDir, readState, writeState, type LabState } from '../exec/state.ts';
import { compileContextFor, planOf, type Loaded } from './load.ts';
import type { LabUi } from './ui.ts';
import type { LoadedPart } from './partial.ts';
import { imageProgress } from './ui.ts';

export interface ApplyReport {
  readonly diff: PlanDiff;
  readonly units: number;
  readonly warnings: readonly string[];
  readonly ms: number;
}

/** The diff from what the lab is up from to `lab`; a LabError when the lab is not up or has no recorded plan. */
export async function diffFor(lab: ResolvedLab): Promise<{ diff: PlanDiff; state: LabState; old: Applied; next: Applied }> {
  const state = readState(lab.name);
  if (!state || state.status !== 'up') throw new LabError([{ severity: 'error', code: 'diff.not-up', message: `lab ${lab.name} is not up: there is nothing to compare ${lab.file} with`, hint: '`lab plan` prints what `lab up` builds from nothing' }], EXIT.environment);
  const old = readApplied(lab.name);
  if (!old) throw new LabError([{ severity: 'error', code: 'lab.changed', message: `lab ${lab.name} is up, but from a version of nslab that did not record its plan: the change cannot be applied in place`, pos: lab.namePos, hint: 'run `lab up --recreate` to take it down and bring the new version up' }], 2);
  const next = appliedOf(lab, planOf(lab, await compileContextFor(lab)));
  return { diff: diffPlans(old, next, join(labDir(lab.name), 'apply')), state, old, next };
}

/** The stopped nodes (lab stop) the change would run commands in: their namespace is not there to change. */
function stoppedInTheWay(lab: ResolvedLab, d: PlanDiff, state: LabState): string[] {
  const stopped = (state.stopped ?? []).filter((n) => lab.nodes.some((x) => x.name === n));
  if (!stopped.length) return [];
  const text = JSON.stringify([d.forward.steps.map((s) => s.op), d.removals.filter((r) => r.type !== 'node')]);
  return stopped.filter((n) => text.includes(`"${nodeNetns(lab.name, n)}"`) || text.includes(`/run/netns/${nodeNetns(lab.name, n)}`));
}

/** Warnings (located at the node) for every node the change rebuilds, said before anything is changed. */
export function rebuildDiagnostics(lab: ResolvedLab, d: PlanDiff): Diagnostic[] {
  return d.rebuilds.map((r) => ({
    severity: 'warning' as const,
    code: 'apply.rebuild',
    message: `node ${r.node} will be rebuilt: ${r.reason}`,
    pos: lab.nodes.find((n) => n.name === r.node)?.pos,
    hint: r.links.length ? `its links go down and come back with it: ${r.links.join(', ')}` : 'it has no links',
  }));
}

/** Apply the change; the lab is left as the new file says, its state and recorded plan with it. */
export async function applyChange(loaded: LoadedPart, quiet: boolean, ui: LabUi): Promise<ApplyReport> {
  const t0 = performance.now();
  const { lab, sources } = loaded;
  const { diff, state, old, next } = await diffFor(lab);
  const blocked = stoppedInTheWay(lab, diff, state);
  if (blocked.length) {
    throw new LabError([{ severity: 'error', code: 'apply.stopped', message: `the change touches ${blocked.length === 1 ? 'node' : 'nodes'} ${blocked.join(', ')} of lab ${lab.name}, stopped on purpose (lab stop): nothing was changed`, pos: lab.nodes.find((n) => n.name === blocked[0])?.pos ?? lab.namePos, hint: `start ${blocked.length === 1 ? 'it' : 'them'} first (${blocked.map((n) => `lab start ${lab.name} ${n}`).join('; ')}), then \`lab up\` again; or \`lab up --recreate\`` }], EXIT.environment, sources);
  }
  ui.diagnostics(rebuildDiagnostics(lab, diff), sources);
  if (!diff.empty) {
    const images = [...new Set(diff.forward.steps.flatMap((st) => (st.op.type === 'container' ? [st.op.spec.image] : [])))];
    if (images.length) {
      const { ensureImages } = await import('../images/build.ts');
      await ensureImages(images, { quiet, progress: imageProgress(ui, quiet) });
    }
  }
  const full = next.plan;
  // recorded before the first command: every namespace the change may make, and that the lab is being changed
  state.status = 'creating';
  state.namespaces = [...new Set([...state.namespaces, ...full.namespaces])];
  writeState(state);
  const gone = new Set([...old.plan.namespaces.filter((n) => !full.namespaces.includes(n)), ...diff.rebuilds.map((r) => r.ns)]);
  const drop = droppedObjects(old.plan, full, gone);
  state.objects = state.objects.filter((o) => !drop(o));
  let units = 0;
  let warnings: readonly string[] = [];
  if (!diff.empty) {
    // a failure half-way leaves the lab marked as being changed: `lab down` removes it whole, `lab up` rebuilds it
    await ui.tasks(
      [
        {
          title: 'apply',
          run: async () => {
            const r = await runDiff(diff, state);
            units = r.units;
            warnings = r.warnings;
            return `${diff.changes.length} change(s), ${units} process(es)`;
          },
        },
      ],
      quiet,
    );
  }
  dedupeObjects(state); // what was made again is already in the state
  state.namespaces = [...full.namespaces];
  state.hash = lab.hash;
  state.structure = structureHash(lab);
  state.status = 'up';
  // part of the lab (issue 15.4): the part now up; the whole lab: no selection
  const { part } = loaded;
  if (part) state.selection = { nodes: [...part.selection.nodes], of: part.selection.of };
  else delete state.selection;
  writeApplied(lab.name, next);
  writeState(state);
  for (const w of warnings) ui.info(`warning: ${w}`);
  return { diff, units, warnings, ms: Math.round(performance.now() - t0) };
}
