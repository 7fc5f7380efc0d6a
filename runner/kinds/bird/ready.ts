/**
 * When a lab of BGP routers is ready: every session both ends configure is Established, and every router has the
 * routes the model says it must learn. Those routes come from propagating each router's `announce` prefixes through
 * the sessions as BGP would: export and import policies (all / none / nslab's eBGP default / named prefix and
 * community policies), eBGP AS-path loop prevention, iBGP split horizon and route reflection, next hops (rewritten
 * on eBGP and with next-hop-self, kept on plain iBGP and by reflectors). A route whose next hop is on one of the
 * router's subnets is expected in its kernel table; any other only in BIRD's table (it would need an IGP). Where the model cannot tell (a policy matching
 * communities the route may not carry), nothing is expected beyond that point: readiness never demands what BGP
 * might rightly not do.
 */
import { contains, formatPrefix, network, parseAddress, parsePrefix } from '../../model/ip.ts';
import type { ReadyItem, ReadyOutput, ReadyProbe } from '../../model/ready.ts';
import { parseProtocols, parseRoutes, stateOf, stateText } from '../../../assertions/birdc.ts';
import type { BirdNeighbor, BirdPolicy, BirdSpec, PolicyRef, PrefixPattern } from './types.ts';

/** A route as it travels: where it came from decides where it may go next. */
interface Travel {
  readonly prefix: string;
  readonly family: 4 | 6;
  readonly asPath: readonly number[];
  readonly communities: readonly string[];
  /** How the holder learned it: originated, over eBGP, or over iBGP (from an rr client or not). */
  readonly via: 'origin' | 'ebgp' | 'ibgp' | 'ibgp-client';
  /** The route's next hop as its holder sees it (undefined for a route the holder originates). */
  readonly nextHop?: string;
  /** The router it was learned from (undefined for a route the holder originates). */
  readonly from?: string;
}

export interface ExpectedRoute {
  readonly prefix: string;
  /** Expected in the kernel table (else only in BIRD's). */
  readonly kernel: boolean;
  /** The next hop BGP gives it, and the router it was learned from (the packet walk's prediction, issue 12). */
  readonly nextHop?: string;
  readonly from?: string;
}

/** Whether `prefix` (canonical a.b.c.d/len) matches a BIRD prefix pattern (/8, /8+, /8-, /8{16,24}). */
export function matchesPattern(prefix: string, pattern: string): boolean {
  const m = /^(.+)\/(\d+)(\+|-|\{(\d+),(\d+)\})?$/.exec(pattern);
  const p = parsePrefix(prefix);
  const net = m ? parsePrefix(`${m[1]}/${m[2]}`) : undefined;
  if (!m || !p || !net || p.family !== net.family) return false;
  const len = Number(m[2]);
  const [lo, hi] = m[3] === '+' ? [len, p.family === 4 ? 32 : 128] : m[3] === '-' ? [0, len] : m[4] ? [Number(m[4]), Number(m[5])] : [len, len];
  if (p.len < lo || p.len > hi) return false;
  // the route's first min(len) bits equal the pattern's
  const l = Math.min(len, p.len);
  return formatPrefix(network({ ...p, len: l })) === formatPrefix(network({ ...net, len: l }));
}

type Verdict = { pass: true; communities: readonly string[] } | { pass: false } | { unknown: true };

function applyPolicy(r: Travel, p: BirdPolicy): Verdict {
  const prefixHit = !p.prefixes.length || p.prefixes.some((x: PrefixPattern) => x.family === r.family && matchesPattern(r.prefix, x.text));
  const comms = p.matchCommunities.map(([a, b]) => `${a}:${b}`);
  const commHit = !comms.length || comms.some((c) => r.communities.includes(c));
  const matched = prefixHit && commHit;
  if (p.action === 'accept') {
    if (!matched) return p.others === 'accept' ? { pass: true, communities: r.communities } : { pass: false };
    return { pass: true, communities: [...r.communities, ...p.addCommunities.map(([a, b]) => `${a}:${b}`)] };
  }
  const conds = p.prefixes.length || comms.length;
  if (!conds) return { pass: false };
  return matched || p.others === 'reject' ? { pass: false } : { pass: true, communities: r.communities };
}

