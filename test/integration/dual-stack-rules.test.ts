/**
 * Issue 14.1 on the real kernel: dual-stack rules. Two labs of its own (names d2-it-*), each brought up, tested and
 * taken down by this file only:
 *
 * - d2-it-ipt: kube-proxy in iptables mode and Canal's policy on a one-node bridge cluster. Its tests reach a
 *   dual-stack Service over IPv4 and IPv6, an IPv6-only Service, a NodePort on the node's IPv6 address, an IPv6
 *   Service without endpoints (refused), the NetworkPolicy table over IPv6 (an IPv6 ipBlock with an except) and over
 *   IPv4 (where that block does not apply), then delete-pod and IPv6 again. Beyond its tests: ip6tables-save shows
 *   kube-proxy's IPv6 layout as the kernel keeps it (/128, REJECT with icmp6-port-unreachable, DNAT to [ip]:port,
 *   the NodePort jump excluding ::1), the pod deleted is gone from the IPv6 rules, a real connection crosses the IPv6
 *   ClusterIP, the policy drops in IPv6, and `lab trace` predicts the IPv6 walks the kernel takes.
 * - d2-it-cal: kube-proxy in nftables mode on a two-node calico-bgp cluster. Its tests: BGP sessions over IPv4 and
 *   IPv6, each node's IPv6 block learned by the other (bgp assertion on IPv6 prefixes), Services over IPv6 across
 *   nodes, the NodePort on the other node's IPv6 address, policy in both families, NotReady/Ready. Beyond them: the
 *   `ip6 kube-proxy` table beside `ip kube-proxy`, and BIRD's IPv6 route in the node's kernel table.
 * - d2-it-peer: an external BGP router (cluster.bgp.peers) with an IPv6 address on the node network gets an IPv6
 *   session to each node and learns their IPv6 blocks.
 */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expectOk, lab, labLeftovers, tempDir } from './helpers.ts';

const IPT = `name: d2-it-ipt
cluster:
  cni: bridge
  kube-proxy: iptables
  policy: canal
  dns: false
  pod-cidr: [10.244.0.0/16, "fd00:10:244::/56"]
  service-cidr: [10.96.0.0/12, "fd00:10:96::/112"]
  nodes:
    node-1: {}
  pods:
    web-1: { labels: { app: web } }
    web-2: { labels: { app: web } }
    client: { labels: { role: client } }
    other: { labels: { role: other } }
    db: { labels: { app: db } }
  services:
    web:
      selector: { app: web }
      ports: [{ port: 80 }]
      ipFamilyPolicy: RequireDualStack
    web6:
      selector: { app: web }
      ports: [{ port: 80 }]
      ipFamilies: [IPv6]
    web-np:
      type: NodePort
      selector: { app: web }
      ports: [{ port: 80, nodePort: 30080 }]
      ipFamilyPolicy: PreferDualStack
    empty:
      selector: { app: nobody }
      ports: [{ port: 80 }]
      ipFamilyPolicy: PreferDualStack
  network-policies:
    db-in:
      podSelector: { matchLabels: { app: db } }
      ingress:
        - from: [{ ipBlock: { cidr: "fd00:10:244::/120", except: ["fd00:10:244::5/128"] } }]
tests:
  - service: { service: web, from: client }
  - service: { service: web, from: client, family: 6 }
  - service: { service: web6, from: client, family: 6 }
  - service: { service: web-np, from: client, via: node-port, family: 6 }
  - service: { service: empty, from: client, family: 6, expect: unreachable }
  - policy: { port: 80, from: [client, other], to: [db], family: 6 }
  - policy: { port: 80, from: [client, other], to: [db] }
  - delete-pod: { pod: web-2 }
  - service: { service: web, from: client, family: 6, requests: 10 }
  - service: { service: web, from: client, requests: 10 }
`;

