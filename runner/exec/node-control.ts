/**
 * Stop, start and restart one node of a running lab, and kill one of its daemons (issue 15.2/15.5). A stopped node
 * is as if powered off: its processes end, its namespace goes (a container node's container is stopped; Docker drops
 * its namespace), and with it every link with an end in it. Starting it runs its slice of the plan
 * (runner/plan/node-slice.ts): its namespace or containers, its links, everything in it, and on the other end of its
 * links what went with them. Everything is recorded in the lab's state as it happens, so `lab down` still removes all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPhase, type ExecuteHooks } from './executor.ts';
import { isAlive, labNetns, pidsInNetns } from './host.ts';
import { kill, runProcess } from './process.ts';
import { dedupeObjects, writeState, type DaemonRecord, type LabState } from './state.ts';
import type { Plan } from '../plan/ops.ts';
import { slicePlan, type NodeSlice } from '../plan/node-slice.ts';
import { schedule } from '../plan/units.ts';

export interface StopReport {
  readonly node: string;
  /** Host PIDs ended (daemons and anything else in the namespace). */
  readonly killed: readonly number[];
  readonly containers: readonly string[];
  readonly ms: number;
}

export interface StartReport {
  readonly node: string;
  /** Processes (units) run. */
  readonly units: number;
  readonly containers: readonly string[];
  /** The node's daemons, started again: name and PID. */
  readonly daemons: readonly { readonly name: string; readonly pid: number }[];
  readonly ms: number;
}

/** End processes: SIGTERM, then SIGKILL for those still there after `graceMs`. */
export async function endAll(pids: readonly number[], graceMs = 1500): Promise<void> {
  for (const p of pids) kill(p, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 20));
  for (const p of pids) if (alive(p)) kill(p, 'SIGKILL');
}

function alive(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Stop a node: its daemons and every process in its namespace end, its containers stop, its namespace is deleted. */
export async function stopNode(state: LabState, slice: NodeSlice): Promise<StopReport> {
  const t0 = performance.now();
  const { node, ns } = slice;
  // recorded first: a crash half-way leaves a node `lab start` brings back and `lab down` removes
  state.stopped = [...new Set([...(state.stopped ?? []), node])];
  writeState(state);
  // its links first, while its namespace is there: the kernel removes a namespace's interfaces only when it frees the
  // namespace, later (a netns destroyed by the last process leaving it is cleaned up asynchronously)
  if (slice.devs.length && labNetns(state.lab).includes(ns)) {
    const r = await runProcess(['ip', '-n', ns, '-force', '-batch', '-'], { input: `${slice.devs.map((d) => `link del dev ${d}`).join('\n')}\n` });
    if (r.exitCode !== 0 && !/Cannot find device/.test(r.stderr)) throw new Error(`could not delete ${node}'s links: ${r.stderr.trim()}`);
  }
  const pids = new Set(pidsInNetns([ns]).keys());
  for (const d of state.daemons) if (d.node === node && isAlive(d.pid)) pids.add(d.pid);
  await endAll([...pids]);
  const containers: string[] = [];
  if (slice.containers.length) {
    const { stopContainer } = await import('./containers.ts');
    // the containers that join the node's namespace first, the one owning it last
    for (const c of [...slice.containers].reverse()) {
      await stopContainer(c.spec.name, c.expose);
      containers.push(c.spec.name);
    }
  }
  if (labNetns(state.lab).includes(ns)) {
    const r = await runProcess(['ip', 'netns', 'del', ns]);
    if (r.exitCode !== 0 && labNetns(state.lab).includes(ns)) throw new Error(`could not delete ${node}'s namespace ${ns}: ${r.stderr.trim()}`);
  }
  state.daemons = state.daemons.filter((d) => d.node !== node);
  writeState(state);
  return { node, killed: [...pids], containers, ms: Math.round(performance.now() - t0) };
}

/** Start a stopped node again from its slice of the plan; its daemons' new PIDs go into the state. */
export async function startNode(state: LabState, plan: Plan, slice: NodeSlice, hooks: ExecuteHooks = {}): Promise<StartReport> {
  const t0 = performance.now();
  const { node } = slice;
  const containers: string[] = [];
  if (slice.containers.length) {
    const { startContainerAgain } = await import('./containers.ts');
    for (const c of slice.containers) {
      await startContainerAgain(c.spec, c.expose);
      containers.push(c.spec.name);
    }
  }
  state.daemons = state.daemons.filter((d) => d.node !== node);
  const sub = slicePlan(plan, slice, join(plan.workDir, 'restart', node));
  let units = 0;
  for (const run of schedule(sub)) units += await runPhase(run, sub, state, hooks);
  state.stopped = (state.stopped ?? []).filter((n) => n !== node);
  dedupeObjects(state); // what was made again is already in the state
  writeState(state);
  const daemons = state.daemons.filter((d) => d.node === node).map((d) => ({ name: d.name, pid: d.pid }));
  return { node, units, containers, daemons, ms: Math.round(performance.now() - t0) };
}

/** The host PIDs of a daemon's process in its node's namespace (inside a container too), by its command line. */
export function daemonPids(ns: string, d: DaemonRecord): number[] {
  const out: number[] = [];
  for (const pid of pidsInNetns([ns]).keys()) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      // `docker exec C bird …` / `nsenter … bird …`: the process's argv is the tail of the recorded one
      const tail = d.argv.slice(d.argv.length - cmdline.length);
      if (cmdline.length > 0 && cmdline.length <= d.argv.length && cmdline.every((w, i) => w === tail[i])) out.push(pid);
    } catch {
      /* gone */
    }
  }
  if (isAlive(d.pid) && !out.includes(d.pid)) out.push(d.pid);
  return out;
}

export interface KillReport {
  readonly node: string;
  readonly daemon: string;
  readonly pids: readonly number[];
  readonly signal: NodeJS.Signals;
}

/** Kill a node's daemon (by the name the lab gave it: `bird`) with `signal`, as a crash would end it. */
export async function killDaemon(state: LabState, ns: string, node: string, name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<KillReport> {
  const d = state.daemons.find((x) => x.node === node && x.name === name);
  if (!d) throw new Error(`node ${node} has no daemon ${name} running (its daemons: ${state.daemons.filter((x) => x.node === node).map((x) => x.name).join(', ') || 'none'})`);
  const pids = daemonPids(ns, d);
  for (const p of pids) kill(p, signal);
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 20));
  return { node, daemon: name, pids, signal };
}

/** Run live impairment commands (runner/plan/impair.ts liveImpairCommands) in their namespaces, in order. */
export async function runLiveCommands(cmds: readonly { readonly ns: string; readonly argv: readonly string[]; readonly input?: string }[]): Promise<{ ok: boolean; commands: string[]; error?: string }> {
  const commands: string[] = [];
  for (const c of cmds) {
    const argv = ['ip', 'netns', 'exec', c.ns, ...c.argv];
    commands.push(`${argv.join(' ')}${c.input !== undefined ? ' <<EOF …' : ''}`);
    const r = await runProcess(argv, { input: c.input, timeoutMs: 10_000 });
    if (r.exitCode !== 0) return { ok: false, commands, error: `${c.argv.join(' ')}: exit ${r.exitCode}: ${r.stderr.trim()}` };
  }
  return { ok: true, commands };
}