function filter(ref: PolicyRef, spec: BirdSpec, r: Travel): Verdict {
  if (ref.type === 'none') return { pass: false };
  if (ref.type === 'all') return { pass: true, communities: r.communities };
  if (ref.type === 'default') {
    // nslab's defaults (config.ts): import all; export all to iBGP; to eBGP what it announces and learned by BGP
    return { pass: true, communities: r.communities };
  }
  const p = spec.policies.find((x) => x.name === ref.name);
  return p ? applyPolicy(r, p) : { unknown: true };
}

/** Whether `addr` is on a subnet of one of `node`'s interfaces (the kernel installs a route via it without an IGP). */
function connected(addr: string | undefined, node: string, addresses: ReadonlyMap<string, readonly string[]>): boolean {
  const a = addr ? parseAddress(addr) : undefined;
  if (!a) return false;
  return (addresses.get(node) ?? []).some((cidr) => {
    const p = parsePrefix(cidr);
    return p !== undefined && p.family === a.family && contains(network(p), a.family, a.addr);
  });
}

/** The neighbor entry on `peer` that points back at `self` with consistent AS numbers, if both ends configure it. */
function backEdge(self: BirdSpec, n: BirdNeighbor, specs: ReadonlyMap<string, BirdSpec>, addresses: ReadonlyMap<string, readonly string[]>): BirdNeighbor | undefined {
  if (!n.peerNode) return undefined;
  const peer = specs.get(n.peerNode);
  if (!peer || peer.asn !== n.asn) return undefined;
  const mine = new Set((addresses.get(self.node) ?? []).map((c) => c.split('/')[0]));
  return peer.neighbors.find((b) => b.asn === self.asn && (b.peerNode === self.node || mine.has(b.address)) && b.family === n.family && b.password === n.password);
}

/**
 * Routes each router must learn: node → expected routes (prefixes it originates itself left out).
 * `addresses` are every node's interface addresses with their prefix length (10.0.12.1/24).
 */
export function expectedRoutes(specs: readonly BirdSpec[], addresses: ReadonlyMap<string, readonly string[]>): Map<string, ExpectedRoute[]> {
  const byNode = new Map(specs.map((s) => [s.node, s]));
  const held = new Map<string, Map<string, Travel>>(specs.map((s) => [s.node, new Map()]));
  const queue: [string, Travel][] = [];
  for (const s of specs) for (const a of s.announce) {
    const t: Travel = { prefix: a.prefix, family: a.family, asPath: [], communities: [], via: 'origin' };
    held.get(s.node)!.set(a.prefix, t);
    queue.push([s.node, t]);
  }
  while (queue.length) {
    const [node, r] = queue.shift()!;
    const s = byNode.get(node)!;
    for (const n of s.neighbors) {
      if (n.family !== r.family) continue;
      const back = backEdge(s, n, byNode, addresses);
      if (!back) continue;
      // iBGP split horizon: iBGP-learned routes go to other iBGP peers only through a route reflector
      if (n.ibgp && (r.via === 'ibgp' || r.via === 'ibgp-client')) {
        const reflects = r.via === 'ibgp-client' || n.rrClient;
        if (!reflects) continue;
      }
      const out = filter(n.export, s, r);
      if (!('pass' in out) || !out.pass) continue;
      const peer = byNode.get(n.peerNode!)!;
      if (!n.ibgp && [s.asn, ...r.asPath].includes(peer.asn)) continue; // eBGP loop prevention
      const arriving: Travel = {
        prefix: r.prefix,
        family: r.family,
        asPath: n.ibgp ? r.asPath : [s.asn, ...r.asPath],
        communities: out.communities,
        via: n.ibgp ? (back.rrClient ? 'ibgp-client' : 'ibgp') : 'ebgp',
        // eBGP, next-hop-self and a route the sender originates: the sender's own address on the session; plain iBGP
        // keeps the next hop a learned route had (a route reflector does not change it either)
        nextHop: n.ibgp && !n.nextHopSelf && r.via !== 'origin' ? r.nextHop : back.address,
        from: s.node,
      };
      const inn = filter(back.import, peer, arriving);
      if (!('pass' in inn) || !inn.pass) continue;
      const mine = held.get(peer.node)!;
      if (mine.has(r.prefix)) {
        // keep the better-installed variant: a path the kernel can install wins over one it cannot
        const had = mine.get(r.prefix)!;
        if (had.via === 'origin' || connected(had.nextHop, peer.node, addresses) || !connected(arriving.nextHop, peer.node, addresses)) continue;
      }
      const accepted = { ...arriving, communities: inn.communities };
      mine.set(r.prefix, accepted);
      queue.push([peer.node, accepted]);
    }
  }
  const out = new Map<string, ExpectedRoute[]>();
  for (const s of specs) {
    const own = new Set(s.announce.map((a) => a.prefix));
    out.set(s.node, [...held.get(s.node)!.values()].filter((t) => !own.has(t.prefix)).map((t) => ({ prefix: t.prefix, kernel: connected(t.nextHop, s.node, addresses), nextHop: t.nextHop, from: t.from })));
  }
  return out;
}

