/**
 * Running a change to a running lab (issue 15.1): the removals of runner/plan/diff.ts, recorded in the lab's state as
 * they happen, then the new steps through the executor (runner/exec/executor.ts), as `lab up` runs them.
 */
import { existsSync, lstatSync, rmSync } from 'node:fs';
import { cniDelete, runPhase, type ExecuteHooks } from './executor.ts';
import { labNetns, pidsInNetns, isAlive } from './host.ts';
import { runProcess } from './process.ts';
import { writeState, type LabState } from './state.ts';
import { daemonPids, endAll } from './node-control.ts';
import type { PlanDiff, Removal } from '../plan/diff.ts';
import { removalCommands } from '../plan/diff-print.ts';
import { schedule } from '../plan/units.ts';
import { NETNS_DIR } from '../model/names.ts';

/** Run one removal; what did not go as planned (an object already gone) comes back as warning lines. */
async function runRemoval(r: Removal, state: LabState): Promise<string[]> {
  const warnings: string[] = [];
  if (r.type === 'cni') {
    const rec = state.cni?.find((x) => x.pod === r.op.pod);
    if (rec) warnings.push(...(await cniDelete(rec)));
    state.cni = (state.cni ?? []).filter((x) => x.pod !== r.op.pod);
  } else if (r.type === 'daemon') {
    for (const d of state.daemons.filter((x) => x.node === r.node && x.name === r.name)) await endAll(daemonPids(r.ns, d));
    state.daemons = state.daemons.filter((x) => !(x.node === r.node && x.name === r.name));
  } else if (r.type === 'node') {
    const present = labNetns(state.lab).includes(r.ns);
    const [first] = removalCommands(r).filter((c) => c.argv && c.argv[0] === 'ip' && c.input);
    if (present && first?.argv) await runProcess(first.argv, { input: first.input });
    const pids = new Set(present ? pidsInNetns([r.ns]).keys() : []);
    for (const d of state.daemons) if (d.node === r.node && isAlive(d.pid)) pids.add(d.pid);
    await endAll([...pids]);
    if (r.containers.length) {
      const { docker } = await import('./docker.ts');
      for (const c of [...r.containers].reverse()) await docker().getContainer(c).remove({ force: true, v: true }).catch(() => undefined);
      rmSync(`${NETNS_DIR}/${r.ns}`, { force: true });
    }
    if (existsSync(`${NETNS_DIR}/${r.ns}`) && !lstatSync(`${NETNS_DIR}/${r.ns}`).isSymbolicLink()) {
      const x = await runProcess(['ip', 'netns', 'del', r.ns]);
      if (x.exitCode !== 0 && labNetns(state.lab).includes(r.ns)) throw new Error(`could not delete namespace ${r.ns} of node ${r.node}: ${x.stderr.trim()}`);
    }
    rmSync(`/etc/netns/${r.ns}`, { recursive: true, force: true });
    for (const f of r.files) rmSync(f, { force: true });
    state.daemons = state.daemons.filter((d) => d.node !== r.node);
    state.cni = state.cni?.filter((c) => c.ns !== r.ns);
    state.objects = state.objects.filter((o) => o.ns !== r.ns && !(o.kind === 'netns' && o.name === r.ns));
    state.stopped = state.stopped?.filter((n) => n !== r.node);
  } else if (r.type === 'ip') {
    for (const c of removalCommands(r)) {
      const x = await runProcess(c.argv!, { input: c.input });
      if (x.exitCode !== 0) warnings.push(...x.stderr.trim().split('\n').filter(Boolean).map((l) => `${r.ns ?? 'host'}: ${l} (already gone?)`));
    }
  } else {
    rmSync(r.path, { force: true });
  }
  writeState(state);
  return warnings;
}

export interface ApplyRun {
  readonly units: number;
  readonly warnings: readonly string[];
}

/** The removals, then the new steps; every change is written to the state as it is made. */
export async function runDiff(d: PlanDiff, state: LabState, hooks: ExecuteHooks = {}): Promise<ApplyRun> {
  const warnings: string[] = [];
  for (const r of d.removals) warnings.push(...(await runRemoval(r, state)));
  let units = 0;
  for (const run of schedule(d.forward)) units += await runPhase(run, d.forward, state, hooks);
  return { units, warnings };
}
