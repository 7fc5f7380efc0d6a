/**
 * bgp: what a BGP router (kind: bird) sees, asked through birdc. Which keys are given decides what is judged:
 *  - peer (and state): the BGP state of the session with that neighbor (default established);
 *  - prefix (and next-hop, as-path, community, peer): a route to exactly that prefix learned by BGP;
 *  - sessions: how many of the router's BGP sessions are Established.
 */
import { formatAddress, parseAddress } from '../runner/model/ip.ts';
import { community as parseCommunity } from '../runner/kinds/bird/values.ts';
import { parseProtocols, parseRoutes, stateOf, stateText, type BirdProtocol, type BirdRoute } from './birdc.ts';
import { abnormalEnd, excerpt, fail, ParamReader, pass } from './common.ts';
import { canonicalPrefix } from './route.ts';
import type { AssertionDef, ExecResult, Outcome } from './types.ts';
import schema from './bgp.schema.json' with { type: 'json' };

export const BGP_STATES = ['established', 'idle', 'connect', 'active', 'opensent', 'openconfirm', 'down'] as const;
export type BgpState = (typeof BGP_STATES)[number];

export interface BgpParams {
  readonly node: string;
  /** BIRD's control socket, as birdc run on the node reaches it. */
  readonly socket: string;
  readonly check: 'session' | 'route' | 'sessions' | 'prefixes';
  /** The peer as written, and its address as the router sees it. */
  readonly peer?: string;
  readonly peerAddress?: string;
  readonly state: BgpState;
  /** Canonical prefix. */
  readonly prefix?: string;
  readonly nextHop?: string;
  readonly asPath?: readonly number[];
  readonly community?: readonly [number, number];
  /** Only the route BIRD selected as best (`*`) counts (default); false: any route to the prefix. */
  readonly best: boolean;
  readonly localPref?: number;
  readonly med?: number;
  readonly origin?: 'igp' | 'egp' | 'incomplete';
  readonly sessions?: number;
  /** check prefixes: how many distinct prefixes BIRD holds from BGP (from `peer` only, when given). */
  readonly prefixes?: number;
  readonly expect: 'present' | 'absent';
}

const TIMEOUT_MS = 5000;
const STATE_NAMES: Record<BgpState, string> = { established: 'Established', idle: 'Idle', connect: 'Connect', active: 'Active', opensent: 'OpenSent', openconfirm: 'OpenConfirm', down: 'down' };

export const protocolsArgv = (p: BgpParams): string[] => ['birdc', '-s', p.socket, 'show', 'protocols', 'all'];
export const routeArgv = (p: BgpParams): string[] => ['birdc', '-s', p.socket, 'show', 'route', 'all', ...(p.prefix !== undefined ? [p.prefix] : [])];

const canonical = (a: string): string => {
  const x = parseAddress(a);
  return x ? formatAddress(x.family, x.addr) : a;
};

/** The BGP sessions with the peer: by neighbor address; failing that, by description or name (the peer as written). */
export function sessionsWith(p: BgpParams, protocols: readonly BirdProtocol[]): BirdProtocol[] {
  const bgp = protocols.filter((x) => x.proto === 'BGP');
  const byAddress = bgp.filter((x) => x.neighborAddress !== undefined && p.peerAddress !== undefined && canonical(x.neighborAddress) === p.peerAddress);
  if (byAddress.length || p.peer === undefined) return byAddress;
  const name = `to_${p.peer.replace(/[^A-Za-z0-9_]/g, '_')}`;
  return bgp.filter((x) => x.description === p.peer || x.name === name);
}

const sessionText = (x: BirdProtocol): string => `${x.name}${x.neighborAddress ? ` with ${x.neighborAddress}` : ''}${x.neighborAs ? ` (AS ${x.neighborAs})` : ''}`;
const peerText = (p: BgpParams): string => (p.peerAddress && p.peerAddress !== p.peer ? `${p.peer} (${p.peerAddress})` : String(p.peer));

