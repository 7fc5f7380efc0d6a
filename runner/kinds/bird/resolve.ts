/**
 * kind: bird — the semantic checks of a BGP router's keys (asn, router-id, bgp, static, bird) and their resolved
 * form. Pure: needs only the lab's nodes with their addresses (BirdResolveContext). Every problem is a diagnostic
 * with the YAML position and a hint; the schema has already reported shape mistakes.
 */
import { didYouMean, error, warning, type Diagnostic, type SourcePos } from '../../config/diagnostics.ts';
import type { PathSeg } from '../../config/load.ts';
import { contains, formatAddress, formatPrefix, network, parseAddress, parsePrefix, type Prefix } from '../../model/ip.ts';
import type { BirdAnnounce, BirdNeighbor, BirdNodeInfo, BirdPolicy, BirdResolveContext, BirdSpec, BirdStatic, Community, PolicyRef, PrefixPattern } from './types.ts';
import { birdSymbol, community, ipv4, isAsn, networkPrefix, prefixPattern, protocolBaseName, staticRoute } from './values.ts';
import { isObj, type Obj } from '../../util/obj.ts';

export type { BirdResolveContext, BirdSpec } from './types.ts';

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

interface Addr {
  readonly iface: string;
  readonly family: 4 | 6;
  readonly addr: bigint;
  readonly net: Prefix;
  readonly text: string;
}

/** A node's addresses, lo first (the usual home of a router's ID and of multihop sessions). */
function addressesOf(info: BirdNodeInfo | undefined): Addr[] {
  const ifs = [...(info?.interfaces ?? [])].sort((a, b) => Number(b.name === 'lo') - Number(a.name === 'lo'));
  return ifs.flatMap((i) =>
    i.addresses.flatMap((a) => {
      const p = parsePrefix(a);
      return p ? [{ iface: i.name, family: p.family, addr: p.addr, net: network(p), text: formatAddress(p.family, p.addr) }] : [];
    }),
  );
}

/** Subnets a peer address may be on without multihop: not host routes (a /32 on lo connects to nothing). */
function onLink(own: Addr[], family: 4 | 6, addr: bigint): Addr | undefined {
  return own.find((o) => o.family === family && o.net.len < (family === 4 ? 32 : 128) && contains(o.net, family, addr));
}

/** What the parts of resolveBird share: the node, its addresses, the diagnostics, and whether something is broken. */
interface Reader {
  readonly node: string;
  readonly ctx: BirdResolveContext;
  readonly own: Addr[];
  readonly diags: Diagnostic[];
  /** A position under nodes.<node>. */
  at(p: readonly PathSeg[], key?: boolean): SourcePos;
  /** An error that still leaves a spec. */
  err(code: string, msg: string, pos: SourcePos, hint?: string): void;
  /** An error that leaves no spec. */
  fail(code: string, msg: string, pos: SourcePos, hint?: string): undefined;
  broken: boolean;
}

/** Marks the spec broken without an error of its own (another check reports it). */
const broken = (r: Reader): undefined => void (r.broken = true);

function reader(node: string, ctx: BirdResolveContext): Reader {
  const base: PathSeg[] = ['nodes', node];
  const r: Reader = {
    node,
    ctx,
    own: addressesOf(ctx.nodes.get(node)),
    diags: [],
    at: (p, key) => ctx.at([...base, ...p], key),
    err: (code, msg, pos, hint) => void r.diags.push(error(`bird.${code}`, msg, pos, hint)),
    fail: (code, msg, pos, hint) => {
      r.broken = true;
      r.err(code, msg, pos, hint);
      return undefined;
    },
    broken: false,
  };
  return r;
}

