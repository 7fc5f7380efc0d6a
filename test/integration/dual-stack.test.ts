/**
 * Dual-stack clusters on the real kernel (issue 14.1): labs/k8s-dual-stack (flannel-vxlan) and a copy of it under
 * flannel-host-gw (d1-dual-stack-host-gw, made here from the same file) come up; a pod reaches a pod on the other
 * node over IPv6 and the server sees the client's own IPv6 address; the kernel objects are the ones flannel writes
 * for IPv6 (flannel-v6.1 over the nodes' IPv6 addresses, or host-gw's routes via them) and no IPv6 address is
 * tentative; the cluster DNS answers AAAA; the lab's own tests pass; `lab down` leaves nothing — on the host too
 * (no address, route or rule of either family).
 *
 * Only these two labs are touched: other labs may be up on the machine, and stay as they are.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { assertSameHost, expectOk, hostSnapshot, lab, labLeftovers, pidAlive, ROOT, tempDir } from './helpers.ts';

const VXLAN = 'k8s-dual-stack';
const HOST_GW = 'd1-dual-stack-host-gw';
const EGRESS = 'd1-dual-stack-egress';

/** A dual-stack cluster behind a router (gw) to a stand-in for the internet, with flannel's --ip6-masq. */
const EGRESS_LAB = `name: ${EGRESS}
nodes:
  gw:
    forwarding: true
    interfaces:
      eth0: { addresses: [192.168.56.1/24, "fd00:56::1/64"] }
      eth1: { addresses: [203.0.113.1/24, "2001:db8:113::1/64"] }
  internet:
    interfaces:
      eth0: { addresses: [203.0.113.10/24, "2001:db8:113::10/64"] }
    routes: [default via 203.0.113.1, "default via 2001:db8:113::1"]
    whoami: [80]
links:
  - [gw:eth0, k8s-net]
  - [gw:eth1, internet:eth0]
cluster:
  cni: flannel-vxlan
  pod-cidr: [10.244.0.0/16, fd00:10:244::/56]
  service-cidr: [10.96.0.0/12, fd00:10:96::/112]
  gateway: gw
  egress-masquerade6: true
  nodes:
    node-1: {}
    node-2: {}
  pods:
    client: { node: node-2 }
`;

