/**
 * `lab down`: stop every process living in the lab's namespaces, then delete the namespaces (which takes
 * every link, bridge, address, route and rule inside them along), then the state. Works from the state
 * file, and without it: namespaces are found by the lab's prefix, processes by their namespace.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { removeLabContainersIfDocker } from './docker-labs.ts';
import { runProcess } from './process.ts';
import { isAlive, labNetns, pidsInNetns } from './host.ts';
import { readState, removeState } from './state.ts';
import { cniDelete } from './executor.ts';

export interface TeardownReport {
  readonly lab: string;
  readonly namespaces: string[];
  readonly killed: number[];
  readonly hadState: boolean;
  readonly leftovers: string[];
  readonly containers: string[];
  /** Pods whose CNI plugins were called with DEL, and the DEL calls that failed. */
  readonly cni?: { readonly pods: string[]; readonly failures: string[] };
}

/** The commands teardown runs, for `lab plan` to print. */
export function teardownCommands(namespaces: readonly string[]): { argv: string[]; input: string } {
  return { argv: ['ip', '-force', '-batch', '-'], input: `${namespaces.map((n) => `netns del ${n}`).join('\n')}\n` };
}

/** What a lab made outside its namespaces, removed first: by default its containers (found by label). */
export type Cleanup = (lab: string) => Promise<string[]>;

export async function teardown(lab: string, cleanups: readonly Cleanup[] = [removeLabContainersIfDocker]): Promise<TeardownReport> {
  const state = readState(lab);
  // 0. what kinds made outside the namespaces (containers, found by the lab's label), before anything else
  const removed: string[] = [];
  if (!state || state.objects.some((o) => o.kind === 'container') || state.status !== 'up') {
    for (const fn of new Set(cleanups)) removed.push(...(await fn(lab)));
  }
  // 0b. pods networked by the real CNI plugins: DEL, last pod first, while their namespaces still exist (the
  // plugins remove what they made: veths, host-local leases, iptables chains, a bridge nobody else uses stays)
  const cniPods: string[] = [];
  const cniFailures: string[] = [];
  const live = new Set(labNetns(lab));
  for (const r of [...(state?.cni ?? [])].reverse()) {
    if (!live.has(r.ns)) continue;
    cniPods.push(r.pod);
    cniFailures.push(...(await cniDelete(r)));
  }
  const found = labNetns(lab);
  const namespaces = [...new Set([...found])];
  // 1. processes: the ones we started (by PID, if still in our namespaces) and anything else inside them
  const pids = new Set(pidsInNetns(namespaces).keys());
  // a daemon whose namespace file is already gone still holds the namespace alive: find it by PID + command line
  for (const d of state?.daemons ?? []) if (!pids.has(d.pid) && sameProcess(d.pid, d.argv)) pids.add(d.pid);
  await stop([...pids]);
  // 2. namespaces: the fabric first (its bridges drop all ports at once), then the rest in one batch
  if (namespaces.length) {
    const { argv, input } = teardownCommands(namespaces);
    const r = await runProcess(argv, { input });
    if (r.exitCode !== 0 && labNetns(lab).length) {
      throw new Error(`could not delete the namespaces of lab ${lab}: ${String(r.stderr).trim()}`);
    }
  }
  // 3. files kept for the namespaces outside the lab's directory: /etc/netns/<ns>/ (a pod's resolv.conf)
  removeNetnsEtc(lab);
  // 4. state
  removeState(lab);
  const leftovers = labNetns(lab);
  return { lab, namespaces, killed: [...pids], hadState: !!state, leftovers, containers: removed, ...(cniPods.length ? { cni: { pods: cniPods, failures: cniFailures } } : {}) };
}

/** Remove /etc/netns/nsl.<lab>[.<node>] (what `ip netns exec` bind-mounts over /etc in that namespace). */
export function removeNetnsEtc(lab: string): void {
  let names: string[];
  try {
    names = readdirSync('/etc/netns');
  } catch {
    return;
  }
  for (const n of names) if (n === `nsl.${lab}` || n.startsWith(`nsl.${lab}.`)) rmSync(join('/etc/netns', n), { recursive: true, force: true });
}

async function stop(pids: number[]): Promise<void> {
  if (!pids.length) return;
  for (const p of pids) signal(p, 'SIGTERM');
  const deadline = Date.now() + 1500;
  while (Date.now() < deadline && pids.some(isAliveNotZombie)) await new Promise((r) => setTimeout(r, 20));
  for (const p of pids) if (isAliveNotZombie(p)) signal(p, 'SIGKILL');
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

function sameProcess(pid: number, argv: readonly string[]): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    // `ip netns exec NS cmd …` execs cmd: the process's argv is the tail of the recorded one
    const tail = argv.slice(argv.length - cmdline.length);
    return cmdline.length > 0 && cmdline.every((w, i) => w === tail[i]);
  } catch {
    return false;
  }
}

function isAliveNotZombie(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

