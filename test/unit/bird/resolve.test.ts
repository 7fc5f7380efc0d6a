/** resolveBird: what a BGP router's keys resolve to, and every semantic mistake as a diagnostic at its YAML place. */
import { strict as assert } from 'node:assert';
import { parseLabText } from '../../../runner/config/load.ts';
import type { Diagnostic } from '../../../runner/config/diagnostics.ts';
import { birdKeysElsewhere, resolveBird } from '../../../runner/kinds/bird/resolve.ts';
import { birdCtx, load, resolveAll } from './helpers.ts';

/** r1 (bird, AS 65001) and r2 (bird, AS 65002) on 10.0.12.0/24, h (netns) on 10.0.13.0/24; `r1` is appended to r1's mapping. */
function r1(extra: string, more = ''): { spec?: ReturnType<typeof resolveBird>['spec']; ds: Diagnostic[] } {
  const text = `name: t
nodes:
  # r2 peers with r1 (so r1's sessions to it are not one-sided)
  r2: { kind: bird, asn: 65002, bgp: { neighbors: [{ peer: r1 }] },
        interfaces: { eth0: { addresses: [10.0.12.2/24, "fd00:12::2/64"] }, lo: { addresses: [10.255.0.2/32] } } }
  #
  h:
    interfaces: { eth0: { addresses: [10.0.13.3/24] } }
${more}  r1:
    kind: bird
    interfaces:
      eth0: { addresses: [10.0.12.1/24, "fd00:12::1/64"] }
      eth1: { addresses: [10.0.13.1/24] }
      lo: { addresses: [10.255.0.1/32] }
${extra}`;
  const file = parseLabText('t.yaml', text);
  const raw = (file.data as { nodes: Record<string, Record<string, unknown>> }).nodes.r1;
  const r = resolveBird('r1', raw, birdCtx(file));
  return { spec: r.spec, ds: r.diagnostics };
}
const one = (ds: Diagnostic[], code: string): Diagnostic => {
  const found = ds.filter((d) => d.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got ${JSON.stringify(ds, null, 1)}`);
  return found[0];
};

describe('bird: resolveBird', () => {
  it('issue 18: a neighbor given by address with an asn its router is not in is an error at that asn', () => {
    const { ds } = r1('    asn: 65001\n    bgp:\n      neighbors: [{ peer: 10.0.12.2, asn: 65009 }]\n');
    const d = one(ds, 'bird.neighbor-asn');
    assert.equal(d.message, 'neighbor 10.0.12.2 is given AS 65009, but r2 is in AS 65002');
    assert.match(d.hint ?? '', /write asn: 65002/);
    assert.equal(d.pos?.line, 17);
    assert.deepEqual(r1('    asn: 65001\n    bgp:\n      neighbors: [{ peer: 10.0.12.2, asn: 65002 }]\n').ds.filter((x) => x.severity === 'error'), [], 'the right asn is fine');
  });

  it('issue 18: the same prefix announced by two ASes is a warning, said once', () => {
    const more = '  r3: { kind: bird, asn: 65003, bgp: { announce: [10.9.0.0/24] }, interfaces: { eth0: { addresses: [10.0.14.3/24] } } }\n';
    const { ds } = r1('    asn: 65001\n    bgp:\n      neighbors: [{ peer: r2 }]\n      announce: [10.9.0.0/24]\n', more);
    const d = one(ds, 'bird.moas');
    assert.equal(d.severity, 'warning');
    assert.equal(d.message, '10.9.0.0/24 is announced by r1 (AS 65001) and by r3 (AS 65003)');
    const same = r1('    asn: 65003\n    bgp:\n      neighbors: [{ peer: r2 }]\n      announce: [10.9.0.0/24]\n', more).ds;
    assert.equal(same.filter((x) => x.code === 'bird.moas').length, 0, 'one AS announcing from two routers is not a MOAS');
  });

  it('resolves an eBGP pair: router ID from lo, peer address on the shared subnet, local address, peer asn from its node', () => {
    const { specs, diagnostics } = resolveAll(load('ebgp-pair'));
    assert.deepEqual(diagnostics, []);
    const [a, b] = specs;
    assert.equal(a.routerId, '10.255.0.1');
    assert.deepEqual(a.routerIdFrom, { key: false, iface: 'lo' });
    assert.equal(a.runtime, 'netns');
    assert.equal(b.runtime, 'container');
    assert.equal(b.routerId, '10.255.0.2');
    const n = a.neighbors[0];
    assert.deepEqual(
      { protocol: n.protocol, address: n.address, local: n.local, asn: n.asn, ibgp: n.ibgp, multihop: n.multihop, import: n.import, export: n.export, line: n.pos.line },
      { protocol: 'to_r2', address: '10.0.12.2', local: '10.0.12.1', asn: 65002, ibgp: false, multihop: false, import: { type: 'default' }, export: { type: 'default' }, line: 12 },
    );
    assert.deepEqual(a.announce.map((x) => [x.prefix, x.pos.line]), [['10.1.0.0/24', 13]]);
    assert.equal(b.neighbors[0].description, 'r1, our upstream');
  });

  it('iBGP when the asn is the same; peers by node:interface and by address (IPv6)', () => {
    const { spec, ds } = r1('    asn: 65002\n    bgp:\n      neighbors: [{ peer: "r2:lo", multihop: 2 }, { peer: "fd00:12::2" }]\n');
    assert.deepEqual(ds.filter((d) => d.severity === 'error'), []);
    assert.deepEqual(spec!.neighbors.map((n) => [n.protocol, n.address, n.family, n.ibgp, n.multihop, n.local]), [
      ['to_r2_lo', '10.255.0.2', 4, true, 2, '10.255.0.1'],
      ['to_fd00_12__2', 'fd00:12::2', 6, true, false, 'fd00:12::1'],
    ]);
  });

  it('asn: missing, or out of range', () => {
    const d = one(r1('').ds, 'bird.asn');
    assert.match(d.message, /BGP router r1 has no asn/);
    assert.equal(d.pos?.line, 9);
    assert.match(d.hint!, /asn: 65001/);
    const big = one(r1('    asn: 4294967296\n').ds, 'bird.asn');
    assert.equal(big.pos?.line, 15);
    assert.match(big.hint!, /1 to 4294967295/);
    assert.equal(r1('    asn: 0\n').spec, undefined);
  });

  it('router-id: not an IPv4 address; no IPv4 address to default to', () => {
    for (const bad of ['10.0.0.256', '"fd00::1"', 'r1']) {
      const d = one(r1(`    asn: 65001\n    router-id: ${bad}\n`).ds, 'bird.router-id');
      assert.match(d.message, /is not an IPv4 address/);
      assert.equal(d.pos?.line, 16);
    }
    const file = parseLabText('t.yaml', 'name: t\nnodes:\n  r6:\n    kind: bird\n    asn: 65001\n    interfaces: { eth0: { addresses: ["fd00::1/64"] } }\n');
    const r = resolveBird('r6', (file.data as { nodes: Record<string, Record<string, unknown>> }).nodes.r6, birdCtx(file));
    const d = one(r.diagnostics, 'bird.router-id');
    assert.match(d.message, /no IPv4 address to take its router ID from/);
    assert.deepEqual([d.pos?.line, d.pos?.col], [3, 3]);
    assert.match(d.hint!, /router-id: 10\.255\.0\.1/);
    assert.equal(r1('    asn: 65001\n    router-id: 192.0.2.1\n').spec?.routerId, '192.0.2.1');
  });

  it('a neighbor that is neither a node nor an address: did you mean', () => {
    const d = one(r1('    asn: 65001\n    bgp: { neighbors: [{ peer: r3 }] }\n').ds, 'bird.neighbor-unknown');
    assert.equal(d.message, 'neighbor "r3" is neither a node of this lab nor an address');
    assert.equal(d.hint, 'did you mean "r2"?');
    assert.deepEqual([d.pos?.line, d.pos?.col], [16, 32]);
    assert.equal(one(r1('    asn: 65001\n    bgp: { neighbors: [{ peer: "r2:eth9" }] }\n').ds, 'bird.neighbor-unknown').message, 'node r2 has no interface eth9');
    assert.match(one(r1('    asn: 65001\n    bgp: { neighbors: [{ peer: r1 }] }\n').ds, 'bird.neighbor-self').message, /its own BGP neighbor/);
  });

  it('a neighbor node that is not a BGP router needs an asn (on the neighbor or on the node)', () => {
    const d = one(r1('    asn: 65001\n    bgp: { neighbors: [{ peer: h }] }\n').ds, 'bird.neighbor-asn');
    assert.match(d.message, /neighbor h is not a BGP router of the lab \(kind: netns\) and has no asn/);
    assert.equal(r1('    asn: 65001\n    bgp: { neighbors: [{ peer: h, asn: 65003 }] }\n').spec?.neighbors[0].asn, 65003);
    const withNodeAsn = r1('    asn: 65001\n    bgp: { neighbors: [{ peer: h2 }] }\n', '  h2:\n    asn: 65004\n    interfaces: { eth0: { addresses: [10.0.12.9/24] } }\n');
    assert.deepEqual(withNodeAsn.ds, []);
    assert.equal(withNodeAsn.spec?.neighbors[0].asn, 65004);
    assert.match(one(r1('    asn: 65001\n    bgp: { neighbors: [{ peer: 10.0.12.7 }] }\n').ds, 'bird.neighbor-asn').message, /neighbor 10\.0\.12\.7 has no asn/);
  });

  it('a peer not on a connected subnet needs multihop (then the session starts from lo if there is one)', () => {
    const d = one(r1('    asn: 65001\n    bgp: { neighbors: [{ peer: 192.0.2.9, asn: 65009 }] }\n').ds, 'bird.neighbor-not-connected');
    assert.equal(d.message, 'neighbor 192.0.2.9 is not on a subnet connected to r1');
    assert.match(d.hint!, /add `multihop: true`.*r1 is on 10\.0\.12\.0\/24, 10\.0\.13\.0\/24/);
    const lo = one(r1('    asn: 65001\n    bgp: { neighbors: [{ peer: "r2:lo" }] }\n').ds, 'bird.neighbor-not-connected');
    assert.equal(lo.message, 'neighbor r2:lo (10.255.0.2) is not on a subnet connected to r1');
    const ok = r1('    asn: 65001\n    bgp: { neighbors: [{ peer: 192.0.2.9, asn: 65009, multihop: true }, { peer: "r2:lo", multihop: 2 }] }\n');
    assert.deepEqual(ok.ds, []);
    assert.deepEqual(ok.spec?.neighbors.map((n) => [n.address, n.multihop, n.local]), [
      ['192.0.2.9', true, '10.255.0.1'],
      ['10.255.0.2', 2, '10.255.0.1'],
    ]);
  });

  it('duplicate neighbors (a node and its address), unknown policies, rr-client on eBGP, cluster-id without clients', () => {
    assert.match(one(r1('    asn: 65001\n    bgp: { neighbors: [{ peer: r2 }, { peer: 10.0.12.2, asn: 65002 }] }\n').ds, 'bird.neighbor-duplicate').message, /two neighbors at 10\.0\.12\.2/);
    const pol = one(r1('    asn: 65001\n    bgp:\n      neighbors: [{ peer: r2, import: from-r2x }]\n      policies: { from-r2: { local-pref: 200 } }\n').ds, 'bird.policy-unknown');
    assert.equal(pol.message, 'unknown policy "from-r2x"');
    assert.equal(pol.hint, 'did you mean "from-r2"?');
    assert.equal(pol.pos?.line, 17);
    assert.match(one(r1('    asn: 65001\n    bgp: { neighbors: [{ peer: r2, rr-client: true }] }\n').ds, 'bird.rr-client-ebgp').message, /only iBGP neighbors can be route reflector clients/);
    const cid = one(r1('    asn: 65002\n    bgp: { cluster-id: 10.0.0.1, neighbors: [{ peer: r2 }] }\n').ds, 'bird.cluster-id');
    assert.match(cid.message, /no route reflector clients/);
    assert.match(cid.hint!, /rr-client: true/);
    assert.deepEqual(r1('    asn: 65002\n    bgp: { cluster-id: 10.0.0.1, neighbors: [{ peer: r2, rr-client: true, next-hop-self: true }] }\n').ds, []);
  });

  it('policies, announce and static: bad prefixes, ranges, communities, gateways', () => {
    const { ds } = r1(`    asn: 65001
    static: [10.9.0.0/16 via 192.0.2.1, "10.8.0.0/16 via fd00::1"]
    bgp:
      announce: [10.1.0.1/24]
      policies:
        p: { prefixes: ["10.0.0.0/8{4,24}", 10.0.0.0/33], communities: { add: [[65001, 70000]] } }
`);
    assert.deepEqual(ds.map((d) => [d.code, d.pos?.line]), [
      ['bird.prefix', 20],
      ['bird.prefix', 20],
      ['bird.community', 20],
      ['bird.announce', 18],
      ['bird.static-gateway', 16],
      ['bird.static', 16],
    ]);
    assert.match(ds[0].message, /the lengths \{4,24\} must satisfy 8 ≤ min ≤ max ≤ 32/);
    assert.equal(ds[3].hint, 'did you mean 10.1.0.0/24?');
  });

  it('warns when an iBGP neighbor would get next hops it cannot reach (route reflector without next-hop-self)', () => {
    const text = `name: t
nodes:
  rr: { kind: bird, asn: 65000, interfaces: { a: { addresses: [10.0.1.1/24] }, b: { addresses: [10.0.2.1/24] } }, bgp: { neighbors: [{ peer: c1, rr-client: true }, { peer: c2, rr-client: true, next-hop-self: true }] } }
  c1: { kind: bird, asn: 65000, interfaces: { a: { addresses: [10.0.1.2/24] } } }
  c2: { kind: bird, asn: 65000, interfaces: { b: { addresses: [10.0.2.2/24] } } }
`;
    const file = parseLabText('t.yaml', text);
    const r = resolveBird('rr', (file.data as { nodes: Record<string, Record<string, unknown>> }).nodes.rr, birdCtx(file));
    assert.ok(r.spec);
    const d = one(r.diagnostics, 'bird.next-hop');
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /routes from c2 reach iBGP neighbor c1 with their next hop unchanged \(10\.0\.2\.2\)/);
    assert.match(d.hint!, /next-hop-self: true/);
    assert.deepEqual(resolveAll(load('ibgp-mesh')).diagnostics, [], 'a full mesh on one subnet needs nothing');
  });

  it('warns when the neighbor router does not list this one back', () => {
    const { specs, diagnostics } = resolveAll(parseLabText('t.yaml', `name: t
nodes:
  a: { kind: bird, asn: 1, interfaces: { e: { addresses: [10.0.0.1/24] } }, bgp: { neighbors: [{ peer: b }, { peer: c }] } }
  b: { kind: bird, asn: 2, interfaces: { e: { addresses: [10.0.0.2/24] } }, bgp: { neighbors: [{ peer: 10.0.0.1 }] } }
  c: { kind: bird, asn: 3, interfaces: { e: { addresses: [10.0.0.3/24] } } }
`));
    assert.equal(specs.length, 3);
    assert.deepEqual(diagnostics.map((d) => [d.severity, d.message, d.hint]), [['warning', 'c has no neighbor a: this session cannot come up', 'add `{ peer: a }` to nodes.c.bgp.neighbors']]);
  });

  it('keys of BGP routers on a node of another kind are errors (asn is allowed anywhere)', () => {
    const file = parseLabText('t.yaml', 'name: t\nnodes:\n  h:\n    asn: 65001\n    bgp: { announce: [10.0.0.0/8] }\n    static: []\n');
    const ds = birdKeysElsewhere('h', 'netns', (file.data as { nodes: Record<string, Record<string, unknown>> }).nodes.h, file);
    assert.deepEqual(ds.map((d) => [d.message, d.pos?.line]), [
      ['bgp is a key of BGP routers, but h is of kind netns', 5],
      ['static is a key of BGP routers, but h is of kind netns', 6],
    ]);
    assert.match(ds[0].hint!, /kind: bird/);
  });
});
