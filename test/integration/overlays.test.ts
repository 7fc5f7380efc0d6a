/** Interfaces no link makes, on the real kernel: a user-space tun tunnel (socat), macvlan, and tunnel types this kernel lacks. */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { needFile } from '../needs.ts';
import { expectOk, lab, labLeftovers, processesMatching, ROOT, tempDir } from './helpers.ts';

const running = (part: string): number[] => processesMatching(part);

const TUN_LAB = `name: ovl-tun
nodes:
  a:
    interfaces:
      eth0: { addresses: [10.0.0.1/24] }
      tun0: { type: tun, remote: b, addresses: [10.60.0.1/24] }
  b:
    interfaces:
      eth0: { addresses: [10.0.0.2/24] }
      tun0: { type: tun, remote: a, addresses: [10.60.0.2/24] }
  c:
    interfaces:
      eth0: { addresses: [10.0.1.1/24] }
      mv0: { type: macvlan, dev: eth0, addresses: [10.0.1.11/24] }
  d: { interfaces: { eth0: { addresses: [10.0.1.2/24] } } }
bridges:
  lan: {}
links:
  - [a:eth0, b:eth0]
  - [c:eth0, lan]
  - [d:eth0, lan]
tests:
  - name: through the user-space tunnel
    ping: { from: a, to: 10.60.0.2 }
    within: 5s
  - name: the tunnel's MTU leaves room for IPv4 and UDP
    command: { node: a, run: "ip -o link show tun0", output: "mtu 1472" }
  - name: the macvlan child has an address of its own on the parent's segment
    ping: { from: d, to: 10.0.1.11 }
    within: 5s
`;

describe('overlays and virtual interfaces (root, real kernel)', function () {
  let dir: string;
  beforeEach(async () => {
    dir = tempDir();
    await lab(['down', '--all']);
  });
  afterEach(async () => {
    await lab(['down', '--all']);
  });

  it('a tun tunnel forwarded by socat and a macvlan child work, and the forwarders stop with the lab', async () => {
    const f = join(dir, 'lab.yaml');
    writeFileSync(f, TUN_LAB);
    expectOk(await lab(['up', f, '--test']), 'up --test');
    assert.equal(running('tun-name=tun0').length, 2, 'one socat per tunnel end');
    expectOk(await lab(['down', 'ovl-tun']), 'down');
    assert.deepEqual(running('tun-name=tun0'), []);
    assert.deepEqual(labLeftovers('ovl-tun'), []);
  });

  it('the VXLAN overlay works the same when the gateways and a host are containers', async () => {
    needFile('/var/run/docker.sock', 'Docker is not running here (`bash scripts/setup.sh --with-docker` installs and starts it)');
    const text = readFileSync(join(ROOT, 'labs/vxlan-l2-overlay/lab.yaml'), 'utf8')
      .replace(/^name: .*$/m, 'name: ovl-ctr')
      .replace(/^  (gw-a|gw-b|h-a):\n/gm, '  $1:\n    kind: container\n');
    const f = join(dir, 'lab.yaml');
    writeFileSync(f, text);
    expectOk(await lab(['up', f, '--test']), 'up --test with containers');
    expectOk(await lab(['down', 'ovl-ctr']), 'down');
    assert.deepEqual(labLeftovers('ovl-ctr'), []);
  });

  it('a tunnel type this kernel lacks is refused before anything is built, naming the kernel feature', async () => {
    const f = join(dir, 'lab.yaml');
    writeFileSync(f, TUN_LAB.replace('name: ovl-tun', 'name: ovl-gre').replace(/type: tun/g, 'type: gre'));
    const r = await lab(['up', f]);
    if (r.exitCode === 0) {
      // a kernel with GRE: nothing to refuse, and the interface must really be a GRE tunnel (this machine's kernel has none)
      const link = await execa('ip', ['-n', 'nsl.ovl-gre.a', '-d', '-o', 'link', 'show', 'tun0'], { reject: false });
      assert.match(String(link.stdout), /\bgre\b/, `up succeeded, so a:tun0 is a GRE tunnel: ${String(link.stdout)}${String(link.stderr)}`);
      expectOk(await lab(['down', 'ovl-gre']), 'down');
      assert.deepEqual(labLeftovers('ovl-gre'), []);
      return;
    }
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /lab\.yaml:6:7: error: a:tun0 is a gre interface, and this kernel cannot make one/);
    assert.match(r.stderr, /CONFIG_NET_IPGRE/);
    assert.deepEqual(labLeftovers('ovl-gre'), []);
  });

  it('a VXLAN remote the underlay cannot reach is refused at its line', async () => {
    const f = join(dir, 'lab.yaml');
    writeFileSync(f, 'name: ovl-bad\nnodes:\n  a:\n    interfaces:\n      eth0: { addresses: [10.0.0.1/24] }\n      vx0: { type: vxlan, vni: 7, remote: 10.9.9.9 }\n  b: {}\nlinks:\n  - [a:eth0, b:eth0]\n');
    const r = await lab(['validate', f]);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /lab\.yaml:6:\d+: error: a:vx0: remote 10\.9\.9\.9 is not reachable from a in the underlay as declared/);
  });
});
