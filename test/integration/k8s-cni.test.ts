/**
 * The CNI labs (issue 5), beyond up → test → down: the kernel objects each backend is about are really there —
 * flannel.1's static FDB and ARP entries, host-gw's routes, flannel-udp's forwarders, Calico's /32 routes,
 * cali interfaces, blackholes and BGP-learned routes, the external router's view — and every lab comes down
 * leaving nothing behind: no namespace, no state, no /etc/netns/nsl.<lab>* (the pods' resolv.conf), no process.
 *
 * Only these labs are touched: other labs may be up on the machine, and stay as they are.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expectOk, lab, labLeftovers, pidAlive } from './helpers.ts';

/** Every lab name these tests bring up (cni-backends-compared holds four labs: its lab.yaml and three below it). */
const LABS = ['k8s-flannel-vxlan', 'k8s-flannel-host-gw', 'k8s-flannel-udp', 'k8s-calico-bgp', 'k8s-calico-rr', 'cni-backends-compared', 'cni-compared-host-gw', 'cni-compared-udp', 'cni-compared-calico'] as const;

/** stdout of a command in a lab node's namespace. */
async function inNode(labName: string, node: string, argv: readonly string[]): Promise<string> {
  const r = await execa('ip', ['netns', 'exec', `nsl.${labName}.${node}`, ...argv], { reject: false });
  assert.equal(r.exitCode, 0, `${argv.join(' ')} in ${node} of ${labName} exited ${r.exitCode}: ${String(r.stderr)}`);
  return String(r.stdout);
}

