/**
 * What a lab that is up has lost behind nslab's back (issue 17): its recorded namespaces, containers and daemons
 * checked against what exists. `lab status` reports it (degraded, non-zero exit), `lab up` rebuilds the lab, `lab
 * test` and `lab exec` say what is gone instead of showing a symptom.
 */
import { existsSync } from 'node:fs';
import { labOfNetns } from '../model/names.ts';
import { isRunning, labNetns } from './host.ts';
import type { LabState } from './state.ts';

/** One thing the lab's state records that is gone (or stopped), in words that name the node. */
export interface Damage {
  readonly kind: 'namespace' | 'container' | 'daemon';
  readonly node?: string;
  readonly name: string;
  /** "node r2's container nsl.bgp.r2 is gone" */
  readonly text: string;
}

function nodeOf(lab: string, ns: string | undefined): string | undefined {
  if (!ns || labOfNetns(ns) !== lab) return undefined;
  return ns === `nsl.${lab}` ? undefined : ns.slice(`nsl.${lab}.`.length);
}

/** The containers of the lab Docker knows, by name, with whether each runs; undefined when Docker does not answer. */
async function dockerView(lab: string): Promise<Map<string, boolean> | undefined> {
  if (!existsSync('/var/run/docker.sock')) return undefined;
  try {
    const { labContainers } = await import('./containers.ts');
    return new Map((await labContainers(lab)).map((c) => [c.name, c.running]));
  } catch {
    return undefined;
  }
}

/** What the state of a lab that is up records and the machine no longer has. Empty for a lab that is whole (or not up). */
export async function labDamage(state: LabState): Promise<Damage[]> {
  if (state.status !== 'up') return [];
  const lab = state.lab;
  const present = new Set(labNetns(lab));
  const out: Damage[] = [];
  // a node stopped on purpose (issue 15: `lab stop`) is not damage
  const stopped = new Set(state.stopped ?? []);
  const kept = (d: Damage): boolean => !d.node || !stopped.has(d.node);
  for (const ns of state.namespaces) {
    if (present.has(ns)) continue;
    const node = nodeOf(lab, ns);
    out.push({ kind: 'namespace', node, name: ns, text: node ? `node ${node}'s network namespace ${ns} is gone` : `the lab's fabric namespace ${ns} is gone` });
  }
  const containers = [...new Map(state.objects.filter((o) => o.kind === 'container').map((o) => [o.name, o])).values()];
  const docker = containers.length ? await dockerView(lab) : undefined;
  if (docker) {
    for (const c of containers) {
      const running = docker.get(c.name);
      if (running === true) continue;
      const node = nodeOf(lab, c.ns);
      const whose = node ? `node ${node}'s container` : 'container';
      out.push({ kind: 'container', node, name: c.name, text: running === undefined ? `${whose} ${c.name} is gone (removed behind nslab's back)` : `${whose} ${c.name} is not running` });
    }
  }
  for (const d of state.daemons) {
    if (isRunning(d.pid)) continue;
    out.push({ kind: 'daemon', node: d.node, name: d.name, text: `node ${d.node}'s ${d.name} (pid ${d.pid}) is no longer running (its log: ${d.log})` });
  }
  return out.filter(kept);
}
