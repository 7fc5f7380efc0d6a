/**
 * kube-proxy's userspace mode (issue 14.5): the historic rule layout, the proxy's configuration, what delete-pod
 * hands a running proxy, the service assertion's default client check, and nslab's proxy itself on loopback
 * (round-robin, ClientIP affinity, a reload that keeps the process and its sockets). No root, no namespaces.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RoundRobin, startUserspaceProxy } from '../../../runner/agent/userspace-proxy.ts';
import { startWhoami } from '../../../runner/agent/whoami.ts';
import type { DeletePodParams } from '../../../runner/cluster/assertions/delete-pod.ts';
import type { ServiceParams } from '../../../runner/cluster/assertions/service.ts';
import { configGeneration } from '../../../runner/cluster/assertions/userspace-reload.ts';
import { kubeProxyInput, nodeRules } from '../../../runner/cluster/compile.ts';
import { clusterReadyProbes } from '../../../runner/cluster/ready.ts';
import { USERSPACE_PORT_RANGE, userspaceConfig, userspaceRules, type UserspaceConfig } from '../../../runner/cluster/kube-proxy-userspace.ts';
import { parseLabText } from '../../../runner/config/load.ts';
import { resolveLab } from '../../../runner/resolve/resolve.ts';

function resolve(extra = '', tests = '') {
  const text = `name: t-us
cluster:
  cni: flannel-vxlan
  kube-proxy: userspace
  nodes: { node-1: {}, node-2: {} }
  pods:
    web: { replicas: 2, labels: { app: web } }
    client: { node: node-1, labels: { app: client } }
  services:
    web: { selector: { app: web }, sessionAffinity: ClientIP, ports: [{ port: 80 }] }
    web-np: { type: NodePort, selector: { app: web }, ports: [{ port: 8080, targetPort: 80, nodePort: 30080 }] }
${extra}${tests ? `tests:\n${tests}` : ''}`;
  return resolveLab(parseLabText('/tmp/t-us/lab.yaml', text));
}

describe('kube-proxy userspace: rules and configuration', () => {
  const c = resolve().lab!.cluster!;
  it('resolves the mode', () => assert.equal(c.kubeProxy, 'userspace'));

  it("writes kube-proxy's historic chains: portals (REDIRECT from pods, DNAT from the node) and NodePorts", () => {
    const text = userspaceRules(kubeProxyInput(c, 'node-1'));
    const cfg = userspaceConfig(kubeProxyInput(c, 'node-1'));
    const web = cfg.services.find((s) => s.name === 'default/web')!;
    const np = cfg.services.find((s) => s.name === 'default/web-np')!;
    const lines = text.split('\n');
    for (const want of [
      '-A PREROUTING -m comment --comment "handle ClusterIPs; NOTE: this must be before the NodePort rules" -j KUBE-PORTALS-CONTAINER',
      '-A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment "handle service NodePorts; NOTE: this must be the last rule in the chain" -j KUBE-NODEPORT-CONTAINER',
      '-A OUTPUT -m comment --comment "handle ClusterIPs; NOTE: this must be before the NodePort rules" -j KUBE-PORTALS-HOST',
      '-A INPUT -m comment --comment "Ensure that non-local NodePort traffic can flow" -j KUBE-NODEPORT-NON-LOCAL',
      `-A KUBE-PORTALS-CONTAINER -d ${web.clusterIP}/32 -p tcp -m comment --comment "default/web" -m tcp --dport 80 -j REDIRECT --to-ports ${web.proxyPort}`,
      `-A KUBE-PORTALS-HOST -d ${web.clusterIP}/32 -p tcp -m comment --comment "default/web" -m tcp --dport 80 -j DNAT --to-destination ${cfg.nodeIP}:${web.proxyPort}`,
      `-A KUBE-NODEPORT-CONTAINER -p tcp -m comment --comment "default/web-np" -m tcp --dport 30080 -j REDIRECT --to-ports ${np.proxyPort}`,
      `-A KUBE-NODEPORT-HOST -p tcp -m comment --comment "default/web-np" -m tcp --dport 30080 -j DNAT --to-destination ${cfg.nodeIP}:${np.proxyPort}`,
      `-A KUBE-NODEPORT-NON-LOCAL -p tcp -m comment --comment "default/web-np" -m tcp --dport ${np.proxyPort} -m state --state NEW -j ACCEPT`,
    ]) assert.ok(lines.includes(want), want);
    // no endpoint in the rules at all: only the proxy's configuration names them
    for (const ep of web.endpoints) assert.ok(!text.includes(ep.split(':')[0]), ep);
    assert.equal(cfg.nodeIP, c.nodes[0].ip);
    assert.equal(web.affinitySeconds, 10800);
    assert.equal(web.endpoints.length, 2);
  });

  it('gives every service port the same proxy port on every node, whatever its endpoints', () => {
    const a = userspaceConfig(kubeProxyInput(c, 'node-1'));
    const b = userspaceConfig(kubeProxyInput(c, 'node-2', new Set(['web-1', 'web-2'])));
    assert.deepEqual(a.services.map((s) => [s.name, s.proxyPort]), b.services.map((s) => [s.name, s.proxyPort]));
    assert.ok(a.services.every((s) => s.proxyPort >= USERSPACE_PORT_RANGE[0] && s.proxyPort <= USERSPACE_PORT_RANGE[1]));
    assert.deepEqual(b.services.find((s) => s.name === 'default/web')!.endpoints, []);
  });

  it('the plan writes the configuration and starts the proxy per node; the rules do not change with the endpoints', () => {
    const r = nodeRules(c, 'node-1');
    const without = nodeRules(c, 'node-1', new Set(['web-1']));
    assert.equal(r.iptables, without.iptables);
    assert.notEqual(r.userspace, without.userspace);
    assert.equal((JSON.parse(r.userspace!) as UserspaceConfig).node, 'node-1');
  });

  it('delete-pod hands each node the new configuration (and reloads no rule)', () => {
    const r = resolve('', '  - delete-pod: { pod: web-1 }\n');
    const p = r.lab!.tests[0].params as unknown as DeletePodParams;
    assert.equal(p.kubeProxy, 'userspace');
    assert.deepEqual(p.reloads.map((x) => x.node), ['node-1', 'node-2']);
    const web1 = r.lab!.cluster!.pods.find((x) => x.name === 'web-1')!.ip;
    for (const n of p.reloads) {
      assert.equal(n.iptables, undefined);
      const cfg = JSON.parse(n.userspace!) as UserspaceConfig;
      assert.ok(cfg.services.every((s) => s.endpoints.every((e) => !e.startsWith(`${web1}:`))));
    }
  });

  it('k8s-node NotReady hands each node the configuration without that node\'s endpoints; Ready gives them back', () => {
    const r = resolve('', '  - k8s-node: { node: node-2, state: NotReady }\n  - k8s-node: { node: node-2, state: Ready }\n');
    const c = r.lab!.cluster!;
    const on2 = new Set(c.pods.filter((x) => x.node === 'node-2').map((x) => x.ip));
    const [down, upAgain] = r.lab!.tests.map((t) => t.params as unknown as { reloads: { node: string; userspace?: string; iptables?: string }[] });
    for (const n of down.reloads) {
      const cfg = JSON.parse(n.userspace!) as UserspaceConfig;
      assert.ok(cfg.services.every((s) => s.endpoints.every((e) => !on2.has(e.split(':')[0]))), n.node);
      assert.equal(n.iptables, undefined);
    }
    for (const n of upAgain.reloads) assert.equal(n.userspace, nodeRules(c, n.node).userspace);
  });

  it('lab up waits until every proxy listens on its proxy ports', () => {
    const probes = clusterReadyProbes(c);
    for (const n of ['node-1', 'node-2']) assert.ok(probes.some((p) => p.node === n), n);
  });
});

describe('kube-proxy userspace: bad input and the service assertion', () => {
  it('refuses externalTrafficPolicy Local at its place (the hostNetwork port clash: bad-labs/cluster-kube-proxy-userspace)', () => {
    const r = resolve(`    local: { type: NodePort, externalTrafficPolicy: Local, selector: { app: web }, ports: [{ port: 81 }] }
`);
    const errs = r.diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errs.length, 1);
    assert.match(errs[0].message, /externalTrafficPolicy: Local cannot be honoured by kube-proxy: userspace/);
    assert.equal(errs[0].pos?.line, 12);
  });

  it("service: the pods see the proxying node by default; client: preserved is refused", () => {
    const ok = resolve('', `  - service: { service: web-np, from: client, requests: 6 }
  - service: { service: web-np, from: client, via: node-port, node: node-2, requests: 6 }
`);
    const [a, b] = ok.lab!.tests.map((t) => t.params as unknown as ServiceParams);
    assert.deepEqual(a.client, { node: 'node-1' });
    assert.deepEqual(b.client, { node: 'node-2' });
    const bad = resolve('', '  - service: { service: web, from: client, client: preserved }\n');
    const errs = bad.diagnostics.filter((d) => d.severity === 'error');
    assert.equal(errs.length, 1);
    assert.match(errs[0].message, /preserved cannot hold under kube-proxy: userspace/);
  });
});

describe('kube-proxy userspace: LoadBalancerRR', () => {
  it('takes the endpoints in turn', () => {
    const lb = new RoundRobin(0, ['a:1', 'b:1', 'c:1']);
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => lb.next('10.0.0.1')), ['a:1', 'b:1', 'c:1', 'a:1', 'b:1', 'c:1']);
  });
  it('keeps a client on its endpoint while the affinity is fresh, and lets it go when the endpoint goes', () => {
    const lb = new RoundRobin(10, ['a:1', 'b:1']);
    assert.equal(lb.next('x', 0), 'a:1');
    assert.equal(lb.next('y', 0), 'b:1');
    assert.equal(lb.next('x', 5000), 'a:1');
    assert.equal(lb.next('x', 16000), 'a:1', 'refreshed at 5 s, fresh until 15 s… and taken again in turn');
    lb.update(['b:1'], 10);
    assert.equal(lb.next('x', 17000), 'b:1');
  });
  it('has nothing to give without endpoints', () => assert.equal(new RoundRobin(0, []).next('x'), undefined));
});

/** One request through the proxy: the whoami answer's node. */
function ask(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let buf = '';
    s.on('data', (d) => (buf += d.toString()));
    s.on('end', () => resolve((JSON.parse(buf.trim()) as { node: string }).node));
    s.on('error', reject);
    s.write('hi\n');
  });
}