async function inNode(labName: string, node: string, argv: readonly string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa('ip', ['netns', 'exec', `nsl.${labName}.${node}`, ...argv], { reject: false });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

async function ok(labName: string, node: string, argv: readonly string[]): Promise<string> {
  const r = await inNode(labName, node, argv);
  assert.equal(r.exitCode, 0, `${argv.join(' ')} in ${node} of ${labName} exited ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}

/** The host as a snapshot sees it, with only this test's namespaces (other labs may come and go meanwhile). */
async function hostView(): Promise<Record<string, string>> {
  const snap = await hostSnapshot();
  const mine = (n: string): boolean => [VXLAN, HOST_GW, EGRESS].some((l) => n === `nsl.${l}` || n.startsWith(`nsl.${l}.`));
  // other engineers' labs change the host's iptables/nftables while this runs only inside their own namespaces;
  // the root namespace's links, addresses and routes are what a lab could leave behind here
  return { links: snap.links, addresses: snap.addresses, routes4: snap.routes4, routes6: snap.routes6, netns: snap.netns.split(' ').filter(mine).join(' ') };
}

describe('dual-stack clusters on the real kernel: IPv6 pod to pod across nodes, AAAA, a clean teardown (root)', function () {
  this.timeout(300_000);
  const dir = tempDir();
  const hostGwFile = join(dir, 'lab.yaml');
  const egressFile = join(dir, 'egress.lab.yaml');

  before(async function () {
    assert.equal(process.getuid?.(), 0, 'integration tests need root');
    // the same cluster under flannel-host-gw: one route per other node's IPv6 block via its IPv6 address
    const text = readFileSync(join(ROOT, 'labs', VXLAN, 'lab.yaml'), 'utf8')
      .replace(/^name: .*$/m, `name: ${HOST_GW}`)
      .replace('cni: flannel-vxlan', 'cni: flannel-host-gw')
      .replace(/^tests:[\s\S]*$/m, ''); // its tests and handout are the vxlan lab's (flannel-v6.1 in them)
    writeFileSync(hostGwFile, text);
    writeFileSync(egressFile, EGRESS_LAB);
    for (const l of [VXLAN, HOST_GW, EGRESS]) await lab(['down', l]);
  });

  after(async () => {
    for (const l of [VXLAN, HOST_GW, EGRESS]) await lab(['down', l]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function withLab(name: string, file: string, body: () => Promise<void>): Promise<void> {
    const before = await hostView();
    expectOk(await lab(['up', file]), `lab up ${file}`);
    const st = await lab(['status', name, '--json']);
    expectOk(st, `lab status ${name}`);
    const pids = (JSON.parse(st.stdout) as { daemons: { pid: number }[] }[])[0].daemons.map((d) => d.pid);
    try {
      await body();
    } finally {
      expectOk(await lab(['down', name]), `lab down ${name}`);
    }
    assert.deepEqual(labLeftovers(name), [], `${name} left something behind`);
    for (const p of pids) assert.ok(!pidAlive(p), `process ${p} of ${name} still runs`);
    assertSameHost(before, await hostView());
  }

  /** What both backends must show: both addresses, none tentative, IPv6 pod to pod without NAT, AAAA answered. */
  async function common(name: string): Promise<void> {
    const addrs = await ok(name, 'web-2', ['ip', '-o', 'addr', 'show', 'dev', 'eth0']);
    assert.match(addrs, /inet 10\.244\.1\.2\/24/);
    assert.match(addrs, /inet6 fd00:10:244:1::2\/64 scope global/);
    // the pod's own (nodad) addresses are usable at once; the kernel's link-local one may still be in DAD for a moment
    assert.doesNotMatch(addrs.split('\n').filter((l) => /scope global/.test(l)).join('\n'), /tentative/, 'no global IPv6 address may be tentative');
    // client (node-1) → web-2 (node-2) over IPv6: the whoami answer names the server and the client it saw
    const body = await ok(name, 'client', ['curl', '-sS', '-m', '5', 'http://[fd00:10:244:1::2]:80/']);
    const seen = JSON.parse(body) as { node: string; client: string };
    assert.equal(seen.node, 'web-2');
    assert.equal(seen.client, 'fd00:10:244::4', 'web-2 must see client\'s own IPv6 address (no NAT between pods)');
    // a node reaches a pod on the other node over IPv6
    await ok(name, 'node-1', ['ping', '-6', '-c', '1', '-W', '2', 'fd00:10:244:1::2']);
    // the cluster DNS answers AAAA (the Service's IPv6 ClusterIP) and A
    assert.equal((await ok(name, 'client', ['dig', '+short', 'AAAA', 'web.default.svc.cluster.local'])).trim(), 'fd00:10:96::b');
    assert.equal((await ok(name, 'client', ['dig', '+short', 'A', 'web.default.svc.cluster.local'])).trim(), '10.96.0.11');
    // over IPv6 transport too: the DNS pod listens on its IPv6 address
    assert.equal((await ok(name, 'client', ['dig', '+short', '@fd00:10:244::2', 'AAAA', 'web.default.svc.cluster.local'])).trim(), 'fd00:10:96::b');
  }

  it('flannel-vxlan: flannel-v6.1 over the nodes\' IPv6 addresses, its FDB entry and route; IPv6 pod to pod crosses it; the lab\'s own tests pass', async () => {
    await withLab(VXLAN, join('labs', VXLAN, 'lab.yaml'), async () => {
      await common(VXLAN);
      const link = await ok(VXLAN, 'node-1', ['ip', '-d', 'link', 'show', 'flannel-v6.1']);
      assert.match(link, /vxlan id 1 local fd00:56::b dev eth0 .*dstport 8472/);
      assert.match(await ok(VXLAN, 'node-1', ['bridge', 'fdb', 'show', 'dev', 'flannel-v6.1']), /dst fd00:56::c self permanent/);
      assert.match(await ok(VXLAN, 'node-1', ['ip', '-6', 'route', 'show', 'fd00:10:244:1::/64']), /via fd00:10:244:1:: dev flannel-v6.1/);
      // the IPv6 pod traffic really crossed flannel-v6.1 (its counters moved)
      const tx = async (): Promise<number> => Number(/TX:.*\n\s*(\d+)\s+(\d+)/.exec(await ok(VXLAN, 'node-1', ['ip', '-s', 'link', 'show', 'flannel-v6.1']))![2]);
      const before = await tx();
      await ok(VXLAN, 'client', ['ping', '-6', '-c', '3', '-i', '0.2', '-W', '2', 'fd00:10:244:1::2']);
      assert.ok((await tx()) >= before + 3, 'the pings left node-1 by flannel-v6.1');
      const t = await lab(['test', VXLAN]);
      expectOk(t, `lab test ${VXLAN}`);
      assert.match(t.stdout, /21 passed, 0 failed/); // 15 of the cluster, 6 of its Services and policy in both families (issue 14.1)
    });
  });

  it('flannel-host-gw (a copy of the lab): node-2\'s IPv6 block via node-2\'s IPv6 address, no tunnel device', async () => {
    await withLab(HOST_GW, hostGwFile, async () => {
      await common(HOST_GW);
      assert.match(await ok(HOST_GW, 'node-1', ['ip', '-6', 'route', 'show', 'fd00:10:244:1::/64']), /via fd00:56::c dev eth0/);
      const links = await ok(HOST_GW, 'node-1', ['ip', '-o', 'link', 'show']);
      assert.doesNotMatch(links, /flannel/);
      // the IPv6 pod packets cross the node network as they are: pod address to pod address
      const cap = execa('ip', ['netns', 'exec', `nsl.${HOST_GW}.node-1`, 'tcpdump', '-n', '-l', '-c', '2', '-i', 'eth0', 'icmp6 and host fd00:10:244:1::2'], { reject: false, timeout: 15000 });
      // ping only once tcpdump listens (it says so on stderr): a loaded machine can take longer than any fixed wait
      await new Promise<void>((resolve) => {
        let seen = '';
        cap.stderr?.on('data', (d: Buffer) => {
          seen += String(d);
          if (/listening on/.test(seen)) resolve();
        });
        void cap.finally(() => resolve());
      });
      await ok(HOST_GW, 'client', ['ping', '-6', '-c', '3', '-i', '0.2', '-W', '2', 'fd00:10:244:1::2']);
      const c = await cap;
      assert.match(String(c.stdout), /fd00:10:244::4 > fd00:10:244:1::2: ICMP6, echo request/);
    });
  });

  it('IPv6 egress (flannel --ip6-masq): a pod reaches the lab\'s internet host over IPv6 as its node\'s IPv6 address, through the nodes\' IPv6 default route; the host itself is untouched', async () => {
    await withLab(EGRESS, egressFile, async () => {
      assert.match(await ok(EGRESS, 'node-2', ['ip', '-6', 'route', 'show', 'default']), /default via fd00:56::1 dev eth0/);
      assert.match(await ok(EGRESS, 'node-2', ['ip6tables-save', '-t', 'nat']), /-A FLANNEL-POSTRTG -s fd00:10:244::\/56 ! -d ff00::\/8 .*-j MASQUERADE --random-fully/);
      const seen = JSON.parse(await ok(EGRESS, 'client', ['curl', '-sS', '-m', '5', 'http://[2001:db8:113::10]:80/'])) as { node: string; client: string };
      assert.equal(seen.node, 'internet');
      assert.equal(seen.client, 'fd00:56::c', 'the internet host sees node-2\'s IPv6 address, not the pod\'s');
      // IPv4 as before: node-2's IPv4 address
      assert.equal((JSON.parse(await ok(EGRESS, 'client', ['curl', '-sS', '-m', '5', 'http://203.0.113.10:80/'])) as { client: string }).client, '192.168.56.12');
    });
  });
});
