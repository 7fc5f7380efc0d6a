/** The targets pass: how NAT rules, virtual interfaces and tests name a place (a node, node:interface or an address). */
import { didYouMean } from '../config/diagnostics.ts';
import type { TargetResult } from '../model/types.ts';
import { contains, network, parseAddress, parsePrefix } from '../model/ip.ts';
import type { ResolveDraft } from './draft.ts';

export function targets(d: ResolveDraft): void {
  d.targetOf = (t, from) => targetOf(d, t, from);
}

/** Addresses of a node's interfaces (lo apart) and of the bridges inside it. */
const ownOf = (d: ResolveDraft, node: string, interfaces: ResolveDraft['nodes'][number]['interfaces']) => [
  ...interfaces.filter((i) => i.name !== 'lo'),
  ...d.resolvedBridges.filter((b) => b.node === node).map((b) => ({ name: b.name, addresses: b.addresses })),
];

function targetOf(d: ResolveDraft, t: string, from?: string): TargetResult {
  const addr = parseAddress(t);
  if (addr) return { ok: true, address: t, family: addr.family };
  const [node, ifname] = t.split(':');
  const nd = d.nodes.find((x) => x.name === node);
  if (!nd) {
    const guess = didYouMean(node, d.nodeNames);
    return { ok: false, message: `unknown node ${JSON.stringify(node)}`, hint: guess ? `did you mean ${JSON.stringify(guess)}?` : `nodes: ${d.nodeNames.join(', ')}` };
  }
  const own = ownOf(d, node, nd.interfaces);
  const lo = nd.interfaces.filter((i) => i.name === 'lo');
  if (ifname !== undefined) {
    const i = [...own, ...lo].find((x) => x.name === ifname);
    if (!i) return { ok: false, message: `node ${node} has no interface ${ifname}`, hint: `its interfaces: ${own.map((x) => x.name).join(', ') || '(none)'}` };
    const a = i.addresses.find((x) => !x.includes(':')) ?? i.addresses[0];
    if (!a) return { ok: false, message: `${node}:${ifname} has no address`, hint: 'give it one under nodes.<node>.interfaces.<if>.addresses' };
    return { ok: true, address: a.split('/')[0], family: a.includes(':') ? 6 : 4, node };
  }
  const all = [...own.flatMap((i) => i.addresses), ...lo.flatMap((i) => i.addresses)];
  if (!all.length) return { ok: false, message: `node ${node} has no address`, hint: 'give one of its interfaces an address, or name an address directly' };
  const pick = from ? nearest(d, all, from) : (all.find((a) => !a.includes(':')) ?? all[0]);
  return { ok: true, address: pick.split('/')[0], family: pick.includes(':') ? 6 : 4, node };
}

/** The address to reach from node `from`: one on a subnet `from` is on, IPv4 first; else the first IPv4 one. */
function nearest(d: ResolveDraft, all: readonly string[], from: string): string {
  let pick = all.find((a) => !a.includes(':')) ?? all[0];
  const fromNode = d.nodes.find((x) => x.name === from);
  const fromNets = [...(fromNode?.interfaces ?? []).flatMap((i) => i.addresses), ...d.resolvedBridges.filter((b) => b.node === from).flatMap((b) => b.addresses)].map((a) => network(parsePrefix(a)!));
  const direct = all.find((a) => {
    const p = parsePrefix(a)!;
    return fromNets.some((fnet) => contains(fnet, p.family, p.addr) && fnet.len < (p.family === 4 ? 32 : 128));
  });
  if (direct && !direct.includes(':')) pick = direct;
  else if (direct && pick.includes(':')) pick = direct;
  return pick;
}
