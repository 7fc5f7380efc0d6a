import { strict as assert } from 'node:assert';
import { bgp, judgeRoute, judgePrefixes, judgeSessions, matchRoutes, protocolsArgv, routeArgv, sessionsWith, type BgpParams } from '../../../assertions/bgp.ts';
import { parseProtocols, parseRoutes } from '../../../assertions/birdc.ts';
import type { ExecResult, ResolveContext, RunContext } from '../../../assertions/types.ts';
import { errors, fixture, resolveCtx } from './helpers.ts';

// captured by test/unit/fixtures/capture-bird.ts from the routers of bird-capture.lab.yaml
const protocolsB = fixture('birdc-protocols-all'); // b: eBGP to a (v4, v6), iBGP to c, all Established
const protocolsA = fixture('birdc-protocols-all-stuck'); // a: two Established, one stuck in Connect
const routeB = fixture('birdc-route-prefix'); // b: 10.10.1.0/24 from a, AS path 65001 65001 65001, community (65001,100)
const twoPaths = fixture('birdc-route-two-paths'); // b: 10.10.2.0/24 from c (best, empty path) and from a
const notFound = fixture('birdc-route-not-found');
const noSocket = fixture('birdc-no-socket');

const session = (over: Partial<BgpParams>): BgpParams => ({ node: 'b', socket: '/run/b.ctl', check: 'session', peer: 'a', peerAddress: '10.77.0.1', state: 'established', expect: 'present', best: true, ...over });
const route = (over: Partial<BgpParams>): BgpParams => session({ check: 'route', peer: undefined, peerAddress: undefined, prefix: '10.10.1.0/24', ...over });
const count = (n: number, over: Partial<BgpParams> = {}): BgpParams => session({ check: 'sessions', peer: undefined, peerAddress: undefined, sessions: n, ...over });

