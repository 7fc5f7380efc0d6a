/** `lab up`: build a lab; on any failure (or an interruption), remove what was built. */
import { ExecError, runPhase } from '../exec/executor.ts';
import type { Plan, Step } from '../plan/ops.ts';
import type { ResolvedLab } from '../model/types.ts';
import { writeState, type LabState } from '../exec/state.ts';
import { labDamage } from '../exec/lab-damage.ts';
import { structureHash } from '../model/structure-hash.ts';
import { teardown } from '../exec/teardown.ts';
import { schedule } from '../plan/units.ts';
import { checkExisting, compileContextFor, labPathOf, loadLab, planOf, verifyLab, type Loaded } from './load.ts';
import { requireRoot } from './root.ts';
import type { TestOptions, TestReport } from './test.ts';
import { imageProgress, type LabUi } from './ui.ts';
import { writeApplied } from '../exec/applied.ts';
import { appliedOf } from '../plan/diff.ts';
import { DEFAULT_READY_TIMEOUT_MS } from '../model/ready.ts';
import { type ReadyReport } from './ready.ts';
import { readyPart, stoppedOf, waitLabReady } from './ready-wait.ts';
import { partOf, partText, type LoadedPart, type SelectRequest } from './partial.ts';

export interface UpOptions {
  /** If the lab is up from an older version of the file, rebuild it. */
  readonly recreate?: boolean;
  /** No progress output. */
  readonly quiet?: boolean;
  /** Run the lab's tests once it is up (with these options). */
  readonly test?: TestOptions;
  /** Aborted: no further phase starts, and what was built is removed (the ui may interrupt the build too). */
  readonly signal?: AbortSignal;
  /**
   * How long to wait for the lab to be ready once it is built (ms; default DEFAULT_READY_TIMEOUT_MS), or false not
   * to wait. Not ready in time: a LabError (exit 3) naming what is not, with the lab left up to look at.
   */
  readonly wait?: number | false;
  /** Part of the lab (issue 15.4): `--nodes` / `--exclude`. */
  readonly select?: SelectRequest;
}

export interface UpReport {
  /** The lab as built: a part of it (and what was left out) with --nodes/--exclude. */
  readonly loaded: LoadedPart;
  /** 'already-up': the lab was up from this very file; nothing was done. 'applied': a changed file applied in place. */
  readonly outcome: 'up' | 'already-up' | 'applied';
  /** What the change to a running lab did (outcome 'applied'). */
  readonly applied?: import('./apply.ts').ApplyReport;
  /** The images its containers use (made ready before anything was created). */
  readonly images: readonly string[];
  /** Why what was left of the lab was removed first, if it was. */
  readonly cleanedFirst?: string;
  readonly ms: number;
  /** Readiness, when waited for: every check held, from the start of `lab up` until they did (`readyMs`). */
  readonly ready?: ReadyReport;
  readonly readyMs?: number;
  /** The tests' results, when asked for. */
  readonly test?: TestReport;
}

/** lab up [LAB]: load, check (root, features, kinds' verify), then build the lab phase by phase. */
export async function up(arg: string | undefined, opts: UpOptions, ui: LabUi): Promise<UpReport> {
  const t0 = performance.now();
  const loaded = partOf(loadLab(labPathOf(arg), { fresh: !!opts.recreate }), opts.select);
  const { lab, warnings, sources, part } = loaded;
  ui.diagnostics(warnings, sources);
  requireRoot('up');
  ui.diagnostics(await verifyLab(loaded), sources);
  const quiet = !!opts.quiet;
  const existing = checkExisting(lab, !!opts.recreate, part?.selection);
  if (part) ui.info(`lab ${lab.name}: ${partText(part.selection)}${part.notes.length ? `\n${part.notes.map((n) => `  ${n}`).join('\n')}` : ''}`);
  // loaded only when needed: the assertion machinery (and execa) cost ~50 ms of start-up
  const withTests = async (r: Omit<UpReport, 'test'>): Promise<UpReport> => (opts.test ? { ...r, test: await (await import('./test.ts')).testLoaded(loaded, opts.test, ui) } : r);
  // up from this very file, but parts removed behind nslab's back (a container, a namespace, a daemon): rebuild it
  const damage = existing.action === 'already-up' ? await labDamage(existing.state) : [];
  if (existing.action === 'already-up' && !damage.length) {
    if (existing.adopted) {
      // only tests or texts changed since it came up: the running lab is this file's network
      existing.state.hash = lab.hash;
      writeState(existing.state);
      ui.info(`lab ${lab.name} is already up (since ${existing.state.upAt ?? existing.state.startedAt}); ${lab.file} changed only in what it tests or says, so nothing to rebuild`);
    } else ui.info(`lab ${lab.name} is already up (since ${existing.state.upAt ?? existing.state.startedAt}); nothing to do`);
    return withTests({ loaded, outcome: 'already-up', images: [], ms: Math.round(performance.now() - t0) });
  }
  if (existing.action === 'apply') return withTests(await applyUp(loaded, opts, ui, t0));
  if (damage.length) {
    ui.info(`lab ${lab.name} is up but damaged (${damage.map((d) => d.text).join('; ')}); rebuilding it`);
    await teardown(lab.name);
  } else if (existing.action === 'clean-first') {
    ui.info(`lab ${lab.name}: ${existing.reason}; removing what is left of it first`);
    await teardown(lab.name);
  }
  const plan = planOf(lab, await compileContextFor(lab));
  // images first (building nslab's own takes tens of seconds the first time); nothing is created before they exist
  const images = [...new Set(plan.steps.flatMap((st) => (st.op.type === 'container' ? [st.op.spec.image] : [])))];
  if (images.length) {
    const { ensureImages } = await import('../images/build.ts');
    await ensureImages(images, { quiet, progress: imageProgress(ui, quiet) });
  }
  const guarded = (signal: AbortSignal): Promise<void> => build(lab, plan, images, part?.selection, { ...opts, signal: opts.signal ? AbortSignal.any([opts.signal, signal]) : signal }, ui);
  await (ui.interruptible ? ui.interruptible(guarded) : guarded(opts.signal ?? new AbortController().signal));
  const ms = Math.round(performance.now() - t0);
  ui.info(`lab ${lab.name} is up: ${lab.nodes.length} node(s), ${lab.bridges.length} bridge(s), ${lab.links.length} link(s) in ${ms} ms`);
  const ready = opts.wait === false ? undefined : await waitLabReady(loaded, opts.wait ?? DEFAULT_READY_TIMEOUT_MS, opts, ui);
  const readyMs = ready && Math.round(performance.now() - t0);
  if (ready && readyMs !== undefined) ui.info(`lab ${lab.name} is ready in ${readyMs} ms: ${ready.items.length} check(s) held ${ready.ms} ms after it was up`);
  return withTests({ loaded, outcome: 'up', images, cleanedFirst: existing.action === 'clean-first' ? existing.reason : undefined, ms, ...(ready ? { ready, readyMs } : {}) });
}

