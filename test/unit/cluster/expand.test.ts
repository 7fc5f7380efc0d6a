/**
 * The `cluster:` construct (runner/cluster/expand.ts, cni.ts, model.ts, compile.ts), unit by unit: the address plan
 * (node blocks, pod addresses, coredns first, ClusterIPs from the eleventh service address, NodePorts from the
 * range's start, LoadBalancer addresses from the pool), replicas and round-robin placement, what each CNI backend
 * writes into the expanded lab (Calico's BGP neighbours in a full mesh and with route reflectors, flannel-vxlan's
 * static neighbours), positions of generated parts mapped back into `cluster:`, and compile's helpers (mergeRestore,
 * nodeRules with endpoints left out, kubeProxyInput's local marks). Also the warning-only bad lab
 * test/unit/bad-labs/cluster-service-no-pods.warn.yaml (golden-errors.test.ts covers only labs that fail) and the
 * positive side of cluster-node-port-range: a widened node-port-range accepts the port.
 *
 * Pure: nothing is built, no root needed.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLab } from '../../../runner/api.ts';
import { formatDiagnostics, LabError, type Diagnostic } from '../../../runner/config/diagnostics.ts';
import { parseLabText } from '../../../runner/config/load.ts';
import { resolveLab } from '../../../runner/resolve/resolve.ts';
import { CALICO_MAC, vtepMac } from '../../../runner/cluster/cni.ts';
import { kubeProxyInput, mergeRestore, nodeRules } from '../../../runner/cluster/compile.ts';
import { expandCluster, hostIfName, type ClusterResult } from '../../../runner/cluster/expand.ts';
import { expectGolden } from '../golden.ts';

type Obj = Record<string, unknown>;
const FILE = 'test/unit/cluster/inline.lab.yaml'; // a name for positions only; nothing is read from it

/** The expansion of a lab given as text: the cluster, the expanded lab data and the diagnostics. */
function expand(text: string): { cluster: ClusterResult; data: Obj; diagnostics: Diagnostic[]; file: ReturnType<typeof parseLabText> } {
  const source = parseLabText(FILE, text);
  const e = expandCluster(source);
  assert.ok(e.cluster, 'expandCluster returned no cluster');
  return { cluster: e.cluster, data: e.file.data as Obj, diagnostics: e.diagnostics, file: e.file };
}

/** resolveLab on a lab given as text; fails the test with the formatted diagnostics when it has errors. */
function resolveOk(text: string): { lab: NonNullable<ReturnType<typeof resolveLab>['lab']>; warnings: Diagnostic[] } {
  const r = resolveLab(parseLabText(FILE, text));
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => `${d.code}: ${d.message}`), [], 'the lab should resolve');
  assert.ok(r.lab);
  return { lab: r.lab, warnings: r.diagnostics.filter((d) => d.severity === 'warning') };
}

function resolveErrors(text: string): Diagnostic[] {
  const r = resolveLab(parseLabText(FILE, text));
  return r.diagnostics.filter((d) => d.severity === 'error');
}

const lineOf = (text: string, needle: string): number => {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `no line with ${needle}`);
  return i + 1;
};

const node = (data: Obj, name: string): Obj => (data.nodes as Record<string, Obj>)[name];
const ifs = (data: Obj, name: string): Record<string, Obj> => node(data, name).interfaces as Record<string, Obj>;

// ---------------------------------------------------------------------------------------------------------------

const FLANNEL = `name: addr
cluster:
  cni: flannel-vxlan
  nodes:
    node-1: {}
    node-2: { labels: { zone: b } }
  pods:
    web:
      replicas: 3
      labels: { app: web }
    client:
      node: node-2
      labels: { app: client }
    db:
      labels: { app: db }
      ports: [5432]
  services:
    a:
      selector: { app: web }
      ports: [{ port: 80 }]
    b:
      type: NodePort
      selector: { app: web }
      ports: [{ name: http, port: 80 }, { name: alt, port: 8080, targetPort: 80 }]
    c:
      type: NodePort
      clusterIP: 10.96.0.12
      selector: { app: db }
      ports: [{ port: 5432, nodePort: 30001 }]
`;

