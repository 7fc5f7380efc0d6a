/** Resolve a loaded lab: defaults, references, addresses, routes, tests. Pure; collects every error of the file. */
import { didYouMean, error, warning, type Diagnostic, type SourcePos } from '../config/diagnostics.ts';
import type { LoadedFile, PathSeg } from '../config/load.ts';
import { checkSchema } from '../config/schema-check.ts';
import { KIND_KEYS, KINDS, type KindCheckContext } from '../kinds/registry.ts';
import { birdSocket } from '../kinds/bird/index.ts';
import { ASSERTIONS } from '../../assertions/registry.ts';
import type { ResolveContext, TargetResult } from '../../assertions/types.ts';
import { contains, network, parseAddress, parsePrefix } from '../model/ip.ts';
import { assignAddresses, type Member, type Segment } from '../model/ipam.ts';
import { resolveImpair } from '../model/impair.ts';
import { fabricNetns, nodeNetns, portName } from '../model/names.ts';
import { overlayMtuWarnings, resolveVirtual, segmentKeys, type VirtualContext, type VirtualDraft } from '../model/virtual.ts';
import { toArgv } from '../model/words.ts';
import { EXTENSIONS } from '../extensions.ts';
import type { LabExtras, TestScope } from '../extensions-types.ts';
import { addressPools, commands, resolveNat, resolveRoutes } from '../model/node-parts.ts';
import { parseDurationMs } from '../util/units.ts';
import type {
  LinkEnd,
  ResolvedBridge,
  ResolvedDaemon,
  ResolvedInterface,
  ResolvedLab,
  ResolvedLink,
  ResolvedNode,
  ResolvedTest,
} from '../model/types.ts';
import { asObj, isObj, str, type Obj } from '../util/obj.ts';

const entries = (v: unknown): [string, Obj][] => Object.entries(asObj(v)).map(([k, x]) => [k, asObj(x)]);

export interface ResolveResult {
  readonly lab?: ResolvedLab;
  readonly diagnostics: readonly Diagnostic[];
  /**
   * The lab as far as it resolved, also when there are errors, and the file it was resolved from (a cluster
   * expanded into nodes): for the checks that run after resolve (the handout's notes, runner/api.ts). Left out
   * when resolve stopped before it had a lab.
   */
  readonly draft?: { readonly lab: ResolvedLab; readonly file: LoadedFile };
}

interface IfaceDraft {
  node: string;
  name: string;
  raw: Obj;
  declared: boolean;
  pos: SourcePos;
  usedAt?: SourcePos;
  master?: string;
  mtu?: number;
  mac?: string;
  member?: Member;
}