/** Sessions this router must have Established: those both ends configure consistently. */
export function expectedSessions(spec: BirdSpec, specs: readonly BirdSpec[], addresses: ReadonlyMap<string, readonly string[]>): BirdNeighbor[] {
  const byNode = new Map(specs.map((s) => [s.node, s]));
  return spec.neighbors.filter((n) => backEdge(spec, n, byNode, addresses));
}

/** The kernel's routes from `ip -j route show` (+ `-6`): their destinations, canonical. */
function kernelPrefixes(json: string): Set<string> {
  const set = new Set<string>();
  try {
    for (const r of JSON.parse(json || '[]') as { dst?: string }[]) {
      if (!r.dst || r.dst === 'default') continue;
      const p = parsePrefix(r.dst.includes('/') ? r.dst : `${r.dst}/${parseAddress(r.dst)?.family === 6 ? 128 : 32}`);
      if (p) set.add(formatPrefix(network(p)));
    }
  } catch {
    /* not JSON: nothing installed that we can read */
  }
  return set;
}

/** The readiness probe of one router: sessions from `birdc show protocols all`, routes from BIRD's and the kernel's tables. */
export function birdReadyProbe(spec: BirdSpec, socket: string, sessions: readonly BirdNeighbor[], routes: readonly ExpectedRoute[]): ReadyProbe {
  const families = [...new Set(routes.map((r) => parsePrefix(r.prefix)?.family ?? 4))];
  return {
    id: `bgp:${spec.node}`,
    node: spec.node,
    commands: [
      { argv: ['birdc', '-s', socket, 'show', 'protocols', 'all'] },
      { argv: ['birdc', '-s', socket, 'show', 'route'] },
      ...families.map((f) => ({ argv: ['ip', ...(f === 6 ? ['-6'] : []), '-j', 'route', 'show'] })),
    ],
    judge(outputs: readonly ReadyOutput[]): ReadyItem[] {
      const [protos, table, ...kernel] = outputs;
      const list = parseProtocols(protos?.stdout ?? '') ?? [];
      const reach = list.length ? undefined : (protos?.stderr || protos?.stdout || 'no answer').trim().split('\n')[0];
      const items: ReadyItem[] = sessions.map((n) => {
        const p = list.find((x) => x.name === n.protocol);
        const ok = p !== undefined && stateOf(p) === 'established';
        return { what: `${spec.node}: BGP session ${n.protocol} (${n.peer}, AS ${n.asn}) Established`, ok, detail: ok ? undefined : p ? stateText(p) : reach ? `birdc: ${reach}` : `no protocol ${n.protocol}`, pos: n.pos };
      });
      const bird = new Set((parseRoutes(table?.stdout ?? '') ?? []).map((r) => r.prefix));
      const inKernel = new Set(kernel.flatMap((k) => [...kernelPrefixes(k.stdout)]));
      for (const r of routes) {
        const ok = r.kernel ? inKernel.has(r.prefix) : bird.has(r.prefix);
        const where = r.kernel ? 'kernel table' : "BIRD's table";
        items.push({ what: `${spec.node}: route ${r.prefix} in its ${where}`, ok, detail: ok ? undefined : `${r.prefix} missing${r.kernel && bird.has(r.prefix) ? ' (BIRD has it, the kernel not yet)' : ''}`, pos: spec.pos });
      }
      return items;
    },
  };
}

/** Probes for every router of a lab. */
export function birdReadyProbes(specs: readonly BirdSpec[], socketOf: (node: string) => string, addresses: ReadonlyMap<string, readonly string[]>): ReadyProbe[] {
  const routes = expectedRoutes(specs, addresses);
  return specs.map((s) => birdReadyProbe(s, socketOf(s.node), expectedSessions(s, specs, addresses), routes.get(s.node) ?? []));
}

