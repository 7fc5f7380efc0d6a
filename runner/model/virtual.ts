/**
 * Interfaces that no link makes: VXLAN endpoints, macvlan children, user-space tun tunnels, and the kernel
 * tunnel types. Parsed from a node's `interfaces:`, joined into L2 segments for addressing, then bound to
 * underlay addresses once every address is known.
 */
import { didYouMean, error, warning, type Diagnostic, type SourcePos } from '../config/diagnostics.ts';
import type { PathSeg } from '../config/load.ts';
import { contains, network, parseAddress, parsePrefix } from './ip.ts';
import type { ResolvedInterface, ResolvedRoute, TargetResult, VirtualSpec } from './types.ts';

type Obj = Record<string, unknown>;

/** Kernel tunnel types nslab can describe but that need a kernel feature this machine may lack (doctor's probe names). */
export const KERNEL_TUNNELS = ['ipip', 'gre', 'gretap', 'sit', 'geneve', 'ipvlan', 'wireguard'] as const;
export const VXLAN_OVERHEAD = 50;
export const TUN_OVERHEAD = 28; // IPv4 + UDP, as flannel's udp backend
export const DEFAULT_TUN_PORT = 8285;

export interface VirtualDraft {
  readonly node: string;
  readonly name: string;
  readonly type: string;
  readonly raw: Obj;
  readonly pos: SourcePos;
}

/** Union keys that put a virtual interface on an L2 segment with others (same VNI, its bridge, its parent…). */
export function segmentKeys(v: VirtualDraft, bridgeNode: (bridge: string) => string | undefined): string[] {
  const self = `if:${v.node}:${v.name}`;
  const keys = [self];
  if (v.type === 'vxlan') keys.push(`vni:${String(v.raw.vni)}:${String(v.raw.port ?? 4789)}`);
  if (typeof v.raw.master === 'string' && bridgeNode(v.raw.master) === v.node) keys.push(`br:${v.raw.master}`);
  if ((v.type === 'macvlan' || v.type === 'ipvlan') && typeof v.raw.dev === 'string') keys.push(`if:${v.node}:${v.raw.dev}`);
  // a point-to-point tunnel and its other end form one segment
  if (v.type !== 'vxlan' && typeof v.raw.remote === 'string') keys.push(`${v.type}:${[v.node, v.raw.remote.split(':')[0]].sort().join('~')}:${String(v.raw.port ?? v.raw.vni ?? '')}`);
  return keys;
}

export interface VirtualContext {
  at(path: readonly PathSeg[], key?: boolean): SourcePos;
  target(t: string, from?: string): TargetResult;
  interfacesOf(node: string): readonly ResolvedInterface[];
  routesOf(node: string): readonly ResolvedRoute[];
  bridgesOf(node: string): readonly string[];
  /** MTU of an interface of a node (its own, its link's, or 1500). */
  mtuOf(node: string, ifname: string): number;
}

const path = (v: VirtualDraft, ...rest: PathSeg[]): PathSeg[] => ['nodes', v.node, 'interfaces', v.name, ...rest];

/** The node's own address to use toward `remote`, and whether its routes reach `remote` at all. */
function underlay(v: VirtualDraft, ctx: VirtualContext, remote: string | undefined, diags: Diagnostic[]): { dev?: string; local?: string } {
  const ifs = ctx.interfacesOf(v.node).filter((i) => i.name !== v.name && i.addresses.some((a) => !a.includes(':')));
  let dev = typeof v.raw.dev === 'string' ? v.raw.dev : undefined;
  if (dev && !ctx.interfacesOf(v.node).some((i) => i.name === dev)) {
    const names = ctx.interfacesOf(v.node).map((i) => i.name);
    diags.push(error('virtual.dev', `${v.node}:${v.name}: dev ${dev} is not an interface of ${v.node}`, ctx.at(path(v, 'dev')), didYouMean(dev, names) ? `did you mean ${didYouMean(dev, names)}?` : `its interfaces: ${names.join(', ')}`));
    return {};
  }
  const r = remote ? parseAddress(remote) : undefined;
  if (!dev && r) dev = ifs.find((i) => i.addresses.some((a) => contains(network(parsePrefix(a)!), r.family, r.addr)))?.name;
  dev ??= ifs[0]?.name;
  const local = typeof v.raw.local === 'string' ? v.raw.local : ctx.interfacesOf(v.node).find((i) => i.name === dev)?.addresses.find((a) => !a.includes(':'))?.split('/')[0];
  if (r && !reachable(v.node, r.family, r.addr, ctx)) {
    diags.push(
      error('virtual.remote-unreachable', `${v.node}:${v.name}: remote ${remote} is not reachable from ${v.node} in the underlay as declared`, ctx.at(path(v, typeof v.raw.remote === 'string' ? 'remote' : 'remotes')), `${v.node} has no connected subnet and no route that contains ${remote}; add a route such as \`${network({ family: r.family, addr: r.addr, len: 24 }).addr === r.addr ? remote : remote}/32 via <gateway>\``),
    );
  }
  return { dev, local };
}

