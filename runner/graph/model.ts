/**
 * A lab as a picture: the boxes, groups and edges that `lab graph` draws, built once from the resolved lab and then
 * written out by the renderers (mermaid.ts, dot.ts). Pure and deterministic: the same lab gives the same graph.
 *
 * Items nest: a group (a Mermaid subgraph, a DOT cluster) holds boxes and other groups. A node that owns bridges
 * and a pod (with its containers) are groups; a lab's `cluster:` is a group of Kubernetes nodes, each holding its
 * node and the pods placed on it (made in `group()` below).
 */
import { KINDS } from '../kinds/registry.ts';
import type { KindPeering, KindView } from '../kinds/types.ts';
import type { ContainerSpec, LinkEnd, ResolvedBridge, ResolvedInterface, ResolvedLab, ResolvedNode } from '../model/types.ts';

/** How a box is drawn: one per node kind, plus bridges, a pod's app containers and peers outside the lab. */
export type BoxClass = 'netns' | 'container' | 'pod' | 'app' | 'bird' | 'bridge' | 'fabric' | 'external' | 'other';

/** How a group is drawn. (`cluster`: the coming lab-level grouping of nodes and pods.) */
export type GroupClass = 'node' | 'pod' | 'cluster';

/** How an edge is drawn. */
export type EdgeClass = 'veth' | 'port' | 'shares' | 'vxlan' | 'tun' | 'tunnel' | 'ebgp' | 'ibgp';

/** What a box stands for in the lab. */
export type BoxRef =
  | { readonly type: 'node'; readonly node: string }
  | { readonly type: 'bridge'; readonly bridge: string }
  | { readonly type: 'app'; readonly node: string; readonly app: string }
  | { readonly type: 'external'; readonly address: string };

export interface GraphBox {
  readonly type: 'box';
  /** A renderer-safe id: [A-Za-z0-9_], starting with a letter, never a keyword of either language. */
  readonly id: string;
  readonly cls: BoxClass;
  /** Plain text, one entry per line; the first is the header (`r1 · bird AS 65001`). Renderers escape it. */
  readonly lines: readonly string[];
  readonly ref: BoxRef;
}

export interface GraphGroup {
  readonly type: 'group';
  readonly id: string;
  readonly cls: GroupClass;
  readonly label: string;
  readonly members: readonly GraphItem[];
}

export type GraphItem = GraphBox | GraphGroup;

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  readonly cls: EdgeClass;
}

export interface Graph {
  readonly lab: string;
  readonly items: readonly GraphItem[];
  /** In drawing order: links (file order), bridge ports, shared namespaces, overlays and tunnels, BGP sessions. */
  readonly edges: readonly GraphEdge[];
  /** The box id of a node (its namespace's box: for a pod, the pause container's). */
  readonly nodeId: ReadonlyMap<string, string>;
  readonly bridgeId: ReadonlyMap<string, string>;
}

/** Colours and line styles, shared by the renderers so both pictures look alike. */
export const BOX_STYLE: Readonly<Record<BoxClass, { readonly fill: string; readonly stroke: string }>> = {
  netns: { fill: '#e7f5ff', stroke: '#1971c2' },
  container: { fill: '#ebfbee', stroke: '#2f9e44' },
  pod: { fill: '#f3f0ff', stroke: '#6741d9' },
  app: { fill: '#ffffff', stroke: '#6741d9' },
  bird: { fill: '#fff4e6', stroke: '#e8590c' },
  bridge: { fill: '#fff9db', stroke: '#f08c00' },
  fabric: { fill: '#f8f9fa', stroke: '#495057' },
  external: { fill: '#ffffff', stroke: '#868e96' },
  other: { fill: '#f8f9fa', stroke: '#868e96' },
};

export const GROUP_STYLE: Readonly<Record<GroupClass, { readonly fill: string; readonly stroke: string }>> = {
  node: { fill: '#f8f9fa', stroke: '#adb5bd' },
  pod: { fill: '#f8f0fc', stroke: '#9c36b5' },
  cluster: { fill: '#ffffff', stroke: '#495057' },
};

/** dash: SVG stroke-dasharray; undefined is a solid line. */
export const EDGE_STYLE: Readonly<Record<EdgeClass, { readonly color: string; readonly width: number; readonly dash?: string; readonly dot: 'solid' | 'dashed' | 'dotted' }>> = {
  veth: { color: '#343a40', width: 1.5, dot: 'solid' },
  port: { color: '#868e96', width: 1, dot: 'solid' },
  shares: { color: '#868e96', width: 1, dash: '1 3', dot: 'dotted' },
  vxlan: { color: '#1971c2', width: 2.5, dash: '8 4', dot: 'dashed' },
  tun: { color: '#2f9e44', width: 2, dash: '8 4', dot: 'dashed' },
  tunnel: { color: '#2f9e44', width: 2, dash: '8 4', dot: 'dashed' },
  ebgp: { color: '#e8590c', width: 1.5, dash: '2 3', dot: 'dotted' },
  ibgp: { color: '#9c36b5', width: 1.5, dash: '2 3', dot: 'dotted' },
};