export function resolveBird(node: string, raw: Record<string, unknown>, ctx: BirdResolveContext): { spec?: BirdSpec; diagnostics: Diagnostic[] } {
  const r = reader(node, ctx);
  const nodePos = ctx.at(['nodes', node], true);
  const bgp = isObj(raw.bgp) ? raw.bgp : {};
  const asn = raw.asn;
  if (asn === undefined || asn === null) r.fail('asn', `BGP router ${node} has no asn`, nodePos, 'give it an AS number, e.g. `asn: 65001` (private ASNs: 64512–65534 and 4200000000–4294967294)');
  else if (!isAsn(asn)) r.fail('asn', `asn ${JSON.stringify(asn)} of ${node} is not an AS number`, r.at(['asn']), 'an AS number is a whole number from 1 to 4294967295 (private: 64512–65534)');
  const id = routerIdOf(r, raw['router-id'], nodePos);
  const policies = readPolicies(r, bgp.policies);
  const neighbors = readNeighbors(r, bgp.neighbors, asn, policyRef(r, policies.map((p) => p.name)));
  r.diags.push(...nextHopWarnings(neighbors, r.own, ctx));
  const clusterId = clusterIdOf(r, bgp['cluster-id'], neighbors);
  const announce = readAnnounce(r, bgp.announce, neighbors);
  if (isAsn(asn)) r.diags.push(...moasWarnings(node, asn, announce, ctx));
  const statics = readStatics(r, raw.static);
  const rawText = typeof raw.bird === 'string' ? { text: raw.bird, pos: r.at(['bird'], true) } : undefined;

  if (r.broken || !isAsn(asn) || !id) return { diagnostics: r.diags };
  const spec: BirdSpec = {
    node,
    runtime: raw.runtime === 'netns' ? 'netns' : 'container',
    asn,
    routerId: id.routerId,
    routerIdFrom: id.routerIdFrom,
    clusterId,
    neighbors,
    policies,
    announce,
    static: statics,
    raw: rawText,
    pos: nodePos,
    asnPos: r.at(['asn']),
  };
  return { spec, diagnostics: r.diags };
}

/** The router ID: as written, or the node's first IPv4 address. */
function routerIdOf(r: Reader, v: unknown, nodePos: SourcePos): { routerId: string; routerIdFrom: BirdSpec['routerIdFrom'] } | undefined {
  if (v !== undefined) {
    const routerId = ipv4(v);
    if (routerId) return { routerId, routerIdFrom: { key: true, pos: r.at(['router-id']) } };
    r.fail('router-id', `router-id ${JSON.stringify(v)} of ${r.node} is not an IPv4 address`, r.at(['router-id']), 'BGP router IDs are written as IPv4 addresses, e.g. 10.255.0.1 (even on IPv6-only routers)');
    return undefined;
  }
  const first = r.own.find((a) => a.family === 4);
  if (first) return { routerId: first.text, routerIdFrom: { key: false, iface: first.iface } };
  r.fail('router-id', `BGP router ${r.node} has no IPv4 address to take its router ID from`, r.ctx.at(['nodes', r.node], true), 'give it `router-id: 10.255.0.1`, or an IPv4 address, e.g. interfaces: { lo: { addresses: [10.255.0.1/32] } }');
  return undefined;
}

function readPolicies(r: Reader, raw: unknown): BirdPolicy[] {
  const policies: BirdPolicy[] = [];
  const symbols = new Set<string>();
  for (const [name, pr] of isObj(raw) ? Object.entries(raw) : []) {
    const pp: PathSeg[] = ['bgp', 'policies', name];
    if (name === 'all' || name === 'none') {
      r.fail('policy-name', `a policy cannot be named ${name}`, r.at(pp, true), `${name} already means BIRD's ${name} in import/export: choose another name`);
      continue;
    }
    policies.push(readPolicy(r, name, isObj(pr) ? pr : {}, pp, symbols));
  }
  return policies;
}