describe('kube-proxy userspace: the proxy on loopback', function () {
  this.timeout(20000);
  it('proxies round-robin, then takes new endpoints from its file without restarting', async () => {
    const a = await startWhoami({ name: 'pod-a', tcpPorts: [0], host: '127.0.0.1' });
    const b = await startWhoami({ name: 'pod-b', tcpPorts: [0], host: '127.0.0.1' });
    const dir = mkdtempSync(join(tmpdir(), 'nslab-us-'));
    const config = join(dir, 'node.json');
    const applied = join(dir, 'node.applied.json');
    const proxyPort = 20000 + Math.floor(Math.random() * 10000);
    const cfg = (eps: string[]): string => `${JSON.stringify({ node: 'n', nodeIP: '127.0.0.1', services: [{ name: 'default/web', protocol: 'tcp', clusterIP: '10.96.0.11', port: 80, nodePort: 0, loadBalancerIPs: [], proxyPort, affinitySeconds: 0, endpoints: eps }] })}\n`;
    writeFileSync(config, cfg([`127.0.0.1:${a.tcpPorts[0]}`, `127.0.0.1:${b.tcpPorts[0]}`]));
    const lines: string[] = [];
    const proxy = await startUserspaceProxy(config, applied, (l) => lines.push(l));
    try {
      assert.deepEqual([await ask(proxyPort), await ask(proxyPort), await ask(proxyPort), await ask(proxyPort)], ['pod-a', 'pod-b', 'pod-a', 'pod-b']);
      const before = JSON.parse(readFileSync(applied, 'utf8')) as { pid: number; generation: string };
      assert.equal(before.pid, process.pid);
      const next = cfg([`127.0.0.1:${b.tcpPorts[0]}`]);
      writeFileSync(`${config}.new`, next);
      renameSync(`${config}.new`, config);
      const t0 = Date.now();
      while ((JSON.parse(readFileSync(applied, 'utf8')) as { generation: string }).generation !== configGeneration(next)) {
        assert.ok(Date.now() - t0 < 5000, 'applied within 5 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual([await ask(proxyPort), await ask(proxyPort)], ['pod-b', 'pod-b']);
      assert.ok(lines.some((l) => l.includes('endpoints') && l.includes('→')), lines.join('\n'));
    } finally {
      await proxy.close();
      await a.close();
      await b.close();
    }
  });
});
