/** The NAT pass: NAT rules may name other nodes (dnat to h1:80), so they are resolved once every node is known. */
import { resolveNat } from '../model/node-parts.ts';
import type { ResolveDraft } from './draft.ts';

export function nat(d: ResolveDraft): void {
  d.nodes.forEach((nd, i) => {
    const own = d.resolvedBridges.filter((b) => b.node === nd.name);
    const devNames = new Set([...nd.interfaces.map((x) => x.name), ...own.map((b) => b.name), 'lo']);
    const rules = resolveNat(nd.name, nd.raw, devNames, (t) => d.targetOf(t), d.at, d.diags, own);
    if (rules.length) d.nodes[i] = { ...nd, nat: rules };
    // dockerd --userland-proxy=false turns hairpin mode on for every port of the bridge
    for (const r of rules) {
      if (r.type !== 'docker' || r.userlandProxy) continue;
      const br = own.find((b) => b.ifname === r.bridge)!;
      const hp = <E extends { bridge?: string; hairpin?: boolean }>(e: E): E => (e.bridge === br.name ? { ...e, hairpin: true } : e);
      d.resolvedLinks = d.resolvedLinks.map((l) => ({ ...l, a: hp(l.a), b: hp(l.b) }));
    }
  });
}
