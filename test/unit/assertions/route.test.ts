import { strict as assert } from 'node:assert';
import { canonicalPrefix, judgeRoute, matchRoutes, parseRoutes, route, routeArgv, type RouteParams } from '../../../assertions/route.ts';
import { errors, fixture, resolveCtx } from './helpers.ts';

const p = (over: Partial<RouteParams>): RouteParams => ({ node: 'a', to: '0.0.0.0/0', toText: 'default', family: 4, expect: 'present', ...over });
const v4 = fixture('route-v4');
const v6 = fixture('route-v6');

describe('route', () => {
  it('asks ip for the JSON table of the family', () => {
    assert.deepEqual(routeArgv(p({})), ['ip', '-j', '-4', 'route', 'show']);
    assert.deepEqual(routeArgv(p({ family: 6 })), ['ip', '-j', '-6', 'route', 'show']);
  });

  it('canonicalises prefixes, host routes and default', () => {
    assert.deepEqual(canonicalPrefix('10.1.2.3/16'), { prefix: '10.1.0.0/16', family: 4 });
    assert.deepEqual(canonicalPrefix('10.97.0.5'), { prefix: '10.97.0.5/32', family: 4 });
    assert.deepEqual(canonicalPrefix('default'), { prefix: '0.0.0.0/0', family: 4 });
    assert.deepEqual(canonicalPrefix('default', 6), { prefix: '::/0', family: 6 });
    assert.deepEqual(canonicalPrefix('FD98:0::/48'), { prefix: 'fd98::/48', family: 6 });
    assert.equal(canonicalPrefix('10.1.0.0/33'), undefined);
  });

  it('parses real ip -j output, and refuses what is not a JSON list', () => {
    assert.equal(parseRoutes(v4.stdout)!.length, 8);
    assert.deepEqual(parseRoutes(fixture('route-empty').stdout), []);
    assert.equal(parseRoutes(fixture('route-error').stdout), undefined);
  });

  it('finds default, a gateway route, a host route and a device route', () => {
    assert.equal(judgeRoute(p({}), v4).ok, true);
    assert.equal(judgeRoute(p({ via: '10.99.0.2' }), v4).ok, true);
    assert.equal(judgeRoute(p({ to: '10.98.0.0/16', toText: '10.98.0.0/16', via: '10.99.0.2', dev: 'a0' }), v4).ok, true);
    assert.equal(judgeRoute(p({ to: '10.97.0.5/32', toText: '10.97.0.5', via: '10.99.1.2' }), v4).ok, true);
    assert.equal(judgeRoute(p({ to: '10.94.0.0/16', toText: '10.94.0.0/16', dev: 'a1' }), v4).ok, true);
    assert.equal(judgeRoute(p({ to: '10.95.0.0/16', toText: '10.95.0.0/16' }), v4).ok, true, 'a blackhole route is a route');
  });

  it('matching is exact: a covering or covered prefix is not the route', () => {
    assert.equal(judgeRoute(p({ to: '10.98.0.0/24', toText: '10.98.0.0/24' }), v4).ok, false);
    assert.equal(judgeRoute(p({ to: '10.0.0.0/8', toText: '10.0.0.0/8' }), v4).ok, false);
  });

  it('a wrong next hop fails and shows the route that is there', () => {
    const o = judgeRoute(p({ to: '10.98.0.0/16', toText: '10.98.0.0/16', via: '10.99.1.2' }), v4);
    assert.equal(o.ok, false);
    assert.equal(o.expected, 'a has a route to 10.98.0.0/16 via 10.99.1.2');
    assert.equal(o.seen, 'route 10.98.0.0/16 via 10.99.0.2 dev a0');
    assert.equal(o.command, v4.command);
  });

  it('a missing route fails and lists the table', () => {
    const o = judgeRoute(p({ to: '10.1.0.0/16', toText: '10.1.0.0/16' }), v4);
    assert.equal(o.ok, false);
    assert.match(o.seen, /^no route to 10\.1\.0\.0\/16; routes: default via 10\.99\.0\.2 dev a0, /);
  });

  it('multipath: any next hop matches, but via and dev must be the same hop', () => {
    const mp = (over: Partial<RouteParams>): RouteParams => p({ to: '10.96.0.0/16', toText: '10.96.0.0/16', ...over });
    assert.equal(judgeRoute(mp({ via: '10.99.1.2' }), v4).ok, true);
    assert.equal(judgeRoute(mp({ via: '10.99.0.2', dev: 'a0' }), v4).ok, true);
    assert.equal(judgeRoute(mp({ via: '10.99.0.2', dev: 'a1' }), v4).ok, false);
    const { matching } = matchRoutes(mp({ dev: 'a1' }), parseRoutes(v4.stdout)!);
    assert.equal(matching.length, 1);
  });

  it('IPv6: default and a prefix via a gateway', () => {
    assert.equal(judgeRoute(p({ family: 6, to: '::/0', via: 'fd99::2' }), v6).ok, true);
    assert.equal(judgeRoute(p({ family: 6, to: 'fd98::/48', toText: 'fd98::/48', via: 'fd99:0::2', dev: 'a0' }), v6).ok, true);
    assert.equal(judgeRoute(p({ family: 6, to: 'fd97::/48', toText: 'fd97::/48' }), v6).ok, false);
  });

  it('expect absent', () => {
    assert.equal(judgeRoute(p({ to: '10.1.0.0/16', toText: '10.1.0.0/16', expect: 'absent' }), v4).ok, true);
    assert.equal(judgeRoute(p({ expect: 'absent' }), v4).ok, false);
    assert.equal(judgeRoute(p({ expect: 'absent', via: '10.99.1.2' }), v4).ok, true, 'the default goes elsewhere');
    assert.equal(judgeRoute(p({ expect: 'absent' }), fixture('route-empty')).ok, true);
  });

  it('a failing ip command is a failure with its message, whatever is expected', () => {
    for (const expect of ['present', 'absent'] as const) {
      const o = judgeRoute(p({ expect }), fixture('route-error'));
      assert.equal(o.ok, false);
      assert.match(o.seen, /exit code 2.*FIB table does not exist/);
    }
  });

  describe('resolve', () => {
    it('canonicalises to and via', () => {
      const r = route.resolve({ node: 'h1', to: '10.1.2.0/16', via: '10.0.0.254', dev: 'eth0' }, resolveCtx());
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.params, { node: 'h1', to: '10.1.0.0/16', toText: '10.1.2.0/16', family: 4, via: '10.0.0.254', dev: 'eth0', expect: 'present' });
    });
    it('default takes the family of via', () => {
      const r = route.resolve({ node: 'h1', to: 'default', via: 'fd00::1' }, resolveCtx());
      assert.equal(r.params!.to, '::/0');
      assert.equal(r.params!.family, 6);
    });
    it('reports a bad prefix, a bad via, an unknown node', () => {
      const r = route.resolve({ node: 'h9', to: '10.1.0.0/40', via: 'gateway' }, resolveCtx());
      assert.equal(r.params, undefined);
      assert.deepEqual(errors(r.diagnostics).map((d) => d.pos?.file).sort(), ['<node>', '<to>', '<via>']);
    });
    it('reports a via of the other family', () => {
      const r = route.resolve({ node: 'h1', to: '10.1.0.0/16', via: 'fd00::1' }, resolveCtx());
      assert.equal(r.params, undefined);
      assert.match(r.diagnostics[0].message, /IPv6 but 10\.1\.0\.0\/16 is IPv4/);
    });
  });
});