/** A changed file on a running lab: only the difference is applied (runner/lab/apply.ts), then readiness is waited for. */
async function applyUp(loaded: Loaded, opts: UpOptions, ui: LabUi, t0: number): Promise<Omit<UpReport, 'test'>> {
  const { lab } = loaded;
  const applied = await (await import('./apply.ts')).applyChange(loaded, !!opts.quiet, ui);
  const d = applied.diff;
  ui.info(d.empty ? `lab ${lab.name} is up and already is ${lab.file}'s network; nothing to change` : `lab ${lab.name} changed in place in ${applied.ms} ms: ${d.changes.length} change(s)${d.rebuilds.length ? `, rebuilt ${d.rebuilds.map((r) => r.node).join(', ')}` : ''}`);
  const ms = Math.round(performance.now() - t0);
  const waitFor = readyPart(loaded);
  if (waitFor !== loaded) ui.info(`lab ${lab.name}: ${stoppedOf(loaded).join(', ')} stopped (lab stop): left out of the readiness checks`);
  const ready = opts.wait === false || d.empty ? undefined : await waitLabReady(waitFor, opts.wait ?? DEFAULT_READY_TIMEOUT_MS, opts, ui);
  const readyMs = ready && Math.round(performance.now() - t0);
  if (ready && readyMs !== undefined) ui.info(`lab ${lab.name} is ready in ${readyMs} ms: ${ready.items.length} check(s) held`);
  return { loaded, outcome: 'applied', images: [], applied, ms, ...(ready ? { ready, readyMs } : {}) };
}

/**
 * Build the lab phase by phase, recording what is created in its state as it goes. On a failure or an
 * interruption (checked between phases), what was built is removed and the error thrown.
 */
async function build(lab: ResolvedLab, plan: Plan, images: readonly string[], selection: { readonly nodes: readonly string[]; readonly of: number } | undefined, opts: UpOptions, ui: LabUi): Promise<void> {
  const state: LabState = { version: 1, lab: lab.name, file: lab.file, hash: lab.hash, structure: structureHash(lab), status: 'creating', startedAt: new Date().toISOString(), namespaces: [...plan.namespaces], objects: [], daemons: [], ...(selection ? { selection: { nodes: [...selection.nodes], of: selection.of } } : {}) };
  writeState(state); // written before anything exists: a crash from here on leaves a state that `lab down` reads
  writeApplied(lab.name, appliedOf(lab, plan)); // what a changed file is compared with (issue 15.1)
  try {
    const runs = schedule(plan);
    await ui.tasks(
      runs.map((run) => ({
        title: `${run.phase}`,
        run: async () => {
          if (opts.signal?.aborted) throw new Error('interrupted');
          let n: number;
          try {
            n = await runPhase(run, plan, state);
          } catch (e) {
            // a step that fails because a container died (its namespace is gone) is explained by the container
            if (images.length) await checkContainers(lab.name, plan.steps);
            throw e;
          }
          if (run.phase === 'namespaces' && images.length) {
            await new Promise((r) => setTimeout(r, 50)); // a command that fails at once has exited by now
            await checkContainers(lab.name, plan.steps);
          }
          return `${n} process${n === 1 ? '' : 'es'}`;
        },
      })),
      !!opts.quiet,
    );
    if (images.length) await checkContainers(lab.name, plan.steps);
  } catch (e) {
    state.status = 'failed';
    writeState(state);
    ui.info(`lab ${lab.name}: bringing it up failed; removing what was built`);
    await teardown(lab.name);
    throw e;
  }
  state.status = 'up';
  state.upAt = new Date().toISOString();
  writeState(state);
}

/** A container that exited after its start (its command failed) fails `lab up`, with its last lines of output. */
async function checkContainers(lab: string, steps?: readonly Step[]): Promise<void> {
  const { labContainers } = await import('../exec/containers.ts');
  const dead = (await labContainers(lab)).filter((c) => !c.running);
  if (dead.length) {
    const c = dead[0];
    const step = steps?.find((st) => st.op.type === 'container' && st.op.spec.name === c.name);
    throw new ExecError(`container ${c.name} of node ${c.node} exited right after it started (${c.state})`, `docker logs ${c.name}`, c.logs ?? '', step);
  }
}
