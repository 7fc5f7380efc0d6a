/** Automatic addressing (runner/model/ipam.ts), through loadLab on small lab files in a temporary directory. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLab, type Loaded } from '../../runner/api.ts';
import { LabError, type Diagnostic } from '../../runner/config/diagnostics.ts';
import type { ResolvedLab } from '../../runner/model/types.ts';

let dir: string;
let n = 0;

function write(text: string, name = `lab-${++n}.yaml`): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function load(text: string): ResolvedLab {
  const path = write(text);
  try {
    return loadLab(path).lab;
  } catch (e) {
    if (e instanceof LabError) assert.fail(`the lab was rejected:\n${e.diagnostics.map((d) => `${d.pos?.line}:${d.pos?.col} ${d.code}: ${d.message}`).join('\n')}`);
    throw e;
  }
}

function reject(text: string): readonly Diagnostic[] {
  let loaded: Loaded | undefined;
  try {
    loaded = loadLab(write(text));
  } catch (e) {
    assert.ok(e instanceof LabError, `expected a LabError, got ${String(e)}`);
    return e.diagnostics;
  }
  return assert.fail(`the lab was accepted: ${JSON.stringify(addrs(loaded.lab))}`);
}

/** node:if (or bridge name) → addresses. */
function addrs(lab: ResolvedLab): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = {};
  for (const nd of lab.nodes) for (const i of nd.interfaces) out[`${nd.name}:${i.name}`] = i.addresses;
  for (const b of lab.bridges) out[`bridge ${b.name}`] = b.addresses;
  return out;
}

function iface(lab: ResolvedLab, node: string, name: string): { addresses: readonly string[]; auto: boolean } {
  const i = lab.nodes.find((x) => x.name === node)?.interfaces.find((x) => x.name === name);
  assert.ok(i, `${node}:${name} is not in the resolved lab`);
  return i;
}

