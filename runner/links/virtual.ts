/** Steps that make interfaces no link makes: VXLAN endpoints (+ FDB and neighbour entries), macvlan, tun tunnels, kernel tunnels. */
import { join } from 'node:path';
import type { ResolvedInterface, ResolvedNode } from '../model/types.ts';
import type { CompileContext } from '../plan/context.ts';
import type { Step } from '../plan/ops.ts';

const ZERO_MAC = '00:00:00:00:00:00';

export function virtualSteps(node: ResolvedNode, i: ResolvedInterface, ctx: CompileContext): Step[] {
  const v = i.virtual;
  if (!v) return [];
  const ns = node.netns;
  const id = (x: string): string => `${node.name}.${i.name}.${x}`;
  const mtu = i.mtu ? ['mtu', String(i.mtu)] : [];
  const add = (args: string[], note: string): Step => ({ id: id('add'), phase: 'configure', order: 25, op: { type: 'ip', ns, args }, source: i.pos, note, creates: { kind: 'link', name: i.name, ns } });
  const steps: Step[] = [];
  if (v.type === 'vxlan' && 'vni' in v && 'remotes' in v) {
    const args = ['link', 'add', i.name, ...(i.mac ? ['address', i.mac] : []), ...mtu, 'type', 'vxlan', 'id', String(v.vni), 'local', v.local];
    if (v.remotes.length === 1) args.push('remote', v.remotes[0]);
    args.push('dstport', String(v.port), 'dev', v.dev);
    if (!v.learning) args.push('nolearning');
    steps.push(add(args, `VXLAN ${i.name}: VNI ${v.vni} over ${v.dev}${v.remotes.length ? ` to ${v.remotes.join(', ')}` : ''}`));
    // head-end replication: one all-zero FDB entry per remote VTEP floods BUM traffic to each
    if (v.remotes.length > 1) {
      v.remotes.forEach((r, k) => steps.push({ id: id(`fdb${k}`), phase: 'fdb', order: 0, op: { type: 'ip', tool: 'bridge', ns, args: ['fdb', 'append', ZERO_MAC, 'dev', i.name, 'dst', r] }, source: i.pos, note: k === 0 ? `${i.name}: flood to every remote VTEP` : undefined }));
    }
    v.neighbors.forEach((n, k) => {
      steps.push({ id: id(`neigh${k}`), phase: 'configure', order: 65, op: { type: 'ip', ns, args: ['neigh', 'replace', n.ip, 'lladdr', n.mac, 'dev', i.name, 'nud', 'permanent'] }, source: i.pos });
      if (n.via) steps.push({ id: id(`fdbn${k}`), phase: 'fdb', order: 10, op: { type: 'ip', tool: 'bridge', ns, args: ['fdb', 'append', n.mac, 'dev', i.name, 'dst', n.via, 'self', 'permanent'] }, source: i.pos });
    });
  } else if ((v.type === 'macvlan' || v.type === 'ipvlan') && 'mode' in v) {
    steps.push(add(['link', 'add', i.name, 'link', v.dev, ...mtu, 'type', v.type, 'mode', v.mode], `${v.type} ${i.name} on ${v.dev}`));
  } else if (v.type === 'tun' && 'port' in v && 'remote' in v) {
    steps.push(add(['tuntap', 'add', 'dev', i.name, 'mode', 'tun'], `tun ${i.name}: a user-space tunnel to ${v.remote} over UDP ${v.port}`));
    if (i.mtu) steps.push({ id: id('mtu'), phase: 'configure', order: 26, op: { type: 'ip', ns, args: ['link', 'set', i.name, 'mtu', String(i.mtu)] }, source: i.pos });
    // socat moves packets between the tun device and a UDP socket: every packet crosses into user space and back
    // an unconnected UDP socket: no ICMP error ends it while the peer is not up yet (socat 1.7.4 crashes on range=)
    const argv = ['socat', `UDP-DATAGRAM:${v.remote}:${v.port},bind=${v.local}:${v.port}`, `TUN,tun-name=${i.name},tun-type=tun,iff-no-pi`];
    steps.push({ id: id('socat'), phase: 'daemons', order: 20, op: { type: 'daemon', ns, node: node.name, name: `tun-${i.name}`, argv, log: join(ctx.labDir, 'logs', `${node.name}.tun-${i.name}.log`) }, source: i.pos, note: `${node.name}: user-space forwarder of ${i.name}`, creates: { kind: 'process', name: `tun-${i.name}`, ns } });
  } else {
    const args = ['link', 'add', i.name, ...mtu, 'type', v.type];
    if ('vni' in v && v.vni !== undefined) args.push('id', String(v.vni));
    if ('local' in v && v.local) args.push('local', v.local);
    if ('remote' in v && v.remote) args.push('remote', v.remote);
    steps.push(add(args, `${v.type} ${i.name}`));
  }
  if (i.master) steps.push({ id: id('master'), phase: 'configure', order: 30, op: { type: 'ip', ns, args: ['link', 'set', i.name, 'master', i.master] }, source: i.pos });
  return steps;
}