function readPolicy(r: Reader, name: string, p: Obj, pp: PathSeg[], symbols: Set<string>): BirdPolicy {
  const prefixes: PrefixPattern[] = [];
  list(p.prefixes).forEach((x, i) => {
    const v = prefixPattern(x);
    if (v.ok) prefixes.push(v.value);
    else r.fail('prefix', `policy ${name}: ${v.message}`, r.at([...pp, 'prefixes', i]), v.hint);
  });
  const comms = isObj(p.communities) ? p.communities : {};
  const readComms = (key: string): Community[] =>
    list(comms[key]).flatMap((x, i) => {
      const v = community(x);
      if (v.ok) return [v.value];
      r.fail('community', `policy ${name}: ${v.message}`, r.at([...pp, 'communities', key, i]), v.hint);
      return [];
    });
  const matchCommunities = readComms('match');
  const addCommunities = readComms('add');
  const action = p.action === 'reject' ? 'reject' : 'accept';
  const others = p.others === 'accept' || p.others === 'reject' ? p.others : action === 'accept' ? 'reject' : 'accept';
  if (action === 'reject' && others === 'reject') r.diags.push(warning('bird.policy', `policy ${name} rejects the routes it matches and all the others`, r.at([...pp, 'others']), 'write `none` in import/export instead, or leave others out (a reject policy passes the other routes)'));
  if (action === 'accept' && others === 'accept' && !prefixes.length && !matchCommunities.length) r.diags.push(warning('bird.policy', `policy ${name} matches every route, so others: accept changes nothing`, r.at([...pp, 'others']), 'others says what happens to the routes prefixes/communities.match leave out; leave it out'));
  if (action === 'reject') {
    const changes = ['local-pref', 'med', 'prepend'].filter((k) => p[k] !== undefined).concat(addCommunities.length ? ['communities.add'] : []);
    if (changes.length) r.diags.push(warning('bird.policy', `policy ${name} rejects the routes it matches, so ${changes.join(', ')} change nothing`, r.at([...pp, 'action']), 'action: reject drops matching routes and passes the others unchanged; use action: accept to change routes'));
    if (!prefixes.length && !matchCommunities.length) r.diags.push(warning('bird.policy', `policy ${name} rejects every route (it has no prefixes and no communities.match)`, r.at([...pp, 'action']), 'write `none` in import/export instead, or say which routes to reject'));
  }
  const localPref = typeof p['local-pref'] === 'number' ? p['local-pref'] : undefined;
  const med = typeof p.med === 'number' ? p.med : undefined;
  const prepend = typeof p.prepend === 'number' ? p.prepend : 0;
  return { name, filter: birdSymbol('policy_', name, symbols), prefixes, matchCommunities, addCommunities, localPref, med, prepend, action, others, pos: r.at(pp, true) };
}

/** Reads a neighbor's import/export: default, all, none or a policy of this router. */
function policyRef(r: Reader, policyNames: readonly string[]): (v: unknown, path: PathSeg[]) => PolicyRef {
  return (v, path) => {
    if (v === undefined || v === null) return { type: 'default' };
    if (v === 'all' || v === 'none') return { type: v };
    const s = String(v);
    if (policyNames.includes(s)) return { type: 'policy', name: s };
    const guess = didYouMean(s, [...policyNames, 'all', 'none']);
    r.fail('policy-unknown', `unknown policy ${JSON.stringify(s)}`, r.at(path), guess ? `did you mean ${JSON.stringify(guess)}?` : policyNames.length ? `policies of ${r.node}: ${policyNames.join(', ')}; or all, none` : `define it under nodes.${r.node}.bgp.policies, or write all or none`);
    return { type: 'default' };
  };
}

function readNeighbors(r: Reader, raw: unknown, asn: unknown, ref: (v: unknown, path: PathSeg[]) => PolicyRef): BirdNeighbor[] {
  const neighbors: BirdNeighbor[] = [];
  const seen = new Map<string, number>();
  const protocolNames = new Set<string>(['device', 'kernel4', 'kernel6', 'announce4', 'announce6', 'static4', 'static6']);
  list(raw).forEach((nr, i) => {
    const n = neighborOf(r, isObj(nr) ? nr : {}, i, asn, seen);
    if (!n) return;
    const np: PathSeg[] = ['bgp', 'neighbors', i];
    const o = isObj(nr) ? nr : {};
    neighbors.push({
      ...n,
      protocol: birdSymbol('to_', protocolBaseName(n.peer), protocolNames),
      passive: o.passive === true,
      password: typeof o.password === 'string' ? o.password : undefined,
      nextHopSelf: o['next-hop-self'] === true,
      import: ref(o.import, [...np, 'import']),
      export: ref(o.export, [...np, 'export']),
      description: typeof o.description === 'string' ? o.description : undefined,
      pos: r.at(np),
    });
  });
  return neighbors;
}

