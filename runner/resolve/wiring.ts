/** The wiring pass: resolved interfaces (addresses, MTU, impairments), bridges with their addresses, and both ends of every link. */
import { resolveImpair } from '../model/impair.ts';
import { nodeNetns, portName } from '../model/names.ts';
import type { LinkEnd, ResolvedInterface } from '../model/types.ts';
import type { EndDraft, LinkDraft, ResolveDraft } from './draft.ts';

export function wiring(d: ResolveDraft): void {
  d.ifOfNode = new Map<string, ResolvedInterface[]>(d.nodeNames.map((n) => [n, []]));
  for (const i of d.ifaces.values()) {
    if (!i.usedAt && i.name !== 'lo') continue;
    d.ifOfNode.get(i.node)?.push({
      name: i.name,
      addresses: i.member?.addresses ?? [],
      auto: i.member?.auto ?? false,
      mtu: typeof i.raw.mtu === 'number' ? i.raw.mtu : undefined,
      mac: typeof i.raw.mac === 'string' ? i.raw.mac.toLowerCase() : undefined,
      master: typeof i.raw.master === 'string' && i.raw.type !== undefined ? i.raw.master : undefined,
      pos: i.pos,
      ...resolveImpair(i.node, i.name, i.raw, d.at, d.diags),
    });
  }
  d.resolvedBridges = d.bridges.map((b) => ({ ...b, addresses: d.bridgeMembers.get(b.name)?.addresses ?? [] }));
  const ends = linkEnds(d);
  d.resolvedLinks = d.links.map((l) => ({ type: 'veth', a: ends(l, l.a, l.b), b: ends(l, l.b, l.a), pos: l.pos }));
}

/** Makes link ends: a node's interface, or a bridge port with a name of its own in the bridge's namespace. */
function linkEnds(d: ResolveDraft): (l: LinkDraft, e: EndDraft, other: EndDraft) => LinkEnd {
  const portNames = new Map<string, Set<string>>(); // per netns
  const portCount = new Map<string, number>(); // bridge ports made so far, per netns
  const ifOf = (node: string, ifname: string): ResolvedInterface | undefined => d.ifOfNode.get(node)!.find((x) => x.name === ifname);
  const taken = (ns: string): Set<string> => {
    if (!portNames.has(ns)) {
      // names already used in that namespace: the node's own interfaces and bridges
      const s = new Set<string>(['lo']);
      for (const b of d.resolvedBridges) if (b.netns === ns) s.add(b.ifname);
      const node = d.nodeNames.find((n) => nodeNetns(d.labName, n) === ns);
      if (node) for (const i of d.ifOfNode.get(node) ?? []) s.add(i.name);
      portNames.set(ns, s);
    }
    return portNames.get(ns)!;
  };
  return (l, e, other) => {
    if (e.node) {
      const i = ifOf(e.node, e.ifname!)!;
      return { netns: nodeNetns(d.labName, e.node), ifname: e.ifname!, node: e.node, mtu: i.mtu ?? l.mtu, mac: i.mac };
    }
    const br = d.bridgeByName.get(e.bridge!)!;
    const label = other.node ? other.node : `br-${other.bridge}`;
    const otherIf = other.node ? other.ifname! : e.bridge!;
    const otherMtu = other.node ? ifOf(other.node, other.ifname!)?.mtu : undefined;
    const t = taken(br.netns);
    const ifname = l.port && !t.has(l.port) ? (t.add(l.port), l.port) : portName(label, otherIf, t);
    const index = 1000 + (portCount.get(br.netns) ?? 0);
    portCount.set(br.netns, index - 999);
    return { netns: br.netns, ifname, bridge: br.name, bridgeIf: br.ifname, ...(l.hairpin ? { hairpin: true } : {}), mtu: otherMtu ?? l.mtu ?? br.mtu, index };
  };
}
