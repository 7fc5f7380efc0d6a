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

export function resolveBird(node: string, raw: Record<string, unknown>, ctx: BirdResolveContext): { spec?: BirdSpec; diagnostics: Diagnostic[] } {
  const diags: Diagnostic[] = [];
  const base: PathSeg[] = ['nodes', node];
  const at = (p: readonly PathSeg[], key?: boolean): SourcePos => ctx.at([...base, ...p], key);
  const err = (code: string, msg: string, pos: SourcePos, hint?: string): void => void diags.push(error(`bird.${code}`, msg, pos, hint));
  const nodePos = ctx.at(base, true);
  const own = addressesOf(ctx.nodes.get(node));
  const bgp = isObj(raw.bgp) ? raw.bgp : {};
  let broken = false;
  const fail = (code: string, msg: string, pos: SourcePos, hint?: string): void => {
    broken = true;
    err(code, msg, pos, hint);
  };

  // ---- asn, router-id
  const asn = raw.asn;
  if (asn === undefined || asn === null) fail('asn', `BGP router ${node} has no asn`, nodePos, 'give it an AS number, e.g. `asn: 65001` (private ASNs: 64512–65534 and 4200000000–4294967294)');
  else if (!isAsn(asn)) fail('asn', `asn ${JSON.stringify(asn)} of ${node} is not an AS number`, at(['asn']), 'an AS number is a whole number from 1 to 4294967295 (private: 64512–65534)');
  let routerId: string | undefined;
  let routerIdFrom: BirdSpec['routerIdFrom'] | undefined;
  if (raw['router-id'] !== undefined) {
    routerId = ipv4(raw['router-id']);
    if (!routerId) fail('router-id', `router-id ${JSON.stringify(raw['router-id'])} of ${node} is not an IPv4 address`, at(['router-id']), 'BGP router IDs are written as IPv4 addresses, e.g. 10.255.0.1 (even on IPv6-only routers)');
    else routerIdFrom = { key: true, pos: at(['router-id']) };
  } else {
    const first = own.find((a) => a.family === 4);
    if (first) {
      routerId = first.text;
      routerIdFrom = { key: false, iface: first.iface };
    } else fail('router-id', `BGP router ${node} has no IPv4 address to take its router ID from`, nodePos, 'give it `router-id: 10.255.0.1`, or an IPv4 address, e.g. interfaces: { lo: { addresses: [10.255.0.1/32] } }');
  }

  // ---- policies
  const policies: BirdPolicy[] = [];
  const symbols = new Set<string>();
  const rawPolicies = isObj(bgp.policies) ? Object.entries(bgp.policies) : [];
  for (const [name, pr] of rawPolicies) {
    const pp: PathSeg[] = ['bgp', 'policies', name];
    if (name === 'all' || name === 'none') {
      fail('policy-name', `a policy cannot be named ${name}`, at(pp, true), `${name} already means BIRD's ${name} in import/export: choose another name`);
      continue;
    }
    const p = isObj(pr) ? pr : {};
    const prefixes: PrefixPattern[] = [];
    list(p.prefixes).forEach((x, i) => {
      const r = prefixPattern(x);
      if (r.ok) prefixes.push(r.value);
      else fail('prefix', `policy ${name}: ${r.message}`, at([...pp, 'prefixes', i]), r.hint);
    });
    const comms = isObj(p.communities) ? p.communities : {};
    const readComms = (key: string): Community[] =>
      list(comms[key]).flatMap((x, i) => {
        const r = community(x);
        if (r.ok) return [r.value];
        fail('community', `policy ${name}: ${r.message}`, at([...pp, 'communities', key, i]), r.hint);
        return [];
      });
    const matchCommunities = readComms('match');
    const addCommunities = readComms('add');
    const action = p.action === 'reject' ? 'reject' : 'accept';
    const localPref = typeof p['local-pref'] === 'number' ? p['local-pref'] : undefined;
    const med = typeof p.med === 'number' ? p.med : undefined;
    const prepend = typeof p.prepend === 'number' ? p.prepend : 0;
    if (action === 'reject') {
      const changes = ['local-pref', 'med', 'prepend'].filter((k) => p[k] !== undefined).concat(addCommunities.length ? ['communities.add'] : []);
      if (changes.length) diags.push(warning('bird.policy', `policy ${name} rejects the routes it matches, so ${changes.join(', ')} change nothing`, at([...pp, 'action']), 'action: reject drops matching routes and passes the others unchanged; use action: accept to change routes'));
      if (!prefixes.length && !matchCommunities.length) diags.push(warning('bird.policy', `policy ${name} rejects every route (it has no prefixes and no communities.match)`, at([...pp, 'action']), 'write `none` in import/export instead, or say which routes to reject'));
    }
    policies.push({ name, filter: birdSymbol('policy_', name, symbols), prefixes, matchCommunities, addCommunities, localPref, med, prepend, action, pos: at(pp, true) });
  }
  const policyNames = policies.map((p) => p.name);
  const ref = (v: unknown, path: PathSeg[]): PolicyRef => {
    if (v === undefined || v === null) return { type: 'default' };
    if (v === 'all' || v === 'none') return { type: v };
    const s = String(v);
    if (policyNames.includes(s)) return { type: 'policy', name: s };
    const guess = didYouMean(s, [...policyNames, 'all', 'none']);
    fail('policy-unknown', `unknown policy ${JSON.stringify(s)}`, at(path), guess ? `did you mean ${JSON.stringify(guess)}?` : policyNames.length ? `policies of ${node}: ${policyNames.join(', ')}; or all, none` : `define it under nodes.${node}.bgp.policies, or write all or none`);
    return { type: 'default' };
  };

  // ---- neighbors
  const neighbors: BirdNeighbor[] = [];
  const seen = new Map<string, number>();
  const protocolNames = new Set<string>(['device', 'kernel4', 'kernel6', 'announce4', 'announce6', 'static4', 'static6']);
  list(bgp.neighbors).forEach((nr, i) => {
    const np: PathSeg[] = ['bgp', 'neighbors', i];
    const n = isObj(nr) ? nr : {};
    const peer = typeof n.peer === 'string' ? n.peer.trim() : '';
    if (!peer) return (broken = true); // the schema said it
    const multihop = n.multihop === true || (typeof n.multihop === 'number' && n.multihop > 0) ? (n.multihop as true | number) : false;
    const target = peerAddress(node, peer, own, multihop !== false, ctx);
    if (!target.ok) return fail(target.code, target.message, at([...np, 'peer']), target.hint);
    const { address, family, peerNode, local } = target;
    const dup = seen.get(address);
    if (dup !== undefined) return fail('neighbor-duplicate', `${node} has two neighbors at ${address}`, at([...np, 'peer']), `neighbor ${dup + 1} is the same session; remove one`);
    seen.set(address, i);
    let peerAsn: number | undefined;
    if (n.asn !== undefined) peerAsn = isAsn(n.asn) ? n.asn : undefined;
    else if (peerNode !== undefined) {
      const info = ctx.nodes.get(peerNode);
      if (isAsn(info?.asn)) peerAsn = info.asn;
      else if (info?.kind !== 'bird') return fail('neighbor-asn', `neighbor ${peer} is not a BGP router of the lab (kind: ${info?.kind ?? 'netns'}) and has no asn`, at([...np, 'peer']), `say which AS it is in: add \`asn: <number>\` to this neighbor (or to node ${peerNode})`);
      else return void (broken = true); // that router's own check reports its missing asn
    } else return fail('neighbor-asn', `neighbor ${peer} has no asn`, at(np), 'a neighbor given by address needs its AS number: add `asn: <number>`');
    if (peerAsn === undefined) return void (broken = true);
    for (const key of ['password', 'description']) {
      if (typeof n[key] === 'string' && /["\n]/.test(n[key])) fail('string', `neighbor ${peer}: the ${key} contains a double quote or a line break`, at([...np, key]), 'BIRD strings cannot hold these characters: leave them out');
    }
    const back = peerNode !== undefined ? ctx.nodes.get(peerNode) : undefined;
    if (back?.kind === 'bird' && back.raw && !namesUs(back.raw, node, own)) diags.push(warning('bird.neighbor-one-sided', `${peerNode} has no neighbor ${node}: this session cannot come up`, at([...np, 'peer']), `add \`{ peer: ${node} }\` to nodes.${peerNode}.bgp.neighbors`));
    const ibgp = isAsn(asn) && peerAsn === asn;
    const rrClient = n['rr-client'] === true;
    if (rrClient && !ibgp) fail('rr-client-ebgp', `neighbor ${peer} is in AS ${peerAsn}, not ${String(asn)}: only iBGP neighbors can be route reflector clients`, at([...np, 'rr-client'], true), 'remove rr-client, or give the neighbor the same asn as this router');
    neighbors.push({
      protocol: birdSymbol('to_', protocolBaseName(peer), protocolNames),
      peer,
      peerNode,
      address,
      family,
      local,
      asn: peerAsn,
      ibgp,
      multihop,
      passive: n.passive === true,
      password: typeof n.password === 'string' ? n.password : undefined,
      rrClient,
      nextHopSelf: n['next-hop-self'] === true,
      import: ref(n.import, [...np, 'import']),
      export: ref(n.export, [...np, 'export']),
      description: typeof n.description === 'string' ? n.description : undefined,
      pos: at(np),
    });
  });

  diags.push(...nextHopWarnings(neighbors, own, ctx));

  // ---- cluster-id, announce, static, bird
  let clusterId: string | undefined;
  if (bgp['cluster-id'] !== undefined) {
    clusterId = ipv4(bgp['cluster-id']);
    if (!clusterId) fail('cluster-id', `cluster-id ${JSON.stringify(bgp['cluster-id'])} is not an IPv4 address`, at(['bgp', 'cluster-id']), 'a cluster ID is written like an IPv4 address, e.g. 10.255.0.100');
    else if (!neighbors.some((x) => x.rrClient)) fail('cluster-id', `cluster-id is set but ${node} has no route reflector clients`, at(['bgp', 'cluster-id'], true), 'mark the client sessions with `rr-client: true`, or remove cluster-id');
  }
  const announce: BirdAnnounce[] = [];
  list(bgp.announce).forEach((x, i) => {
    const r = networkPrefix(x);
    if (!r.ok) return fail('announce', `bgp.announce: ${r.message}`, at(['bgp', 'announce', i]), r.hint);
    if (announce.some((a) => a.prefix === r.value.prefix)) return err('announce', `${r.value.prefix} is announced twice`, at(['bgp', 'announce', i]), 'remove one');
    announce.push({ prefix: r.value.prefix, family: r.value.family, pos: at(['bgp', 'announce', i]) });
  });
  for (const fam of [6, 4] as const) {
    const first = announce.find((a) => a.family === fam);
    if (first && neighbors.length && !neighbors.some((x) => x.family === fam)) diags.push(warning('bird.announce-family', `${first.prefix} is announced, but ${node} has no IPv${fam} neighbor to announce it to`, first.pos, `BGP sessions carry the family of their address: add a neighbor with an IPv${fam} address`));
  }
  const statics: BirdStatic[] = [];
  list(raw.static).forEach((x, i) => {
    const r = staticRoute(x);
    if (!r.ok) return fail('static', `${node}: ${r.message}`, at(['static', i]), r.hint);
    const v = r.value;
    if (v.via) {
      const gw = parseAddress(v.via)!;
      if (!onLink(own, gw.family, gw.addr)) {
        const nets = own.filter((o) => o.family === gw.family).map((o) => formatPrefix(o.net));
        return fail('static-gateway', `static route to ${v.to}: gateway ${v.via} is not on a subnet connected to ${node}`, at(['static', i]), nets.length ? `${node} is connected to ${nets.join(', ')}` : `${node} has no IPv${gw.family} address`);
      }
    }
    statics.push({ ...v, pos: at(['static', i]) });
  });
  const rawText = typeof raw.bird === 'string' ? { text: raw.bird, pos: at(['bird'], true) } : undefined;

  if (broken || !isAsn(asn) || !routerId || !routerIdFrom) return { diagnostics: diags };
  const spec: BirdSpec = {
    node,
    runtime: raw.runtime === 'netns' ? 'netns' : 'container',
    asn,
    routerId,
    routerIdFrom,
    clusterId,
    neighbors,
    policies,
    announce,
    static: statics,
    raw: rawText,
    pos: nodePos,
    asnPos: at(['asn']),
  };
  return { spec, diagnostics: diags };
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