type NeighborCore = Pick<BirdNeighbor, 'peer' | 'peerNode' | 'address' | 'family' | 'local' | 'asn' | 'ibgp' | 'multihop' | 'rrClient'>;

/** One neighbor's session: its address, its AS, iBGP or eBGP; undefined when it is broken (and reported). */
function neighborOf(r: Reader, n: Obj, i: number, asn: unknown, seen: Map<string, number>): NeighborCore | undefined {
  const np: PathSeg[] = ['bgp', 'neighbors', i];
  const { node, ctx } = r;
  const peer = typeof n.peer === 'string' ? n.peer.trim() : '';
  if (!peer) return broken(r); // the schema said it
  const multihop = n.multihop === true || (typeof n.multihop === 'number' && n.multihop > 0) ? (n.multihop as true | number) : false;
  const target = peerAddress(node, peer, r.own, multihop !== false, ctx);
  if (!target.ok) return r.fail(target.code, target.message, r.at([...np, 'peer']), target.hint);
  const { address, family, peerNode, local } = target;
  const dup = seen.get(address);
  if (dup !== undefined) return r.fail('neighbor-duplicate', `${node} has two neighbors at ${address}`, r.at([...np, 'peer']), `neighbor ${dup + 1} is the same session; remove one`);
  seen.set(address, i);
  let peerAsn: number | undefined;
  if (n.asn !== undefined) {
    peerAsn = isAsn(n.asn) ? n.asn : undefined;
    // the neighbor is a router of the lab: the AS written here must be the one it is in, or the session never comes up
    const theirs = peerNode !== undefined ? ctx.nodes.get(peerNode)?.asn : undefined;
    if (peerAsn !== undefined && isAsn(theirs) && theirs !== peerAsn) {
      return r.fail('neighbor-asn', `neighbor ${peer} is given AS ${peerAsn}, but ${peerNode} is in AS ${theirs}`, r.at([...np, 'asn']), `BGP refuses a peer in another AS than configured: write asn: ${theirs}, or leave asn out (it is taken from ${peerNode})`);
    }
  } else if (peerNode !== undefined) {
    const info = ctx.nodes.get(peerNode);
    if (isAsn(info?.asn)) peerAsn = info.asn;
    else if (info?.kind !== 'bird') return r.fail('neighbor-asn', `neighbor ${peer} is not a BGP router of the lab (kind: ${info?.kind ?? 'netns'}) and has no asn`, r.at([...np, 'peer']), `say which AS it is in: add \`asn: <number>\` to this neighbor (or to node ${peerNode})`);
    else return broken(r); // that router's own check reports its missing asn
  } else return r.fail('neighbor-asn', `neighbor ${peer} has no asn`, r.at(np), 'a neighbor given by address needs its AS number: add `asn: <number>`');
  if (peerAsn === undefined) return broken(r);
  for (const key of ['password', 'description']) {
    const v = n[key];
    if (typeof v === 'string' && /["\n]/.test(v)) r.fail('string', `neighbor ${peer}: the ${key} contains a double quote or a line break`, r.at([...np, key]), 'BIRD strings cannot hold these characters: leave them out');
  }
  const back = peerNode !== undefined ? ctx.nodes.get(peerNode) : undefined;
  if (back?.kind === 'bird' && back.raw && !namesUs(back.raw, node, r.own)) r.diags.push(warning('bird.neighbor-one-sided', `${peerNode} has no neighbor ${node}: this session cannot come up`, r.at([...np, 'peer']), `add \`{ peer: ${node} }\` to nodes.${peerNode}.bgp.neighbors`));
  const ibgp = isAsn(asn) && peerAsn === asn;
  const rrClient = n['rr-client'] === true;
  // this router without an AS number: its own check says so (not "…, not undefined")
  if (rrClient && isAsn(asn) && !ibgp) r.fail('rr-client-ebgp', `neighbor ${peer} is in AS ${peerAsn}, not ${String(asn)}: only iBGP neighbors can be route reflector clients`, r.at([...np, 'rr-client'], true), 'remove rr-client, or give the neighbor the same asn as this router');
  return { peer, peerNode, address, family, local, asn: peerAsn, ibgp, multihop, rrClient };
}

function clusterIdOf(r: Reader, v: unknown, neighbors: readonly BirdNeighbor[]): string | undefined {
  if (v === undefined) return undefined;
  const clusterId = ipv4(v);
  if (!clusterId) r.fail('cluster-id', `cluster-id ${JSON.stringify(v)} is not an IPv4 address`, r.at(['bgp', 'cluster-id']), 'a cluster ID is written like an IPv4 address, e.g. 10.255.0.100');
  else if (!neighbors.some((x) => x.rrClient)) r.fail('cluster-id', `cluster-id is set but ${r.node} has no route reflector clients`, r.at(['bgp', 'cluster-id'], true), 'mark the client sessions with `rr-client: true`, or remove cluster-id');
  return clusterId;
}

/**
 * The same prefix announced by routers of two ASes (multiple-origin AS, RFC 1930's "MOAS"): legal, and what anycast
 * does on purpose, but in a lab usually a copy-and-paste slip; each router then prefers its own. Said once, by the
 * router whose name sorts first.
 */
function moasWarnings(node: string, asn: number, announce: readonly BirdAnnounce[], ctx: BirdResolveContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [other, info] of ctx.nodes) {
    if (other <= node || info.kind !== 'bird' || !isAsn(info.raw?.asn) || info.raw.asn === asn) continue;
    const theirs = list(isObj(info.raw?.bgp) ? info.raw.bgp.announce : undefined).flatMap((x) => {
      const v = networkPrefix(x);
      return v.ok ? [v.value.prefix] : [];
    });
    for (const a of announce) {
      if (theirs.includes(a.prefix)) out.push(warning('bird.moas', `${a.prefix} is announced by ${node} (AS ${asn}) and by ${other} (AS ${String(info.raw.asn)})`, a.pos, 'two origin ASes for one prefix is anycast when meant; if not, announce it from one of them only'));
    }
  }
  return out;
}

function readAnnounce(r: Reader, raw: unknown, neighbors: readonly BirdNeighbor[]): BirdAnnounce[] {
  const announce: BirdAnnounce[] = [];
  list(raw).forEach((x, i) => {
    const v = networkPrefix(x);
    if (!v.ok) return r.fail('announce', `bgp.announce: ${v.message}`, r.at(['bgp', 'announce', i]), v.hint);
    if (announce.some((a) => a.prefix === v.value.prefix)) return r.err('announce', `${v.value.prefix} is announced twice`, r.at(['bgp', 'announce', i]), 'remove one');
    announce.push({ prefix: v.value.prefix, family: v.value.family, pos: r.at(['bgp', 'announce', i]) });
  });
  for (const fam of [6, 4] as const) {
    const first = announce.find((a) => a.family === fam);
    if (first && neighbors.length && !neighbors.some((x) => x.family === fam)) r.diags.push(warning('bird.announce-family', `${first.prefix} is announced, but ${r.node} has no IPv${fam} neighbor to announce it to`, first.pos, `BGP sessions carry the family of their address: add a neighbor with an IPv${fam} address`));
  }
  return announce;
}

function readStatics(r: Reader, raw: unknown): BirdStatic[] {
  const statics: BirdStatic[] = [];
  list(raw).forEach((x, i) => {
    const s = staticRoute(x);
    if (!s.ok) return r.fail('static', `${r.node}: ${s.message}`, r.at(['static', i]), s.hint);
    const v = s.value;
    if (v.via) {
      const gw = parseAddress(v.via)!;
      if (!onLink(r.own, gw.family, gw.addr)) {
        const nets = r.own.filter((o) => o.family === gw.family).map((o) => formatPrefix(o.net));
        return r.fail('static-gateway', `static route to ${v.to}: gateway ${v.via} is not on a subnet connected to ${r.node}`, r.at(['static', i]), nets.length ? `${r.node} is connected to ${nets.join(', ')}` : `${r.node} has no IPv${gw.family} address`);
      }
    }
    statics.push({ ...v, pos: r.at(['static', i]) });
  });
  return statics;
}

/** Does a router's raw bgp.neighbors name `node` (by name, node:interface, or one of its addresses)? */
function namesUs(raw: Readonly<Record<string, unknown>>, node: string, own: Addr[]): boolean {
  const bgp = isObj(raw.bgp) ? raw.bgp : {};
  return list(bgp.neighbors).some((n) => {
    const peer = isObj(n) && typeof n.peer === 'string' ? n.peer.trim() : '';
    const a = parseAddress(peer);
    return peer === node || peer.startsWith(`${node}:`) || (a !== undefined && own.some((o) => o.family === a.family && o.addr === a.addr));
  });
}

/** The keys only a BGP router uses (`asn` is not among them: any node may say which AS it is in). */
export const BIRD_ONLY_KEYS = ['runtime', 'router-id', 'bgp', 'static', 'bird'] as const;

/** For a node of another kind: an error for each key that only means something on kind: bird. */
export function birdKeysElsewhere(node: string, kind: string, raw: Record<string, unknown>, ctx: Pick<BirdResolveContext, 'at'>): Diagnostic[] {
  return BIRD_ONLY_KEYS.filter((k) => raw[k] !== undefined).map((k) =>
    error('bird.key-on-other-kind', `${k} is a key of BGP routers, but ${node} is of kind ${kind}`, ctx.at(['nodes', node, k], true), `make ${node} a BGP router with \`kind: bird\`, or remove ${k}`),
  );
}

/**
 * iBGP passes next hops on unchanged. A directly connected iBGP neighbor that is not on the subnet of such a next hop
 * drops the route (BIRD: "Invalid NEXT_HOP attribute - address … not directly reachable"): say so, and name the fix.
 */
function nextHopWarnings(neighbors: readonly BirdNeighbor[], own: Addr[], ctx: BirdResolveContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const to of neighbors) {
    if (!to.ibgp || to.nextHopSelf || to.multihop !== false) continue;
    const theirs = to.peerNode !== undefined ? addressesOf(ctx.nodes.get(to.peerNode)) : [];
    const peer = parseAddress(to.address)!;
    const nets = [...theirs, ...own.filter((o) => contains(o.net, peer.family, peer.addr))].map((a) => a.net).filter((n) => n.len < (n.family === 4 ? 32 : 128));
    const passedOn = neighbors.filter((from) => from !== to && from.family === to.family && (!from.ibgp || to.rrClient || from.rrClient));
    const far = passedOn.filter((from) => {
      const a = parseAddress(from.address)!;
      return !nets.some((n) => contains(n, a.family, a.addr));
    });
    if (!far.length) continue;
    out.push(
      warning(
        'bird.next-hop',
        `routes from ${far.map((f) => f.peer).join(', ')} reach iBGP neighbor ${to.peer} with their next hop unchanged (${far.map((f) => f.address).join(', ')}), which is not on a subnet of ${to.peer}: BIRD there drops them as "not directly reachable"`,
        to.pos,
        'add `next-hop-self: true` to this neighbor (the usual setting on border routers and route reflectors)',
      ),
    );
  }
  return out;
}

