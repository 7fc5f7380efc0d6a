/** runner/model/routes.ts: routes in iproute2 syntax and the structured form, and `ip route add` arguments. */
import assert from 'node:assert/strict';
import { normaliseRoute, parseRouteString, routeArgs, type RouteParse, type RouteSpec } from '../../runner/model/routes.ts';

const ok = (r: RouteParse): RouteSpec => {
  assert.ok(r.ok, `expected a route, got: ${r.ok ? '' : `${r.message} (hint: ${r.hint})`}`);
  return r.route;
};
const bad = (r: RouteParse): { message: string; hint: string } => {
  assert.ok(!r.ok, `expected an error, got ${JSON.stringify(r.ok && r.route)}`);
  assert.ok(r.message.trim() && r.hint.trim(), 'every route error has a message and a hint');
  return r;
};

describe('routes: iproute2 strings', () => {
  it('default via 10.0.0.1', () => {
    assert.deepEqual(ok(parseRouteString('default via 10.0.0.1')), { to: 'default', family: 4, via: '10.0.0.1' });
  });

  it('10.1.0.0/16 via 10.0.0.1 dev eth0 metric 10', () => {
    assert.deepEqual(ok(parseRouteString('10.1.0.0/16 via 10.0.0.1 dev eth0 metric 10')), { to: '10.1.0.0/16', family: 4, via: '10.0.0.1', dev: 'eth0', metric: 10 });
  });

  it('blackhole 10.9.0.0/16 (and unreachable, prohibit)', () => {
    assert.deepEqual(ok(parseRouteString('blackhole 10.9.0.0/16')), { to: '10.9.0.0/16', family: 4, type: 'blackhole' });
    assert.deepEqual(ok(parseRouteString('unreachable 10.8.0.0/16')), { to: '10.8.0.0/16', family: 4, type: 'unreachable' });
    assert.deepEqual(ok(parseRouteString('prohibit fd00:9::/32')), { to: 'fd00:9::/32', family: 6, type: 'prohibit' });
  });

  it('unicast is the default type and is not kept', () => {
    assert.deepEqual(ok(parseRouteString('unicast 10.1.0.0/16 dev eth0')), { to: '10.1.0.0/16', family: 4, dev: 'eth0' });
  });

  it('IPv6: default via fd00::1 is an IPv6 default route', () => {
    assert.deepEqual(ok(parseRouteString('default via fd00::1')), { to: 'default', family: 6, via: 'fd00::1' });
    assert.deepEqual(ok(parseRouteString('default6 dev eth0')), { to: 'default', family: 6, dev: 'eth0' });
    assert.deepEqual(ok(parseRouteString('FD00:1:0::/64 via fd00::1')), { to: 'fd00:1::/64', family: 6, via: 'fd00::1' }, 'the destination is written canonically');
  });

  it('src, onlink, mtu, preference (= metric), `via inet`', () => {
    assert.deepEqual(ok(parseRouteString('10.1.0.0/16 via 10.0.0.1 src 10.0.0.5 onlink mtu 1400 preference 7')), {
      to: '10.1.0.0/16',
      family: 4,
      via: '10.0.0.1',
      src: '10.0.0.5',
      onlink: true,
      mtu: 1400,
      metric: 7,
    });
    assert.equal(ok(parseRouteString('default via inet 10.0.0.1')).via, '10.0.0.1');
    assert.equal(ok(parseRouteString('default via inet6 fd00::1')).family, 6);
  });

  it('extra white space is ignored', () => {
    assert.deepEqual(ok(parseRouteString('  default   via\t10.0.0.1  ')), { to: 'default', family: 4, via: '10.0.0.1' });
  });

  it('a bare address is a host route', () => {
    assert.equal(ok(parseRouteString('10.1.2.3 via 10.0.0.1')).to, '10.1.2.3/32');
    assert.equal(ok(parseRouteString('fd00::9 via fd00::1')).to, 'fd00::9/128');
  });

  it('host bits set in the destination: an error whose hint names the network', () => {
    const e = bad(parseRouteString('10.1.0.1/16 via 10.0.0.1'));
    assert.match(e.message, /10\.1\.0\.1\/16/);
    assert.match(e.message, /host bits/);
    assert.match(e.hint, /10\.1\.0\.0\/16/);
    assert.match(bad(parseRouteString('fd00:0:0:1::1/48 via fd00::1')).hint, /fd00::\/48/);
  });

  it('an unsupported word: the error names it and the hint lists what is supported', () => {
    const e = bad(parseRouteString('10.1.0.0/16 via 10.0.0.1 weight 5'));
    assert.match(e.message, /"weight"/);
    assert.match(e.hint, /via, dev, metric/);
    bad(parseRouteString('10.1.0.0/16 nexthop via 10.0.0.1'));
    bad(parseRouteString('table 100 default via 10.0.0.1'));
  });

  it('a keyword without its value', () => {
    assert.match(bad(parseRouteString('10.1.0.0/16 via')).message, /via needs a value/);
    assert.match(bad(parseRouteString('10.1.0.0/16 via 10.0.0.1 dev')).message, /dev needs a value/);
    assert.match(bad(parseRouteString('10.1.0.0/16 dev eth0 metric')).message, /metric/);
  });

  it('numbers must be whole and not negative', () => {
    assert.match(bad(parseRouteString('10.1.0.0/16 dev eth0 metric ten')).message, /metric needs a whole number/);
    assert.match(bad(parseRouteString('10.1.0.0/16 dev eth0 metric -1')).message, /metric needs a whole number/);
    assert.match(bad(parseRouteString('10.1.0.0/16 dev eth0 mtu 1.5')).message, /mtu needs a whole number/);
  });

  it('bad destinations, gateways and sources', () => {
    assert.match(bad(parseRouteString('10.1.0/16 via 10.0.0.1')).message, /destination "10\.1\.0\/16" is not a prefix/);
    assert.match(bad(parseRouteString('10.1.0.0/33 via 10.0.0.1')).message, /not a prefix/);
    assert.match(bad(parseRouteString('default via gateway')).message, /gateway "gateway" is not an IP address/);
    assert.match(bad(parseRouteString('default via 10.0.0.1 src me')).message, /source "me" is not an IP address/);
  });

  it('a gateway of the other family', () => {
    const e = bad(parseRouteString('10.1.0.0/16 via fd00::1'));
    assert.match(e.message, /IPv4 but its gateway fd00::1 is IPv6/);
  });

  it('a unicast route needs a gateway or a device; blackhole takes neither', () => {
    assert.match(bad(parseRouteString('10.1.0.0/16')).message, /neither a gateway \(via\) nor a device \(dev\)/);
    assert.match(bad(parseRouteString('default')).message, /neither/);
    const e = bad(parseRouteString('blackhole 10.9.0.0/16 via 10.0.0.1'));
    assert.match(e.message, /blackhole route takes no gateway or device/);
    assert.equal(e.hint, 'write `blackhole 10.9.0.0/16`');
  });
});