export function expectedText(p: BgpParams): string {
  const not = p.expect === 'absent' ? 'not ' : '';
  if (p.check === 'sessions') return `${p.node} has ${not}exactly ${p.sessions} Established BGP session${p.sessions === 1 ? '' : 's'}`;
  if (p.check === 'prefixes') return `${p.node} has ${not}exactly ${p.prefixes} prefix${p.prefixes === 1 ? '' : 'es'} learned by BGP${p.peer !== undefined ? ` from ${peerText(p)}` : ''}`;
  if (p.check === 'session') return `${p.node}'s BGP session with ${peerText(p)} is ${not}${STATE_NAMES[p.state]}`;
  const how = [
    p.peer && `from ${peerText(p)}`,
    p.nextHop && `next hop ${p.nextHop}`,
    p.asPath && `AS path [${p.asPath.join(' ')}]`,
    p.community && `community (${p.community.join(',')})`,
    p.localPref !== undefined && `local-pref ${p.localPref}`,
    p.med !== undefined && `MED ${p.med}`,
    p.origin && `origin ${p.origin.toUpperCase()}`,
  ].filter(Boolean);
  return `${p.node} has ${p.expect === 'absent' ? 'no' : 'a'} ${p.best ? 'best ' : ''}BGP route to ${p.prefix}${how.length ? ` ${how.join(', ')}` : ''}`;
}

function birdcFailure(r: ExecResult): string | undefined {
  const bad = abnormalEnd(r, TIMEOUT_MS);
  if (bad) return bad;
  const m = /Unable to connect to server control socket \(([^)]*)\): (.*)/.exec(r.stderr + r.stdout);
  if (m) return `birdc cannot reach BIRD: ${m[1]}: ${m[2]} (is BIRD running on the node?)`;
  return undefined;
}

export function judgeSessions(p: BgpParams, r: ExecResult): Outcome {
  const expected = expectedText(p);
  const bad = birdcFailure(r);
  if (bad) return fail(expected, bad, r.command);
  const protocols = parseProtocols(r.stdout);
  if (!protocols) return fail(expected, `birdc printed no protocol table (exit code ${r.exitCode}): ${excerpt(r.stderr || r.stdout) || 'no output'}`, r.command);
  const bgp = protocols.filter((x) => x.proto === 'BGP');
  const details = { sessions: bgp.map((x) => `${sessionText(x)}: ${stateText(x)}`) };
  if (p.check === 'sessions') {
    const up = bgp.filter((x) => stateOf(x) === 'established');
    const others = bgp.filter((x) => stateOf(x) !== 'established').map((x) => `${x.name} ${stateText(x)}`);
    const seen = `${up.length} of ${bgp.length} BGP sessions Established${up.length ? `: ${up.map((x) => x.name).join(', ')}` : ''}${others.length ? `; ${others.join(', ')}` : ''}`;
    return (up.length === p.sessions) === (p.expect === 'present') ? pass(expected, seen, r.command, { details }) : fail(expected, seen, r.command, { details });
  }
  const mine = sessionsWith(p, protocols);
  if (!mine.length) {
    const list = bgp.length ? bgp.map(sessionText).join(', ') : '(none)';
    return fail(expected, `${p.node} has no BGP session with ${peerText(p)}; its sessions: ${list}`, r.command, { details });
  }
  const inState = mine.filter((x) => stateOf(x) === p.state);
  const seen = mine.map((x) => `${sessionText(x)} is ${stateText(x)}`).join('; ');
  const ok = p.expect === 'present' ? inState.length > 0 : inState.length === 0;
  return ok ? pass(expected, seen, r.command, { details }) : fail(expected, seen, r.command, { details });
}

export function routeText(x: BirdRoute): string {
  const parts = [
    `${x.prefix} from ${x.protocol}${x.from ? ` (${x.from})` : ''}${x.best ? ' (best)' : ''}`,
    x.via.length ? `via ${x.via.join(', ')}` : x.dest !== 'unicast' ? x.dest : undefined,
    x.nextHop && `next hop ${x.nextHop.join(' ')}`,
    x.asPath && `AS path [${x.asPath.join(' ')}]`,
    x.communities.length ? `communities ${x.communities.map((c) => `(${c.join(',')})`).join(' ')}` : undefined,
    x.localPref !== undefined && x.localPref !== 100 ? `local-pref ${x.localPref}` : undefined,
    x.med !== undefined ? `MED ${x.med}` : undefined,
  ];
  return parts.filter(Boolean).join(', ');
}

