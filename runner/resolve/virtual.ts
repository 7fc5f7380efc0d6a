/** The virtual-interfaces pass: vxlan, macvlan, tun… bound to their underlay once every address and route is known. */
import { overlayMtuWarnings, resolveVirtual, type VirtualContext } from '../model/virtual.ts';
import type { ResolveDraft } from './draft.ts';

export function virtualInterfaces(d: ResolveDraft): void {
  const linkMtu = (node: string, ifname: string): number | undefined => {
    for (const l of d.resolvedLinks) for (const e of [l.a, l.b]) if (e.node === node && e.ifname === ifname) return e.mtu;
    return undefined;
  };
  const nodeOf = (x: string) => d.nodes.find((y) => y.name === x);
  const vctx: VirtualContext = {
    at: d.at,
    target: (t, from) => d.targetOf(t, from),
    interfacesOf: (x) => nodeOf(x)?.interfaces ?? [],
    routesOf: (x) => nodeOf(x)?.routes ?? [],
    bridgesOf: (x) => d.resolvedBridges.filter((b) => b.node === x).map((b) => b.name),
    mtuOf: (x, ifn) => nodeOf(x)?.interfaces.find((i) => i.name === ifn)?.mtu ?? linkMtu(x, ifn) ?? 1500,
  };
  for (const v of d.virtuals) {
    const r = resolveVirtual(v, vctx);
    d.diags.push(...r.diagnostics);
    const i = d.nodes.findIndex((y) => y.name === v.node);
    if (i < 0 || !r.spec) continue;
    d.nodes[i] = { ...d.nodes[i], interfaces: d.nodes[i].interfaces.map((x) => (x.name === v.name ? { ...x, virtual: r.spec, mtu: r.mtu ?? x.mtu } : x)) };
  }
  // hosts on an overlay's L2 segment with a larger MTU than the tunnel's
  for (const v of d.virtuals) {
    const vif = nodeOf(v.node)?.interfaces.find((x) => x.name === v.name);
    if (v.type !== 'vxlan' || !vif?.master || !vif.mtu) continue;
    const root = d.segmentOf(`br:${vif.master}`);
    const members = d.resolvedLinks
      .flatMap((l) => [l.a, l.b])
      .filter((e) => e.node && d.segmentOf(`if:${e.node}:${e.ifname}`) === root)
      .map((e) => ({ label: `${e.node}:${e.ifname}`, mtu: vctx.mtuOf(e.node!, e.ifname), overlay: false, pos: d.ifaces.get(`${e.node}:${e.ifname}`)?.pos ?? v.pos }));
    d.diags.push(...overlayMtuWarnings([{ label: `${v.node}:${v.name}`, mtu: vif.mtu, overlay: true, pos: v.pos }, ...members]));
  }
}