/** The image a container gets when the lab names none: not worth a line in the picture. */
const DEFAULT_IMAGE = 'nslab/host';
/** A pod app's command is shown up to this many characters. */
const CMD_MAX = 40;

/** Unique, renderer-safe ids: readable (`n_gw_a` for node gw-a), with a counter where two names would meet. */
class Ids {
  private readonly taken = new Set<string>();
  take(prefix: string, name: string): string {
    const base = `${prefix}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
    let id = base;
    for (let k = 2; this.taken.has(id); k++) id = `${base}_${k}`;
    this.taken.add(id);
    return id;
  }
}

const bare = (cidr: string): string => cidr.replace(/\/\d+$/, '');
const pair = (a: string, b: string): string => (a < b ? `${a} ${b}` : `${b} ${a}`);

const viewOf = (n: ResolvedNode): KindView => KINDS.get(n.kind)?.view ?? {};

function kindText(n: ResolvedNode): string {
  return viewOf(n).label?.(n) ?? n.kind;
}

function boxClass(n: ResolvedNode): BoxClass {
  return viewOf(n).box ?? 'other';
}

function interfaceLine(i: ResolvedInterface): string {
  const v = i.virtual;
  let what = '';
  if (v?.type === 'vxlan') what = `vxlan ${'vni' in v ? v.vni : ''}`.trim();
  else if (v && (v.type === 'macvlan' || v.type === 'ipvlan') && 'dev' in v) what = `${v.type} on ${v.dev}`;
  else if (v) what = v.type;
  return [i.name, what && `(${what})`, i.master && `→ ${i.master}`, i.addresses.join(', ')].filter(Boolean).join(' ');
}

function nodeLines(n: ResolvedNode): string[] {
  const lines = [`${n.name} · ${kindText(n)}`];
  for (const i of n.interfaces) if (i.name !== 'lo' || i.addresses.length) lines.push(interfaceLine(i));
  if (n.containers?.[0]?.network.mode === 'none') lines.push('network none');
  lines.push(...(viewOf(n).lines?.(n) ?? []));
  return lines;
}

function bridgeLines(b: ResolvedBridge): string[] {
  const lines = [`${b.ifname} · bridge${b.stp ? ' (stp)' : ''}`];
  if (b.addresses.length) lines.push(b.addresses.join(', '));
  return lines;
}

/** A pod's app container: its name in the pod (nsl.<lab>.<pod>.<app> → app), image when not the default, command. */
function appLines(app: string, c: ContainerSpec): string[] {
  const lines = [`${app} · container${c.image !== DEFAULT_IMAGE ? ` ${c.image}` : ''}`];
  if (c.cmd?.length) {
    const cmd = c.cmd.join(' ');
    lines.push(cmd.length > CMD_MAX ? `${cmd.slice(0, CMD_MAX - 1)}…` : cmd);
  }
  return lines;
}

function peerings(n: ResolvedNode): readonly KindPeering[] {
  return viewOf(n).peerings?.(n) ?? [];
}

/** What the parts of buildGraph share: the ids taken so far, each node's and bridge's box, and the boxes outside the lab. */
interface GraphParts {
  readonly ids: Ids;
  readonly nodeId: ReadonlyMap<string, string>;
  readonly bridgeId: ReadonlyMap<string, string>;
  /** The box behind an address: the lab's node or bridge that has it, or a new box outside the lab. */
  readonly external: (address: string, header?: string) => string;
}

/** Who owns an address: overlay remotes and BGP peers are written as addresses, and drawn to the box behind them. */
function addressOwners(lab: ResolvedLab, nodeId: ReadonlyMap<string, string>, bridgeId: ReadonlyMap<string, string>): Map<string, string> {
  const owner = new Map<string, string>();
  for (const n of lab.nodes) for (const i of n.interfaces) for (const a of i.addresses) if (!owner.has(bare(a))) owner.set(bare(a), nodeId.get(n.name)!);
  for (const b of lab.bridges) {
    const at = b.node !== undefined ? nodeId.get(b.node) : bridgeId.get(b.name);
    for (const a of b.addresses) if (at && !owner.has(bare(a))) owner.set(bare(a), at);
  }
  return owner;
}

/** Boxes: every node (file order), its bridges and a pod's containers grouped with it; fabric bridges on their own. */
function nodeItems(lab: ResolvedLab, g: GraphParts): GraphItem[] {
  const items: GraphItem[] = [];
  for (const n of lab.nodes) {
    const box: GraphBox = { type: 'box', id: g.nodeId.get(n.name)!, cls: boxClass(n), lines: nodeLines(n), ref: { type: 'node', node: n.name } };
    const members: GraphItem[] = [box];
    const apps = viewOf(n).apps === true;
    if (apps && n.containers?.length) {
      const pause = n.containers[0];
      for (const c of n.containers.slice(1)) {
        const app = c.name.startsWith(`${pause.name}.`) ? c.name.slice(pause.name.length + 1) : c.name;
        members.push({ type: 'box', id: g.ids.take('a', `${n.name}_${app}`), cls: 'app', lines: appLines(app, c), ref: { type: 'app', node: n.name, app } });
      }
    }
    for (const b of lab.bridges) if (b.node === n.name) members.push({ type: 'box', id: g.bridgeId.get(b.name)!, cls: 'bridge', lines: bridgeLines(b), ref: { type: 'bridge', bridge: b.name } });
    if (members.length === 1) items.push(box);
    else items.push({ type: 'group', id: g.ids.take('g', n.name), cls: apps ? 'pod' : 'node', label: apps ? `pod ${n.name}` : n.name, members });
  }
  for (const b of lab.bridges) if (b.node === undefined) items.push({ type: 'box', id: g.bridgeId.get(b.name)!, cls: 'fabric', lines: bridgeLines(b), ref: { type: 'bridge', bridge: b.name } });
  return items;
}

/** Links (a veth pair between two nodes, or an interface plugged into a bridge), bridge ports, shared namespaces. */
function wiringEdges(lab: ResolvedLab, g: GraphParts): GraphEdge[] {
  const edges: GraphEdge[] = [];
  const endId = (e: LinkEnd): string => (e.bridge !== undefined ? g.bridgeId.get(e.bridge) : e.node !== undefined ? g.nodeId.get(e.node) : undefined) ?? g.external(e.netns, `${e.netns} · namespace`);
  const endName = (e: LinkEnd): string | undefined => (e.bridge !== undefined ? undefined : e.ifname);
  for (const l of lab.links) {
    const names = [endName(l.a), endName(l.b)].filter((x): x is string => x !== undefined);
    const label = `${l.type !== 'veth' ? `${l.type} ` : ''}${names.join(' — ')}`;
    edges.push({ from: endId(l.a), to: endId(l.b), label, cls: 'veth' });
  }
  // interfaces that are ports of their own node's bridge (a VXLAN endpoint in br-a, …)
  for (const n of lab.nodes) {
    for (const i of n.interfaces) {
      const to = i.master !== undefined ? g.bridgeId.get(i.master) : undefined;
      if (to) edges.push({ from: g.nodeId.get(n.name)!, to, label: i.name, cls: 'port' });
    }
  }
  // Docker's container:/host: modes: the node lives in another node's namespace
  for (const n of lab.nodes) {
    const other = n.sharesNetnsOf !== undefined ? g.nodeId.get(n.sharesNetnsOf) : undefined;
    if (!other) continue;
    const mode = n.raw['network-mode'];
    edges.push({ from: g.nodeId.get(n.name)!, to: other, label: typeof mode === 'string' ? mode : `netns of ${n.sharesNetnsOf}`, cls: 'shares' });
  }
  return edges;
}

/** Overlays and tunnels: one edge per pair of endpoints, whichever end lists the other. */
function overlayEdges(lab: ResolvedLab, g: GraphParts): GraphEdge[] {
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const once = (key: string, e: GraphEdge): void => {
    if (e.from === e.to || seen.has(key)) return;
    seen.add(key);
    edges.push(e);
  };
  for (const n of lab.nodes) {
    const from = g.nodeId.get(n.name)!;
    for (const i of n.interfaces) {
      const v = i.virtual;
      if (!v) continue;
      if (v.type === 'vxlan' && 'remotes' in v) {
        for (const r of v.remotes) {
          const to = g.external(r, `${r} · VTEP`);
          once(`vxlan ${v.vni} ${pair(from, to)}`, { from, to, label: `VXLAN ${v.vni}`, cls: 'vxlan' });
        }
      } else if (v.type === 'tun' && 'remote' in v && v.remote) {
        const to = g.external(v.remote);
        once(`tun ${pair(from, to)}`, { from, to, label: 'tun (udp)', cls: 'tun' });
      } else if (v.type !== 'macvlan' && v.type !== 'ipvlan' && 'remote' in v && v.remote) {
        const to = g.external(v.remote);
        const vni = 'vni' in v && v.vni !== undefined ? ` ${v.vni}` : '';
        once(`${v.type}${vni} ${pair(from, to)}`, { from, to, label: `${v.type}${vni}`, cls: 'tunnel' });
      }
    }
  }
  return edges;
}

/** BGP sessions: each once, though both routers list it; a route reflector's client session says so. */
function bgpEdges(lab: ResolvedLab, g: GraphParts): GraphEdge[] {
  const sessions = new Map<string, { from: string; to: string; ibgp: boolean; rr: boolean; family: 4 | 6 }>();
  for (const n of lab.nodes) {
    const from = g.nodeId.get(n.name)!;
    for (const nb of peerings(n)) {
      const to = (nb.peerNode !== undefined ? g.nodeId.get(nb.peerNode) : undefined) ?? g.external(nb.address, `${nb.address} · AS ${nb.asn}`);
      if (to === from) continue;
      const key = `${pair(from, to)} ${nb.family}`;
      const s = sessions.get(key);
      if (s) s.rr ||= nb.rrClient;
      else sessions.set(key, { from, to, ibgp: nb.ibgp, rr: nb.rrClient, family: nb.family });
    }
  }
  return [...sessions.values()].map((s) => ({
    from: s.from,
    to: s.to,
    label: `${s.ibgp ? 'iBGP' : 'eBGP'}${s.rr ? ' · RR client' : ''}${s.family === 6 ? ' · IPv6' : ''}`,
    cls: s.ibgp ? 'ibgp' : 'ebgp',
  }));
}

export function buildGraph(lab: ResolvedLab): Graph {
  const ids = new Ids();
  const nodeId = new Map<string, string>();
  const bridgeId = new Map<string, string>();
  for (const n of lab.nodes) nodeId.set(n.name, ids.take('n', n.name));
  for (const b of lab.bridges) bridgeId.set(b.name, ids.take('b', b.name));

  const owner = addressOwners(lab, nodeId, bridgeId);
  const externals: GraphBox[] = [];
  const external = (address: string, header?: string): string => {
    const known = owner.get(address);
    if (known) return known;
    const id = ids.take('x', address);
    owner.set(address, id);
    externals.push({ type: 'box', id, cls: 'external', lines: [header ?? `${address} · outside the lab`], ref: { type: 'external', address } });
    return id;
  };
  const g: GraphParts = { ids, nodeId, bridgeId, external };

  const items = nodeItems(lab, g);
  // in drawing order: links and the rest of the wiring, overlays and tunnels, BGP sessions
  const edges = [...wiringEdges(lab, g), ...overlayEdges(lab, g), ...bgpEdges(lab, g)];
  return { lab: lab.name, items: group([...items, ...externals], lab, ids), edges, nodeId, bridgeId };
}

/** The lab node a top-level item stands for (a group's first box is its node's). */
function itemNode(i: GraphItem): string | undefined {
  if (i.type === 'box') return i.ref.type === 'node' ? i.ref.node : undefined;
  return i.members.length ? itemNode(i.members[0]) : undefined;
}

/**
 * Lab-level groupings: a `cluster:` is one group holding a group per Kubernetes node, each with the node (and its
 * cni0) and the pods placed on it. Everything else stays where it was.
 */
function group(items: GraphItem[], lab: ResolvedLab, ids: { take(prefix: string, name: string): string }): GraphItem[] {
  const c = lab.cluster;
  if (!c) return items;
  const byNode = new Map<string, GraphItem>();
  for (const i of items) {
    const n = itemNode(i);
    if (n !== undefined) byNode.set(n, i);
  }
  const used = new Set<GraphItem>();
  const take = (name: string): GraphItem[] => {
    const i = byNode.get(name);
    if (!i || used.has(i)) return [];
    used.add(i);
    return [i];
  };
  const nodeGroups: GraphItem[] = c.nodes.map((n) => ({
    type: 'group',
    id: ids.take('k', n.name),
    cls: 'node',
    label: `k8s node ${n.name} · ${n.ip}${n.ip6 ? `, ${n.ip6}` : ''} · pods ${n.podCIDR}${n.podCIDR6 ? `, ${n.podCIDR6}` : ''}`,
    members: [...take(n.name), ...c.pods.filter((p) => p.node === n.name).flatMap((p) => take(p.name))],
  }));
  const first = items.findIndex((i) => used.has(i));
  const clusterGroup: GraphGroup = { type: 'group', id: ids.take('c', 'cluster'), cls: 'cluster', label: `cluster · ${c.cni} · kube-proxy ${c.kubeProxy}`, members: nodeGroups };
  const rest = items.filter((i) => !used.has(i));
  rest.splice(Math.max(0, Math.min(first, rest.length)), 0, clusterGroup);
  return rest;
}

/** Every box of the graph, groups flattened, in drawing order. */
export function boxesOf(items: readonly GraphItem[]): GraphBox[] {
  return items.flatMap((i) => (i.type === 'box' ? [i] : boxesOf(i.members)));
}
