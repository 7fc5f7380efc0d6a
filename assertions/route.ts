/** route: does a node's main routing table hold (or not hold) a route to a prefix, optionally via a next hop / device? */
import { formatAddress, formatPrefix, network, parseAddress, parsePrefix, type Family } from '../runner/model/ip.ts';
import { abnormalEnd, excerpt, fail, ParamReader, pass } from './common.ts';
import type { AssertionDef, ExecResult, Outcome } from './types.ts';
import schema from './route.schema.json' with { type: 'json' };

export interface RouteParams {
  readonly node: string;
  /** Canonical prefix (10.1.0.0/16, 0.0.0.0/0 for default). */
  readonly to: string;
  /** As written, for messages. */
  readonly toText: string;
  readonly family: Family;
  /** Canonical address. */
  readonly via?: string;
  readonly dev?: string;
  readonly expect: 'present' | 'absent';
}

/** One route as `ip -j route show` prints it (the keys used here). */
export interface IpRoute {
  readonly dst: string;
  readonly type?: string;
  readonly gateway?: string;
  readonly dev?: string;
  readonly metric?: number;
  readonly nexthops?: readonly { readonly gateway?: string; readonly dev?: string }[];
}

export function canonicalPrefix(s: string, family?: Family): { prefix: string; family: Family } | undefined {
  if (s === 'default') {
    const f = family ?? 4;
    return { prefix: f === 4 ? '0.0.0.0/0' : '::/0', family: f };
  }
  const a = parseAddress(s);
  const p = a ? { family: a.family, addr: a.addr, len: a.family === 4 ? 32 : 128 } : parsePrefix(s);
  return p ? { prefix: formatPrefix(network(p)), family: p.family } : undefined;
}

function canonicalAddress(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const a = parseAddress(s);
  return a ? formatAddress(a.family, a.addr) : s;
}

export function routeArgv(p: RouteParams): string[] {
  return ['ip', '-j', p.family === 6 ? '-6' : '-4', 'route', 'show'];
}

export function parseRoutes(stdout: string): IpRoute[] | undefined {
  try {
    const v: unknown = JSON.parse(stdout);
    return Array.isArray(v) ? v.filter((x): x is IpRoute => typeof x === 'object' && x !== null && typeof (x as IpRoute).dst === 'string') : undefined;
  } catch {
    return undefined;
  }
}

function hops(r: IpRoute): { gateway?: string; dev?: string }[] {
  return r.nexthops?.length ? r.nexthops.map((h) => ({ gateway: h.gateway, dev: h.dev })) : [{ gateway: r.gateway, dev: r.dev }];
}

export function routeText(r: IpRoute): string {
  const type = r.type && r.type !== 'unicast' ? `${r.type} ` : '';
  const via = hops(r)
    .map((h) => [h.gateway && `via ${h.gateway}`, h.dev && `dev ${h.dev}`].filter(Boolean).join(' '))
    .filter(Boolean)
    .join(' | ');
  return `${type}${r.dst}${via ? ` ${via}` : ''}`;
}

/** Routes to exactly p.to, and those of them that also match via/dev. */
export function matchRoutes(p: RouteParams, routes: readonly IpRoute[]): { sameDst: IpRoute[]; matching: IpRoute[] } {
  const sameDst = routes.filter((r) => canonicalPrefix(r.dst, p.family)?.prefix === p.to);
  const via = canonicalAddress(p.via);
  const matching = sameDst.filter((r) =>
    hops(r).some((h) => (via === undefined || canonicalAddress(h.gateway) === via) && (p.dev === undefined || h.dev === p.dev)),
  );
  return { sameDst, matching };
}

export function expectedText(p: RouteParams): string {
  const how = [p.via && `via ${p.via}`, p.dev && `dev ${p.dev}`].filter(Boolean).join(' ');
  return `${p.node} has ${p.expect === 'present' ? 'a' : 'no'} route to ${p.toText}${how ? ` ${how}` : ''}`;
}