describe('cluster expansion (runner/cluster/expand.ts)', () => {
  describe('the address plan of a flannel cluster', () => {
    let c: ClusterResult;
    let data: Obj;
    before(() => {
      const e = expand(FLANNEL);
      assert.deepEqual(e.diagnostics, []);
      c = e.cluster;
      data = e.data;
    });

    it('gives each node a block of the pod CIDR in order, and an underlay address from .11', () => {
      assert.deepEqual(
        c.nodes.map((n) => [n.name, n.podCIDR, n.ip, n.underlayIf]),
        [
          ['node-1', '10.244.0.0/24', '192.168.56.11', 'eth0'],
          ['node-2', '10.244.1.0/24', '192.168.56.12', 'eth0'],
        ],
      );
      assert.deepEqual(c.nodes[1].labels, { zone: 'b' });
      assert.deepEqual(ifs(data, 'node-1').eth0, { addresses: ['192.168.56.11/24'] });
      assert.deepEqual(data.links, [
        ['node-1:eth0', 'k8s-net'],
        ['node-2:eth0', 'k8s-net'],
        { endpoints: ['coredns:eth0', 'cni0@node-1'], port: hostIfName('flannel-vxlan', 'kube-system', 'coredns'), hairpin: true },
        { endpoints: ['web-1:eth0', 'cni0@node-1'], port: hostIfName('flannel-vxlan', 'default', 'web-1'), hairpin: true },
        { endpoints: ['web-2:eth0', 'cni0@node-2'], port: hostIfName('flannel-vxlan', 'default', 'web-2'), hairpin: true },
        { endpoints: ['web-3:eth0', 'cni0@node-1'], port: hostIfName('flannel-vxlan', 'default', 'web-3'), hairpin: true },
        { endpoints: ['client:eth0', 'cni0@node-2'], port: hostIfName('flannel-vxlan', 'default', 'client'), hairpin: true },
        { endpoints: ['db:eth0', 'cni0@node-2'], port: hostIfName('flannel-vxlan', 'default', 'db'), hairpin: true },
      ]);
    });

    it('names replicas <name>-N and places pods round-robin (explicit nodes do not advance the turn); coredns first on the first node', () => {
      assert.deepEqual(
        c.pods.map((p) => [p.name, p.namespace, p.node, p.ip]),
        [
          ['coredns', 'kube-system', 'node-1', '10.244.0.2'],
          ['web-1', 'default', 'node-1', '10.244.0.3'],
          ['web-2', 'default', 'node-2', '10.244.1.2'],
          ['web-3', 'default', 'node-1', '10.244.0.4'],
          ['client', 'default', 'node-2', '10.244.1.3'],
          ['db', 'default', 'node-2', '10.244.1.4'],
        ],
      );
      assert.deepEqual(c.pods.find((p) => p.name === 'web-2')!.labels, { app: 'web' });
      assert.deepEqual(c.pods.find((p) => p.name === 'db')!.ports, [{ port: 5432, protocol: 'TCP' }]);
      assert.deepEqual(c.pods.find((p) => p.name === 'web-1')!.ports, [{ port: 80, protocol: 'TCP' }], 'default ports: [80]');
      assert.deepEqual(c.pods[0].ports, [
        { port: 53, name: 'dns', protocol: 'UDP' },
        { port: 53, name: 'dns-tcp', protocol: 'TCP' },
      ]);
    });

    it('wires pods to their node\'s cni0 (the block\'s .1) with the vxlan MTU', () => {
      assert.deepEqual(data.bridges, {
        'k8s-net': {},
        'cni0@node-1': { node: 'node-1', addresses: ['10.244.0.1/24'], ifname: 'cni0', mtu: 1450 },
        'cni0@node-2': { node: 'node-2', addresses: ['10.244.1.1/24'], ifname: 'cni0', mtu: 1450 },
      });
      assert.deepEqual(node(data, 'web-2'), { interfaces: { eth0: { addresses: ['10.244.1.2/24'], mtu: 1450 } }, routes: ['default via 10.244.1.1'] });
      assert.match(hostIfName('flannel-vxlan', 'default', 'web-2'), /^veth[0-9a-f]{8}$/);
    });

    it('allocates ClusterIPs from the eleventh service address, skipping explicit ones; kube-dns is the tenth', () => {
      assert.deepEqual(
        c.services.map((s) => [`${s.namespace}/${s.name}`, s.type, s.clusterIP]),
        [
          ['kube-system/kube-dns', 'ClusterIP', '10.96.0.10'],
          ['default/a', 'ClusterIP', '10.96.0.11'],
          ['default/b', 'NodePort', '10.96.0.13'],
          ['default/c', 'NodePort', '10.96.0.12'],
        ],
      );
      assert.deepEqual(c.dns, { ip: '10.96.0.10', pod: 'coredns', domain: 'cluster.local' });
    });

    it('allocates NodePorts from 30000, skipping explicit ones; ClusterIP services get none', () => {
      const ports = (name: string): unknown => c.services.find((s) => s.name === name)!.ports.map((p) => [p.name, p.port, p.targetPort, p.nodePort]);
      assert.deepEqual(ports('a'), [[undefined, 80, 80, undefined]]);
      assert.deepEqual(ports('b'), [
        ['http', 80, 80, 30000],
        ['alt', 8080, 80, 30002],
      ]);
      assert.deepEqual(ports('c'), [[undefined, 5432, 5432, 30001]]);
      assert.deepEqual(c.nodePortRange, [30000, 32767]);
    });

    it('gives each service port its endpoints: the selected pods in pod order', () => {
      const eps = c.endpoints.map((e) => [`${e.service.name}:${e.port.port}/${e.port.protocol}`, e.endpoints.map((x) => `${x.pod}@${x.node}=${x.ip}:${x.port}`)]);
      assert.deepEqual(eps, [
        ['kube-dns:53/TCP', ['coredns@node-1=10.244.0.2:53']],
        ['kube-dns:53/UDP', ['coredns@node-1=10.244.0.2:53']],
        ['a:80/TCP', ['web-1@node-1=10.244.0.3:80', 'web-2@node-2=10.244.1.2:80', 'web-3@node-1=10.244.0.4:80']],
        ['b:80/TCP', ['web-1@node-1=10.244.0.3:80', 'web-2@node-2=10.244.1.2:80', 'web-3@node-1=10.244.0.4:80']],
        ['b:8080/TCP', ['web-1@node-1=10.244.0.3:80', 'web-2@node-2=10.244.1.2:80', 'web-3@node-1=10.244.0.4:80']],
        ['c:5432/TCP', ['db@node-2=10.244.1.4:5432']],
      ]);
      assert.ok(c.endpoints.every((e) => e.endpoints.every((x) => x.local === false)));
    });

    it('lists every namespace in use with kubernetes.io/metadata.name', () => {
      assert.deepEqual(c.namespaces, {
        'kube-system': { 'kubernetes.io/metadata.name': 'kube-system' },
        default: { 'kubernetes.io/metadata.name': 'default' },
      });
    });

    it('writes flannel.1 on each node with a static neighbour (remote flannel.1 address, its VTEP MAC, via the node) and an onlink route', () => {
      const v1 = ifs(data, 'node-1')['flannel.1'];
      assert.deepEqual(v1, {
        type: 'vxlan',
        vni: 1,
        port: 8472,
        dev: 'eth0',
        local: '192.168.56.11',
        mac: vtepMac('addr', 'node-1'),
        addresses: ['10.244.0.0/32'],
        mtu: 1450,
        neighbors: [{ ip: '10.244.1.0', mac: vtepMac('addr', 'node-2'), via: '192.168.56.12' }],
      });
      assert.deepEqual((ifs(data, 'node-2')['flannel.1'] as { neighbors: unknown }).neighbors, [{ ip: '10.244.0.0', mac: vtepMac('addr', 'node-1'), via: '192.168.56.11' }]);
      assert.match(vtepMac('addr', 'node-1'), /^0e(:[0-9a-f]{2}){5}$/);
      assert.notEqual(vtepMac('addr', 'node-1'), vtepMac('addr', 'node-2'));
      assert.notEqual(vtepMac('addr', 'node-1'), vtepMac('other-lab', 'node-1'), 'the MAC depends on the lab');
      assert.deepEqual(node(data, 'node-1').routes, ['10.96.0.0/12 dev eth0', '10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink']);
      assert.equal(node(data, 'node-1').forwarding, true);
    });
  });

  describe('other backends', () => {
    it('flannel-host-gw: a route to each other node block via that node\'s address, no flannel.1, MTU 1500', () => {
      const { data } = expand(`name: hg
cluster:
  cni: flannel-host-gw
  nodes: { node-1: {}, node-2: {}, node-3: {} }
`);
      assert.deepEqual(node(data, 'node-2').routes, ['10.96.0.0/12 dev eth0', '10.244.0.0/24 via 192.168.56.11 dev eth0', '10.244.2.0/24 via 192.168.56.13 dev eth0']);
      assert.deepEqual(Object.keys(ifs(data, 'node-2')), ['eth0']);
      assert.deepEqual((data.bridges as Obj)['cni0@node-2'], { node: 'node-2', addresses: ['10.244.1.1/24'], ifname: 'cni0' });
    });

    it('flannel-udp: a tun per other node, flannel0.<index>, on UDP 8285 + the pair\'s number; two nodes: flannel0', () => {
      const three = expand(`name: u3
cluster:
  cni: flannel-udp
  dns: false
  nodes: { node-1: {}, node-2: {}, node-3: {} }
`).data;
      const tuns = (n: string): unknown => Object.entries(ifs(three, n)).filter(([, v]) => v.type === 'tun').map(([k, v]) => [k, v.remote, v.port, v.mtu]);
      assert.deepEqual(tuns('node-1'), [
        ['flannel0.1', 'node-2', 8285, 1472],
        ['flannel0.2', 'node-3', 8286, 1472],
      ]);
      assert.deepEqual(tuns('node-2'), [
        ['flannel0.0', 'node-1', 8285, 1472],
        ['flannel0.2', 'node-3', 8287, 1472],
      ]);
      assert.deepEqual(tuns('node-3'), [
        ['flannel0.0', 'node-1', 8286, 1472],
        ['flannel0.1', 'node-2', 8287, 1472],
      ]);
      assert.deepEqual(node(three, 'node-3').routes, ['10.96.0.0/12 dev eth0', '10.244.0.0/24 dev flannel0.0', '10.244.1.0/24 dev flannel0.1']);
      const two = expand(`name: u2
cluster:
  cni: flannel-udp
  nodes: { node-1: {}, node-2: {} }
`).data;
      assert.deepEqual(Object.keys(ifs(two, 'node-1')), ['eth0', 'flannel0']);
    });

    it('bridge: a single node; no tunnel, no route to other blocks', () => {
      const { cluster, data } = expand(`name: br
cluster:
  cni: bridge
  nodes: { node-1: {} }
  pods: { a: {}, b: {} }
`);
      assert.deepEqual(cluster.pods.map((p) => p.ip), ['10.244.0.2', '10.244.0.3', '10.244.0.4']);
      assert.deepEqual(node(data, 'node-1').routes, ['10.96.0.0/12 dev eth0']);
    });

    it('a cluster node declared under nodes: keeps its own wiring and takes its address from its underlay interface', () => {
      const text = `name: own
nodes:
  n1:
    interfaces:
      ens3: { addresses: [10.9.0.1/24] }
  n2:
    interfaces:
      eth0: { addresses: [10.9.0.2/24] }
links:
  - [n1:ens3, n2:eth0]
cluster:
  cni: flannel-host-gw
  nodes:
    n1: { interface: ens3 }
    n2: {}
`;
      const { cluster, data } = expand(text);
      resolveOk(text); // one L2 segment (a direct link): host-gw is fine
      assert.deepEqual(cluster.nodes.map((n) => [n.name, n.ip, n.underlayIf]), [
        ['n1', '10.9.0.1', 'ens3'],
        ['n2', '10.9.0.2', 'eth0'],
      ]);
      assert.deepEqual(ifs(data, 'n1').ens3, { addresses: ['10.9.0.1/24'] });
      assert.ok(!('k8s-net' in (data.bridges as Obj)), 'no underlay bridge when every node is wired by the user');
      assert.deepEqual(node(data, 'n1').routes, ['10.96.0.0/12 dev ens3', '10.244.1.0/24 via 10.9.0.2 dev ens3']);
      assert.deepEqual(data.links, [
        ['n1:ens3', 'n2:eth0'],
        { endpoints: ['coredns:eth0', 'cni0@n1'], port: hostIfName('flannel-host-gw', 'kube-system', 'coredns'), hairpin: true },
      ]);
    });
  });

  describe('calico-bgp', () => {
    const calico = (bgp: string): string => `name: cal
nodes:
  ext:
    kind: bird
    asn: 64500
    interfaces:
      eth0: { addresses: [192.168.56.100/24] }
links:
  - [ext:eth0, k8s-net]
cluster:
  cni: calico-bgp
${bgp}
  nodes: { node-1: {}, node-2: {}, node-3: {}, node-4: {} }
  pods:
    web: { replicas: 2, labels: { app: web } }
  services:
    lb:
      type: LoadBalancer
      selector: { app: web }
      ports: [{ port: 80 }]
    local:
      type: LoadBalancer
      externalTrafficPolicy: Local
      selector: { app: web }
      ports: [{ port: 81, targetPort: 80 }]
    fixed:
      type: LoadBalancer
      loadBalancerIP: 172.30.0.200
      selector: { app: web }
      ports: [{ port: 82, targetPort: 80 }]
`;
    const neighbors = (data: Obj, n: string): unknown => (node(data, n).bgp as { neighbors: unknown }).neighbors;

    it('a full mesh without route reflectors: every node peers with every other, and with the external peer', () => {
      const { data, diagnostics } = expand(calico(`  bgp:\n    peers: [{ node: ext }]`));
      assert.deepEqual(diagnostics, []);
      assert.deepEqual(neighbors(data, 'node-2'), [{ peer: 'node-1' }, { peer: 'node-3' }, { peer: 'node-4' }, { peer: 'ext' }]);
      assert.equal(node(data, 'node-2').kind, 'bird');
      assert.equal(node(data, 'node-2').asn, 64512);
      // the external router gets a session to every node, with the cluster's AS
      assert.deepEqual((node(data, 'ext').bgp as { neighbors: unknown }).neighbors, ['node-1', 'node-2', 'node-3', 'node-4'].map((peer) => ({ peer, asn: 64512 })));
    });

    it('with route reflectors: reflectors peer with each other and have every other node as rr-client; clients peer only with the reflectors', () => {
      const { data } = expand(calico(`  bgp:\n    asn: 64600\n    route-reflectors: [node-1, node-2]\n    peers: [{ node: ext }]`));
      assert.deepEqual(neighbors(data, 'node-1'), [{ peer: 'node-2' }, { peer: 'node-3', 'rr-client': true }, { peer: 'node-4', 'rr-client': true }, { peer: 'ext' }]);
      assert.deepEqual(neighbors(data, 'node-2'), [{ peer: 'node-1' }, { peer: 'node-3', 'rr-client': true }, { peer: 'node-4', 'rr-client': true }, { peer: 'ext' }]);
      assert.deepEqual(neighbors(data, 'node-3'), [{ peer: 'node-1' }, { peer: 'node-2' }, { peer: 'ext' }]);
      assert.equal(node(data, 'node-4').asn, 64600);
    });

    it('/26 blocks, pods from the block\'s first address on cali* veths with proxy ARP and a /32 route; default via 169.254.1.1 onlink', () => {
      const { cluster, data } = expand(calico(`  bgp:\n    peers: [{ node: ext }]`));
      assert.deepEqual(cluster.nodes.map((n) => n.podCIDR), ['10.244.0.0/26', '10.244.0.64/26', '10.244.0.128/26', '10.244.0.192/26']);
      assert.deepEqual(cluster.pods.map((p) => [p.name, p.node, p.ip]), [
        ['coredns', 'node-1', '10.244.0.1'],
        ['web-1', 'node-1', '10.244.0.2'],
        ['web-2', 'node-2', '10.244.0.65'],
      ]);
      const cali = hostIfName('calico-bgp', 'default', 'web-2');
      assert.match(cali, /^cali[0-9a-f]{11}$/);
      assert.equal(cluster.pods.find((p) => p.name === 'web-2')!.hostIf, cali);
      assert.deepEqual(ifs(data, 'node-2')[cali], { addresses: [], mac: CALICO_MAC });
      assert.deepEqual(node(data, 'node-2').routes, ['10.96.0.0/12 dev eth0', '169.254.1.1/32 dev eth0', `10.244.0.65/32 dev ${cali}`]);
      assert.deepEqual(node(data, 'node-2').sysctls, { [`net.ipv4.conf.${cali}.proxy_arp`]: 1 });
      assert.deepEqual(node(data, 'web-2'), { interfaces: { eth0: { addresses: ['10.244.0.65/32'] } }, routes: ['default via 169.254.1.1 dev eth0 onlink'] });
      assert.ok((data.links as unknown[]).some((l) => JSON.stringify(l) === JSON.stringify(['web-2:eth0', `node-2:${cali}`])));
      assert.ok(!Object.keys(data.bridges as Obj).some((b) => b.startsWith('cni0')), 'calico has no cni0');
    });

    it('LoadBalancer addresses come from the pool in order (explicit ones kept); Local ones are announced only by nodes with an endpoint', () => {
      const { cluster, data } = expand(calico(`  bgp:\n    peers: [{ node: ext }]`));
      assert.deepEqual(cluster.services.filter((s) => s.type === 'LoadBalancer').map((s) => [s.name, s.loadBalancerIP, s.ports[0].nodePort]), [
        ['lb', '172.30.0.1', 30000],
        ['local', '172.30.0.2', 30001],
        ['fixed', '172.30.0.200', 30002],
      ]);
      const announce = (n: string): unknown => (node(data, n).bgp as { announce: unknown }).announce;
      assert.deepEqual(announce('node-1'), ['10.244.0.0/26', '172.30.0.1/32', '172.30.0.2/32', '172.30.0.200/32']);
      assert.deepEqual(announce('node-2'), ['10.244.0.64/26', '172.30.0.1/32', '172.30.0.2/32', '172.30.0.200/32']);
      assert.deepEqual(announce('node-3'), ['10.244.0.128/26', '172.30.0.1/32', '172.30.0.200/32'], 'node-3 has no web pod: it does not announce the Local service');
      assert.deepEqual(cluster.bgpPeers, ['ext']);
      const pool = expand(calico(`  bgp:\n    load-balancer-pool: 172.30.0.128/25\n    peers: [{ node: ext }]`)).cluster;
      assert.equal(pool.services.find((s) => s.name === 'lb')!.loadBalancerIP, '172.30.0.129');
    });
  });

  describe('positions', () => {
    it('an error in a generated node points at its place under cluster:', () => {
      const text = `name: dup
nodes:
  ext:
    interfaces:
      eth0: { addresses: [192.168.56.12/24] }
links:
  - [ext:eth0, k8s-net]
cluster:
  nodes:
    node-1: {}
    node-2: {}
`;
      const errors = resolveErrors(text);
      assert.deepEqual(errors.map((d) => [d.code, d.pos?.file, d.pos?.line]), [['address.duplicate', FILE, lineOf(text, 'node-2: {}')]]);
      assert.match(errors[0].message, /192\.168\.56\.12 .*ext:eth0 and node-2:eth0/);
    });

    it('the nodes made for pods and cluster nodes carry the position of their cluster: entry', () => {
      const { lab } = resolveOk(FLANNEL);
      const pos = (n: string): unknown => {
        const p = lab.nodes.find((x) => x.name === n)!.pos;
        return [p.file, p.line];
      };
      assert.deepEqual(pos('web-3'), [FILE, lineOf(FLANNEL, '    web:')]);
      assert.deepEqual(pos('client'), [FILE, lineOf(FLANNEL, '    client:')]);
      assert.deepEqual(pos('node-2'), [FILE, lineOf(FLANNEL, '    node-2:')]);
      const c = lab.cluster!;
      assert.equal(c.sources.get('pod:web-2')!.line, lineOf(FLANNEL, '    web:'));
      assert.equal(c.sources.get('svc:default/c')!.line, lineOf(FLANNEL, '    c:'));
      assert.equal(c.sources.get('node:node-1')!.line, lineOf(FLANNEL, '    node-1:'));
      assert.equal(c.pos.line, lineOf(FLANNEL, 'cluster:'));
    });

    it('an error in a service points at the service field', () => {
      const text = FLANNEL.replace('clusterIP: 10.96.0.12', 'clusterIP: 10.96.0.10');
      const errors = resolveErrors(text);
      assert.deepEqual(errors.map((d) => [d.code, d.pos?.line, d.pos?.col]), [['cluster.service-ip', lineOf(text, 'clusterIP: 10.96.0.10'), 18]]);
      assert.match(errors[0].message, /already taken by kube-dns/);
    });
  });

  describe('the NodePort range', () => {
    const text = (range: string): string => `name: np
cluster:
  cni: bridge
${range}
  nodes: { node-1: {} }
  pods: { web: { labels: { app: web } } }
  services:
    web:
      type: NodePort
      selector: { app: web }
      ports: [{ port: 80, nodePort: 8080 }, { name: b, port: 81, targetPort: 80 }]
`;
    it('refuses a nodePort outside the default range 30000-32767', () => {
      const errors = resolveErrors(text('').replace('{ port: 80, nodePort', '{ name: a, port: 80, nodePort'));
      assert.deepEqual(errors.map((d) => d.code), ['cluster.node-port-range']);
    });
    it('accepts it once node-port-range is widened, and allocates from the range\'s start', () => {
      const { lab, warnings } = resolveOk(text('  node-port-range: 8000-9000').replace('{ port: 80, nodePort', '{ name: a, port: 80, nodePort'));
      assert.deepEqual(warnings, []);
      assert.deepEqual(lab.cluster!.nodePortRange, [8000, 9000]);
      assert.deepEqual(lab.cluster!.services.find((s) => s.name === 'web')!.ports.map((p) => p.nodePort), [8080, 8000]);
    });
  });

  describe('a NetworkPolicy that selects no pod (issue 18)', () => {
    it('warns at its podSelector, naming pods that match in another namespace', () => {
      const { warnings } = resolveOk(`name: np
cluster:
  cni: bridge
  nodes: { node-1: {} }
  namespaces: { shop: {} }
  pods:
    web: { labels: { app: web } }
    api: { namespace: shop, labels: { app: api } }
  network-policies:
    typo: { podSelector: { matchLabels: { app: wbe } }, ingress: [] }
    elsewhere: { namespace: shop, podSelector: { matchLabels: { app: web } }, ingress: [] }
    fine: { podSelector: {}, ingress: [] }
`);
      const ws = warnings.filter((w) => w.code === 'cluster.policy-no-pods');
      assert.deepEqual(ws.map((w) => [w.message, w.pos?.line]), [
        ['network policy typo selects no pods: no pod in namespace default matches its podSelector', 10],
        ['network policy elsewhere selects no pods: no pod in namespace shop matches its podSelector', 11],
      ]);
      assert.match(ws[1].hint ?? '', /pods default\/web match but are in another namespace/);
    });
  });

  describe('warning-only bad lab (test/unit/bad-labs/cluster-service-no-pods.warn.yaml)', () => {
    const LAB = 'test/unit/bad-labs/cluster-service-no-pods.warn.yaml';
    const GOLDEN = 'test/unit/bad-labs/cluster-service-no-pods.warnings.txt';
    it('validates, with one warning on the marked line, with a hint, printed as the golden file', () => {
      let loaded: ReturnType<typeof loadLab>;
      try {
        loaded = loadLab(LAB);
      } catch (e) {
        assert.fail(`the lab should validate: ${e instanceof LabError ? formatDiagnostics(e.diagnostics) : String(e)}`);
      }
      const text = readFileSync(LAB, 'utf8');
      assert.deepEqual(
        loaded.warnings.map((w) => [w.code, w.pos?.file, w.pos?.line, w.pos?.col]),
        [['cluster.service-no-pods', LAB, lineOf(text, '# warning: cluster.service-no-pods'), 17]],
      );
      assert.ok(loaded.warnings[0].hint?.includes('REJECT'));
      const printed = formatDiagnostics(loaded.warnings, { sources: loaded.sources });
      expectGolden(GOLDEN, `${printed}\n`);
      // the service is still built: a ClusterIP and no endpoints (kube-proxy rejects)
      const c = loaded.lab.cluster!;
      assert.equal(c.services.find((s) => s.name === 'web')!.clusterIP, '10.96.0.11');
      assert.deepEqual(c.endpoints.find((e) => e.service.name === 'web')!.endpoints, []);
    });
    it('names the pods that match in another namespace', () => {
      const { warnings } = resolveOk(`name: ns
cluster:
  cni: bridge
  nodes: { node-1: {} }
  pods: { web: { labels: { app: web }, namespace: prod } }
  services:
    web:
      selector: { app: web }
      ports: [{ port: 80 }]
`);
      assert.deepEqual(warnings.map((w) => [w.code, w.hint]), [['cluster.service-no-pods', 'pods prod/web match but are in another namespace']]);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('cluster compile helpers (runner/cluster/compile.ts)', () => {
  it('mergeRestore: the inputs\' header comments first, each table once, chains declared once, the second input\'s rules after the first\'s', () => {
    const a = ['# kube-proxy', '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':KUBE-FORWARD - [0:0]', '-A FORWARD -j KUBE-FORWARD', 'COMMIT', '*nat', ':PREROUTING ACCEPT [0:0]', ':KUBE-SERVICES - [0:0]', '-A PREROUTING -j KUBE-SERVICES', 'COMMIT', ''].join('\n');
    const b = ['# policy', '*filter', ':FORWARD ACCEPT [0:0]', ':NSL-POLICY - [0:0]', '', '-I FORWARD 1 -j NSL-POLICY', '# a comment inside', '-A NSL-POLICY -j ACCEPT', 'COMMIT', '*mangle', ':PREROUTING ACCEPT [0:0]', 'COMMIT', ''].join('\n');
    assert.equal(
      mergeRestore(a, b),
      [
        '# kube-proxy',
        '# policy',
        '*filter',
        ':INPUT ACCEPT [0:0]',
        ':FORWARD ACCEPT [0:0]',
        ':KUBE-FORWARD - [0:0]',
        ':NSL-POLICY - [0:0]',
        '-A FORWARD -j KUBE-FORWARD',
        '-I FORWARD 1 -j NSL-POLICY',
        '# a comment inside',
        '-A NSL-POLICY -j ACCEPT',
        'COMMIT',
        '*nat',
        ':PREROUTING ACCEPT [0:0]',
        ':KUBE-SERVICES - [0:0]',
        '-A PREROUTING -j KUBE-SERVICES',
        'COMMIT',
        '*mangle',
        ':PREROUTING ACCEPT [0:0]',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  describe('on a two-node cluster', () => {
    let c: ClusterResult;
    before(() => {
      c = expand(FLANNEL).cluster;
    });

    it('kubeProxyInput marks the endpoints on the node as local, and gives the node\'s address and the CIDRs', () => {
      const on = (n: string): unknown => kubeProxyInput(c, n).services.find((s) => s.service.name === 'a')!.endpoints.map((e) => [e.pod, e.local]);
      assert.deepEqual(on('node-1'), [['web-1', true], ['web-2', false], ['web-3', true]]);
      assert.deepEqual(on('node-2'), [['web-1', false], ['web-2', true], ['web-3', false]]);
      const i = kubeProxyInput(c, 'node-2');
      assert.deepEqual([i.node, i.nodeIPs, i.clusterCIDR, i.serviceCIDR], ['node-2', ['192.168.56.12'], '10.244.0.0/16', '10.96.0.0/12']);
      assert.equal(i.services.length, c.endpoints.length);
      assert.ok(c.endpoints.every((e) => e.endpoints.every((x) => !x.local)), 'the cluster itself is not changed');
    });

    it('kubeProxyInput without a pod leaves its endpoints out', () => {
      const i = kubeProxyInput(c, 'node-1', new Set(['web-2', 'db']));
      assert.deepEqual(i.services.find((s) => s.service.name === 'b')!.endpoints.map((e) => e.pod), ['web-1', 'web-3']);
      assert.deepEqual(i.services.find((s) => s.service.name === 'c')!.endpoints, []);
    });

    it('nodeRules without an endpoint drops that endpoint\'s KUBE-SEP chain and its jump', () => {
      const full = nodeRules(c, 'node-1').iptables!;
      const sepOf = (rules: string, ip: string): string[] => [...rules.matchAll(new RegExp(`^-A (KUBE-SEP-[A-Z0-9]{16}) .*-j DNAT --to-destination ${ip.replace(/\./g, '\\.')}:80$`, 'gm'))].map((m) => m[1]);
      const seps = sepOf(full, '10.244.1.2');
      assert.equal(seps.length, 3, 'web-2 backs a:80, b:80 and b:8080 (all to its port 80)');
      const without = nodeRules(c, 'node-1', new Set(['web-2'])).iptables!;
      for (const sep of seps) {
        assert.ok(full.includes(`:${sep} - [0:0]`));
        assert.ok(!without.includes(sep), `${sep} is still in the rules`);
      }
      assert.deepEqual(sepOf(without, '10.244.1.2'), []);
      assert.ok(!without.includes('10.244.1.2:80'));
      // the other endpoints stay, now one in two
      assert.equal(sepOf(without, '10.244.0.3').length, sepOf(full, '10.244.0.3').length);
      assert.match(without, /"default\/a -> 10\.244\.0\.3:80" -m statistic --mode random --probability 0\.5000000000 -j KUBE-SEP-/);
      assert.match(full, /"default\/a -> 10\.244\.0\.3:80" -m statistic --mode random --probability 0\.3333333333\d* -j KUBE-SEP-/);
    });

    it('nodeRules: iptables mode without policies is kube-proxy\'s input and the egress masquerade; nftables mode gives nft input and only the masquerade in iptables', () => {
      const r = nodeRules(c, 'node-1');
      assert.deepEqual(Object.keys(r), ['iptables']);
      assert.match(r.iptables!, /^\*filter\n/m);
      assert.ok(!r.iptables!.includes('NSL-POLICY'));
      // kube-proxy's POSTROUTING jump first, then flanneld's ip-masq
      const post = r.iptables!.split('\n').filter((l) => l.startsWith('-A POSTROUTING'));
      assert.deepEqual(post.map((l) => /-j (\S+)$/.exec(l)![1]), ['KUBE-POSTROUTING', 'FLANNEL-POSTRTG']);
      const nft = nodeRules({ ...c, kubeProxy: 'nftables' }, 'node-1');
      assert.deepEqual(nft.iptables!.match(/^\*\w+/gm), ['*nat']);
      assert.match(nft.nftables!, /^add table ip kube-proxy/m);
      const off = nodeRules({ ...c, egressMasquerade: false }, 'node-1');
      assert.ok(!off.iptables!.includes('FLANNEL-POSTRTG'), 'egress-masquerade: false');
    });
  });
});