/** Retry an async check until it passes or `ms` have passed (BGP needs a second or two). */
async function eventually(ms: number, check: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

const daemonPids = async (name: string): Promise<number[]> => {
  const st = await lab(['status', name, '--json']);
  expectOk(st, `lab status ${name}`);
  return (JSON.parse(st.stdout) as { daemons: { pid: number }[] }[])[0].daemons.map((d) => d.pid);
};

const birdc = (labName: string, node: string, ...words: string[]): Promise<string> => inNode(labName, node, ['birdc', '-s', `/run/nslab/${labName}/bird/${node}/bird.ctl`, ...words]);

describe('the CNI labs: the kernel objects of each backend, and a clean teardown (root, real kernel)', function () {
  this.timeout(120_000);
  const up = new Set<string>();

  before(function () {
    assert.equal(process.getuid?.(), 0, 'integration tests need root');
  });

  after(async () => {
    for (const name of LABS) await lab(['down', name]);
  });

  /** Bring a lab up (fresh), run the body, take it down and check that nothing is left. */
  async function withLab(name: string, body: () => Promise<void>, file = join('labs', name, 'lab.yaml')): Promise<void> {
    await lab(['down', name]);
    expectOk(await lab(['up', file]), `lab up ${file}`);
    up.add(name);
    const pids = await daemonPids(name);
    try {
      await body();
    } finally {
      expectOk(await lab(['down', name]), `lab down ${name}`);
      up.delete(name);
    }
    assert.deepEqual(labLeftovers(name), [], `${name} left something behind`);
    for (const p of pids) assert.ok(!pidAlive(p), `process ${p} of ${name} still runs`);
  }

  it('flannel-vxlan: flannel.1 carries the other node\'s VTEP MAC in a static FDB entry to its address, and a permanent ARP entry', async () => {
    const L = 'k8s-flannel-vxlan';
    await withLab(L, async () => {
      const mac = async (node: string): Promise<string> => /link\/ether ([0-9a-f:]{17})/.exec(await inNode(L, node, ['ip', 'link', 'show', 'flannel.1']))![1];
      const [m1, m2] = [await mac('node-1'), await mac('node-2')];
      assert.notEqual(m1, m2);
      const fdb1 = await inNode(L, 'node-1', ['bridge', 'fdb', 'show', 'dev', 'flannel.1']);
      assert.match(fdb1, new RegExp(`^${m2} dst 192\\.168\\.56\\.12 self permanent$`, 'm'));
      assert.doesNotMatch(fdb1, /^00:00:00:00:00:00 /m, 'no all-zero (flooding) entry: flannel never floods');
      assert.match(await inNode(L, 'node-2', ['bridge', 'fdb', 'show', 'dev', 'flannel.1']), new RegExp(`^${m1} dst 192\\.168\\.56\\.11 self permanent$`, 'm'));
      assert.match(await inNode(L, 'node-1', ['ip', 'neigh', 'show', 'dev', 'flannel.1']), new RegExp(`^10\\.244\\.1\\.0 lladdr ${m2} PERMANENT`, 'm'));
      assert.match(await inNode(L, 'node-1', ['ip', 'route', 'show', '10.244.1.0/24']), /^10\.244\.1\.0\/24 via 10\.244\.1\.0 dev flannel\.1 onlink/m);
      assert.match(await inNode(L, 'node-1', ['ip', '-d', 'link', 'show', 'flannel.1']), /mtu 1450 [\s\S]*vxlan id 1 local 192\.168\.56\.11 dev eth0 [\s\S]*dstport 8472 [\s\S]*nolearning/);
      assert.match(await inNode(L, 'web-1', ['ip', 'link', 'show', 'eth0']), /mtu 1450 /);
      // the pods' DNS settings are where `ip netns exec` finds them
      assert.match(readFileSync(`/etc/netns/nsl.${L}.web-1/resolv.conf`, 'utf8'), /^nameserver 10\.96\.0\.10$/m);
      // and the overlay carries traffic: web-1 → web-2 across the nodes
      await eventually(10_000, async () => void (await inNode(L, 'web-1', ['ping', '-c1', '-W1', '10.244.1.2'])));
    });
  });

  it('flannel-host-gw: each node routes the other\'s block via its underlay address, with no tunnel device', async () => {
    const L = 'k8s-flannel-host-gw';
    await withLab(L, async () => {
      assert.match(await inNode(L, 'node-1', ['ip', 'route', 'show', '10.244.1.0/24']), /^10\.244\.1\.0\/24 via 192\.168\.56\.12 dev eth0/m);
      assert.match(await inNode(L, 'node-2', ['ip', 'route', 'show', '10.244.0.0/24']), /^10\.244\.0\.0\/24 via 192\.168\.56\.11 dev eth0/m);
      assert.equal((await inNode(L, 'node-1', ['ip', '-o', 'link', 'show', 'type', 'vxlan'])).trim(), '');
      assert.equal((await inNode(L, 'node-1', ['ip', '-o', 'link', 'show', 'type', 'tun'])).trim(), '');
      assert.match(await inNode(L, 'web-1', ['ip', 'link', 'show', 'eth0']), /mtu 1500 /);
      await eventually(10_000, async () => void (await inNode(L, 'web-1', ['ping', '-c1', '-W1', '10.244.1.2'])));
    });
  });

  it('flannel-udp: a socat per node holds flannel0 and UDP 8285, and stops with the lab', async () => {
    const L = 'k8s-flannel-udp';
    await withLab(L, async () => {
      const pids = await daemonPids(L);
      const socats = pids.filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('tun-name=flannel0'));
      assert.equal(socats.length, 2, 'one forwarder per node');
      assert.match(await inNode(L, 'node-1', ['ss', '-uanp']), /192\.168\.56\.11:8285 .*socat/);
      assert.match(await inNode(L, 'node-1', ['ip', 'route', 'show', '10.244.1.0/24']), /^10\.244\.1\.0\/24 dev flannel0/m);
      assert.match(await inNode(L, 'node-1', ['ip', '-d', 'link', 'show', 'flannel0']), /mtu 1472 [\s\S]*tun type tun/);
      await eventually(10_000, async () => void (await inNode(L, 'web-1', ['ping', '-c1', '-W1', '10.244.1.2'])));
    });
  });

  it('calico-bgp: a blackhole for the node\'s block, a /32 to a cali interface per local pod, proxy ARP, and the other blocks from BGP', async () => {
    const L = 'k8s-calico-bgp';
    await withLab(L, async () => {
      const routes = await inNode(L, 'node-1', ['ip', 'route', 'show']);
      // node-1's pods: coredns .1, web-1 .2, client .3 — each a /32 on its own cali interface
      const cali = [1, 2, 3].map((k) => new RegExp(`^10\\.244\\.0\\.${k} dev (cali[0-9a-f]{11}) scope link`, 'm').exec(routes)?.[1]);
      assert.ok(cali.every(Boolean), `a /32 to a cali interface for each of node-1's pods:\n${routes}`);
      assert.equal(new Set(cali).size, 3, 'one cali interface per pod');
      for (const ifname of cali) {
        assert.match(await inNode(L, 'node-1', ['ip', 'link', 'show', ifname!]), /link\/ether ee:ee:ee:ee:ee:ee /);
        assert.equal((await inNode(L, 'node-1', ['sysctl', '-n', `net.ipv4.conf.${ifname}.proxy_arp`])).trim(), '1');
      }
      assert.doesNotMatch(routes, /cni0/, 'Calico has no bridge');
      await eventually(20_000, async () => {
        const r = await inNode(L, 'node-1', ['ip', 'route', 'show']);
        assert.match(r, /^blackhole 10\.244\.0\.0\/26 proto bird/m);
        assert.match(r, /^10\.244\.0\.64\/26 via 192\.168\.56\.12 dev eth0 proto bird/m);
        assert.match(r, /^10\.244\.0\.128\/26 via 192\.168\.56\.13 dev eth0 proto bird/m);
      });
      assert.match(await inNode(L, 'node-2', ['ip', 'route', 'show', 'type', 'blackhole']), /^blackhole 10\.244\.0\.64\/26 /m);
      assert.match(await inNode(L, 'web-1', ['ip', '-4', 'addr', 'show', 'eth0']), /inet 10\.244\.0\.2\/32 /);
      assert.match(await inNode(L, 'web-1', ['ip', 'route', 'show']), /^default via 169\.254\.1\.1 dev eth0 onlink/m);
      await eventually(20_000, async () => void (await inNode(L, 'web-1', ['ping', '-c1', '-W1', '10.244.0.129'])));
      assert.match(await inNode(L, 'web-1', ['ip', 'neigh', 'show', '169.254.1.1']), /lladdr ee:ee:ee:ee:ee:ee/);
      // a full mesh: both sessions of node-3 Established
      await eventually(20_000, async () => assert.equal((await birdc(L, 'node-3', 'show', 'protocols')).match(/ BGP .* Established/g)?.length, 2));
    });
  });

  it('calico-rr: clients peer only with the reflectors, and the external router learns every block and the LoadBalancer /32', async () => {
    const L = 'k8s-calico-rr';
    await withLab(L, async () => {
      await eventually(20_000, async () => {
        const p = await birdc(L, 'node-3', 'show', 'protocols');
        assert.match(p, /^to_node_1 .*Established/m);
        assert.match(p, /^to_node_2 .*Established/m);
        assert.match(p, /^to_ext .*Established/m);
        assert.doesNotMatch(p, /to_node_4/);
      });
      assert.match(readFileSync(`/run/nslab/${L}/bird/node-1/bird.conf`, 'utf8'), /^\s*rr client;/m);
      assert.doesNotMatch(readFileSync(`/run/nslab/${L}/bird/node-3/bird.conf`, 'utf8'), /^\s*rr client;/m);
      await eventually(20_000, async () => {
        const r = await inNode(L, 'ext', ['ip', 'route', 'show']);
        for (const [block, via] of [['10.244.0.0/26', 11], ['10.244.0.64/26', 12], ['10.244.0.128/26', 13], ['10.244.0.192/26', 14]] as const) {
          assert.match(r, new RegExp(`^${block.replace(/\./g, '\\.')} via 192\\.168\\.56\\.${via} dev eth0 proto bird`, 'm'), `ext routes ${block} via node .${via}:\n${r}`);
        }
        assert.match(r, /^172\.30\.0\.1 via 192\.168\.56\.1[1-4] dev eth0 proto bird/m);
        // node-4's block reached node-3 reflected, with node-4 still the next hop
        assert.match(await inNode(L, 'node-3', ['ip', 'route', 'show', '10.244.0.192/26']), /via 192\.168\.56\.14 dev eth0 proto bird/);
      });
      const reflected = await birdc(L, 'node-3', 'show', 'route', 'all', '10.244.0.192/26');
      assert.match(reflected, /BGP\.originator_id: 192\.168\.56\.14/);
      assert.match(reflected, /BGP\.cluster_list: /);
      // traffic from outside: to a pod by its own address, and to the LoadBalancer address
      await eventually(20_000, async () => {
        const direct = JSON.parse(await inNode(L, 'ext', ['curl', '-s', '--max-time', '2', 'http://10.244.0.129/'])) as { node: string; client: string };
        assert.deepEqual([direct.node, direct.client], ['web-3', '192.168.56.100'], 'no NAT between ext and a pod');
        const lb = JSON.parse(await inNode(L, 'ext', ['curl', '-s', '--max-time', '2', 'http://172.30.0.1/'])) as { node: string; client: string };
        assert.match(lb.node, /^web-[1-4]$/);
      });
    });
  });

  it('cni-backends-compared: every copy of the cluster comes up and down cleanly', async () => {
    for (const [name, file] of [
      ['cni-backends-compared', 'labs/cni-backends-compared/lab.yaml'],
      ['cni-compared-host-gw', 'labs/cni-backends-compared/host-gw/lab.yaml'],
      ['cni-compared-udp', 'labs/cni-backends-compared/udp/lab.yaml'],
      ['cni-compared-calico', 'labs/cni-backends-compared/calico/lab.yaml'],
    ] as const) {
      await withLab(
        name,
        async () => {
          await eventually(20_000, async () => void (await inNode(name, 'web-1', ['ping', '-c1', '-W1', name === 'cni-compared-calico' ? '10.244.0.65' : '10.244.1.2'])));
        },
        file,
      );
    }
  });

  it('nothing of these labs is left', () => {
    assert.deepEqual([...up], []);
    for (const name of LABS) assert.deepEqual(labLeftovers(name), [], `${name} left something behind`);
  });
});