/** BGP routes to the prefix, and those of them that match peer, next hop, AS path and community. */
export function matchRoutes(p: BgpParams, routes: readonly BirdRoute[], peerSessions: readonly string[] | undefined): { bgp: BirdRoute[]; matching: BirdRoute[]; notBest: BirdRoute[] } {
  const bgp = routes.filter((x) => x.type === 'BGP' && canonicalPrefix(x.prefix)?.prefix === p.prefix);
  const matching = bgp.filter(
    (x) =>
      (peerSessions === undefined || peerSessions.includes(x.protocol)) &&
      (p.nextHop === undefined || (x.nextHop ?? []).some((h) => canonical(h) === p.nextHop)) &&
      (p.asPath === undefined || (x.asPath ?? []).join(' ') === p.asPath.join(' ')) &&
      (p.community === undefined || x.communities.some((c) => c[0] === p.community![0] && c[1] === p.community![1])) &&
      (p.localPref === undefined || x.localPref === p.localPref) &&
      (p.med === undefined || x.med === p.med) &&
      (p.origin === undefined || x.origin === p.origin),
  );
  // the route the router uses is the best one: a matching route BIRD did not select does not count (issue 18)
  return { bgp, matching: p.best ? matching.filter((x) => x.best) : matching, notBest: p.best ? matching.filter((x) => !x.best) : [] };
}

/** check prefixes (issue 15.3, a BGP prefix count): the distinct prefixes of routes from BGP sessions (the peer's only, when given). */
export function judgePrefixes(p: BgpParams, routes: ExecResult, protocols: ExecResult): Outcome {
  const expected = expectedText(p);
  const bad = birdcFailure(protocols) ?? birdcFailure(routes);
  if (bad) return fail(expected, bad, routes.command);
  const list = parseProtocols(protocols.stdout);
  const table = parseRoutes(routes.stdout);
  if (!list || !table) return fail(expected, `birdc printed no ${list ? 'route' : 'protocol'} table: ${excerpt((list ? routes : protocols).stdout) || 'no output'}`, routes.command);
  const sessions = p.peer !== undefined ? sessionsWith(p, list) : list.filter((x) => x.proto === 'BGP');
  if (p.peer !== undefined && !sessions.length) return fail(expected, `${p.node} has no BGP session with ${peerText(p)}`, protocols.command);
  const names = new Set(sessions.map((x) => x.name));
  const prefixes = [...new Set(table.filter((x) => names.has(x.protocol)).map((x) => x.prefix))].sort();
  const seen = `${prefixes.length} prefix${prefixes.length === 1 ? '' : 'es'} learned by BGP${p.peer !== undefined ? ` from ${peerText(p)}` : ''}${prefixes.length ? `: ${prefixes.join(', ')}` : ''}`;
  const ok = (prefixes.length === p.prefixes) === (p.expect === 'present');
  return ok ? pass(expected, seen, `${protocols.command}\n${routes.command}`, { details: { prefixes } }) : fail(expected, seen, `${protocols.command}\n${routes.command}`, { details: { prefixes } });
}

export function judgeRoute(p: BgpParams, r: ExecResult, protocols?: ExecResult): Outcome {
  const expected = expectedText(p);
  const command = protocols ? `${protocols.command} && ${r.command}` : r.command;
  let peerSessions: string[] | undefined;
  if (protocols) {
    const bad = birdcFailure(protocols);
    if (bad) return fail(expected, bad, protocols.command);
    const list = parseProtocols(protocols.stdout);
    if (!list) return fail(expected, `birdc printed no protocol table: ${excerpt(protocols.stderr || protocols.stdout) || 'no output'}`, protocols.command);
    peerSessions = sessionsWith(p, list).map((x) => x.name);
    if (!peerSessions.length) return fail(expected, `${p.node} has no BGP session with ${peerText(p)}`, protocols.command);
  }
  const bad = birdcFailure(r);
  if (bad) return fail(expected, bad, r.command);
  const notFound = /^Network not found/m.test(r.stdout);
  const routes = notFound ? [] : parseRoutes(r.stdout);
  if (!routes) return fail(expected, `birdc printed no routes (exit code ${r.exitCode}): ${excerpt(r.stderr || r.stdout) || 'no output'}`, command);
  const { bgp, matching, notBest } = matchRoutes(p, routes, peerSessions);
  const details = { routes: routes.map(routeText) };
  const others = routes.filter((x) => x.type !== 'BGP' && canonicalPrefix(x.prefix)?.prefix === p.prefix);
  const none = `no BGP route to ${p.prefix}${others.length ? ` (only ${others.map((x) => `${x.dest} from ${x.protocol}`).join(', ')})` : ''}`;
  if (p.expect === 'present') {
    if (matching.length) return pass(expected, `route ${routeText(matching[0])}`, command, { details });
    if (notBest.length) {
      const best = bgp.find((x) => x.best);
      return fail(expected, `route ${routeText(notBest[0])} is there but not the best${best ? `: BIRD selected ${routeText(best)}` : ''} (best: false accepts any route)`, command, { details });
    }
    return fail(expected, bgp.length ? `route ${bgp.map(routeText).join('; ')}` : none, command, { details });
  }
  if (matching.length) return fail(expected, `route ${matching.map(routeText).join('; ')}`, command, { details });
  return pass(expected, bgp.length ? `only route ${bgp.map(routeText).join('; ')}` : none, command, { details });
}

