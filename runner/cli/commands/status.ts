import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { allLabsOnHost, labNetns, pidsInNetns, isAlive } from '../../exec/host.ts';
import { labsWithState, readState } from '../../exec/state.ts';
import { labNameOf } from '../../api.ts';
import { labsInDocker } from '../../exec/docker-labs.ts';
import type { Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { requireRoot } from '../output.ts';

interface IfaceInfo {
  name: string;
  state: string;
  mac?: string;
  mtu?: number;
  master?: string;
  kind?: string;
  addresses: string[];
}
interface RouteInfo {
  dst: string;
  gateway?: string;
  dev?: string;
  type?: string;
}
interface NodeStatus {
  node: string;
  netns: string;
  interfaces: IfaceInfo[];
  routes: RouteInfo[];
}
interface LabStatus {
  lab: string;
  file?: string;
  status: string;
  upAt?: string;
  lastTest?: { at: string; passed: number; failed: number };
  nodes: NodeStatus[];
  daemons: { node: string; name: string; pid: number; running: boolean; log: string }[];
  containers: { name: string; node: string; state: string; running: boolean; image: string; logs?: string }[];
  processes: number;
}

async function ipJson<T>(ns: string, args: string[]): Promise<T[]> {
  const r = await execa('ip', ['-j', '-d', '-n', ns, ...args], { reject: false });
  try {
    return JSON.parse(String(r.stdout) || '[]') as T[];
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
  const complete = state ? state.namespaces.every((n) => namespaces.includes(n)) : false;
  return {
    lab,
    file: state?.file,
    status: !state ? 'leftover (no state; `lab down` removes it)' : state.status === 'up' && !complete ? 'degraded (namespaces missing)' : state.status,
    upAt: state?.upAt,
    lastTest: state?.lastTest,
    nodes,
    daemons: (state?.daemons ?? []).map((d) => ({ node: d.node, name: d.name, pid: d.pid, running: isAlive(d.pid), log: d.log })),
    containers: existsSync('/var/run/docker.sock') ? await (await import('../../exec/containers.ts')).labContainers(lab).catch(() => []) : [],
    processes: pidsInNetns(namespaces).size,
  };
}

/** lab status [LAB] [--json]: labs, nodes, interfaces, addresses, routes. */
export async function statusCmd(a: Args): Promise<number> {
  requireRoot('status');
  const names = a.positionals[0] ? [labNameOf(a.positionals[0]).name] : [...new Set([...allLabsOnHost(), ...labsWithState(), ...(await labsInDocker())])].sort();
  const all = await Promise.all(names.map(labStatus));
  if (a.flags.has('json')) {
    process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
    return EXIT.ok;
  }
  if (!all.length) {
    process.stdout.write('no labs are up\n');
    return EXIT.ok;
  }
  const out: string[] = [];
  for (const s of all) {
    out.push(`lab ${s.lab}: ${s.status}${s.file ? ` — ${s.file}` : ''}${s.lastTest ? ` — last test ${s.lastTest.passed} passed, ${s.lastTest.failed} failed` : ''}`);
    for (const n of s.nodes) {
      out.push(`  ${n.node}  (${n.netns})`);
      for (const i of n.interfaces) {
        if (i.name === 'lo' && !i.addresses.some((x) => !x.startsWith('127.') && x !== '::1/128')) continue;
        const extra = [i.kind, i.master ? `master ${i.master}` : '', i.mtu && i.mtu !== 1500 && i.name !== 'lo' ? `mtu ${i.mtu}` : ''].filter(Boolean).join(', ');
        out.push(`    ${i.name.padEnd(15)} ${i.state.padEnd(7)} ${i.addresses.join(' ') || '-'}${extra ? `  (${extra})` : ''}`);
      }
      for (const r of n.routes) out.push(`    route ${r.type && r.type !== 'unicast' ? `${r.type} ` : ''}${r.dst}${r.gateway ? ` via ${r.gateway}` : ''}${r.dev ? ` dev ${r.dev}` : ''}`);
    }
    for (const c of s.containers) {
      out.push(`  container ${c.name} (${c.image}): ${c.running ? c.state : `NOT RUNNING — ${c.state}`}`);
      if (c.logs) out.push(...c.logs.split('\n').map((l) => `    | ${l}`));
    }
    for (const d of s.daemons) out.push(`  process ${d.name} on ${d.node}: pid ${d.pid} ${d.running ? 'running' : 'EXITED'} (log ${d.log})`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return EXIT.ok;
}