describe('ipam: automatic addressing', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nslab-ipam-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('a fabric bridge with one explicit address: the other members get the next free hosts of its subnet', () => {
    const lab = load(`
name: ipam-bridge
nodes:
  r:
    interfaces:
      eth0: { addresses: [10.1.0.1/24] }
  a1: {}
  a2: {}
bridges:
  lan: {}
links:
  - [r:eth0, lan]
  - [a1:eth0, lan]
  - [a2:eth0, lan]
`);
    assert.deepEqual(iface(lab, 'r', 'eth0'), { ...iface(lab, 'r', 'eth0'), addresses: ['10.1.0.1/24'], auto: false });
    assert.deepEqual(iface(lab, 'a1', 'eth0').addresses, ['10.1.0.2/24']);
    assert.deepEqual(iface(lab, 'a2', 'eth0').addresses, ['10.1.0.3/24']);
    assert.equal(iface(lab, 'a1', 'eth0').auto, true);
  });

  it('free hosts are the lowest ones not taken, even below the explicit address', () => {
    const lab = load(`
name: ipam-below
nodes:
  r:
    interfaces:
      eth0: { addresses: [10.1.0.2/24] }
  a1: {}
  a2: {}
bridges:
  lan: {}
links:
  - [r:eth0, lan]
  - [a1:eth0, lan]
  - [a2:eth0, lan]
`);
    assert.deepEqual([iface(lab, 'a1', 'eth0').addresses, iface(lab, 'a2', 'eth0').addresses], [['10.1.0.1/24'], ['10.1.0.3/24']]);
  });

  it('a docker0-style bridge inside a node: its own address is explicit, the containers get the next hosts', () => {
    const lab = load(`
name: ipam-docker0
nodes:
  host: {}
  c1: {}
  c2: {}
bridges:
  docker0:
    node: host
    addresses: [172.17.0.1/16]
links:
  - [c1:eth0, docker0]
  - [c2:eth0, docker0]
`);
    assert.deepEqual(addrs(lab), { 'c1:eth0': ['172.17.0.2/16'], 'c2:eth0': ['172.17.0.3/16'], 'bridge docker0': ['172.17.0.1/16'] });
  });

  it('two point-to-point links without addresses get 10.200.0.0/24 and 10.200.1.0/24 from the default pool', () => {
    const lab = load(`
name: ipam-p2p
nodes:
  a: {}
  b: {}
  c: {}
links:
  - [a:eth0, b:eth0]
  - [b:eth1, c:eth0]
`);
    assert.deepEqual(addrs(lab), {
      'a:eth0': ['10.200.0.1/24'],
      'b:eth0': ['10.200.0.2/24'],
      'b:eth1': ['10.200.1.1/24'],
      'c:eth0': ['10.200.1.2/24'],
    });
    for (const k of ['a:eth0', 'b:eth0', 'b:eth1', 'c:eth0']) {
      const [nd, i] = k.split(':');
      assert.equal(iface(lab, nd, i).auto, true, k);
    }
  });

  it('a pool subnet that overlaps an explicit subnet is skipped', () => {
    const lab = load(`
name: ipam-skip
nodes:
  a:
    interfaces:
      eth0: { addresses: [10.200.0.1/24] }
  b:
    interfaces:
      eth0: { addresses: [10.200.0.2/24] }
  c: {}
  d:
    interfaces:
      eth0: { addresses: [10.200.2.1/23] }
  e:
    interfaces:
      eth0: { addresses: [10.200.2.2/23] }
  f: {}
links:
  - [a:eth0, b:eth0]
  - [c:eth0, f:eth0]
  - [d:eth0, e:eth0]
  - [c:eth1, f:eth1]
`);
    // 10.200.0.0/24 and 10.200.2.0/23 (= .2 and .3) are explicit: the pool hands out .1, then .4
    assert.deepEqual(iface(lab, 'c', 'eth0').addresses, ['10.200.1.1/24']);
    assert.deepEqual(iface(lab, 'f', 'eth0').addresses, ['10.200.1.2/24']);
    assert.deepEqual(iface(lab, 'c', 'eth1').addresses, ['10.200.4.1/24']);
    assert.deepEqual(iface(lab, 'f', 'eth1').addresses, ['10.200.4.2/24']);
  });

  it('the pool and the prefix come from addressing.ipv4', () => {
    const lab = load(`
name: ipam-pool
addressing:
  ipv4: { pool: 192.168.100.0/24, prefix: 30 }
nodes:
  a: {}
  b: {}
  c: {}
links:
  - [a:eth0, b:eth0]
  - [b:eth1, c:eth0]
`);
    assert.deepEqual(addrs(lab), {
      'a:eth0': ['192.168.100.1/30'],
      'b:eth0': ['192.168.100.2/30'],
      'b:eth1': ['192.168.100.5/30'],
      'c:eth0': ['192.168.100.6/30'],
    });
  });

  it('no IPv6 pool: no IPv6 addresses', () => {
    const lab = load(`
name: ipam-no-v6
nodes:
  a: {}
  b: {}
links:
  - [a:eth0, b:eth0]
`);
    for (const a of Object.values(addrs(lab)).flat()) assert.ok(!a.includes(':'), a);
  });

  it('an IPv6 pool, when given, assigns IPv6 as well, one /64 per segment by default', () => {
    const lab = load(`
name: ipam-v6
addressing:
  ipv6: { pool: "fd00:200::/48" }
nodes:
  a: {}
  b: {}
  c: {}
links:
  - [a:eth0, b:eth0]
  - [b:eth1, c:eth0]
`);
    assert.deepEqual(addrs(lab), {
      'a:eth0': ['10.200.0.1/24', 'fd00:200::1/64'],
      'b:eth0': ['10.200.0.2/24', 'fd00:200::2/64'],
      'b:eth1': ['10.200.1.1/24', 'fd00:200:0:1::1/64'],
      'c:eth0': ['10.200.1.2/24', 'fd00:200:0:1::2/64'],
    });
  });

  it('explicit IPv6 on a segment: its subnet is used for the rest of the segment', () => {
    const lab = load(`
name: ipam-v6-explicit
addressing:
  ipv6: { pool: "fd00:200::/48" }
nodes:
  r:
    interfaces:
      eth0: { addresses: ["fd00:1::1/64"] }
  a: {}
bridges:
  lan: {}
links:
  - [r:eth0, lan]
  - [a:eth0, lan]
`);
    assert.deepEqual(iface(lab, 'r', 'eth0').addresses, ['fd00:1::1/64']);
    assert.deepEqual(iface(lab, 'a', 'eth0').addresses, ['10.200.0.1/24', 'fd00:1::2/64']);
  });

  it('addresses: [] means none, and the other end still gets one', () => {
    const lab = load(`
name: ipam-none
nodes:
  a:
    interfaces:
      eth0: { addresses: [] }
  b: {}
links:
  - [a:eth0, b:eth0]
`);
    assert.deepEqual(iface(lab, 'a', 'eth0').addresses, []);
    assert.equal(iface(lab, 'a', 'eth0').auto, false);
    assert.deepEqual(iface(lab, 'b', 'eth0').addresses, ['10.200.0.1/24']);
  });

  it('an explicit address is written canonically (IPv6 compressed, host part kept)', () => {
    const lab = load(`
name: ipam-canon
nodes:
  a:
    interfaces:
      eth0: { addresses: ["FD00:0:0:0::0001/64", 10.0.0.1/24] }
  b:
    interfaces:
      eth0: { addresses: ["fd00::2/64", 10.0.0.2/24] }
links:
  - [a:eth0, b:eth0]
`);
    assert.deepEqual(iface(lab, 'a', 'eth0').addresses, ['fd00::1/64', '10.0.0.1/24']);
  });

  it('the same file gives the same addresses every time, wherever it is', () => {
    const text = `
name: ipam-det
addressing:
  ipv6: { pool: "fd00:200::/48" }
nodes:
  r:
    interfaces:
      eth0: { addresses: [10.1.0.1/24] }
  a1: {}
  a2: {}
  b1: {}
  b2: {}
bridges:
  lan-a: {}
links:
  - [r:eth0, lan-a]
  - [a1:eth0, lan-a]
  - [a2:eth0, lan-a]
  - [b1:eth0, b2:eth0]
  - [r:eth1, b1:eth1]
`;
    const first = addrs(load(text));
    assert.deepEqual(addrs(load(text)), first);
    const path = write(text, 'lab.yaml');
    assert.deepEqual(addrs(loadLab(path).lab), first);
    assert.deepEqual(addrs(loadLab(path).lab), first);
    assert.equal(Object.values(first).flat().length, 13, 'r:eth0 has its one explicit address; the five others got an IPv4 and an IPv6 address each');
  });

  it('pool exhaustion is an error that points at the pool', () => {
    const ds = reject(`
name: ipam-exhausted
addressing:
  ipv4: { pool: 10.9.0.0/24, prefix: 25 }
nodes:
  a: {}
  b: {}
  c: {}
  d: {}
links:
  - [a:eth0, b:eth0]
  - [b:eth1, c:eth0]
  - [c:eth1, d:eth0]
`);
    const d = ds.find((x) => x.code === 'address.pool-exhausted');
    assert.ok(d, `no address.pool-exhausted among ${ds.map((x) => x.code).join(', ')}`);
    assert.match(d.message, /10\.9\.0\.0\/24/);
    assert.match(d.message, /\/25/);
    assert.equal(d.pos?.line, 4, 'the position is the pool line');
    assert.ok(d.hint);
  });

  it('a subnet with no free host left is an error', () => {
    const ds = reject(`
name: ipam-full
addressing:
  ipv4: { pool: 10.9.0.0/24, prefix: 30 }
nodes:
  a: {}
  b: {}
  c: {}
bridges:
  lan: {}
links:
  - [a:eth0, lan]
  - [b:eth0, lan]
  - [c:eth0, lan]
`);
    const d = ds.find((x) => x.code === 'address.subnet-full');
    assert.ok(d, `no address.subnet-full among ${ds.map((x) => x.code).join(', ')}`);
    assert.match(d.message, /10\.9\.0\.0\/30/);
    assert.match(d.message, /c:eth0/);
  });

  it('a prefix shorter than the pool is an error', () => {
    const ds = reject(`
name: ipam-prefix
addressing:
  ipv4: { pool: 10.9.0.0/24, prefix: 16 }
nodes:
  a: {}
  b: {}
links:
  - [a:eth0, b:eth0]
`);
    assert.ok(ds.some((x) => x.code === 'address.pool'), ds.map((x) => x.code).join(', '));
  });
});