describe('routes: structured form', () => {
  it('{to, via}', () => {
    assert.deepEqual(ok(normaliseRoute({ to: 'default', via: '172.17.0.1' })), { to: 'default', family: 4, via: '172.17.0.1' });
  });

  it('{to, via, dev, metric, src, onlink, mtu}', () => {
    assert.deepEqual(ok(normaliseRoute({ to: '10.1.0.0/24', via: '10.2.0.1', dev: 'eth0', metric: 5, src: '10.2.0.9', onlink: true, mtu: 1400 })), {
      to: '10.1.0.0/24',
      family: 4,
      via: '10.2.0.1',
      dev: 'eth0',
      metric: 5,
      src: '10.2.0.9',
      onlink: true,
      mtu: 1400,
    });
  });

  it('type blackhole; type unicast is dropped; onlink: false is dropped', () => {
    assert.deepEqual(ok(normaliseRoute({ to: '10.9.0.0/16', type: 'blackhole' })), { to: '10.9.0.0/16', family: 4, type: 'blackhole' });
    assert.deepEqual(ok(normaliseRoute({ to: '10.9.0.0/16', type: 'unicast', dev: 'eth0', onlink: false })), { to: '10.9.0.0/16', family: 4, dev: 'eth0' });
  });

  it('IPv6, by destination or by gateway', () => {
    assert.equal(ok(normaliseRoute({ to: 'fd00:1::/64', via: 'fd00::1' })).family, 6);
    assert.equal(ok(normaliseRoute({ to: 'default', via: 'fd00::1' })).family, 6);
  });

  it('the same checks as the string form', () => {
    assert.match(bad(normaliseRoute({ to: '10.1.0.1/16', via: '10.0.0.1' })).hint, /10\.1\.0\.0\/16/);
    assert.match(bad(normaliseRoute({ to: '10.1.0.0/16' })).message, /neither/);
    assert.match(bad(normaliseRoute({ to: '10.1.0.0/16', via: 'fd00::1' })).message, /gateway fd00::1 is IPv6/);
    assert.match(bad(normaliseRoute({ to: 'nowhere', dev: 'eth0' })).message, /not a prefix/);
  });

  it('string and structured forms give the same route', () => {
    assert.deepEqual(ok(parseRouteString('10.1.0.0/16 via 10.0.0.1 dev eth0 metric 10')), ok(normaliseRoute({ to: '10.1.0.0/16', via: '10.0.0.1', dev: 'eth0', metric: 10 })));
  });
});

describe('routes: routeArgs', () => {
  it('a gateway route', () => {
    assert.deepEqual(routeArgs(ok(parseRouteString('default via 10.0.0.1'))), ['route', 'add', 'default', 'via', '10.0.0.1']);
  });

  it('every option, in iproute2 order', () => {
    assert.deepEqual(routeArgs(ok(parseRouteString('10.1.0.0/16 via 10.0.0.1 dev eth0 metric 10 src 10.0.0.5 mtu 1400 onlink'))), [
      'route',
      'add',
      '10.1.0.0/16',
      'via',
      '10.0.0.1',
      'dev',
      'eth0',
      'src',
      '10.0.0.5',
      'metric',
      '10',
      'mtu',
      '1400',
      'onlink',
    ]);
  });

  it('a blackhole route', () => {
    assert.deepEqual(routeArgs(ok(parseRouteString('blackhole 10.9.0.0/16'))), ['route', 'add', 'blackhole', '10.9.0.0/16']);
  });

  it('IPv6 routes: no -6 (an `ip -batch` line takes no global option: "Object "-6" is unknown"); the IPv6 default is ::/0', () => {
    assert.deepEqual(routeArgs(ok(parseRouteString('default via fd00::1'))), ['route', 'add', '::/0', 'via', 'fd00::1']);
    assert.deepEqual(routeArgs(ok(parseRouteString('default6 dev eth0'))), ['route', 'add', '::/0', 'dev', 'eth0']);
    assert.deepEqual(routeArgs(ok(normaliseRoute({ to: 'fd00:1::/64', dev: 'eth0', metric: 0 }))), ['route', 'add', 'fd00:1::/64', 'dev', 'eth0', 'metric', '0']);
  });
});

describe('routes: consistency checks', () => {
  it('a source address of the other family is refused (ip route add would fail at `lab up`)', () => {
    const e = bad(parseRouteString('default via 10.0.0.1 src fd00::1'));
    assert.match(e.message, /fd00::1/);
  });
});