function listRoutes(rs: readonly IpRoute[], max = 8): string {
  if (!rs.length) return '(no routes)';
  const shown = rs.slice(0, max).map(routeText).join(', ');
  return rs.length > max ? `${shown}, … (${rs.length - max} more)` : shown;
}

export function judgeRoute(p: RouteParams, r: ExecResult): Outcome {
  const expected = expectedText(p);
  const bad = abnormalEnd(r, 5000);
  if (bad) return fail(expected, bad, r.command);
  const routes = r.exitCode === 0 ? parseRoutes(r.stdout) : undefined;
  if (!routes) return fail(expected, `ip route failed (exit code ${r.exitCode}): ${excerpt(r.stderr || r.stdout) || 'no output'}`, r.command);
  const { sameDst, matching } = matchRoutes(p, routes);
  const details = { routes: routes.map(routeText) };
  if (p.expect === 'present') {
    if (matching.length) return pass(expected, `route ${routeText(matching[0])}`, r.command, { details });
    const seen = sameDst.length ? `route ${sameDst.map(routeText).join(', ')}` : `no route to ${p.toText}; routes: ${listRoutes(routes)}`;
    return fail(expected, seen, r.command, { details });
  }
  if (matching.length) return fail(expected, `route ${matching.map(routeText).join(', ')}`, r.command, { details });
  const seen = sameDst.length ? `only route ${sameDst.map(routeText).join(', ')}` : `no route to ${p.toText}`;
  return pass(expected, seen, r.command, { details });
}

export const route: AssertionDef<RouteParams> = {
  type: 'route',
  schema,
  nodes: (p, n) => [p.node, p.via && n.nodeOf(p.via), ...n.announcers(p.to)],
  describe: (p) => `route ${p.node} → ${p.toText}${p.via ? ` via ${p.via}` : ''}${p.expect === 'absent' ? ' (absent)' : ''}`,
  resolve(raw, ctx) {
    const r = new ParamReader('route', raw, ctx);
    const node = r.node('node');
    const toText = r.string('to');
    const viaText = r.string('via');
    const dev = r.string('dev');
    const expect = r.oneOf('expect', ['present', 'absent'] as const, 'present');
    let via: { family: Family; addr: bigint } | undefined;
    if (viaText !== undefined) {
      via = parseAddress(viaText);
      if (!via) r.fail('via', `route.via: ${JSON.stringify(viaText)} is not an IP address`, 'write e.g. 10.0.0.1 or fd00::1');
    }
    if (toText === undefined) {
      return r.result(undefined);
    }
    const to = canonicalPrefix(toText, via?.family);
    if (!to) {
      r.fail('to', `route.to: ${JSON.stringify(toText)} is not a prefix`, 'write e.g. 10.1.0.0/16, fd00:1::/64 or default');
      return r.result(undefined);
    }
    if (via && via.family !== to.family) r.fail('via', `route.via ${viaText} is IPv${via.family} but ${toText} is IPv${to.family}`, 'the next hop must be of the same family as the prefix');
    if (!node) return r.result(undefined);
    return r.result<RouteParams>({ node, to: to.prefix, toText, family: to.family, via: via && formatAddress(via.family, via.addr), dev, expect });
  },
  async run(p, ctx) {
    const r = await ctx.exec(p.node, routeArgv(p), { timeoutMs: 5000 });
    return judgeRoute(p, r);
  },
  exercise(p, ctx) {
    // the test reads `ip -j` (JSON); a learner reads the same table as text
    const argv = routeArgv(p).filter((w) => w !== '-j');
    return {
      doThis: `Show ${p.node}'s IPv${p.family} routing table and look for ${p.toText === 'default' ? 'the default route' : `the route to ${p.toText}`}.`,
      commands: [ctx.inNode(p.node, argv)],
      expect: expectedText(p),
    };
  },
};