const CAL = `name: d2-it-cal
cluster:
  cni: calico-bgp
  kube-proxy: nftables
  pod-cidr: [10.244.0.0/16, "fd00:10:244::/56"]
  service-cidr: [10.96.0.0/12, "fd00:10:96::/112"]
  nodes:
    node-1: {}
    node-2: {}
  pods:
    web-1: { node: node-1, labels: { app: web } }
    web-2: { node: node-2, labels: { app: web } }
    client: { node: node-1, labels: { role: client } }
    other: { node: node-2, labels: { role: other } }
    db: { node: node-2, labels: { app: db } }
  services:
    web:
      selector: { app: web }
      ports: [{ port: 80 }]
      ipFamilyPolicy: RequireDualStack
    web6:
      selector: { app: web }
      ports: [{ port: 80 }]
      ipFamilies: [IPv6]
    web-np:
      type: NodePort
      selector: { app: web }
      ports: [{ port: 80, nodePort: 30080 }]
      ipFamilyPolicy: PreferDualStack
  network-policies:
    db-in:
      podSelector: { matchLabels: { app: db } }
      ingress:
        - from: [{ podSelector: { matchLabels: { role: client } } }]
          ports: [{ port: 80 }]
tests:
  - bgp: { node: node-1, peer: node-2 }
  - bgp: { node: node-1, peer: "fd00:56::c" }
  - bgp: { node: node-1, prefix: "fd00:10:244::40/122", next-hop: "fd00:56::c" }
  - bgp: { node: node-2, prefix: "fd00:10:244::/122" }
  - service: { service: web, from: client }
  - service: { service: web, from: client, family: 6 }
  - service: { service: web6, from: other, family: 6 }
  - service: { service: web, from: other, via: name, family: 6 }
  - service: { service: web6, from: node-1, via: name, family: 6 }
  - service: { service: web-np, from: client, via: node-port, node: node-2, family: 6 }
  - policy: { port: 80, from: [client, other], to: [db], family: 6 }
  - policy: { port: 80, from: [client, other], to: [db] }
  - k8s-node: { node: node-2, state: NotReady }
  - service: { service: web, from: client, family: 6, requests: 10 }
  - k8s-node: { node: node-2, state: Ready }
`;

const PEER = `name: d2-it-peer
nodes:
  ext:
    kind: bird
    runtime: netns
    asn: 64500
    interfaces:
      eth0: { addresses: [192.168.56.100/24, "fd00:56::100/64"] }
links:
  - [ext:eth0, k8s-net]
cluster:
  cni: calico-bgp
  dns: false
  pod-cidr: [10.244.0.0/16, "fd00:10:244::/56"]
  service-cidr: [10.96.0.0/12, "fd00:10:96::/112"]
  bgp:
    asn: 64512
    peers: [{ node: ext }]
  nodes:
    node-1: {}
    node-2: {}
  pods:
    web-1: { node: node-1, labels: { app: web } }
    web-2: { node: node-2, labels: { app: web } }
tests:
  - bgp: { node: ext, peer: "fd00:56::b" }
  - bgp: { node: ext, peer: "fd00:56::c" }
  - bgp: { node: ext, prefix: "fd00:10:244::/122", next-hop: "fd00:56::b" }
  - bgp: { node: ext, prefix: "fd00:10:244::40/122", next-hop: "fd00:56::c" }
  - bgp: { node: ext, prefix: "10.244.0.64/26" }
  - bgp: { node: node-1, peer: "fd00:56::100" }
  - ping: { from: ext, to: "fd00:10:244::41" }
`;