function reachable(node: string, family: 4 | 6, addr: bigint, ctx: VirtualContext): boolean {
  for (const i of ctx.interfacesOf(node)) for (const a of i.addresses) if (contains(network(parsePrefix(a)!), family, addr)) return true;
  for (const rt of ctx.routesOf(node)) {
    if (rt.family !== family || (rt.type && rt.type !== 'unicast')) continue;
    if (rt.to === 'default') return true;
    const p = parsePrefix(rt.to);
    if (p && contains(p, family, addr)) return true;
  }
  return false;
}

function remoteAddress(v: VirtualDraft, t: string, key: PathSeg[], ctx: VirtualContext, diags: Diagnostic[]): string | undefined {
  const r = ctx.target(t, v.node);
  if (!r.ok) {
    diags.push(error('virtual.remote', `${v.node}:${v.name}: remote ${t}: ${r.message}`, ctx.at(key), r.hint));
    return undefined;
  }
  return r.address;
}

/** Bind a virtual interface to the underlay: remote and local addresses, device, MTU. */
export function resolveVirtual(v: VirtualDraft, ctx: VirtualContext): { spec?: VirtualSpec; mtu?: number; diagnostics: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  const raw = v.raw;
  const userMtu = typeof raw.mtu === 'number' ? raw.mtu : undefined;
  if (raw.master !== undefined && !ctx.bridgesOf(v.node).includes(String(raw.master))) {
    diags.push(error('virtual.master', `${v.node}:${v.name}: master ${String(raw.master)} is not a bridge inside ${v.node}`, ctx.at(path(v, 'master')), `declare it under bridges: with node: ${v.node}`));
  }
  switch (v.type) {
    case 'vxlan': {
      if (typeof raw.vni !== 'number') {
        diags.push(error('vxlan.vni', `${v.node}:${v.name}: a VXLAN interface needs a vni (0–16777215)`, v.pos, 'add vni: 42'));
        return { diagnostics: diags };
      }
      const list = typeof raw.remote === 'string' ? [{ t: raw.remote, key: path(v, 'remote') }] : Array.isArray(raw.remotes) ? raw.remotes.map((t, k) => ({ t: String(t), key: path(v, 'remotes', k) })) : [];
      if (!list.length && !raw.learning && !Array.isArray(raw.neighbors)) {
        diags.push(error('vxlan.remote', `${v.node}:${v.name}: a VXLAN interface needs a remote, a list of remotes, or learning`, v.pos, 'add remote: <node or address> (point to point) or remotes: [...] (head-end replication)'));
      }
      const remotes = list.map((x) => remoteAddress(v, x.t, x.key, ctx, diags)).filter((x): x is string => !!x);
      const { dev, local } = underlay(v, ctx, remotes[0], diags);
      for (const r of remotes.slice(1)) {
        const a = parseAddress(r)!;
        if (!reachable(v.node, a.family, a.addr, ctx)) diags.push(error('virtual.remote-unreachable', `${v.node}:${v.name}: remote ${r} is not reachable from ${v.node} in the underlay as declared`, ctx.at(path(v, 'remotes')), 'add a route toward it'));
      }
      if (!dev || !local) {
        if (!diags.length) diags.push(error('vxlan.underlay', `${v.node}:${v.name}: no underlay interface with an IPv4 address`, v.pos, 'give the node an addressed interface, or set dev: and local:'));
        return { diagnostics: diags };
      }
      const max = ctx.mtuOf(v.node, dev) - VXLAN_OVERHEAD;
      if (userMtu !== undefined && userMtu > max) {
        diags.push(error('vxlan.mtu', `${v.node}:${v.name}: MTU ${userMtu} is larger than the underlay allows (${dev} has ${max + VXLAN_OVERHEAD}, VXLAN takes ${VXLAN_OVERHEAD})`, ctx.at(path(v, 'mtu')), `use mtu: ${max} or less, or raise ${dev}'s MTU`));
      }
      const neighbors = (Array.isArray(raw.neighbors) ? raw.neighbors : []).map((n, k) => {
        const o = n as Obj;
        const via = typeof o.via === 'string' ? remoteAddress(v, o.via, path(v, 'neighbors', k, 'via'), ctx, diags) : undefined;
        return { ip: String(o.ip), mac: String(o.mac).toLowerCase(), via };
      });
      const spec: VirtualSpec = { type: 'vxlan', vni: raw.vni, port: typeof raw.port === 'number' ? raw.port : 4789, dev, local, remotes, learning: raw.learning === true, neighbors };
      return { spec, mtu: userMtu ?? max, diagnostics: diags };
    }
    case 'macvlan':
    case 'ipvlan': {
      const dev = typeof raw.dev === 'string' ? raw.dev : undefined;
      if (!dev || !ctx.interfacesOf(v.node).some((i) => i.name === dev)) {
        diags.push(error('virtual.parent', `${v.node}:${v.name}: a ${v.type} interface needs dev: its parent interface on ${v.node}`, ctx.at(path(v, dev ? 'dev' : 'type')), `its interfaces: ${ctx.interfacesOf(v.node).map((i) => i.name).join(', ')}`));
        return { diagnostics: diags };
      }
      return { spec: { type: v.type, dev, mode: typeof raw.mode === 'string' ? raw.mode : v.type === 'macvlan' ? 'bridge' : 'l2' }, mtu: userMtu, diagnostics: diags };
    }
    case 'tun': {
      if (typeof raw.remote !== 'string') {
        diags.push(error('tun.remote', `${v.node}:${v.name}: a tun tunnel needs remote: the peer node (or node:interface, or an address)`, v.pos, 'add remote: <node>'));
        return { diagnostics: diags };
      }
      const remote = remoteAddress(v, raw.remote, path(v, 'remote'), ctx, diags);
      const { dev, local } = underlay(v, ctx, remote, diags);
      if (!remote || !local || !dev) return { diagnostics: diags };
      const max = ctx.mtuOf(v.node, dev) - TUN_OVERHEAD;
      if (userMtu !== undefined && userMtu > max) diags.push(error('tun.mtu', `${v.node}:${v.name}: MTU ${userMtu} is larger than the underlay allows (${max})`, ctx.at(path(v, 'mtu')), `use mtu: ${max} or less`));
      return { spec: { type: 'tun', remote, local, port: typeof raw.port === 'number' ? raw.port : DEFAULT_TUN_PORT }, mtu: userMtu ?? max, diagnostics: diags };
    }
    default: {
      // kernel tunnels: described as the kernel would take them; whether this kernel has them is checked before anything is built
      const remote = typeof raw.remote === 'string' ? remoteAddress(v, raw.remote, path(v, 'remote'), ctx, diags) : undefined;
      const { dev, local } = v.type === 'ipvlan' ? { dev: undefined, local: undefined } : underlay(v, ctx, remote, diags);
      return { spec: { type: v.type, dev, local, remote, vni: typeof raw.vni === 'number' ? raw.vni : undefined }, mtu: userMtu, diagnostics: diags };
    }
  }
}

/** Members of one overlay segment whose MTU is larger than the overlay's: big frames would vanish silently. */
export function overlayMtuWarnings(segment: readonly { label: string; mtu: number; overlay: boolean; pos: SourcePos }[]): Diagnostic[] {
  const overlays = segment.filter((m) => m.overlay);
  if (!overlays.length) return [];
  const limit = Math.min(...overlays.map((m) => m.mtu));
  return segment
    .filter((m) => !m.overlay && m.mtu > limit)
    .map((m) => warning('mtu.mismatch', `${m.label} has MTU ${m.mtu} on an overlay segment whose tunnel MTU is ${limit}`, m.pos, `frames larger than ${limit} bytes are dropped without a word; set mtu: ${limit} on it`));
}
