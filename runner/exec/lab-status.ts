/** `lab status` as data: a lab's state, and what its namespaces hold now (`ip -j` in each), its daemons and containers. */
import { existsSync } from 'node:fs';
import { isRunning, labNetns, pidsInNetns } from './host.ts';
import { runProcess } from './process.ts';
import { readState } from './state.ts';
import type { CniRecord } from '../plan/cni-argv.ts';
import { labDamage, type Damage } from './lab-damage.ts';

export interface IfaceInfo {
  name: string;
  state: string;
  mac?: string;
  mtu?: number;
  master?: string;
  kind?: string;
  addresses: string[];
}
export interface RouteInfo {
  dst: string;
  gateway?: string;
  dev?: string;
  type?: string;
}
export interface NodeStatus {
  node: string;
  netns: string;
  interfaces: IfaceInfo[];
  routes: RouteInfo[];
}
export interface CniStatus {
  pod: string;
  node: string;
  network: string;
  plugins: string[];
  /** The final result's addresses (with their gateways) and interfaces. */
  ips: string[];
  interfaces: string[];
  check?: string;
  /** The recorded calls and every plugin's full result. */
  record: CniRecord;
}

/** A recorded pod's CNI results, briefly. */
export function cniStatus(r: CniRecord): CniStatus {
  type Result = { ips?: { address?: string; gateway?: string }[]; interfaces?: { name?: string; sandbox?: string }[] };
  const final = (r.results.length ? r.results[r.results.length - 1].result : {}) as Result;
  return {
    pod: r.pod,
    node: r.node,
    network: r.network,
    plugins: r.results.map((x) => x.plugin),
    ips: (final.ips ?? []).map((i) => `${i.address ?? '?'}${i.gateway ? ` gw ${i.gateway}` : ''}`),
    interfaces: (final.interfaces ?? []).map((i) => `${i.name ?? '?'}${i.sandbox ? ' (pod)' : ''}`),
    ...(r.check ? { check: r.check } : {}),
    record: r,
  };
}

export interface LabStatus {
  lab: string;
  file?: string;
  /** The hash of the lab as it was brought up (to tell whether its file has changed since). */
  hash?: string;
  status: string;
  upAt?: string;
  lastTest?: { at: string; passed: number; failed: number; skipped?: number };
  /** Part of the lab (lab up --nodes/--exclude, issue 15.4): the nodes built, of how many. */
  selection?: { nodes: string[]; of: number };
  /** Nodes stopped on purpose (`lab stop`), until `lab start`. */
  stopped?: string[];
  nodes: NodeStatus[];
  daemons: { node: string; name: string; pid: number; running: boolean; log: string }[];
  containers: { name: string; node: string; state: string; running: boolean; image: string; logs?: string }[];
  processes: number;
  /** Pods networked by the real CNI plugins: each plugin's result, briefly (the full JSON is in `record`). */
  cni: CniStatus[];
  /** What the lab's state records and the machine no longer has (a container removed with `docker rm -f`, …). */
  damage: Damage[];
}

async function ipJson<T>(ns: string, args: string[]): Promise<T[]> {
  const r = await runProcess(['ip', '-j', '-d', '-n', ns, ...args]);
  try {
    return JSON.parse(r.stdout || '[]') as T[];
  } catch {
    return [];
  }
}

async function nodeStatus(lab: string, ns: string): Promise<NodeStatus> {
  type RawIf = { ifname: string; operstate: string; address?: string; mtu?: number; master?: string; linkinfo?: { info_kind?: string }; addr_info?: { family: string; local: string; prefixlen: number; scope: string }[] };
  type RawRoute = { dst: string; gateway?: string; dev?: string; type?: string };
  const [links, routes4, routes6] = await Promise.all([ipJson<RawIf>(ns, ['addr', 'show']), ipJson<RawRoute>(ns, ['route', 'show']), ipJson<RawRoute>(ns, ['-6', 'route', 'show'])]);
  const node = ns === `nsl.${lab}` ? '(fabric)' : ns.slice(`nsl.${lab}.`.length);
  return {
    node,
    netns: ns,
    interfaces: links.map((l) => ({
      name: l.ifname,
      state: l.operstate,
      mac: l.address,
      mtu: l.mtu,
      master: l.master,
      kind: l.linkinfo?.info_kind,
      addresses: (l.addr_info ?? []).filter((x) => x.scope !== 'link' && x.scope !== 'host').map((x) => `${x.local}/${x.prefixlen}`),
    })),
    routes: [...routes4, ...routes6.filter((r) => !r.dst.startsWith('fe80') && r.type !== 'multicast')].map((r) => ({ dst: r.dst, gateway: r.gateway, dev: r.dev, type: r.type })),
  };
}

export async function labStatus(lab: string): Promise<LabStatus> {
  const state = readState(lab);
  const namespaces = labNetns(lab);
  const nodes = await Promise.all(namespaces.map((ns) => nodeStatus(lab, ns)));
  const damage = state ? await labDamage(state) : [];
  return {
    lab,
    file: state?.file,
    hash: state?.hash,
    status: !state ? 'leftover (no state; `lab down` removes it)' : damage.length ? `degraded: ${damage.map((d) => d.text).join('; ')}` : state.status,
    upAt: state?.upAt,
    ...(state?.stopped?.length ? { stopped: [...state.stopped] } : {}),
    ...(state?.selection ? { selection: state.selection } : {}),
    lastTest: state?.lastTest,
    nodes,
    daemons: (state?.daemons ?? []).map((d) => ({ node: d.node, name: d.name, pid: d.pid, running: isRunning(d.pid), log: d.log })),
    containers: existsSync('/var/run/docker.sock') ? await (await import('./containers.ts')).labContainers(lab).catch(() => []) : [],
    processes: pidsInNetns(namespaces).size,
    cni: (state?.cni ?? []).map(cniStatus),
    damage,
  };
}