export function resolveLab(source: LoadedFile): ResolveResult {
  const diags: Diagnostic[] = [...checkSchema(source)];
  // extensions (a cluster: section) become nodes, bridges and links first (only once their own shape is right)
  let file = source;
  let extras: LabExtras = {};
  if (!diags.some((d) => d.severity === 'error')) {
    for (const ext of EXTENSIONS) {
      const e = ext.expand?.(file);
      if (!e) continue;
      diags.push(...e.diagnostics);
      if (e.failed) return { diagnostics: dedupe(diags) };
      file = e.file;
      extras = { ...extras, ...e.extras };
    }
  }
  const at = file.at;
  const raw = asObj(file.data);
  if (!Object.keys(asObj(raw.nodes)).length && !isObj(raw.cluster) && !diags.some((d) => d.severity === 'error')) diags.push(error('lab.no-nodes', 'the lab has no nodes', at(['nodes'], true), 'declare at least one node under `nodes:` (or a `cluster:`)'));
  const labName = typeof raw.name === 'string' ? raw.name : 'lab';
  const rawNodes = entries(raw.nodes);
  const rawBridges = entries(raw.bridges);
  const nodeNames = rawNodes.map(([n]) => n);
  const nodeSet = new Set(nodeNames);
  const bridgeNames = rawBridges.map(([b]) => b);
  const unknownNode = (name: string, path: readonly PathSeg[]): Diagnostic => {
    const guess = didYouMean(name, nodeNames);
    return error('ref.unknown-node', `unknown node ${JSON.stringify(name)}`, at(path), guess ? `did you mean ${JSON.stringify(guess)}? nodes: ${nodeNames.join(', ')}` : `nodes in this lab: ${nodeNames.join(', ') || '(none)'}`);
  };

  // ---- interfaces declared on nodes
  const ifaces = new Map<string, IfaceDraft>(); // "node:if"
  for (const [n, node] of rawNodes) {
    for (const [ifn, iraw] of entries(node.interfaces)) {
      ifaces.set(`${n}:${ifn}`, { node: n, name: ifn, raw: iraw, declared: true, pos: at(['nodes', n, 'interfaces', ifn], true) });
    }
  }

  // ---- bridges
  const bridges: ResolvedBridge[] = [];
  let needFabric = false;
  for (const [b, braw] of rawBridges) {
    const bpos = at(['bridges', b], true);
    const inNode = typeof braw.node === 'string' ? braw.node : undefined;
    if (inNode !== undefined && !nodeSet.has(inNode)) diags.push(unknownNode(inNode, ['bridges', b, 'node']));
    if (inNode === undefined) needFabric = true;
    if (inNode === undefined && Array.isArray(braw.addresses) && braw.addresses.length) {
      diags.push(error('bridge.address-in-fabric', `bridge ${b} has addresses but lives in the lab's fabric namespace, where nothing can use them`, at(['bridges', b, 'addresses'], true), `put it inside a node with \`node: <name>\` (docker0-style), or give the addresses to a node's interface on the bridge`));
    }
    if (inNode !== undefined && ifaces.has(`${inNode}:${b}`)) {
      diags.push(error('bridge.name-clash', `bridge ${b} lives in node ${inNode}, which already has an interface named ${b}`, bpos, 'rename one of them'));
    }
    bridges.push({
      name: b,
      ifname: typeof braw.ifname === 'string' ? braw.ifname : b,
      netns: inNode ? nodeNetns(labName, inNode) : fabricNetns(labName),
      node: inNode,
      addresses: [],
      mtu: typeof braw.mtu === 'number' ? braw.mtu : undefined,
      stp: braw.stp === true,
      pos: bpos,
    });
  }
  const bridgeByName = new Map(bridges.map((b) => [b.name, b]));

  // ---- links
  interface EndDraft {
    node?: string;
    ifname?: string;
    bridge?: string;
  }
  const links: { a: EndDraft; b: EndDraft; mtu?: number; port?: string; hairpin?: boolean; pos: SourcePos; i: number }[] = [];
  const brokenLinks = new Set<string>(); // node:if named by a link that had another error
  (Array.isArray(raw.links) ? raw.links : []).forEach((l: unknown, i: number) => {
    const eps = Array.isArray(l) ? l : isObj(l) && Array.isArray(l.endpoints) ? l.endpoints : undefined;
    const epPath = (j: number): PathSeg[] => (Array.isArray(l) ? ['links', i, j] : ['links', i, 'endpoints', j]);
    if (!eps || eps.length !== 2 || eps.some((e) => typeof e !== 'string')) {
      for (const e of eps ?? []) if (typeof e === 'string' && e.includes(':')) brokenLinks.add(e);
      return; // the schema said what is wrong
    }
    const ends: EndDraft[] = [];
    let ok = true;
    eps.forEach((ep: string, j: number) => {
      const c = ep.indexOf(':');
      if (c < 0) {
        if (bridgeByName.has(ep)) ends.push({ bridge: ep });
        else {
          ok = false;
          const guess = didYouMean(ep, bridgeNames);
          const isNode = nodeSet.has(ep);
          if (isNode) brokenLinks.add(`${ep}:*`);
          diags.push(
            error(
              isNode ? 'ref.node-not-bridge' : 'ref.unknown-bridge',
              isNode ? `${ep} is a node, not a bridge: a link end is node:interface or a bridge name` : `unknown bridge ${JSON.stringify(ep)} in link`,
              at(epPath(j)),
              isNode ? `${ep} is a node: name its interface, e.g. ${ep}:eth0` : guess ? `did you mean ${JSON.stringify(guess)}?` : bridgeNames.length ? `bridges: ${bridgeNames.join(', ')}` : 'declare it under `bridges:`, or write node:interface for a node end',
            ),
          );
        }
        return;
      }
      const node = ep.slice(0, c);
      const ifname = ep.slice(c + 1);
      if (!nodeSet.has(node)) {
        ok = false;
        const meant = didYouMean(node, nodeNames);
        if (meant) brokenLinks.add(`${meant}:${ifname}`);
        diags.push(unknownNode(node, epPath(j)));
        return;
      }
      if (ifname === 'lo') {
        ok = false;
        diags.push(error('link.loopback', `${ep}: the loopback interface cannot be linked`, at(epPath(j)), 'use another interface name, e.g. eth0'));
        return;
      }
      const key = `${node}:${ifname}`;
      const existing = ifaces.get(key);
      if (existing?.usedAt) {
        ok = false;
        diags.push(error('link.interface-reused', `interface ${key} is used by two links`, at(epPath(j)), `it is already linked at line ${existing.usedAt.line}; give this link another interface name`));
        return;
      }
      const bridgeClash = bridgeByName.get(ifname);
      if (bridgeClash?.node === node) {
        ok = false;
        diags.push(error('bridge.name-clash', `${key}: node ${node} has a bridge named ${ifname}`, at(epPath(j)), 'rename the interface'));
        return;
      }
      const d: IfaceDraft = existing ?? { node, name: ifname, raw: {}, declared: false, pos: at(epPath(j)) };
      d.usedAt = at(epPath(j));
      ifaces.set(key, d);
      ends.push({ node, ifname });
    });
    if (!ok) for (const e of eps) if (e.includes(':')) brokenLinks.add(e);
    if (ok && ends.length === 2) {
      if (ends[0].bridge && ends[0].bridge === ends[1].bridge) {
        diags.push(error('link.self', `link joins bridge ${ends[0].bridge} to itself`, at(['links', i]), 'a link needs two different ends'));
        return;
      }
      const mtu = isObj(l) && typeof l.mtu === 'number' ? l.mtu : undefined;
      const port = isObj(l) && typeof l.port === 'string' ? l.port : undefined; // the bridge-side name (set by a cluster's CNI)
      links.push({ a: ends[0], b: ends[1], mtu, port, hairpin: isObj(l) && l.hairpin === true, pos: at(['links', i]), i });
    }
  });

  // interfaces no link makes (vxlan, macvlan, tun, kernel tunnels): declared with a type
  const virtuals: VirtualDraft[] = [];
  for (const d of ifaces.values()) {
    const type = typeof d.raw.type === 'string' ? d.raw.type : 'veth';
    if (type === 'veth') continue;
    if (d.usedAt) {
      diags.push(error('virtual.linked', `interface ${d.node}:${d.name} is a ${type} interface, and links make only veth interfaces`, d.usedAt, `remove it from the link, or remove type: ${type}`));
      continue;
    }
    d.usedAt = d.pos;
    virtuals.push({ node: d.node, name: d.name, type, raw: d.raw, pos: d.pos });
  }
  for (const d of ifaces.values()) {
    if (d.raw.type === undefined || d.raw.type === 'veth') {
      for (const k of ['vni', 'remote', 'remotes', 'learning', 'neighbors', 'local', 'dev', 'mode'] as const) {
        if (d.raw[k] !== undefined) diags.push(error('virtual.key', `${k} belongs to tunnel and virtual interfaces, and ${d.node}:${d.name} has no type`, at(['nodes', d.node, 'interfaces', d.name, k], true), 'add type: vxlan (or macvlan, tun, …), or remove the key'));
      }
    }
  }

  // interfaces declared but never linked
  for (const d of ifaces.values()) {
    const linksMisspelt = raw.links === undefined && Object.keys(raw).some((k) => k !== 'links' && didYouMean(k, ['links']) === 'links');
    if (d.declared && !d.usedAt && d.name !== 'lo' && !brokenLinks.has(`${d.node}:${d.name}`) && !brokenLinks.has(`${d.node}:*`) && !linksMisspelt) {
      diags.push(error('interface.unlinked', `interface ${d.node}:${d.name} is declared but no link uses it`, d.pos, `add a link such as [${d.node}:${d.name}, <node>:<if>] or [${d.node}:${d.name}, <bridge>]`));
    }
  }

  // ---- segments for addressing (union-find over bridges and links)
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let p = parent.get(x) ?? x;
    if (p !== x) {
      p = find(p);
      parent.set(x, p);
    }
    return p;
  };
  const union = (x: string, y: string): void => {
    const a = find(x);
    const b = find(y);
    if (a !== b) parent.set(b, a);
  };
  const endKey = (e: EndDraft): string => (e.bridge ? `br:${e.bridge}` : `if:${e.node}:${e.ifname}`);
  for (const l of links) union(endKey(l.a), endKey(l.b));
  const bridgeNodeOf = (b: string): string | undefined => bridgeByName.get(b)?.node;
  for (const v of virtuals) {
    const [first, ...rest] = segmentKeys(v, bridgeNodeOf);
    for (const k of rest) union(first, k);
  }
  const segOrder: string[] = [];
  const segMembers = new Map<string, Member[]>();
  const addMember = (key: string, m: Member): void => {
    const root = find(key);
    if (!segMembers.has(root)) {
      segMembers.set(root, []);
      segOrder.push(root);
    }
    segMembers.get(root)!.push(m);
  };
  const bridgeMembers = new Map<string, Member>();
  for (const b of bridges) {
    const braw = asObj(asObj(raw.bridges)[b.name]);
    if (!b.node) continue;
    const bpath = ['bridges', b.name, 'addresses'];
    const m: Member = {
      label: `bridge ${b.name} of ${b.node}`,
      explicit: Array.isArray(braw.addresses) ? braw.addresses.map(String) : undefined,
      explicitPos: Array.isArray(braw.addresses) ? braw.addresses.map((_: unknown, k: number) => at([...bpath, k])) : undefined,
      pos: Array.isArray(braw.addresses) ? at(bpath) : b.pos,
      addresses: [],
      auto: false,
    };
    bridgeMembers.set(b.name, m);
    addMember(`br:${b.name}`, m);
  }
  for (const l of links) {
    for (const e of [l.a, l.b]) {
      if (!e.node) continue;
      const d = ifaces.get(`${e.node}:${e.ifname}`)!;
      const addrs = d.raw.addresses;
      const apath = ['nodes', e.node, 'interfaces', e.ifname!, 'addresses'];
      d.member = {
        label: `${e.node}:${e.ifname}`,
        explicit: Array.isArray(addrs) ? addrs.map(String) : undefined,
        explicitPos: Array.isArray(addrs) ? addrs.map((_: unknown, k: number) => at([...apath, k])) : undefined,
        pos: Array.isArray(addrs) ? at(apath) : d.usedAt!,
        addresses: [],
        auto: false,
      };
      addMember(endKey(e), d.member);
    }
  }
  for (const v of virtuals) {
    const d = ifaces.get(`${v.node}:${v.name}`)!;
    const addrs = d.raw.addresses;
    const apath = ['nodes', v.node, 'interfaces', v.name, 'addresses'];
    // a bridge port carries no address of its own
    const explicit = d.raw.master !== undefined ? [] : Array.isArray(addrs) ? addrs.map(String) : v.type === 'vxlan' || v.type === 'tun' ? undefined : [];
    d.member = { label: `${v.node}:${v.name}`, explicit, explicitPos: Array.isArray(addrs) ? addrs.map((_: unknown, k: number) => at([...apath, k])) : undefined, pos: Array.isArray(addrs) ? at(apath) : d.pos, addresses: [], auto: false };
    addMember(`if:${v.node}:${v.name}`, d.member);
  }
  const loopbacks: Member[] = [];
  for (const d of ifaces.values()) {
    if (d.name !== 'lo') continue;
    const addrs = d.raw.addresses;
    const lpath = ['nodes', d.node, 'interfaces', 'lo', 'addresses'];
    d.member = { label: `${d.node}:lo`, explicit: Array.isArray(addrs) ? addrs.map(String) : [], explicitPos: Array.isArray(addrs) ? addrs.map((_: unknown, k: number) => at([...lpath, k])) : undefined, pos: at(lpath), addresses: [], auto: false };
    loopbacks.push(d.member);
  }
  const segments: Segment[] = segOrder.map((root, id) => ({ id, members: segMembers.get(root)! }));
  const pools = addressPools(raw, at, diags);
  if (!diags.some((d) => d.code.startsWith('address'))) diags.push(...assignAddresses(segments, loopbacks, pools));

  // ---- resolved interfaces, bridges, links
  const ifOfNode = new Map<string, ResolvedInterface[]>(nodeNames.map((n) => [n, []]));
  for (const d of ifaces.values()) {
    if (!d.usedAt && d.name !== 'lo') continue;
    ifOfNode.get(d.node)?.push({
      name: d.name,
      addresses: d.member?.addresses ?? [],
      auto: d.member?.auto ?? false,
      mtu: typeof d.raw.mtu === 'number' ? d.raw.mtu : undefined,
      mac: typeof d.raw.mac === 'string' ? d.raw.mac.toLowerCase() : undefined,
      master: typeof d.raw.master === 'string' && d.raw.type !== undefined ? d.raw.master : undefined,
      pos: d.pos,
      ...resolveImpair(d.node, d.name, d.raw, at, diags),
    });
  }
  const resolvedBridges = bridges.map((b) => ({ ...b, addresses: bridgeMembers.get(b.name)?.addresses ?? [] }));
  const portNames = new Map<string, Set<string>>(); // per netns
  const portCount = new Map<string, number>(); // bridge ports made so far, per netns
  const taken = (ns: string): Set<string> => {
    if (!portNames.has(ns)) {
      // names already used in that namespace: the node's own interfaces and bridges
      const s = new Set<string>(['lo']);
      for (const b of resolvedBridges) if (b.netns === ns) s.add(b.ifname);
      const node = nodeNames.find((n) => nodeNetns(labName, n) === ns);
      if (node) for (const i of ifOfNode.get(node) ?? []) s.add(i.name);
      portNames.set(ns, s);
    }
    return portNames.get(ns)!;
  };
  const resolvedLinks: ResolvedLink[] = links.map((l) => {
    const mk = (e: EndDraft, other: EndDraft): LinkEnd => {
      if (e.node) {
        const i = ifOfNode.get(e.node)!.find((x) => x.name === e.ifname)!;
        return { netns: nodeNetns(labName, e.node), ifname: e.ifname!, node: e.node, mtu: i.mtu ?? l.mtu, mac: i.mac };
      }
      const br = bridgeByName.get(e.bridge!)!;
      const label = other.node ? other.node : `br-${other.bridge}`;
      const otherIf = other.node ? other.ifname! : e.bridge!;
      const otherMtu = other.node ? ifOfNode.get(other.node)!.find((x) => x.name === other.ifname)?.mtu : undefined;
      const t = taken(br.netns);
      const ifname = l.port && !t.has(l.port) ? (t.add(l.port), l.port) : portName(label, otherIf, t);
      const index = 1000 + (portCount.get(br.netns) ?? 0);
      portCount.set(br.netns, index - 999);
      return { netns: br.netns, ifname, bridge: br.name, bridgeIf: br.ifname, ...(l.hairpin ? { hairpin: true } : {}), mtu: otherMtu ?? l.mtu ?? br.mtu, index };
    };
    return { type: 'veth', a: mk(l.a, l.b), b: mk(l.b, l.a), pos: l.pos };
  });

  // ---- nodes
  const nodes: ResolvedNode[] = [];
  const rawNodeMap = new Map(rawNodes);
  const linkedNodes = new Set(links.flatMap((l) => [l.a.node, l.b.node]).filter((x): x is string => !!x));
  for (const e of brokenLinks) linkedNodes.add(e.split(':')[0]);
  for (const [n, node] of rawNodes) {
    const kindName = typeof node.kind === 'string' ? node.kind : 'netns';
    const kind = KINDS.get(kindName);
    const npos = at(['nodes', n], true);
    if (!kind) {
      diags.push(error('kind.unknown', `node ${n} has kind ${JSON.stringify(kindName)}, which this nslab does not have`, at(['nodes', n, 'kind']), `kinds: ${[...KINDS.keys()].join(', ')}`));
      continue;
    }
    for (const [key, kinds] of Object.entries(KIND_KEYS)) {
      if (node[key] !== undefined && !kinds.includes(kindName)) {
        diags.push(error('kind.key', `${key} is for ${kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} and ${kinds[kinds.length - 1]}` : kinds[0]} nodes, and ${n} is a ${kindName} node`, at(['nodes', n, key], true), `set \`kind: ${kinds[0]}\` on ${n}, or remove ${key}`));
      }
    }
    const kctx: KindCheckContext = {
      at,
      labName,
      rawNodes: rawNodeMap,
      isLinked: (x) => linkedNodes.has(x),
      interfaces: (x) => [...(ifOfNode.get(x) ?? []), ...resolvedBridges.filter((b) => b.node === x)].map((i) => ({ name: i.name, addresses: i.addresses })),
    };
    const kr = kind.resolve?.(n, node, kctx);
    if (kr) diags.push(...kr.diagnostics);
    const interfaces = ifOfNode.get(n) ?? [];
    const ownBridges = resolvedBridges.filter((b) => b.node === n);
    const devNames = new Set([...interfaces.map((i) => i.name), ...ownBridges.map((b) => b.name), 'lo']);
    const connected = [...interfaces.flatMap((i) => i.addresses), ...ownBridges.flatMap((b) => b.addresses)].map((a) => parsePrefix(a)!).filter(Boolean);
    // routers forward unless told otherwise; everything else does not
    const forwarding = typeof node.forwarding === 'boolean' ? node.forwarding : kindName === 'bird';
    const sysctls: [string, string][] = [
      ['net.ipv4.ip_forward', forwarding ? '1' : '0'],
      ['net.ipv6.conf.all.forwarding', forwarding ? '1' : '0'],
    ];
    for (const [k, v] of Object.entries(asObj(node.sysctls))) {
      const val = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
      const i = sysctls.findIndex(([kk]) => kk === k);
      if (i >= 0) sysctls[i] = [k, val];
      else sysctls.push([k, val]);
    }
    const routes = resolveRoutes(n, node, devNames, connected, at, diags);
    const exec = commands(node.exec, ['nodes', n, 'exec'], at, diags, `exec command of ${n}`);
    const daemons: ResolvedDaemon[] = [];
    (Array.isArray(node.daemons) ? node.daemons : []).forEach((d: unknown, i: number) => {
      const run = isObj(d) ? d.run : d;
      const path: PathSeg[] = isObj(d) ? ['nodes', n, 'daemons', i, 'run'] : ['nodes', n, 'daemons', i];
      const r = toArgv(run);
      if (!r.ok) diags.push(error('command.invalid', `daemon ${i + 1} of ${n}: ${r.message}`, at(path), 'write the command as a list of words, or [sh, -c, "…"] if it needs a shell'));
      else daemons.push({ name: isObj(d) && typeof d.name === 'string' ? d.name : `${r.argv[0].split('/').pop()}-${i + 1}`, argv: r.argv, pos: at(path) });
    });
    const fw = asObj(node.firewall);
    nodes.push({
      name: n,
      kind: kindName,
      netns: nodeNetns(labName, kr?.sharesNetnsOf ?? n),
      sharesNetnsOf: kr?.sharesNetnsOf,
      containers: kr?.containers,
      kindData: kr?.kindData,
      forwarding,
      interfaces,
      routes,
      sysctls,
      nat: [],
      firewall: { nftables: str(fw.nftables), iptables: str(fw.iptables), ip6tables: str(fw.ip6tables) },
      firewallPos: isObj(node.firewall) ? at(['nodes', n, 'firewall'], true) : undefined,
      exec,
      daemons,
      whoami: Array.isArray(node.whoami) ? node.whoami.filter((p): p is number => typeof p === 'number') : [],
      pos: npos,
      raw: node,
    });
    diags.push(...(kind.check?.(n, node, kctx) ?? []));
  }
  // virtual interfaces bind to the underlay once every address and route is known
  const linkMtu = (node: string, ifname: string): number | undefined => {
    for (const l of resolvedLinks) for (const e of [l.a, l.b]) if (e.node === node && e.ifname === ifname) return e.mtu;
    return undefined;
  };
  const vctx: VirtualContext = {
    at,
    target: (t, from) => targetOf(t, from),
    interfacesOf: (x) => nodes.find((y) => y.name === x)?.interfaces ?? [],
    routesOf: (x) => nodes.find((y) => y.name === x)?.routes ?? [],
    bridgesOf: (x) => resolvedBridges.filter((b) => b.node === x).map((b) => b.name),
    mtuOf: (x, ifn) => nodes.find((y) => y.name === x)?.interfaces.find((i) => i.name === ifn)?.mtu ?? linkMtu(x, ifn) ?? 1500,
  };
  for (const v of virtuals) {
    const r = resolveVirtual(v, vctx);
    diags.push(...r.diagnostics);
    const i = nodes.findIndex((y) => y.name === v.node);
    if (i < 0 || !r.spec) continue;
    nodes[i] = { ...nodes[i], interfaces: nodes[i].interfaces.map((x) => (x.name === v.name ? { ...x, virtual: r.spec, mtu: r.mtu ?? x.mtu } : x)) };
  }
  // hosts on an overlay's L2 segment with a larger MTU than the tunnel's
  for (const v of virtuals) {
    const vif = nodes.find((y) => y.name === v.node)?.interfaces.find((x) => x.name === v.name);
    if (v.type !== 'vxlan' || !vif?.master || !vif.mtu) continue;
    const root = find(`br:${vif.master}`);
    const members = resolvedLinks
      .flatMap((l) => [l.a, l.b])
      .filter((e) => e.node && find(`if:${e.node}:${e.ifname}`) === root)
      .map((e) => ({ label: `${e.node}:${e.ifname}`, mtu: vctx.mtuOf(e.node!, e.ifname), overlay: false, pos: ifaces.get(`${e.node}:${e.ifname}`)?.pos ?? v.pos }));
    diags.push(...overlayMtuWarnings([{ label: `${v.node}:${v.name}`, mtu: vif.mtu, overlay: true, pos: v.pos }, ...members]));
  }

  // NAT may name other nodes (dnat to h1:80): resolved once every node is known
  nodes.forEach((nd, i) => {
    const devNames = new Set([...nd.interfaces.map((x) => x.name), ...resolvedBridges.filter((b) => b.node === nd.name).map((b) => b.name), 'lo']);
    const nat = resolveNat(nd.name, nd.raw, devNames, (t) => targetOf(t), at, diags);
    if (nat.length) nodes[i] = { ...nd, nat };
  });

  // ---- targets, used by NAT and tests
  function targetOf(t: string, from?: string): TargetResult {
    const addr = parseAddress(t);
    if (addr) return { ok: true, address: t, family: addr.family };
    const [node, ifname] = t.split(':');
    const nd = nodes.find((x) => x.name === node);
    if (!nd) {
      const guess = didYouMean(node, nodeNames);
      return { ok: false, message: `unknown node ${JSON.stringify(node)}`, hint: guess ? `did you mean ${JSON.stringify(guess)}?` : `nodes: ${nodeNames.join(', ')}` };
    }
    const own = [...nd.interfaces.filter((i) => i.name !== 'lo'), ...resolvedBridges.filter((b) => b.node === node).map((b) => ({ name: b.name, addresses: b.addresses }))];
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
    let pick = all.find((a) => !a.includes(':')) ?? all[0];
    if (from) {
      const fromNode = nodes.find((x) => x.name === from);
      const fromNets = [...(fromNode?.interfaces ?? []).flatMap((i) => i.addresses), ...resolvedBridges.filter((b) => b.node === from).flatMap((b) => b.addresses)]
        .map((a) => network(parsePrefix(a)!));
      const direct = all.find((a) => {
        const p = parsePrefix(a)!;
        return fromNets.some((fnet) => contains(fnet, p.family, p.addr) && fnet.len < (p.family === 4 ? 32 : 128));
      });
      if (direct && !direct.includes(':')) pick = direct;
      else if (direct && pick.includes(':')) pick = direct;
    }
    return { ok: true, address: pick.split('/')[0], family: pick.includes(':') ? 6 : 4, node };
  }

  // ---- tests
  const tests: ResolvedTest[] = [];
  const rawTests = Array.isArray(raw.tests) ? raw.tests : [];
  const testNames = rawTests.map((t: unknown) => (isObj(t) && typeof t.name === 'string' ? t.name : '')).filter(Boolean);
  const seenNames = new Map<string, number>();
  // what tests see of the extensions (a delete-pod action changes the cluster the tests after it see)
  const scopes = EXTENSIONS.map((ext) => ext.assertionContext?.(extras)).filter((x): x is TestScope => !!x);
  rawTests.forEach((t: unknown, i: number) => {
    if (!isObj(t)) return;
    const types = Object.keys(t).filter((k) => ASSERTIONS.has(k));
    const tpos = at(['tests', i]);
    if (types.length !== 1) {
      diags.push(
        error('test.type', types.length ? `test ${i + 1} has ${types.length} assertion types (${types.join(', ')}); give each its own list item` : `test ${i + 1} has no assertion type`, tpos, `each test has exactly one of: ${[...ASSERTIONS.keys()].join(', ')}`),
      );
      return;
    }
    const type = types[0];
    const def = ASSERTIONS.get(type)!;
    const name = typeof t.name === 'string' ? t.name : undefined;
    if (name) {
      if (seenNames.has(name)) diags.push(error('test.duplicate-name', `two tests are named ${JSON.stringify(name)}`, at(['tests', i, 'name']), `the other is test ${seenNames.get(name)! + 1}; names must be unique because tests refer to each other by name`));
      seenNames.set(name, i);
    }
    const ctx: ResolveContext = {
      nodeNames,
      hasNode: (x) => nodeSet.has(x),
      target: (to, from) => targetOf(to, from),
      at: (p, key) => at(['tests', i, type, ...p], key),
      unknownNode: (x, p) => unknownNode(x, ['tests', i, type, ...p]),
      testNames,
      testName: name,
      birdSocket: (x) => (nodes.find((y) => y.name === x)?.kind === 'bird' ? birdSocket(labName, x) : undefined),
      containers: (x) => {
        const nd = nodes.find((y) => y.name === x);
        return new Map((nd?.containers ?? []).map((c) => [c.name === nodeNetns(labName, x) ? x : (c.name.split('.').pop() ?? c.name), c.name]));
      },
      ...scopes.reduce<TestScope['context']>((all, sc) => ({ ...all, ...sc.context }), {}),
    };
    const r = def.resolve(asObj(t[type]), ctx);
    diags.push(...r.diagnostics);
    if (r.params) for (const sc of scopes) sc.resolved(type, r.params);
    const withinMs = t.within === undefined ? 0 : parseDurationMs(t.within);
    if (withinMs === undefined) diags.push(error('test.within', `within: ${JSON.stringify(t.within)} is not a duration`, at(['tests', i, 'within']), 'write e.g. 5s, 500ms or 2m'));
    if (r.params) tests.push({ index: i, name: name ?? def.describe(r.params), type, withinMs: withinMs ?? 0, params: r.params, pos: tpos });
  });

  const lab: ResolvedLab = {
    name: labName,
    description: typeof raw.description === 'string' ? raw.description : '',
    file: file.path,
    hash: file.hash,
    namePos: at(['name']),
    fabricNs: needFabric ? fabricNetns(labName) : undefined,
    nodes,
    bridges: resolvedBridges,
    links: resolvedLinks,
    tests,
    ...extras,
  };
  const errors = diags.filter((d) => d.severity === 'error');
  const draft = { lab, file };
  if (errors.length) return { diagnostics: dedupe(diags), draft };
  return { lab, diagnostics: dedupe(diags), draft };
}

/**
 * Each mistake once: a value the schema finds malformed and resolve explains better is reported once, by resolve;
 * the same message at the same place once.
 */
export function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const semantic = ds.filter((d) => !d.code.startsWith('schema.'));
  ds = ds.filter((d) => !(d.code.startsWith('schema.pattern') || d.code === 'schema.shape' || d.code === 'schema.range') || !semantic.some((o) => o.pos && d.pos && o.pos.line === d.pos.line && Math.abs(o.pos.col - d.pos.col) <= 2));
  return ds.filter((d) => {
    const k = `${d.pos?.line}:${d.pos?.col}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export { warning };