type PeerResult =
  | { ok: true; address: string; family: 4 | 6; peerNode?: string; local?: string }
  | { ok: false; code: string; message: string; hint: string };

/**
 * The peer's address. A node: its address on a subnet shared with this router (IPv4 first); with multihop and no
 * shared subnet, its first address (lo first). node:iface: that interface's address. An address: itself.
 */
function peerAddress(self: string, peer: string, own: Addr[], multihop: boolean, ctx: BirdResolveContext): PeerResult {
  const ownLo = (fam: 4 | 6): string | undefined => own.find((o) => o.family === fam && o.iface === 'lo')?.text;
  const literal = parseAddress(peer);
  if (literal) {
    const address = formatAddress(literal.family, literal.addr);
    if (own.some((o) => o.family === literal.family && o.addr === literal.addr)) return { ok: false, code: 'neighbor-self', message: `neighbor ${peer} is an address of ${self} itself`, hint: 'a BGP session needs another router: give the neighbor’s address' };
    // an address of a node of the lab: that node is the peer (its asn applies)
    const owner = [...ctx.nodes].find(([, info]) => addressesOf(info).some((a) => a.family === literal.family && a.addr === literal.addr))?.[0];
    const link = onLink(own, literal.family, literal.addr);
    if (link) return { ok: true, address, family: literal.family, peerNode: owner, local: link.text };
    if (!multihop) return notOnLink(self, peer, address, literal.family, own);
    return { ok: true, address, family: literal.family, peerNode: owner, local: ownLo(literal.family) };
  }
  const c = peer.indexOf(':');
  const name = c < 0 ? peer : peer.slice(0, c);
  const ifname = c < 0 ? undefined : peer.slice(c + 1);
  const info = ctx.nodes.get(name);
  if (!info) {
    const names = [...ctx.nodes.keys()].filter((n) => n !== self);
    const guess = didYouMean(name, names);
    return { ok: false, code: 'neighbor-unknown', message: `neighbor ${JSON.stringify(peer)} is neither a node of this lab nor an address`, hint: guess ? `did you mean ${JSON.stringify(ifname === undefined ? guess : `${guess}:${ifname}`)}?` : `nodes: ${names.join(', ') || '(none)'}; or write the neighbor's address` };
  }
  if (name === self) return { ok: false, code: 'neighbor-self', message: `${self} cannot be its own BGP neighbor`, hint: 'name another router of the lab' };
  let theirs = addressesOf(info);
  if (ifname !== undefined) {
    theirs = theirs.filter((a) => a.iface === ifname);
    if (!info.interfaces.some((i) => i.name === ifname)) {
      const guess = didYouMean(ifname, info.interfaces.map((i) => i.name));
      return { ok: false, code: 'neighbor-unknown', message: `node ${name} has no interface ${ifname}`, hint: guess ? `did you mean ${name}:${guess}?` : `its interfaces: ${info.interfaces.map((i) => i.name).join(', ') || '(none)'}` };
    }
  }
  if (!theirs.length) return { ok: false, code: 'neighbor-address', message: `neighbor ${peer} has no address to peer with`, hint: `give ${ifname === undefined ? name : peer} an address` };
  const shared = [4, 6].flatMap((fam) => theirs.filter((t) => t.family === fam).flatMap((t) => (onLink(own, t.family, t.addr) ? [t] : [])));
  const pick = shared[0];
  if (pick) return { ok: true, address: pick.text, family: pick.family, peerNode: name, local: onLink(own, pick.family, pick.addr)!.text };
  const any = theirs.find((t) => t.family === 4) ?? theirs[0];
  if (!multihop) return notOnLink(self, peer, any.text, any.family, own);
  return { ok: true, address: any.text, family: any.family, peerNode: name, local: ownLo(any.family) };
}

function notOnLink(self: string, peer: string, address: string, family: 4 | 6, own: Addr[]): PeerResult {
  const nets = own.filter((o) => o.family === family && o.net.len < (family === 4 ? 32 : 128)).map((o) => formatPrefix(o.net));
  const where = peer === address ? peer : `${peer} (${address})`;
  return {
    ok: false,
    code: 'neighbor-not-connected',
    message: `neighbor ${where} is not on a subnet connected to ${self}`,
    hint: `add \`multihop: true\` to the neighbor (and give ${self} a route to it, e.g. under static:), or peer on a shared subnet${nets.length ? `: ${self} is on ${nets.join(', ')}` : ''}`,
  };
}

