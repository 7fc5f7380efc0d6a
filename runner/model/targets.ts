/**
 * Where a node, node:interface or address a lab names is (NAT targets, tunnel remotes, tests' `to:`, `lab trace`'s
 * TO), as seen from a node: the address to use, or why there is none. Pure, on the resolved nodes and bridges.
 */
import { didYouMean } from '../config/diagnostics.ts';
import { contains, network, parseAddress, parsePrefix } from './ip.ts';
import type { ResolvedBridge, ResolvedNode, TargetResult } from './types.ts';

/** The nodes and bridges a target is looked up in (a ResolvedLab, or the resolve draft's parts). */
export interface TargetPlace {
  readonly nodes: readonly Pick<ResolvedNode, 'name' | 'interfaces'>[];
  readonly bridges: readonly Pick<ResolvedBridge, 'name' | 'node' | 'addresses'>[];
  /** The names an unknown node is matched against (default: the nodes'). */
  readonly nodeNames?: readonly string[];
}

/** Addresses of a node's interfaces (lo apart) and of the bridges inside it. */
export function ownInterfaces(place: TargetPlace, node: string): { readonly name: string; readonly addresses: readonly string[] }[] {
  const nd = place.nodes.find((x) => x.name === node);
  return [...(nd?.interfaces ?? []).filter((i) => i.name !== 'lo'), ...place.bridges.filter((b) => b.node === node).map((b) => ({ name: b.name, addresses: b.addresses }))];
}

/**
 * `family` (a test's `family: 6`, issue 14.1): only addresses of that family; a node without one, or an address of
 * the other family, is an error that says so.
 */
export function targetIn(place: TargetPlace, t: string, from?: string, family?: 4 | 6): TargetResult {
  const addr = parseAddress(t);
  if (addr && family && addr.family !== family) return { ok: false, message: `${t} is an IPv${addr.family} address, and the test asks for family ${family}`, hint: `write an IPv${family} address, a node name (its IPv${family} address is taken), or leave family out` };
  if (addr) return { ok: true, address: t, family: addr.family };
  const [node, ifname] = t.split(':');
  const nd = place.nodes.find((x) => x.name === node);
  if (!nd) {
    const names = place.nodeNames ?? place.nodes.map((n) => n.name);
    const guess = didYouMean(node, names);
    return { ok: false, message: `unknown node ${JSON.stringify(node)}`, hint: guess ? `did you mean ${JSON.stringify(guess)}?` : `nodes: ${names.join(', ')}` };
  }
  const fam = (a: string): boolean => !family || (family === 6) === a.includes(':');
  // link-local addresses are no target by name (they need a scope: fe80::1%eth0)
  const own = ownInterfaces(place, node).map((i) => ({ name: i.name, addresses: i.addresses.filter((a) => fam(a) && !(family && a.toLowerCase().startsWith('fe80:'))) }));
  const lo = nd.interfaces.filter((i) => i.name === 'lo').map((i) => ({ name: i.name, addresses: i.addresses.filter(fam) }));
  if (ifname !== undefined) {
    const i = [...own, ...lo].find((x) => x.name === ifname);
    if (!i) return { ok: false, message: `node ${node} has no interface ${ifname}`, hint: `its interfaces: ${own.map((x) => x.name).join(', ') || '(none)'}` };
    const a = i.addresses.find((x) => !x.includes(':')) ?? i.addresses[0];
    if (!a) return { ok: false, message: `${node}:${ifname} has no ${family ? `IPv${family} ` : ''}address`, hint: family ? `give it one, or leave family out (a dual-stack cluster's pods and nodes have both)` : 'give it one under nodes.<node>.interfaces.<if>.addresses' };
    return { ok: true, address: a.split('/')[0], family: a.includes(':') ? 6 : 4, node };
  }
  const all = [...own.flatMap((i) => i.addresses), ...lo.flatMap((i) => i.addresses)];
  if (!all.length && family) return { ok: false, message: `node ${node} has no IPv${family} address`, hint: `a dual-stack cluster's pods and nodes have one of each family (pod-cidr: [IPv4, IPv6]); otherwise leave family out` };
  if (!all.length) return { ok: false, message: `node ${node} has no address`, hint: 'give one of its interfaces an address, or name an address directly' };
  const pick = from ? nearest(place, all, from) : (all.find((a) => !a.includes(':')) ?? all[0]);
  return { ok: true, address: pick.split('/')[0], family: pick.includes(':') ? 6 : 4, node };
}

/** The address to reach from node `from`: one on a subnet `from` is on, IPv4 first; else the first IPv4 one. */
function nearest(place: TargetPlace, all: readonly string[], from: string): string {
  let pick = all.find((a) => !a.includes(':')) ?? all[0];
  const fromNode = place.nodes.find((x) => x.name === from);
  const fromNets = [...(fromNode?.interfaces ?? []).flatMap((i) => i.addresses), ...place.bridges.filter((b) => b.node === from).flatMap((b) => b.addresses)].map((a) => network(parsePrefix(a)!));
  const direct = all.find((a) => {
    const p = parsePrefix(a)!;
    return fromNets.some((fnet) => contains(fnet, p.family, p.addr) && fnet.len < (p.family === 4 ? 32 : 128));
  });
  if (direct && !direct.includes(':')) pick = direct;
  else if (direct && pick.includes(':')) pick = direct;
  return pick;
}