describe('bgp', () => {
  describe('birdc parsers', () => {
    it('show protocols all: every protocol, and for BGP the state, neighbor, AS and last error', () => {
      const ps = parseProtocols(protocolsA.stdout)!;
      assert.deepEqual(ps.map((p) => p.name), ['device1', 'kernel4', 'kernel6', 'announce4', 'announce6', 'to_b', 'to_fd77__2', 'to_10_77_0_9']);
      const stuck = ps.find((p) => p.name === 'to_10_77_0_9')!;
      assert.deepEqual(
        { state: stuck.state, bgpState: stuck.bgpState, addr: stuck.neighborAddress, as: stuck.neighborAs, err: stuck.lastError, desc: stuck.description },
        { state: 'start', bgpState: 'Connect', addr: '10.77.0.9', as: 65009, err: 'Socket: No route to host', desc: 'nobody there' },
      );
      const toB = ps.find((p) => p.name === 'to_b')!;
      assert.deepEqual([toB.bgpState, toB.neighborAddress, toB.localAs, toB.routes], ['Established', '10.77.0.2', 65001, [{ imported: 2, exported: 2, preferred: 1 }]]);
    });
    it('show protocols (short): the BGP state comes from the Info column', () => {
      const ps = parseProtocols(fixture('birdc-protocols').stdout)!;
      assert.deepEqual(ps.filter((p) => p.proto === 'BGP').map((p) => [p.name, p.bgpState]), [['to_a', 'Established'], ['to_fd77__1', 'Established'], ['to_c', 'Established']]);
      assert.equal(parseProtocols('Unable to connect'), undefined);
    });
    it('show route all: tables, best and second paths, gateways and BGP attributes', () => {
      const all = parseRoutes(fixture('birdc-route-all').stdout)!;
      assert.deepEqual(all.map((r) => [r.table, r.prefix, r.protocol, r.best]), [
        ['master4', '10.20.0.0/24', 'to_c', true],
        ['master4', '10.10.2.0/24', 'to_c', true],
        ['master4', '10.10.2.0/24', 'to_a', false],
        ['master4', '10.10.1.0/24', 'to_a', true],
        ['master6', 'fd10:1::/48', 'to_fd77__1', true],
      ]);
      const r = parseRoutes(routeB.stdout)![0];
      assert.deepEqual(
        { type: r.type, via: r.via, nh: r.nextHop, path: r.asPath, lp: r.localPref, comm: r.communities, pref: r.preference },
        { type: 'BGP', via: ['10.77.0.1'], nh: ['10.77.0.1'], path: ['65001', '65001', '65001'], lp: 100, comm: [[65001, 100]], pref: 100 },
      );
      const own = parseRoutes(fixture('birdc-route-all-ibgp').stdout)!.find((x) => x.protocol === 'announce4')!;
      assert.deepEqual([own.dest, own.type, own.asPath], ['blackhole', 'static', undefined]);
      assert.deepEqual(parseRoutes(notFound.stdout), []);
      assert.equal(parseRoutes('garbage'), undefined);
    });
  });

  describe('a session', () => {
    it('Established sessions pass, found by the neighbor address (IPv4, IPv6, iBGP)', () => {
      const o = judgeSessions(session({}), protocolsB);
      assert.equal(o.ok, true);
      assert.equal(o.expected, "b's BGP session with a (10.77.0.1) is Established");
      assert.equal(o.seen, 'to_a with 10.77.0.1 (AS 65001) is Established');
      assert.equal(o.command, protocolsB.command);
      assert.equal(judgeSessions(session({ peer: 'fd77:0::1', peerAddress: 'fd77::1' }), protocolsB).ok, true);
      assert.equal(judgeSessions(session({ peer: 'c', peerAddress: '10.77.1.2' }), protocolsB).ok, true);
    });
    it('a session stuck in Connect fails, and says why', () => {
      const o = judgeSessions(session({ node: 'a', peer: '10.77.0.9', peerAddress: '10.77.0.9' }), protocolsA);
      assert.equal(o.ok, false);
      assert.equal(o.seen, 'to_10_77_0_9 with 10.77.0.9 (AS 65009) is Connect (Socket: No route to host)');
      assert.equal(judgeSessions(session({ node: 'a', peer: '10.77.0.9', peerAddress: '10.77.0.9', state: 'connect' }), protocolsA).ok, true);
      assert.equal(judgeSessions(session({ node: 'a', peer: '10.77.0.9', peerAddress: '10.77.0.9', expect: 'absent' }), protocolsA).ok, true);
    });
    it('expect absent fails on an Established session; a wrong state fails', () => {
      assert.equal(judgeSessions(session({ expect: 'absent' }), protocolsB).ok, false);
      assert.equal(judgeSessions(session({ state: 'active' }), protocolsB).ok, false);
    });
    it('no session with the peer fails (whatever is expected) and lists the sessions there are', () => {
      for (const expect of ['present', 'absent'] as const) {
        const o = judgeSessions(session({ peer: 'x', peerAddress: '10.77.0.50', expect }), protocolsB);
        assert.equal(o.ok, false);
        assert.match(o.seen, /^b has no BGP session with x \(10\.77\.0\.50\); its sessions: to_a with 10\.77\.0\.1 \(AS 65001\), /);
      }
    });
    it('falls back to the description or protocol name when the address differs (e.g. a multihop peer)', () => {
      assert.deepEqual(sessionsWith(session({ node: 'a', peer: 'b', peerAddress: '10.255.9.9' }), parseProtocols(protocolsA.stdout)!).map((p) => p.name), ['to_b']);
      assert.deepEqual(sessionsWith(session({ peer: 'c', peerAddress: '10.255.9.9' }), parseProtocols(protocolsB.stdout)!).map((p) => p.name), ['to_c']);
    });
    it('BIRD not running: a failure that says so', () => {
      for (const p of [session({}), count(1), route({})]) {
        const o = p.check === 'route' ? judgeRoute(p, noSocket) : judgeSessions(p, noSocket);
        assert.equal(o.ok, false);
        assert.match(o.seen, /^birdc cannot reach BIRD: .*nobody\.ctl: No such file or directory \(is BIRD running on the node\?\)$/);
      }
    });
  });

  describe('the number of Established sessions', () => {
    it('counts only Established BGP sessions', () => {
      assert.equal(judgeSessions(count(3), protocolsB).ok, true);
      const o = judgeSessions(count(3, { node: 'a' }), protocolsA);
      assert.equal(o.ok, false);
      assert.equal(o.seen, '2 of 3 BGP sessions Established: to_b, to_fd77__2; to_10_77_0_9 Connect (Socket: No route to host)');
      assert.equal(judgeSessions(count(2, { node: 'a' }), protocolsA).ok, true);
      assert.equal(judgeSessions(count(2, { node: 'a', expect: 'absent' }), protocolsA).ok, false);
      assert.equal(judgeSessions(count(3, { node: 'a', expect: 'absent' }), protocolsA).ok, true);
    });
  });

  describe('a learned route', () => {
    it('present, with next hop, AS path and community', () => {
      const o = judgeRoute(route({ nextHop: '10.77.0.1', asPath: [65001, 65001, 65001], community: [65001, 100] }), routeB);
      assert.equal(o.ok, true);
      assert.equal(o.expected, 'b has a best BGP route to 10.10.1.0/24 next hop 10.77.0.1, AS path [65001 65001 65001], community (65001,100)');
      assert.equal(o.seen, 'route 10.10.1.0/24 from to_a (best), via 10.77.0.1, next hop 10.77.0.1, AS path [65001 65001 65001], communities (65001,100)');
    });
    it('each attribute that differs fails, showing the route that is there', () => {
      for (const over of [{ nextHop: '10.77.0.2' }, { asPath: [65001] }, { asPath: [] }, { community: [65001, 101] as const }]) {
        const o = judgeRoute(route(over), routeB);
        assert.equal(o.ok, false, JSON.stringify(over));
        assert.match(o.seen, /^route 10\.10\.1\.0\/24 from to_a/);
      }
    });
    it('a prefix BIRD does not have: fails when present is expected, passes when absent is', () => {
      const o = judgeRoute(route({ prefix: '10.99.0.0/24' }), notFound);
      assert.equal(o.ok, false);
      assert.equal(o.seen, 'no BGP route to 10.99.0.0/24');
      assert.equal(judgeRoute(route({ prefix: '10.99.0.0/24', expect: 'absent' }), notFound).ok, true);
      assert.equal(judgeRoute(route({ expect: 'absent' }), routeB).ok, false);
    });
    it('a route the router originates itself is not a learned one', () => {
      const o = judgeRoute(route({ node: 'c', prefix: '10.20.0.0/24' }), fixture('birdc-route-all-ibgp'));
      assert.equal(o.ok, false);
      assert.equal(o.seen, 'no BGP route to 10.20.0.0/24 (only blackhole from announce4)');
    });
    it('only the best route counts by default (issue 18: a route that was not selected passed); best: false accepts any', () => {
      const fromA = route({ prefix: '10.10.2.0/24', peer: 'a', peerAddress: '10.77.0.1' });
      const notBest = judgeRoute({ ...fromA, asPath: [65001, 65001, 65001] }, twoPaths, protocolsB);
      assert.equal(notBest.ok, false);
      assert.match(notBest.seen, /^route 10\.10\.2\.0\/24 from to_a, via 10\.77\.0\.1, next hop 10\.77\.0\.1, AS path \[65001 65001 65001\], communities \(65001,100\) is there but not the best: BIRD selected 10\.10\.2\.0\/24 from to_c \(best\)/);
      assert.equal(judgeRoute({ ...fromA, asPath: [65001, 65001, 65001], best: false }, twoPaths, protocolsB).ok, true);
      assert.equal(judgeRoute({ ...fromA, asPath: [], best: false }, twoPaths, protocolsB).ok, false, 'the empty path is c’s route');
      assert.equal(judgeRoute({ ...fromA, peer: 'c', peerAddress: '10.77.1.2', asPath: [] }, twoPaths, protocolsB).ok, true);
      const { bgp: both, matching, notBest: nb } = matchRoutes(fromA, parseRoutes(twoPaths.stdout)!, ['to_a']);
      assert.deepEqual([both.length, matching.length, nb.map((r) => r.best)], [2, 0, [false]]);
      assert.equal(judgeRoute({ ...fromA, asPath: [65001, 65001, 65001], expect: 'absent' }, twoPaths, protocolsB).ok, true, 'absent: no best route from a');
    });
    it('local-pref, med and origin are judged from the captured route', () => {
      const viaC = route({ prefix: '10.10.2.0/24', peer: 'c', peerAddress: '10.77.1.2' });
      assert.equal(judgeRoute({ ...viaC, localPref: 100, origin: 'igp' }, twoPaths, protocolsB).ok, true);
      assert.equal(judgeRoute({ ...viaC, localPref: 200 }, twoPaths, protocolsB).ok, false);
      assert.equal(judgeRoute({ ...viaC, origin: 'incomplete' }, twoPaths, protocolsB).ok, false);
      assert.equal(judgeRoute({ ...viaC, med: 0 }, twoPaths, protocolsB).ok, false, 'the route carries no MED');
      assert.equal(parseRoutes(twoPaths.stdout)![0].origin, 'igp');
    });
    it('with peer: only routes from that neighbor count', () => {
      const fromA = route({ prefix: '10.10.2.0/24', peer: 'a', peerAddress: '10.77.0.1', best: false });
      const unknown = judgeRoute({ ...fromA, peer: 'x', peerAddress: '10.77.0.50' }, twoPaths, protocolsB);
      assert.equal(unknown.ok, false);
      assert.equal(unknown.seen, 'b has no BGP session with x (10.77.0.50)');
    });
    it('IPv6', () => {
      const p = route({ prefix: 'fd10:1::/48', nextHop: 'fd77::1', asPath: [65001] });
      assert.equal(judgeRoute(p, fixture('birdc-route-prefix6')).ok, true);
      assert.equal(judgeRoute({ ...p, nextHop: 'fd77::2' }, fixture('birdc-route-prefix6')).ok, false);
    });
  });

  describe('resolve', () => {
    const ctx = (socket = true): ResolveContext => ({
      ...resolveCtx({ nodes: { b: { eth0: '10.77.0.2' }, a: { eth0: '10.77.0.1' }, h1: { eth0: '10.0.0.1' } } }),
      ...(socket ? { birdSocket: (n: string) => (n === 'h1' ? undefined : `/run/nslab/t/${n}/bird.ctl`) } : {}),
    });
    it('a session: the peer is resolved to its address; the socket comes from the context', () => {
      const r = bgp.resolve({ node: 'b', peer: 'a' }, ctx());
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.params, { node: 'b', socket: '/run/nslab/t/b/bird.ctl', check: 'session', peer: 'a', peerAddress: '10.77.0.1', state: 'established', prefix: undefined, nextHop: undefined, asPath: undefined, community: undefined, best: true, localPref: undefined, med: undefined, origin: undefined, sessions: undefined, expect: 'present' });
      assert.equal(bgp.describe(r.params!), 'bgp b ↔ a Established');
    });
    it('a route: prefix canonical, as-path and community in either spelling', () => {
      const p = bgp.resolve({ node: 'b', prefix: '10.10.1.7/24', 'next-hop': '10.77.0.1', 'as-path': '65001  65002', community: '(65001,100)' }, ctx()).params!;
      assert.deepEqual([p.check, p.prefix, p.nextHop, p.asPath, p.community], ['route', '10.10.1.0/24', '10.77.0.1', [65001, 65002], [65001, 100]]);
      assert.deepEqual(bgp.resolve({ node: 'b', prefix: '10.1.0.0/16', 'as-path': [], community: [65001, 7] }, ctx()).params!.asPath, []);
      assert.equal(bgp.describe(p), 'bgp b has 10.10.1.0/24');
    });
    it('sessions: a count', () => {
      const p = bgp.resolve({ node: 'b', sessions: 3 }, ctx()).params!;
      assert.deepEqual([p.check, p.sessions], ['sessions', 3]);
      assert.equal(bgp.describe(p), 'bgp b: 3 sessions Established');
    });
    it('a node that is not a BGP router, or a lab without any', () => {
      for (const c of [ctx(), ctx(false)]) {
        const node = c.birdSocket ? 'h1' : 'b';
        const r = bgp.resolve({ node, peer: 'a' }, c);
        assert.equal(r.params, undefined);
        assert.equal(errors(r.diagnostics)[0].message, `node ${node} is not a BGP router (kind: bird)`);
      }
    });
    it('combinations that say nothing or contradict each other', () => {
      const msg = (raw: Record<string, unknown>): string[] => errors(bgp.resolve(raw, ctx()).diagnostics).map((d) => d.message);
      assert.deepEqual(msg({ node: 'b' }), ['a bgp test needs peer (a session), prefix (a route), sessions (a count) or prefixes (a count)']);
      assert.deepEqual(msg({ node: 'b', sessions: 2, peer: 'a' }), ['bgp.peer cannot be combined with sessions']);
      assert.deepEqual(msg({ node: 'b', prefix: '10.1.0.0/16', state: 'active' }), ['bgp.state belongs to a session check, not to a route check']);
      assert.deepEqual(msg({ node: 'b', peer: 'a', 'next-hop': '10.0.0.1' }), ['bgp.next-hop needs prefix']);
      assert.deepEqual(msg({ node: 'b', prefix: '10.1.0.0/33' }), ['bgp.prefix: "10.1.0.0/33" is not a prefix']);
      assert.deepEqual(msg({ node: 'b', prefix: '10.1.0.0/16', 'as-path': '65001 x' }), ['bgp.as-path: "65001 x" is not a list of AS numbers']);
      assert.deepEqual(msg({ node: 'b', prefix: '10.1.0.0/16', community: '65001' }), ['bgp.community: "65001" is not a standard BGP community']);
      assert.deepEqual(msg({ node: 'b', peer: 'zz' }), ['bgp.peer: unknown node "zz"']);
    });
  });

  describe('run', () => {
    it('a route with a peer asks for the sessions first, then the route; others ask once', async () => {
      const calls: string[][] = [];
      const rc: RunContext = {
        exec: async (node: string, argv: readonly string[]): Promise<ExecResult> => {
          calls.push([node, ...argv]);
          return argv.includes('route') ? twoPaths : protocolsB;
        },
        background: () => Promise.reject(new Error('unused')),
        measurement: () => undefined,
      };
      const p = route({ prefix: '10.10.2.0/24', peer: 'c', peerAddress: '10.77.1.2' });
      assert.equal((await bgp.run(p, rc)).ok, true);
      assert.deepEqual(calls, [['b', ...protocolsArgv(p)], ['b', ...routeArgv(p)]]);
      assert.deepEqual(routeArgv(p), ['birdc', '-s', '/run/b.ctl', 'show', 'route', 'all', '10.10.2.0/24']);
      calls.length = 0;
      assert.equal((await bgp.run(count(3), rc)).ok, true);
      assert.deepEqual(calls, [['b', 'birdc', '-s', '/run/b.ctl', 'show', 'protocols', 'all']]);
    });
  });

  describe('a prefix count (issue 15.3)', () => {
    const prefixes = (n: number, over: Partial<BgpParams> = {}): BgpParams => session({ check: 'prefixes', peer: undefined, peerAddress: undefined, prefixes: n, ...over });
    const all = fixture('birdc-route-all');
    it('counts the distinct prefixes of routes from BGP sessions (a second path counts once), from one peer when given', () => {
      const o = judgePrefixes(prefixes(4), all, protocolsB);
      assert.ok(o.ok, o.seen);
      assert.equal(o.seen, '4 prefixes learned by BGP: 10.10.1.0/24, 10.10.2.0/24, 10.20.0.0/24, fd10:1::/48');
      const fromA = judgePrefixes(prefixes(2, { peer: 'a', peerAddress: '10.77.0.1' }), all, protocolsB);
      assert.ok(fromA.ok, fromA.seen);
      assert.match(fromA.seen, /^2 prefixes learned by BGP from a .*: 10\.10\.1\.0\/24, 10\.10\.2\.0\/24$/);
    });
    it('another count fails (expect: absent turns it round); birdc without a socket says so', () => {
      assert.equal(judgePrefixes(prefixes(3), all, protocolsB).ok, false);
      assert.equal(judgePrefixes(prefixes(3, { expect: 'absent' }), all, protocolsB).ok, true);
      assert.equal(judgePrefixes(prefixes(3), noSocket, noSocket).ok, false);
    });
  });
});
