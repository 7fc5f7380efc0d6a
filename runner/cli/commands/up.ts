import { checkExisting, compileContextFor, labPathOf, loadLab, planOf, verifyLab } from '../../api.ts';
import { ExecError, runPhase } from '../../exec/executor.ts';
import type { Step } from '../../plan/ops.ts';
import { writeState, type LabState } from '../../exec/state.ts';
import { teardown } from '../../exec/teardown.ts';
import { schedule } from '../../plan/units.ts';
import type { Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { requireRoot, say, showDiagnostics } from '../output.ts';
import { runTasks } from '../progress.ts';

/** lab up [LAB] [--test] [--recreate] [--quiet]: build the lab; on any failure, remove what was built. */
export async function upCmd(a: Args): Promise<number> {
  const t0 = performance.now();
  const loaded = loadLab(labPathOf(a.positionals[0]));
  const { lab, warnings, sources } = loaded;
  showDiagnostics(warnings, sources);
  requireRoot('up');
  showDiagnostics(await verifyLab(loaded), sources);
  const quiet = a.flags.has('quiet');
  const existing = checkExisting(lab, a.flags.has('recreate'));
  if (existing.action === 'already-up') {
    say(`lab ${lab.name} is already up (since ${existing.state.upAt ?? existing.state.startedAt}); nothing to do`);
    return a.flags.has('test') ? (await import('./test.ts')).testLoaded(loaded, a) : EXIT.ok;
  }
  if (existing.action === 'clean-first') {
    say(`lab ${lab.name}: ${existing.reason}; removing what is left of it first`);
    await teardown(lab.name);
  }
  const plan = planOf(lab, await compileContextFor(lab));
  // images first (building nslab's own takes tens of seconds the first time); nothing is created before they exist
  const images = [...new Set(plan.steps.flatMap((st) => (st.op.type === 'container' ? [st.op.spec.image] : [])))];
  if (images.length) {
    const { ensureImages } = await import('../../images/build.ts');
    const { cliProgress } = await import('../progress.ts');
    await ensureImages(images, { quiet, progress: cliProgress(quiet) });
  }
  const state: LabState = { version: 1, lab: lab.name, file: lab.file, hash: lab.hash, status: 'creating', startedAt: new Date().toISOString(), namespaces: [...plan.namespaces], objects: [], daemons: [] };
  writeState(state); // written before anything exists: a crash from here on leaves a state that `lab down` reads
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const runs = schedule(plan);
    await runTasks(
      runs.map((run) => ({
        title: `${run.phase}`,
        run: async () => {
          if (interrupted) throw new Error('interrupted');
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
      quiet,
    );
    if (images.length) await checkContainers(lab.name, plan.steps);
  } catch (e) {
    state.status = 'failed';
    writeState(state);
    say(`lab ${lab.name}: bringing it up failed; removing what was built`);
    await teardown(lab.name);
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  state.status = 'up';
  state.upAt = new Date().toISOString();
  writeState(state);
  const ms = Math.round(performance.now() - t0);
  say(`lab ${lab.name} is up: ${lab.nodes.length} node(s), ${lab.bridges.length} bridge(s), ${lab.links.length} link(s) in ${ms} ms`);
  // loaded only when needed: the assertion machinery (and execa) cost ~50 ms of start-up
  if (a.flags.has('test')) return (await import('./test.ts')).testLoaded(loaded, a);
  return EXIT.ok;
}

/** A container that exited after its start (its command failed) fails `lab up`, with its last lines of output. */
async function checkContainers(lab: string, steps?: readonly Step[]): Promise<void> {
  const { labContainers } = await import('../../exec/containers.ts');
  const dead = (await labContainers(lab)).filter((c) => !c.running);
  if (dead.length) {
    const c = dead[0];
    const step = steps?.find((st) => st.op.type === 'container' && st.op.spec.name === c.name);
    throw new ExecError(`container ${c.name} of node ${c.node} exited right after it started (${c.state})`, `docker logs ${c.name}`, c.logs ?? '', step);
  }
}