async function inNode(labName: string, node: string, argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa('ip', ['netns', 'exec', `nsl.${labName}.${node}`, ...argv], { reject: false });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function write(text: string): string {
  const file = join(tempDir(), 'lab.yaml');
  writeFileSync(file, text);
  return file;
}

describe('dual-stack rules: kube-proxy in ip6tables, policy in IPv6 (root, real kernel)', function () {
  this.timeout(300_000);
  const NAME = 'd2-it-ipt';
  let up = false;
  let tested = '';

  before(async () => {
    up = true;
    const r = await lab(['up', write(IPT), '--test']);
    tested = r.stdout;
    expectOk(r, `lab up ${NAME} --test`);
  });
  after(async () => {
    if (up) await lab(['down', NAME]);
  });

  it('every test of the lab passed: both families, the IPv6-only Service, the NodePort on IPv6, policy per family, delete-pod', () => {
    assert.match(tested, /10 passed, 0 failed/, tested);
    assert.match(tested, /service client → default\/web6:80 via cluster-ip \(IPv6\)/);
    assert.match(tested, /policy truth table TCP\/80 over IPv6 \(2×1\)/);
  });

  it('ip6tables-save: the REJECT of a Service without endpoints is icmp6-port-unreachable, ClusterIPs /128, DNAT to [ip]:port, no localhost NodePorts', async () => {
    const filter = (await inNode(NAME, 'node-1', ['ip6tables-save', '-t', 'filter'])).stdout;
    assert.match(filter, /^-A KUBE-SERVICES -d fd00:10:96::[0-9a-f]+\/128 -p tcp -m comment --comment "default\/empty has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp6-port-unreachable$/m);
    const nat = (await inNode(NAME, 'node-1', ['ip6tables-save', '-t', 'nat'])).stdout;
    assert.match(nat, /^-A KUBE-SERVICES ! -d ::1\/128 -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS$/m);
    assert.match(nat, /^-A KUBE-SEP-\w+ -p tcp -m comment --comment "?default\/web"? -m tcp -j DNAT --to-destination \[fd00:10:244::2\]:80$/m);
    assert.match(nat, /^-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully$/m);
    // delete-pod web-2 ran: its IPv6 endpoint is gone from every Service, web-1's stays
    assert.doesNotMatch(nat, /fd00:10:244::3\]:80/);
    // the IPv4 rules are iptables', apart: no IPv6 address there, no IPv4 one here
    const v4 = (await inNode(NAME, 'node-1', ['iptables-save', '-t', 'nat'])).stdout;
    assert.doesNotMatch(v4, /fd00:/);
    assert.doesNotMatch(nat, /10\.244\.|10\.96\./);
  });

  it('a real connection through the IPv6 ClusterIP reaches the endpoint left; the policy drops other → db in IPv6 and lets client through', async () => {
    const status = await lab(['status', NAME]);
    const vip = /service default\/web \(ClusterIP\) ClusterIP \S+ (fd00:10:96::[0-9a-f]+)/.exec(status.stdout)?.[1];
    assert.ok(vip, status.stdout);
    const r = await inNode(NAME, 'client', ['curl', '-sS', '-g', '--max-time', '5', `http://[${vip}]:80/`]);
    assert.equal(r.exitCode, 0, r.stderr);
    const body = JSON.parse(r.stdout) as { node: string; client: string };
    assert.equal(body.node, 'web-1');
    assert.equal(body.client, 'fd00:10:244::4', 'pod to ClusterIP keeps the client address (no masquerade inside the cluster CIDR)');
    const ok = await inNode(NAME, 'client', ['curl', '-sS', '-g', '--max-time', '3', 'http://[fd00:10:244::6]:80/']);
    assert.equal(ok.exitCode, 0, ok.stderr);
    const denied = await inNode(NAME, 'other', ['curl', '-sS', '-g', '--max-time', '2', 'http://[fd00:10:244::6]:80/']);
    assert.notEqual(denied.exitCode, 0, 'other reached db over IPv6 through the except');
    const save = (await inNode(NAME, 'node-1', ['ip6tables-save', '-c', '-t', 'filter'])).stdout;
    const drop = save.split('\n').find((l) => /^\[\d+:\d+\] -A NSL-POL-IN-\w+ .* -j DROP$/.test(l));
    assert.ok(drop && !drop.startsWith('[0:'), `db's IPv6 ingress DROP counted nothing: ${drop}`);
  });

  it('lab trace predicts the IPv6 walks: through the IPv6 ClusterIP, and the policy drop', async () => {
    const svc = await lab(['trace', NAME, 'client', 'fd00:10:96::b', '--port', '80']);
    expectOk(svc, 'lab trace client → IPv6 ClusterIP');
    assert.match(svc.stdout, /model's prediction: the same walk/);
    assert.match(svc.stdout, /rule ip6 nat KUBE-SEP-\w+: .*dnat to \[fd00:10:244::2\]:80/);
    const drop = await lab(['trace', NAME, 'other', 'fd00:10:244::6', '--port', '80']);
    assert.match(drop.stdout, /dropped in node-1, ip6 filter NSL-POL-IN-\w+ \(drop\): NetworkPolicy default\/db-in/);
    assert.match(drop.stdout, /model's prediction: the same walk/);
  });

  it('lab down removes everything', async () => {
    expectOk(await lab(['down', NAME]), `lab down ${NAME}`);
    up = false;
    assert.deepEqual(labLeftovers(NAME), []);
  });
});

describe('dual-stack rules: kube-proxy in nftables (ip6 table), Calico BGP carrying IPv6 (root, real kernel)', function () {
  this.timeout(300_000);
  const NAME = 'd2-it-cal';
  let up = false;
  let tested = '';

  before(async () => {
    up = true;
    const r = await lab(['up', write(CAL), '--test']);
    tested = r.stdout;
    expectOk(r, `lab up ${NAME} --test`);
  });
  after(async () => {
    if (up) await lab(['down', NAME]);
  });

  it('every test of the lab passed: BGP over IPv6 and the IPv6 blocks, Services over IPv6 across nodes (by ClusterIP and by AAAA name), policy, NotReady/Ready', () => {
    assert.match(tested, /15 passed, 0 failed/, tested);
    assert.match(tested, /service other → default\/web:80 via name \(IPv6\)/);
    assert.match(tested, /bgp node-1 has fd00:10:244::40\/122/);
  });

  it('each node has the ip6 kube-proxy table beside the ip one, with the IPv6 ClusterIPs', async () => {
    for (const node of ['node-1', 'node-2']) {
      const tables = (await inNode(NAME, node, ['nft', 'list', 'tables'])).stdout;
      assert.match(tables, /^table ip kube-proxy$/m);
      assert.match(tables, /^table ip6 kube-proxy$/m);
      const t6 = (await inNode(NAME, node, ['nft', 'list', 'table', 'ip6', 'kube-proxy'])).stdout;
      assert.match(t6, /ip6 daddr \. meta l4proto \. th dport vmap @service-ips/);
      assert.match(t6, /fd00:10:96::[0-9a-f]+ \. tcp \. 80 : goto service-\w+-default\/web\/tcp\//);
      assert.match(t6, /dnat to \[fd00:10:244::[0-9a-f]+\]:80/);
      assert.doesNotMatch(t6, /10\.96\./);
    }
  });

  it("BIRD installs the other node's IPv6 block in each node's kernel table", async () => {
    const r1 = (await inNode(NAME, 'node-1', ['ip', '-6', 'route', 'show', 'proto', 'bird'])).stdout;
    assert.match(r1, /^fd00:10:244::40\/122 via fd00:56::c dev eth0/m);
    const r2 = (await inNode(NAME, 'node-2', ['ip', '-6', 'route', 'show', 'proto', 'bird'])).stdout;
    assert.match(r2, /^fd00:10:244::\/122 via fd00:56::b dev eth0/m);
  });

  it('lab down removes everything', async () => {
    expectOk(await lab(['down', NAME]), `lab down ${NAME}`);
    up = false;
    assert.deepEqual(labLeftovers(NAME), []);
  });
});

describe('dual-stack rules: an external BGP router peers with the Calico nodes over IPv6 too (root, real kernel)', function () {
  this.timeout(300_000);
  const NAME = 'd2-it-peer';
  let up = false;
  let tested = '';

  before(async () => {
    up = true;
    const r = await lab(['up', write(PEER), '--test']);
    tested = r.stdout;
    expectOk(r, `lab up ${NAME} --test`);
  });
  after(async () => {
    if (up) await lab(['down', NAME]);
  });

  it("the peer's IPv6 sessions with both nodes are up, it learns both IPv6 blocks with the owner as next hop, and reaches a pod over IPv6", async () => {
    assert.match(tested, /7 passed, 0 failed/, tested);
    const routes = (await inNode(NAME, 'ext', ['ip', '-6', 'route', 'show', 'proto', 'bird'])).stdout;
    assert.match(routes, /^fd00:10:244::\/122 via fd00:56::b dev eth0/m);
    assert.match(routes, /^fd00:10:244::40\/122 via fd00:56::c dev eth0/m);
  });

  it('lab down removes everything', async () => {
    expectOk(await lab(['down', NAME]), `lab down ${NAME}`);
    up = false;
    assert.deepEqual(labLeftovers(NAME), []);
  });
});