export const bgp: AssertionDef<BgpParams> = {
  type: 'bgp',
  schema,
  nodes: (p, n) => [p.node, p.peer && n.nodeOf(p.peer), p.peerAddress && n.nodeOf(p.peerAddress), p.nextHop && n.nodeOf(p.nextHop), ...(p.prefix ? n.announcers(p.prefix) : []), ...(p.check === 'sessions' || (p.check === 'prefixes' && p.peer === undefined) ? n.bgpNeighbors(p.node) : [])],
  describe(p) {
    const absent = p.expect === 'absent' ? ' (absent)' : '';
    if (p.check === 'sessions') return `bgp ${p.node}: ${p.sessions} session${p.sessions === 1 ? '' : 's'} Established${absent}`;
    if (p.check === 'session') return `bgp ${p.node} ↔ ${p.peer} ${STATE_NAMES[p.state]}${absent}`;
    if (p.check === 'prefixes') return `bgp ${p.node}: ${p.prefixes} prefix${p.prefixes === 1 ? '' : 'es'}${p.peer !== undefined ? ` from ${p.peer}` : ''}${absent}`;
    return `bgp ${p.node} has ${p.prefix}${p.peer ? ` from ${p.peer}` : ''}${absent}`;
  },
  resolve(raw, ctx) {
    const r = new ParamReader('bgp', raw, ctx);
    const node = r.node('node');
    const socket = node !== undefined ? ctx.birdSocket?.(node) : undefined;
    if (node !== undefined && socket === undefined) r.fail('node', `node ${node} is not a BGP router (kind: bird)`, 'the bgp assertion asks BIRD on the node: give the node `kind: bird`, or check its kernel table with a route: test');
    const peerRaw = r.string('peer');
    const prefixRaw = r.string('prefix');
    const state = r.oneOf('state', BGP_STATES, 'established');
    const sessions = r.integer('sessions', undefined, 0, 10000);
    const prefixes = r.integer('prefixes', undefined, 0, 1000000);
    const expect = r.oneOf('expect', ['present', 'absent'] as const, 'present');
    const routeKeys = ['next-hop', 'as-path', 'community', 'best', 'local-pref', 'med', 'origin'].filter((k) => r.has(k));
    let check: BgpParams['check'] = 'session';
    if (prefixes !== undefined) {
      check = 'prefixes';
      for (const k of ['prefix', 'sessions', 'state', ...routeKeys]) if (r.has(k)) r.fail(k, `bgp.${k} cannot be combined with prefixes`, 'prefixes counts the prefixes learned by BGP (from peer, when given); write a separate test for a route or the sessions');
    } else if (sessions !== undefined) {
      check = 'sessions';
      for (const k of ['peer', 'prefix', 'state', ...routeKeys]) if (r.has(k)) r.fail(k, `bgp.${k} cannot be combined with sessions`, 'sessions counts every Established session of the router; write a separate test for a peer or a prefix');
    } else if (prefixRaw !== undefined) {
      check = 'route';
      if (r.has('state')) r.fail('state', 'bgp.state belongs to a session check, not to a route check', 'leave out prefix to check the session with peer, or leave out state');
    } else if (peerRaw === undefined) {
      r.fail('node', 'a bgp test needs peer (a session), prefix (a route), sessions (a count) or prefixes (a count)', 'e.g. { node: r1, peer: r2 } checks that the session is Established');
    } else for (const k of routeKeys) r.fail(k, `bgp.${k} needs prefix`, 'next-hop, as-path and community describe a route: add prefix');
    let peerAddress: string | undefined;
    if (peerRaw !== undefined && node !== undefined) peerAddress = r.target('peer', node)?.address;
    let prefix: string | undefined;
    if (prefixRaw !== undefined) {
      prefix = canonicalPrefix(prefixRaw)?.prefix;
      if (!prefix) r.fail('prefix', `bgp.prefix: ${JSON.stringify(prefixRaw)} is not a prefix`, 'write e.g. 10.2.0.0/24 or fd00:2::/48');
    }
    const nh = r.string('next-hop');
    const nextHopAddr = nh !== undefined ? parseAddress(nh) : undefined;
    if (nh !== undefined && !nextHopAddr) r.fail('next-hop', `bgp.next-hop: ${JSON.stringify(nh)} is not an IP address`, 'write e.g. 10.0.12.2');
    let asPath: number[] | undefined;
    const ap = raw['as-path'];
    if (ap !== undefined && ap !== null) {
      const words = Array.isArray(ap) ? ap : String(ap).trim().split(/\s+/).filter(Boolean);
      asPath = words.map(Number);
      if (!asPath.every((x) => Number.isInteger(x) && x >= 1 && x <= 4294967295)) r.fail('as-path', `bgp.as-path: ${JSON.stringify(ap)} is not a list of AS numbers`, 'write e.g. [65002, 65003] or "65002 65003"; [] for a route from the router’s own AS');
    }
    let community: [number, number] | undefined;
    if (raw.community !== undefined && raw.community !== null) {
      const c = parseCommunity(raw.community);
      if (c.ok) community = [c.value[0], c.value[1]];
      else r.fail('community', `bgp.community: ${c.message}`, c.hint);
    }
    const best = r.has('best') ? raw.best === true : true;
    const localPref = r.has('local-pref') ? r.integer('local-pref', 0, 0, 4294967295) : undefined;
    const med = r.has('med') ? r.integer('med', 0, 0, 4294967295) : undefined;
    const origin = r.has('origin') ? r.oneOf('origin', ['igp', 'egp', 'incomplete'] as const, 'igp') : undefined;
    if (node === undefined || socket === undefined) return r.result(undefined);
    return r.result<BgpParams>({
      node,
      socket,
      check,
      peer: peerRaw,
      peerAddress,
      state,
      prefix,
      nextHop: nextHopAddr && formatAddress(nextHopAddr.family, nextHopAddr.addr),
      asPath,
      community,
      best,
      localPref,
      med,
      origin,
      sessions,
      ...(prefixes !== undefined ? { prefixes } : {}),
      expect,
    });
  },
  async run(p, ctx) {
    if (p.check === 'prefixes') {
      const protocols = await ctx.exec(p.node, protocolsArgv(p), { timeoutMs: TIMEOUT_MS });
      return judgePrefixes(p, await ctx.exec(p.node, routeArgv(p), { timeoutMs: TIMEOUT_MS }), protocols);
    }
    if (p.check !== 'route') return judgeSessions(p, await ctx.exec(p.node, protocolsArgv(p), { timeoutMs: TIMEOUT_MS }));
    const protocols = p.peer !== undefined ? await ctx.exec(p.node, protocolsArgv(p), { timeoutMs: TIMEOUT_MS }) : undefined;
    return judgeRoute(p, await ctx.exec(p.node, routeArgv(p), { timeoutMs: TIMEOUT_MS }), protocols);
  },
  exercise(p, ctx) {
    const route = p.check === 'route' || p.check === 'prefixes';
    return {
      doThis: p.check === 'prefixes' ? `Ask BIRD on ${p.node} for its routes and count the prefixes learned by BGP${p.peer !== undefined ? ` from ${p.peer}` : ''}.` : route ? `Ask BIRD on ${p.node} for its routes to ${p.prefix}.` : `Ask BIRD on ${p.node} for its BGP sessions${p.check === 'session' ? ` and find the one with ${p.peer}` : ''}.`,
      commands: [ctx.inNode(p.node, route ? routeArgv(p) : protocolsArgv(p))],
      expect: expectedText(p),
      hint: route ? 'Each route shows its next hop (BGP.next_hop), its AS path (BGP.as_path) and its communities' : 'BGP sessions are the lines with Proto BGP; the Info column shows the state (Established)',
    };
  },
};
