/**
 * The cluster-aware assertions (service, dns, policy, k8s-network-model): parameter resolution against a
 * hand-made ResolvedCluster (with positions and hints), and the pure judge functions. No root, no kernel.
 */
import { strict as assert } from 'node:assert';
import { writeReport } from '../../assertions/reporters/index.ts';
import type { TestResult } from '../../assertions/runner.ts';
import { dns, dnsCommands, judgeDns, modelRecords, parseDig, searchNames, srvValue, type DnsParams } from '../../runner/cluster/assertions/dns.ts';
import { judgeNetworkModel, k8sNetworkModel, modelCommands, modelExpectedText, type ModelParams } from '../../runner/cluster/assertions/k8s-network-model.ts';
import { decide, formatMatrix, judgePolicy, policy, policyCommands, policyExpectedText, type CellRule, type PolicyParams } from '../../runner/cluster/assertions/policy.ts';
import { expectedText as serviceExpected, judgeService, requestsForSplit, service, serviceCommands, shareBounds, SPLIT_Z_DEFAULT, type ServiceParams } from '../../runner/cluster/assertions/service.ts';
import type { ExecResult, ResolveContext, RunContext } from '../../assertions/types.ts';
import { parseProbeOutput, type ProbeLine } from '../../runner/agent/probe.ts';
import { parseAddrs } from '../../runner/cluster/assertions/k8s.ts';
import { matches } from '../../runner/cluster/selectors.ts';
import type { Pod, ResolvedCluster, Service, ServiceEndpoints } from '../../runner/cluster/types.ts';
import { errors, resolveCtx, result } from './assertions/helpers.ts';

const pod = (name: string, namespace: string, labels: Record<string, string>, node: string, ip: string, ports: Pod['ports'] = [{ name: 'http', port: 80, protocol: 'TCP' }]): Pod => ({
  name,
  namespace,
  labels,
  node,
  ip,
  ports,
  hostIf: `veth-${name}`,
});

const PODS: Pod[] = [
  pod('web-1', 'default', { app: 'web' }, 'n1', '10.244.1.2'),
  pod('web-2', 'default', { app: 'web' }, 'n2', '10.244.2.2'),
  // web-3 asks for a name under hl (spec.hostname + spec.subdomain, as a StatefulSet's pod has); web-1/2 do not
  { ...pod('web-3', 'default', { app: 'web' }, 'n2', '10.244.2.3'), hostname: 'web-3', subdomain: 'hl' },
  pod('client', 'default', { app: 'client' }, 'n1', '10.244.1.3'),
  pod('db', 'prod', { app: 'db' }, 'n2', '10.244.2.4', [
    { name: 'pg', port: 5432, protocol: 'TCP' },
    { port: 80, protocol: 'TCP' },
  ]),
  pod('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, 'n1', '10.244.1.10', [{ name: 'dns', port: 53, protocol: 'UDP' }]),
];

const svc = (name: string, over: Partial<Service>): Service => ({
  name,
  namespace: 'default',
  type: 'ClusterIP',
  selector: { app: 'web' },
  ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }],
  sessionAffinity: 'None',
  affinityTimeout: 10800,
  externalTrafficPolicy: 'Cluster',
  ...over,
});

const SERVICES: Service[] = [
  svc('web', { clusterIP: '10.96.0.20' }),
  svc('web-np', { type: 'NodePort', clusterIP: '10.96.0.21', externalTrafficPolicy: 'Local', ports: [{ protocol: 'TCP', port: 80, targetPort: 80, nodePort: 30080 }] }),
  svc('web-lb', { type: 'LoadBalancer', clusterIP: '10.96.0.22', loadBalancerIP: '172.30.0.1', ports: [{ protocol: 'TCP', port: 80, targetPort: 80, nodePort: 30081 }] }),
  svc('sticky', { clusterIP: '10.96.0.23', sessionAffinity: 'ClientIP' }),
  svc('hl', { clusterIP: 'None' }),
  svc('ext', { type: 'ExternalName', externalName: 'example.com', selector: undefined, ports: [] }),
  svc('empty', { clusterIP: '10.96.0.30', selector: { app: 'none' } }),
  svc('kube-dns', { namespace: 'kube-system', clusterIP: '10.96.0.10', selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 }] }),
];

function endpointsOf(services: readonly Service[], pods: readonly Pod[]): ServiceEndpoints[] {
  return services.flatMap((s) =>
    s.type === 'ExternalName' || !s.selector
      ? []
      : s.ports.map((port) => ({
          service: s,
          port,
          endpoints: pods.filter((p) => p.namespace === s.namespace && matches({ matchLabels: s.selector }, p.labels)).map((p) => ({ pod: p.name, node: p.node, ip: p.ip, port: Number(port.targetPort), local: false })),
        })),
  );
}

const CLUSTER: ResolvedCluster = {
  cni: 'flannel-vxlan',
  kubeProxy: 'iptables',
  podCIDR: '10.244.0.0/16',
  serviceCIDR: '10.96.0.0/12',
  nodePortRange: [30000, 32767],
  nodes: [
    { name: 'n1', ip: '192.168.56.11', underlayIf: 'eth0', podCIDR: '10.244.1.0/24', labels: {} },
    { name: 'n2', ip: '192.168.56.12', underlayIf: 'eth0', podCIDR: '10.244.2.0/24', labels: {} },
  ],
  pods: PODS,
  services: SERVICES,
  endpoints: endpointsOf(SERVICES, PODS),
  namespaces: { default: {}, prod: {}, 'kube-system': {} },
  policies: [
    {
      name: 'db-from-client',
      namespace: 'prod',
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress'],
      ingress: [{ peers: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'client' } } }], ports: [{ protocol: 'TCP', port: 80 }] }],
    },
  ],
  dns: { ip: '10.96.0.10', pod: 'coredns', domain: 'cluster.local' },
  bgpPeers: [],
};

/** Every pod and node is a lab node (plus one outside router); `cluster` is the lab's cluster. */
function ctxWith(cluster: ResolvedCluster | null = CLUSTER): ResolveContext {
  const nodes: Record<string, Record<string, string>> = { router: { eth0: '192.168.56.1' } };
  for (const p of cluster?.pods ?? PODS) nodes[p.name] = { eth0: p.ip };
  for (const n of cluster?.nodes ?? CLUSTER.nodes) nodes[n.name] = { eth0: n.ip };
  return { ...resolveCtx({ nodes }), cluster: () => cluster ?? undefined };
}

const where = (ds: readonly { pos?: { file: string } }[]): string[] => ds.map((d) => d.pos?.file ?? '').sort();

/** A RunContext whose exec answers from a function, recording the argv. */
function fakeRun(answer: (node: string, argv: readonly string[]) => Partial<ExecResult>): RunContext & { calls: { node: string; argv: readonly string[] }[] } {
  const calls: { node: string; argv: readonly string[] }[] = [];
  return {
    calls,
    selfArgv: ['lab'],
    async exec(node, argv) {
      calls.push({ node, argv });
      return result({ command: `ip netns exec nsl.t.${node} ${argv.join(' ')}`, ...answer(node, argv) });
    },
    background: () => Promise.reject(new Error('no background')),
    measurement: () => undefined,
  };
}

const ok = (node: string, client = '10.244.1.3', to = '10.96.0.20'): ProbeLine => ({ ok: true, to, seq: 1, node, client, clientPort: 40000, port: 80, ms: 1 });
const bad = (error: string, to = '10.96.0.20'): ProbeLine => ({ ok: false, to, seq: 1, error, ms: 1000 });
const spread = (counts: Record<string, number>, client?: string): ProbeLine[] => Object.entries(counts).flatMap(([n, k]) => Array.from({ length: k }, () => ok(n, client)));

describe('cluster assertions', () => {
  it('give handouts the commands they run, with nslab called as `lab`', () => {
    const byName = service.resolve({ service: 'web', from: 'client', via: 'name', requests: 6 }, ctxWith()).params!;
    assert.deepEqual(serviceCommands(byName).map((c) => [c.node, c.argv.join(' ')]), [
      ['client', 'dig +short +time=2 +tries=2 web.default.svc.cluster.local'],
      ['client', 'lab agent probe --to <the address dig printed> --port 80 --proto tcp --count 6 --timeout-ms 2000 --max-failures 3'],
    ]);
    const np = service.resolve({ service: 'web-np', from: 'router', via: 'node-port' }, ctxWith()).params!;
    assert.equal(serviceCommands(np, ['node', 'main.js'])[0].argv.join(' '), 'node main.js agent probe --to 192.168.56.11 --port 30080 --proto tcp --count 60 --timeout-ms 2000 --max-failures 3');
    assert.match(serviceExpected(np, np.address), /^default\/web-np port 80\/TCP from router via node port 192\.168\.56\.11:30080 of n1: 60 requests answered by web-1, all of them$/);
    const d = dns.resolve({ from: 'client', name: 'web' }, ctxWith()).params!;
    assert.deepEqual(dnsCommands(d).map((c) => c.argv.join(' ')), ['dig +search +noall +comments +answer +time=2 +tries=2 -t A web']);
    const pol = policy.resolve({ port: 80, from: ['client', 'web-1'], to: ['db'] }, ctxWith()).params!;
    assert.deepEqual(policyCommands(pol).map((c) => `${c.node}: ${c.argv.join(' ')}`), [
      'client: lab agent probe --to 10.244.2.4 --port 80 --proto tcp --count 1 --timeout-ms 1000',
      'web-1: lab agent probe --to 10.244.2.4 --port 80 --proto tcp --count 1 --timeout-ms 1000',
    ]);
    assert.equal(policyExpectedText(pol), 'NetworkPolicy truth table on TCP port 80, 2 × 1 pods: 1 allowed (.), 1 denied (X), as the policies say\n-               prod/db\ndefault/client  .\ndefault/web-1   X');
    const m = k8sNetworkModel.resolve({}, ctxWith()).params!;
    const steps = modelCommands(m);
    // per pod: own address, pod probe, its node's server in the background (for the next step only), own-node probe;
    // per node: its addresses, its probe
    assert.equal(steps.length, 5 * 4 + 2 * 2);
    assert.deepEqual(steps[0].argv, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    assert.equal(steps[1].argv.join(' '), 'lab agent probe --to 10.244.2.2 --to 10.244.2.3 --to 10.244.1.3 --port 80 --proto tcp --count 1 --timeout-ms 2000');
    assert.deepEqual([steps[2].node, steps[2].argv.join(' '), steps[2].background], ['n1', 'timeout --foreground 60 lab agent whoami --name n1 --port 10250', true]);
    assert.deepEqual([steps[3].node, steps[3].argv.join(' ')], ['web-1', 'lab agent probe --to 192.168.56.11 --port 10250 --proto tcp --count 1 --timeout-ms 2000']);
    assert.deepEqual(steps.at(-2)!.argv, ['ip', '-4', '-o', 'addr', 'show']);
    assert.match(modelExpectedText(m), /all 2 nodes reach every pod/);
  });

  describe('service: resolve', () => {
    it('reaches the ClusterIP by default, with every endpoint and the defaults', () => {
      const r = service.resolve({ service: 'web', from: 'client' }, ctxWith());
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.params, {
        service: 'default/web',
        from: 'client',
        via: 'cluster-ip',
        address: '10.96.0.20',
        port: 80,
        servicePort: 80,
        protocol: 'TCP',
        requests: 128, // enough for 3 endpoints to be judged at ±50 % without failing by chance: 16·2/0.5²
        tolerance: 0.5,
        affinity: false,
        expect: 'reachable',
        endpoints: ['web-1', 'web-2', 'web-3'],
        balanceUnknown: false,
        timeoutMs: 2000,
      });
      assert.equal(service.describe(r.params!), 'service client → default/web:80 via cluster-ip');
    });

    it('names the missing cluster at the assertion, with a hint', () => {
      const r = service.resolve({ service: 'web', from: 'client' }, ctxWith(null));
      const [e] = errors(r.diagnostics);
      assert.equal(r.params, undefined);
      assert.match(e.message, /needs a cluster, and this lab has no cluster: section/);
      assert.equal(e.pos?.file, '<>');
      assert.match(e.hint ?? '', /add a cluster: section/);
      const plain = { ...resolveCtx() }; // a ResolveContext without cluster() at all
      assert.match(errors(service.resolve({ service: 'web', from: 'h1' }, plain).diagnostics)[0].message, /needs a cluster/);
    });

    it('an unknown service: did you mean, at service', () => {
      const r = service.resolve({ service: 'wbe', from: 'client' }, ctxWith());
      const [e] = errors(r.diagnostics);
      assert.match(e.message, /no service "wbe" in the cluster/);
      assert.equal(e.pos?.file, '<service>');
      assert.match(e.hint ?? '', /did you mean "web"\?/);
      assert.match(errors(service.resolve({ service: 'prod/web', from: 'client' }, ctxWith()).diagnostics)[0].message, /no service "prod\/web"/);
    });

    it('bad tolerance, client and port; tolerance 0 needs an even split', () => {
      assert.equal(service.resolve({ service: 'web', from: 'client', tolerance: 1.5 }, ctxWith()).params, undefined);
      const z = service.resolve({ service: 'web', from: 'client', tolerance: 0, requests: 10 }, ctxWith());
      assert.deepEqual(where(errors(z.diagnostics)), ['<tolerance>']);
      assert.match(errors(z.diagnostics)[0].message, /exactly 10\/3 requests per endpoint/);
      assert.equal(service.resolve({ service: 'web', from: 'client', tolerance: 0, requests: 9 }, ctxWith()).params?.tolerance, 0);
      const c = service.resolve({ service: 'web', from: 'client', client: 'masq' }, ctxWith());
      assert.deepEqual(where(errors(c.diagnostics)), ['<client>']);
      assert.deepEqual(service.resolve({ service: 'web', from: 'client', client: '192.168.56.11' }, ctxWith()).params?.client, { address: '192.168.56.11' });
      const p = service.resolve({ service: 'web', from: 'client', port: 'https' }, ctxWith());
      assert.deepEqual(where(errors(p.diagnostics)), ['<port>']);
      assert.match(errors(p.diagnostics)[0].hint ?? '', /http \(80\/TCP\)/);
      assert.equal(service.resolve({ service: 'web', from: 'client', port: 'http' }, ctxWith()).params?.port, 80);
    });

    it('an unknown from node is the usual unknown node', () => {
      const r = service.resolve({ service: 'web', from: 'clinet' }, ctxWith());
      assert.deepEqual(where(errors(r.diagnostics)), ['<from>']);
      assert.match(errors(r.diagnostics)[0].hint ?? '', /client/);
    });

    it('node-port: the first node by default; externalTrafficPolicy Local keeps only that node’s pods', () => {
      const r = service.resolve({ service: 'web-np', from: 'router', via: 'node-port' }, ctxWith());
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.params?.node, 'n1');
      assert.equal(r.params?.address, '192.168.56.11');
      assert.equal(r.params?.port, 30080);
      assert.equal(r.params?.servicePort, 80);
      assert.deepEqual(r.params?.endpoints, ['web-1']);
      assert.deepEqual(service.resolve({ service: 'web-np', from: 'router', via: 'node-port', node: 'n2' }, ctxWith()).params?.endpoints, ['web-2', 'web-3']);
      const u = service.resolve({ service: 'web-np', from: 'router', via: 'node-port', node: 'n9' }, ctxWith());
      assert.deepEqual(where(errors(u.diagnostics)), ['<node>']);
      assert.match(errors(u.diagnostics)[0].hint ?? '', /did you mean "n1"\?|did you mean "n2"\?/);
      const c = service.resolve({ service: 'web', from: 'router', via: 'node-port' }, ctxWith());
      assert.deepEqual(where(errors(c.diagnostics)), ['<via>']);
      assert.match(errors(c.diagnostics)[0].message, /type ClusterIP: it has no node port/);
    });

    it('node-port with externalTrafficPolicy Local from a pod or from that node: every endpoint, as KUBE-EXT sends them (issue 18)', () => {
      // the report was "answered by web-3, web-2, not endpoints of default/web-np" for a pod → NodePort test
      assert.deepEqual(service.resolve({ service: 'web-np', from: 'client', via: 'node-port' }, ctxWith()).params?.endpoints, ['web-1', 'web-2', 'web-3']);
      assert.deepEqual(service.resolve({ service: 'web-np', from: 'n1', via: 'node-port', node: 'n1' }, ctxWith()).params?.endpoints, ['web-1', 'web-2', 'web-3']);
      assert.deepEqual(service.resolve({ service: 'web-np', from: 'n2', via: 'node-port', node: 'n1' }, ctxWith()).params?.endpoints, ['web-1'], 'another node is outside traffic for n1');
    });

    it('load-balancer, name, headless, ExternalName and affinity', () => {
      const lb = service.resolve({ service: 'web-lb', from: 'router', via: 'load-balancer' }, ctxWith()).params!;
      assert.equal(lb.address, '172.30.0.1');
      assert.equal(lb.port, 80);
      const byName = service.resolve({ service: 'web', from: 'client', via: 'name' }, ctxWith()).params!;
      assert.equal(byName.dnsName, 'web.default.svc.cluster.local');
      assert.equal(byName.address, undefined);
      assert.equal(byName.dnsServer, undefined);
      assert.equal(service.resolve({ service: 'web', from: 'router', via: 'name' }, ctxWith()).params?.dnsServer, '10.96.0.10');
      assert.match(errors(service.resolve({ service: 'hl', from: 'client' }, ctxWith()).diagnostics)[0].message, /headless/);
      assert.match(errors(service.resolve({ service: 'ext', from: 'client' }, ctxWith()).diagnostics)[0].message, /ExternalName/);
      assert.match(errors(service.resolve({ service: 'web', from: 'client', via: 'load-balancer' }, ctxWith()).diagnostics)[0].message, /no load-balancer address/);
      assert.equal(service.resolve({ service: 'sticky', from: 'client' }, ctxWith()).params?.affinity, true);
      assert.equal(service.resolve({ service: 'sticky', from: 'client', affinity: false }, ctxWith()).params?.affinity, false);
      assert.equal(service.resolve({ service: 'web', from: 'client', expect: 'unreachable' }, ctxWith()).params?.requests, 3);
    });

    it('a service that selects no pods: a warning now, a failure when run', async () => {
      const r = service.resolve({ service: 'empty', from: 'client' }, ctxWith());
      assert.deepEqual(errors(r.diagnostics), []);
      assert.equal(r.diagnostics.length, 1);
      assert.equal(r.diagnostics[0].severity, 'warning');
      assert.equal(r.diagnostics[0].message, 'service default/empty selects no pods (selector app=none matches none)');
      const run = fakeRun(() => ({}));
      const o = await service.run(r.params!, run);
      assert.equal(o.ok, false);
      assert.equal(o.seen, 'service default/empty selects no pods (selector app=none matches none)');
      assert.equal(run.calls.length, 0);
    });
  });

  describe('service: judge and run', () => {
    // 60 requests over 3 endpoints are judged at ±70 % (3.5 standard deviations), not at the default ±50 %
    const p = service.resolve({ service: 'web', from: 'client', requests: 60, tolerance: 0.7 }, ctxWith()).params!;
    const cmd = { address: '10.96.0.20', command: 'probe' };

    it('too few requests to judge the split without failing by chance: shown, not judged', () => {
      const few = service.resolve({ service: 'web', from: 'client', requests: 10 }, ctxWith()).params!;
      assert.equal(few.splitNeeds, 98);
      const o = judgeService(few, spread({ 'web-1': 8, 'web-2': 1, 'web-3': 1 }), cmd);
      assert.equal(o.ok, true, o.seen);
      assert.match(o.expected, /in any split \(10 requests are too few to judge it: 98 would be\)/);
      assert.equal(requestsForSplit(2, 0.5, SPLIT_Z_DEFAULT), 64);
      assert.equal(requestsForSplit(4, 0.5, SPLIT_Z_DEFAULT), 192);
      assert.equal(p.splitNeeds, undefined, '60 at ±70 % is judged');
    });

    it('an even split passes and shows the distribution and the client', () => {
      const o = judgeService(p, spread({ 'web-1': 21, 'web-2': 19, 'web-3': 20 }), cmd);
      assert.equal(o.ok, true, o.seen);
      assert.equal(o.seen, 'web-1 21, web-2 19, web-3 20 of 60; client seen 10.244.1.3');
      assert.match(o.expected, /each 6–34 of them/);
      assert.deepEqual(shareBounds(60, 3, 0.5), [10, 30]);
    });

    it('uneven, a stranger, failures and early stops fail', () => {
      assert.match(judgeService(p, spread({ 'web-1': 40, 'web-2': 15, 'web-3': 5 }), cmd).seen, /^uneven: web-1 got 40, web-3 got 5 — /);
      const s = judgeService(p, spread({ 'web-1': 20, 'web-2': 20, 'client': 20 }), cmd);
      assert.equal(s.ok, false);
      assert.match(s.seen, /answered by client, not an endpoint of default\/web/);
      assert.match(s.seen, /client 20 \(not an endpoint\)/);
      const f = judgeService(p, [...spread({ 'web-1': 20, 'web-2': 20, 'web-3': 18 }), bad('timeout'), bad('timeout')], cmd);
      assert.equal(f.ok, false);
      assert.match(f.seen, /2 of 60 requests failed/);
      assert.match(f.seen, /2 failed \(2 timeout\)/);
      assert.match(judgeService(p, spread({ 'web-1': 5 }), cmd).seen, /only 5 of 60 requests were made/);
    });

    it('affinity: one endpoint for all', () => {
      const a = { ...p, affinity: true };
      assert.equal(judgeService(a, spread({ 'web-2': 60 }), cmd).ok, true);
      assert.match(judgeService(a, spread({ 'web-2': 59, 'web-1': 1 }), cmd).seen, /session affinity broken: 2 endpoints answered/);
    });

    it('client: preserved, snat, an address', () => {
      const lines = spread({ 'web-1': 20, 'web-2': 20, 'web-3': 20 }, '10.244.1.3');
      assert.equal(judgeService({ ...p, client: 'preserved' }, lines, { ...cmd, fromAddrs: ['127.0.0.1', '10.244.1.3'] }).ok, true);
      const s = judgeService({ ...p, client: 'snat' }, lines, { ...cmd, fromAddrs: ['10.244.1.3'] });
      assert.match(s.seen, /client address 10\.244\.1\.3: client’s own: not SNATed/);
      const masq = spread({ 'web-1': 20, 'web-2': 20, 'web-3': 20 }, '10.244.2.0');
      assert.match(judgeService({ ...p, client: 'preserved' }, masq, { ...cmd, fromAddrs: ['10.244.1.3'] }).seen, /client address 10\.244\.2\.0: not client’s own \(10\.244\.1\.3\)/);
      assert.equal(judgeService({ ...p, client: 'snat' }, masq, { ...cmd, fromAddrs: ['10.244.1.3'] }).ok, true);
      assert.equal(judgeService({ ...p, client: { address: '10.244.2.0' } }, masq, cmd).ok, true);
    });

    it('expect unreachable: no answer passes, any answer fails', () => {
      const u: ServiceParams = { ...p, expect: 'unreachable', requests: 3 };
      assert.equal(judgeService(u, [bad('timeout'), bad('timeout'), bad('refused')], cmd).ok, true);
      assert.equal(judgeService(u, [bad('timeout'), ok('web-1'), bad('refused')], cmd).ok, false);
    });

    it('runs nslab’s probe in from, via the context’s selfArgv; via name digs first', async () => {
      const probeOut = spread({ 'web-1': 20, 'web-2': 20, 'web-3': 20 }).map((l) => JSON.stringify(l)).join('\n');
      const run = fakeRun((_n, argv) => (argv[0] === 'dig' ? { stdout: 'web.default.svc.cluster.local.\n10.96.0.20\n' } : { stdout: `${probeOut}\n` }));
      const q = service.resolve({ service: 'web', from: 'client', via: 'name', requests: 60, tolerance: 0.7 }, ctxWith()).params!;
      const o = await service.run(q, run);
      assert.equal(o.ok, true, o.seen);
      assert.deepEqual(run.calls[0].argv, ['dig', '+short', '+time=2', '+tries=2', 'web.default.svc.cluster.local']);
      assert.deepEqual(run.calls[1].argv, ['lab', 'agent', 'probe', '--to', '10.96.0.20', '--port', '80', '--proto', 'tcp', '--count', '60', '--timeout-ms', '2000', '--max-failures', '3']);
      const none = await service.run(p, fakeRun(() => ({ exitCode: 1, stderr: 'exec of "node" failed: No such file or directory\n' })));
      assert.equal(none.ok, false);
      assert.match(none.seen, /could not run node/);
    });
  });

  describe('dns', () => {
    const A = (name: string, from = 'client', extra: Record<string, unknown> = {}): DnsParams | undefined => dns.resolve({ from, name, ...extra }, ctxWith()).params;

    it('the default answer comes from the model, through the pod’s search path', () => {
      assert.deepEqual(A('web')?.expect, { kind: 'records', rtype: 'A', values: ['10.96.0.20'], source: 'the ClusterIP of service default/web' });
      assert.deepEqual(A('web.default.svc.cluster.local')?.expect.kind, 'records');
      assert.deepEqual(A('hl')?.expect, { kind: 'records', rtype: 'A', values: ['10.244.1.2', '10.244.2.2', '10.244.2.3'], source: 'the endpoints of headless service default/hl' });
      assert.deepEqual(A('ext')?.expect, { kind: 'records', rtype: 'CNAME', values: ['example.com'], source: 'ExternalName service default/ext' });
      assert.deepEqual(A('_http._tcp.web', 'client', { type: 'SRV' })?.expect, { kind: 'records', rtype: 'SRV', values: ['web.default.svc.cluster.local:80'], source: 'port http of service default/web' });
      assert.deepEqual(A('_http._tcp.hl', 'client', { type: 'SRV' })?.expect.kind === 'records' && A('_http._tcp.hl', 'client', { type: 'SRV' })?.expect, {
        kind: 'records',
        rtype: 'SRV',
        // CoreDNS: the hostname where the pod's subdomain is hl, else the dashed address — never the pod's name
        values: ['10-244-1-2.hl.default.svc.cluster.local:80', '10-244-2-2.hl.default.svc.cluster.local:80', 'web-3.hl.default.svc.cluster.local:80'],
        source: 'port http of headless service default/hl',
      });
      assert.equal(A('kube-dns.kube-system')?.expect.kind, 'records');
      assert.equal(A('kube-dns')?.expect.kind, 'nxdomain'); // client is in default
      assert.deepEqual(A('kube-dns', 'coredns')?.expect, { kind: 'records', rtype: 'A', values: ['10.96.0.10'], source: 'the ClusterIP of service kube-system/kube-dns' });
      assert.equal(A('nope')?.expect.kind, 'nxdomain');
      assert.equal(A('empty.default.svc.cluster.local')?.expect.kind, 'records');
      assert.deepEqual(modelRecords(CLUSTER, '10-244-2-4.prod.pod.cluster.local', 'A'), { kind: 'records', rtype: 'A', values: ['10.244.2.4'], source: 'pod prod/db' });
      assert.deepEqual(modelRecords(CLUSTER, '10-244-2-2.hl.default.svc.cluster.local', 'A'), { kind: 'records', rtype: 'A', values: ['10.244.2.2'], source: 'endpoint 10-244-2-2 (pod web-2) of headless service default/hl' });
      assert.equal(modelRecords(CLUSTER, 'web-2.hl.default.svc.cluster.local', 'A'), undefined); // no hostname/subdomain: no such name
      assert.deepEqual(modelRecords(CLUSTER, 'web-3.hl.default.svc.cluster.local', 'A'), { kind: 'records', rtype: 'A', values: ['10.244.2.3'], source: 'endpoint web-3 (pod web-3) of headless service default/hl' });
      assert.equal(modelRecords(CLUSTER, '10-244-2-3.hl.default.svc.cluster.local', 'A'), undefined); // named by its hostname instead
      assert.equal(modelRecords(CLUSTER, 'web.default.svc.cluster.local', 'CNAME')?.kind, 'records'); // NODATA: exists, no CNAME
      assert.deepEqual(searchNames('web', 'prod'), ['web.prod.svc.cluster.local', 'web.svc.cluster.local', 'web.cluster.local', 'web']);
      assert.deepEqual(searchNames('web.default.svc.cluster.local.', 'prod'), ['web.default.svc.cluster.local']);
    });

    it('expect as written: addresses, { service }, nxdomain; SRV in either notation', () => {
      assert.deepEqual(A('web', 'client', { expect: ['10.96.0.20'] })?.expect, { kind: 'records', rtype: 'A', values: ['10.96.0.20'], source: 'as written' });
      assert.deepEqual(A('www', 'client', { expect: { service: 'web' } })?.expect.kind, 'records');
      assert.deepEqual(A('web', 'client', { expect: 'nxdomain' })?.expect, { kind: 'nxdomain', source: 'as written' });
      assert.equal(srvValue('0 0 80 web.default.svc.cluster.local.'), 'web.default.svc.cluster.local:80');
      assert.equal(srvValue('web.default.svc.cluster.local:80'), 'web.default.svc.cluster.local:80');
    });

    it('errors: no cluster, no DNS, not a pod, unknown pod, bad answers, unknown service, a name outside the cluster', () => {
      assert.match(errors(dns.resolve({ from: 'client', name: 'web' }, ctxWith(null)).diagnostics)[0].message, /needs a cluster/);
      const nodns = dns.resolve({ from: 'client', name: 'web' }, ctxWith({ ...CLUSTER, dns: undefined }));
      assert.match(errors(nodns.diagnostics)[0].message, /runs no DNS/);
      const node = dns.resolve({ from: 'n1', name: 'web' }, ctxWith());
      assert.match(errors(node.diagnostics)[0].message, /"n1" is a node, not a pod/);
      assert.equal(errors(node.diagnostics)[0].pos?.file, '<from>');
      assert.match(errors(dns.resolve({ from: 'clent', name: 'web' }, ctxWith()).diagnostics)[0].hint ?? '', /did you mean "client"\?/);
      const badA = dns.resolve({ from: 'client', name: 'web', expect: ['10.96.0.20', 'ten'] }, ctxWith());
      assert.deepEqual(where(errors(badA.diagnostics)), ['<expect.1>']);
      const badSvc = dns.resolve({ from: 'client', name: 'web', expect: { service: 'wbe' } }, ctxWith());
      assert.deepEqual(where(errors(badSvc.diagnostics)), ['<expect.service>']);
      assert.match(errors(badSvc.diagnostics)[0].hint ?? '', /did you mean/);
      const outside = dns.resolve({ from: 'client', name: 'example.com' }, ctxWith());
      assert.deepEqual(where(errors(outside.diagnostics)), ['<name>']);
    });

    // dig +noall +comments +answer output, as captured from dnsmasq
    const head = (status: string): string => `;; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: ${status}, id: 61202\n;; flags: qr aa rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1\n\n;; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 1232\n`;
    const digA = `${head('NOERROR')};; ANSWER SECTION:\nweb.default.svc.cluster.local. 0 IN\tA\t10.96.0.20\n\n`;
    const digHl = `${head('NOERROR')};; ANSWER SECTION:\nhl.default.svc.cluster.local. 0\tIN\tA\t10.244.2.3\nhl.default.svc.cluster.local. 0\tIN\tA\t10.244.1.2\nhl.default.svc.cluster.local. 0\tIN\tA\t10.244.2.2\n\n`;
    const digExt = `${head('NOERROR')};; ANSWER SECTION:\next.default.svc.cluster.local.\t0 IN\tCNAME\texample.com.\n\n`;
    const digSrv = `${head('NOERROR')};; ANSWER SECTION:\n_http._tcp.web.default.svc.cluster.local. 0 IN SRV 0 0 80 web.default.svc.cluster.local.\n\n`;

    it('judges dig’s answer: records, NXDOMAIN, REFUSED after the search path, no server', () => {
      assert.deepEqual(parseDig(digA), { status: 'NOERROR', records: [{ name: 'web.default.svc.cluster.local', type: 'A', data: '10.96.0.20' }] });
      const web = A('web')!;
      assert.equal(judgeDns(web, result({ stdout: digA })).ok, true);
      assert.equal(judgeDns(web, result({ stdout: digA })).seen, 'NOERROR: A 10.96.0.20');
      assert.equal(judgeDns(A('hl')!, result({ stdout: digHl })).ok, true);
      assert.equal(judgeDns(A('hl')!, result({ stdout: digA })).ok, false);
      assert.equal(judgeDns(A('ext')!, result({ stdout: digExt })).ok, true);
      assert.equal(judgeDns(A('_http._tcp.web', 'client', { type: 'SRV' })!, result({ stdout: digSrv })).ok, true);
      const nx = A('nope')!;
      assert.equal(judgeDns(nx, result({ stdout: head('NXDOMAIN') })).ok, true);
      assert.equal(judgeDns(nx, result({ stdout: head('REFUSED') })).ok, true, 'a short name ends with REFUSED: no upstream');
      assert.equal(judgeDns(A('nope.default.svc.cluster.local')!, result({ stdout: head('REFUSED') })).ok, false);
      assert.equal(judgeDns(nx, result({ stdout: digA })).ok, false);
      const down = judgeDns(web, result({ exitCode: 9, stdout: ';; communications error to 10.96.0.10#53: timed out\n;; no servers could be reached\n' }));
      assert.equal(down.ok, false);
      assert.match(down.seen, /no answer from the DNS server: ;; communications error/);
      assert.match(judgeDns(web, result({ exitCode: 1, stderr: 'exec of "dig" failed: No such file or directory\n' })).seen, /could not run dig/);
    });
  });

  describe('policy', () => {
    const P = (raw: Record<string, unknown>): PolicyParams | undefined => policy.resolve({ port: 80, ...raw }, ctxWith()).params;
    const pp = (name: string, namespace = 'default') => ({ name, namespace, ip: '' });

    it('the most specific expect entry decides a cell; a tie denies', () => {
      const rules: CellRule[] = [
        { allow: false, from: { kind: 'any' }, to: { kind: 'pod', key: 'prod/db' }, text: '* -> prod/db' },
        { allow: true, from: { kind: 'pod', key: 'default/web-1' }, to: { kind: 'pod', key: 'prod/db' }, text: 'web-1 -> db' },
        { allow: true, from: { kind: 'ns', ns: 'default' }, to: { kind: 'any' }, text: 'default/* -> *' },
        { allow: false, from: { kind: 'any' }, to: { kind: 'ns', ns: 'default' }, text: '* -> default/*' },
      ];
      assert.equal(decide(rules, pp('web-1'), pp('db', 'prod'))?.text, 'web-1 -> db');
      assert.equal(decide(rules, pp('web-2'), pp('db', 'prod'))?.text, '* -> prod/db');
      assert.equal(decide(rules, pp('web-2'), pp('web-1'))?.text, '* -> default/*');
      assert.equal(decide(rules, pp('db', 'prod'), pp('x', 'other')), undefined);
    });

    it('resolves the truth table from the policies: every non-DNS pod, to those serving the port', () => {
      const p = P({})!;
      assert.deepEqual(p.from.map((x) => x.name), ['web-1', 'web-2', 'web-3', 'client', 'db']);
      assert.deepEqual(p.to.map((x) => x.name), ['web-1', 'web-2', 'web-3', 'client', 'db']);
      const db = p.to.findIndex((x) => x.name === 'db');
      assert.deepEqual(p.expected.map((row) => row[db]), [false, false, false, true, true]);
      assert.equal(p.overridden, 0);
      assert.equal(policy.describe(p), 'policy truth table TCP/80 (5×5)');
      const o = P({ expect: { deny: ['client -> db'], allow: ['web-1 -> prod/db'] } })!;
      assert.equal(o.overridden, 2);
      assert.deepEqual(o.expected.map((row) => row[db]), [true, false, false, false, true]);
    });

    it('issue 18: expect accepts a glob over the replicas (default/web-*, web-*), more specific than a namespace', () => {
      const p = P({})!;
      const db = p.to.findIndex((x) => x.name === 'db');
      const g = P({ expect: { allow: ['default/web-* -> prod/db'] } })!;
      assert.deepEqual(g.expected.map((row) => row[db]), [true, true, true, true, true]);
      assert.equal(g.overridden, 3);
      const both = P({ expect: { allow: ['web-* -> prod/db'], deny: ['web-2 -> prod/db'] } })!;
      assert.deepEqual(both.expected.map((row) => row[db]), [true, false, true, true, true], 'a pod is more specific than a glob');
      const rules: CellRule[] = [
        { allow: true, from: { kind: 'glob', re: /^default\/web-[^/]*$/ }, to: { kind: 'any' }, text: 'web-* -> *' },
        { allow: false, from: { kind: 'ns', ns: 'default' }, to: { kind: 'any' }, text: 'default/* -> *' },
      ];
      assert.equal(decide(rules, pp('web-3'), pp('db', 'prod'))?.text, 'web-* -> *');
      assert.equal(decide(rules, pp('client'), pp('db', 'prod'))?.text, 'default/* -> *');
      const none = policy.resolve({ port: 80, expect: { allow: ['api-* -> db'] } }, ctxWith());
      assert.match(errors(none.diagnostics)[0].message, /"api-\*" matches no pod of the cluster/);
    });

    it('errors: unknown pods and namespaces with hints, bad entries, pods that do not serve the port, no cluster', () => {
      const u = policy.resolve({ port: 80, expect: { allow: ['clinet -> db'] } }, ctxWith());
      assert.deepEqual(where(errors(u.diagnostics)), ['<expect.allow.0>']);
      assert.match(errors(u.diagnostics)[0].hint ?? '', /did you mean "client"\?/);
      assert.match(errors(policy.resolve({ port: 80, expect: { deny: ['prd/* -> db'] } }, ctxWith()).diagnostics)[0].hint ?? '', /did you mean "prod"\?/);
      assert.match(errors(policy.resolve({ port: 80, expect: { deny: ['client db'] } }, ctxWith()).diagnostics)[0].message, /is not "FROM -> TO"/);
      const f = policy.resolve({ port: 80, from: ['client', 'wbe-1'] }, ctxWith());
      assert.deepEqual(where(errors(f.diagnostics)), ['<from.1>']);
      const t = policy.resolve({ port: 80, to: ['web-1', 'coredns'] }, ctxWith());
      assert.deepEqual(where(errors(t.diagnostics)), ['<to.1>']);
      assert.match(errors(t.diagnostics)[0].message, /pod coredns does not serve TCP 80 \(its ports: 53\/UDP\)/);
      assert.deepEqual(where(errors(policy.resolve({ port: 9999 }, ctxWith()).diagnostics)), ['<port>']);
      assert.match(errors(policy.resolve({ port: 80 }, ctxWith(null)).diagnostics)[0].message, /needs a cluster/);
      const w = policy.resolve({ port: 80, from: ['client'], to: ['web-1'], expect: { allow: ['db -> web-1'] } }, ctxWith());
      assert.equal(w.diagnostics[0]?.severity, 'warning');
      assert.match(w.diagnostics[0].message, /decides no cell/);
    });

    it('prints the table with . and X, marks wrong cells, and judges', () => {
      const p: PolicyParams = { port: 80, protocol: 'TCP', from: [pp('a'), pp('b')], to: [pp('a'), pp('b'), pp('c')], expected: [[true, true, false], [true, true, true]], overridden: 0 };
      assert.equal(formatMatrix(p, p.expected), '-  a  b  c\na  .  .  X\nb  .  .  .');
      const good = judgePolicy(p, p.expected, 'cmd');
      assert.equal(good.ok, true);
      assert.equal(good.seen, 'all 6 cells as expected\n-  a  b  c\na  .  .  X\nb  .  .  .');
      const wrong = judgePolicy(p, [[true, true, true], [true, false, true]], 'cmd');
      assert.equal(wrong.ok, false);
      assert.equal(wrong.seen, '2 of 6 cells wrong: a → c allowed (expected denied), b → b denied (expected allowed)\n-  a  b   c\na  .  .   .!\nb  .  X!  .');
      assert.deepEqual((wrong.details as { matrix: { observed: unknown } }).matrix.observed, [[true, true, true], [true, false, true]]);
      const gap = judgePolicy(p, [[true, true, false], [undefined, undefined, undefined]], 'cmd', ['b: could not run node']);
      assert.equal(gap.ok, false);
      assert.match(gap.seen, /^3 cells not probed \(b: could not run node\)\n-  a  b  c\na  .  .  X\nb  \?  \?  \?$/);
      const two = formatMatrix({ from: [pp('a'), pp('db', 'prod')], to: [pp('a')] }, [[true], [false]]);
      assert.equal(two, '-          default/a\ndefault/a  .\nprod/db    X');
    });

    it('runs one probe per source pod, to every target at once', async () => {
      const p = P({ from: ['client', 'web-1'], to: ['web-1', 'db'] })!;
      const run = fakeRun((node) => ({
        stdout: [node === 'client' ? ok('web-1', '10.244.1.3', '10.244.1.2') : ok('web-1', '10.244.1.2', '10.244.1.2'), node === 'client' ? ok('db', '10.244.1.3', '10.244.2.4') : bad('timeout', '10.244.2.4')].map((l) => JSON.stringify(l)).join('\n'),
      }));
      const o = await policy.run(p, run);
      assert.equal(o.ok, true, o.seen);
      assert.deepEqual(run.calls.map((c) => c.argv.slice(0, 7)), [
        ['lab', 'agent', 'probe', '--to', '10.244.1.2', '--to', '10.244.2.4'],
        ['lab', 'agent', 'probe', '--to', '10.244.1.2', '--to', '10.244.2.4'],
      ]);
    });
  });

  describe('k8s-network-model', () => {
    const p = k8sNetworkModel.resolve({}, ctxWith()).params!;

    it('plans every pod pair and node → pod, skipping what a policy denies', () => {
      assert.deepEqual(p.sources.map((s) => `${s.kind}:${s.name}:${s.targets.length}`), ['pod:web-1:3', 'pod:web-2:3', 'pod:web-3:3', 'pod:client:4', 'pod:db:4', 'node:n1:4', 'node:n2:5']);
      assert.equal(p.skipped, 4); // web-1/2/3 → db, and n1 → db (db's ingress admits client only; n2 is db's own node)
      assert.equal(p.port, 80);
      assert.deepEqual(where(errors(k8sNetworkModel.resolve({ port: 9999 }, ctxWith()).diagnostics)), ['<port>']);
      assert.match(errors(k8sNetworkModel.resolve({}, ctxWith(null)).diagnostics)[0].message, /needs a cluster/);
    });

    // a node reaches its own pods from cni0's address (.1) and the other node's from its tunnel address (.0)
    const NODE_ADDRS: Record<string, string[]> = { n1: ['192.168.56.11', '10.244.1.1', '10.244.1.0'], n2: ['192.168.56.12', '10.244.2.1', '10.244.2.0'] };
    const nodeSrc = (n: string, podIP: string): string => (podIP.startsWith(NODE_ADDRS[n][1].slice(0, -1)) ? NODE_ADDRS[n][1] : NODE_ADDRS[n][2]);
    const perfect = (q: ModelParams) => ({
      ownAddrs: Object.fromEntries(q.sources.filter((s) => s.kind === 'pod').map((s) => [s.name, [s.ip]])),
      probes: Object.fromEntries(q.sources.map((s) => [s.name, s.targets.map((t) => ok(t, s.kind === 'pod' ? s.ip : nodeSrc(s.name, q.podIPs[t]), q.podIPs[t]))])),
      nodeAddrs: NODE_ADDRS,
      toNode: Object.fromEntries(q.sources.filter((s) => s.node).map((s) => [s.name, [{ ...ok(s.node!.name, s.ip, s.node!.ip), port: 10250 }]])),
    });

    it('passes when every pair answers with the client pod’s own address, and counts', () => {
      const o = judgeNetworkModel(p, perfect(p), 'cmd');
      assert.equal(o.ok, true, o.seen);
      assert.equal(
        o.seen,
        'pod → pod 17/17 without NAT; node → pod 9/9 without NAT (pods saw n1 as 10.244.1.0, 10.244.1.1; n2 as 10.244.2.0, 10.244.2.1); pod → own node 5/5 without NAT (each node saw the pod IP); own address 5/5; 4 pairs skipped (a NetworkPolicy denies them)',
      );
      // every pod probes its own node on the kubelet's port; what each side saw is in the details
      assert.deepEqual(p.sources.filter((s) => s.node).map((s) => `${s.name}→${s.node!.name}`), ['web-1→n1', 'web-2→n2', 'web-3→n2', 'client→n1', 'db→n2']);
      assert.equal((o.details as { seenAs: Record<string, string> }).seenAs['n1 → web-2'], '10.244.1.0');
      assert.equal((o.details as { seenAs: Record<string, string> }).seenAs['db → n2'], '10.244.2.4');
      // issue 18: the skipped pairs are said on the result line of every reporter, not only in "seen"
      assert.equal(o.note, '4 pairs skipped: a NetworkPolicy denies them');
      const result = { test: { index: 0, name: 'model', type: 'k8s-network-model', withinMs: 0, params: {}, pos: { file: 'lab.yaml', line: 3, col: 5 } }, ok: true, outcome: o, attempts: 1, durationMs: 5, startedAt: new Date(0) } as unknown as TestResult;
      const meta = { lab: 'x', file: 'lab.yaml', started: new Date(0), durationMs: 5 };
      assert.match(writeReport('human', [result], meta), /✔ model {2}\[4 pairs skipped: a NetworkPolicy denies them\][^\n]*\n\n1 passed, 0 failed; 1 left work out on purpose/);
      assert.match(writeReport('tap', [result], meta), /^ok 1 - model # time=5ms; 4 pairs skipped: a NetworkPolicy denies them$/m);
      assert.match(writeReport('junit', [result], meta), /note: 4 pairs skipped: a NetworkPolicy denies them/);
      assert.equal(JSON.parse(writeReport('json', [result], meta)).tests[0].note, '4 pairs skipped: a NetworkPolicy denies them');
    });

    it('names NAT, wrong answerers, failures and a wrong own address', () => {
      const obs = perfect(p);
      const probes = { ...obs.probes } as Record<string, ProbeLine[]>;
      probes['web-1'] = probes['web-1'].map((l, i) => (i === 0 ? { ...l, client: '10.244.1.1' } : i === 1 ? bad('timeout', l.to) : l));
      const o = judgeNetworkModel(p, { ...obs, ownAddrs: { ...obs.ownAddrs, client: ['10.0.0.9'] }, probes }, 'cmd');
      assert.equal(o.ok, false);
      assert.match(o.seen, /^pod → pod 15\/17 without NAT; node → pod 9\/9 without NAT \(.*\); pod → own node 5\/5 without NAT .*; own address 4\/5; 4 pairs skipped/);
      assert.match(o.seen, /client sees itself as 10\.0\.0\.9 on eth0, not its pod IP 10\.244\.1\.3/);
      assert.match(o.seen, /web-1 → web-2: web-2 saw 10\.244\.1\.1, not web-1's pod IP 10\.244\.1\.2 \(NAT between pods\)/);
      assert.match(o.seen, /web-1 → web-3 \(10\.244\.2\.3:80\): timeout/);
      const broken = judgeNetworkModel(p, { ...obs, probes: { ...obs.probes, n1: { error: 'could not run node' } } }, 'cmd');
      assert.match(broken.seen, /node → pod 5\/9/);
    });

    it('names NAT between node and pod, both ways', () => {
      const obs = perfect(p);
      // n2 → web-1 seen from an address n2 does not have (SNAT on the way); web-2 → n2 seen as n2's own address (masqueraded)
      const probes = { ...obs.probes, n2: (obs.probes.n2 as ProbeLine[]).map((l) => (l.ok && l.node === 'web-1' ? { ...l, client: '192.168.56.1' } : l)) };
      const toNode = { ...obs.toNode, 'web-2': [{ ...ok('n2', '192.168.56.12', '192.168.56.12'), port: 10250 }] };
      const o = judgeNetworkModel(p, { ...obs, probes, toNode }, 'cmd');
      assert.equal(o.ok, false);
      assert.match(o.seen, /node → pod 8\/9 without NAT/);
      assert.match(o.seen, /pod → own node 4\/5 without NAT/);
      assert.match(o.seen, /n2 → web-1: web-1 saw 192\.168\.56\.1, which is not an address of n2 \(192\.168\.56\.12, 10\.244\.2\.1, 10\.244\.2\.0\): NAT between node and pod/);
      assert.match(o.seen, /web-2 → node n2: n2 saw 192\.168\.56\.12, not web-2's pod IP 10\.244\.2\.2 \(NAT between pod and node\)/);
      // unread node addresses or a node that did not answer are failures too, never a pass
      assert.match(judgeNetworkModel(p, { ...obs, nodeAddrs: { n1: { error: 'no ip' }, n2: NODE_ADDRS.n2 } }, 'cmd').seen, /n1 → web-1: web-1 saw 10\.244\.1\.1, and n1's own addresses could not be read: no ip/);
      assert.match(judgeNetworkModel(p, { ...obs, toNode: { ...obs.toNode, db: [bad('connection refused', '192.168.56.12')] } }, 'cmd').seen, /db → node n2 \(192\.168\.56\.12:10250\): connection refused/);
    });

    it('judges output captured on labs/k8s-flannel-vxlan (a real run): node-1 seen as cni0 (10.244.0.1) and flannel.1 (10.244.0.0)', () => {
      // captured with `ip netns exec nsl.k8s-flannel-vxlan.<node> lab agent probe …` and `ip -4 -o addr show`
      const CAPTURED = {
        node1Addrs: [
          '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
          '2: eth0    inet 192.168.56.11/24 scope global eth0\\       valid_lft forever preferred_lft forever',
          '3: cni0    inet 10.244.0.1/24 scope global cni0\\       valid_lft forever preferred_lft forever',
          '4: flannel.1    inet 10.244.0.0/32 scope global flannel.1\\       valid_lft forever preferred_lft forever',
        ].join('\n'),
        node1Probe: [
          '{"ok":true,"to":"10.244.0.3","seq":1,"node":"web-1","client":"10.244.0.1","clientPort":35594,"port":80,"ms":21.92}',
          '{"ok":true,"to":"10.244.1.2","seq":1,"node":"web-2","client":"10.244.0.0","clientPort":35866,"port":80,"ms":18.3}',
          '{"ok":true,"to":"10.244.0.4","seq":1,"node":"client","client":"10.244.0.1","clientPort":36116,"port":80,"ms":20.23}',
        ].join('\n'),
        web1Own: '2: eth0    inet 10.244.0.3/24 scope global eth0\\       valid_lft forever preferred_lft forever',
        web1Probe: [
          '{"ok":true,"to":"10.244.1.2","seq":1,"node":"web-2","client":"10.244.0.3","clientPort":48346,"port":80,"ms":5.82}',
          '{"ok":true,"to":"10.244.0.4","seq":1,"node":"client","client":"10.244.0.3","clientPort":49246,"port":80,"ms":5.57}',
        ].join('\n'),
        web1ToNode1: '{"ok":true,"to":"192.168.56.11","seq":1,"node":"node-1","client":"10.244.0.3","clientPort":45222,"port":10250,"ms":8.83}',
        // the same pod to the *other* node: flannel's ip-masq rewrote it to node-1's address (not part of the rule)
        web1ToNode2: '{"ok":true,"to":"192.168.56.12","seq":1,"node":"node-2","client":"192.168.56.11","clientPort":38701,"port":10250,"ms":9.89}',
      };
      const q: ModelParams = {
        port: 80,
        nodePort: 10250,
        skipped: 0,
        podIPs: { 'web-1': '10.244.0.3', 'web-2': '10.244.1.2', client: '10.244.0.4' },
        sources: [
          { name: 'web-1', kind: 'pod', ip: '10.244.0.3', targets: ['web-2', 'client'], node: { name: 'node-1', ip: '192.168.56.11' } },
          { name: 'node-1', kind: 'node', ip: '192.168.56.11', targets: ['web-1', 'web-2', 'client'] },
        ],
      };
      const obs = {
        ownAddrs: { 'web-1': parseAddrs(CAPTURED.web1Own) },
        probes: { 'web-1': parseProbeOutput(CAPTURED.web1Probe), 'node-1': parseProbeOutput(CAPTURED.node1Probe) },
        nodeAddrs: { 'node-1': parseAddrs(CAPTURED.node1Addrs) },
        toNode: { 'web-1': parseProbeOutput(CAPTURED.web1ToNode1) },
      };
      const o = judgeNetworkModel(q, obs, 'cmd');
      assert.equal(o.ok, true, o.seen);
      assert.equal(o.seen, 'pod → pod 2/2 without NAT; node → pod 3/3 without NAT (pods saw node-1 as 10.244.0.0, 10.244.0.1); pod → own node 1/1 without NAT (each node saw the pod IP); own address 1/1');
      // had web-1's own node answered as node-2 did (masqueraded), the rule would fail and say so
      const masq = judgeNetworkModel(q, { ...obs, toNode: { 'web-1': parseProbeOutput(CAPTURED.web1ToNode2.replace(/node-2/, 'node-1').replace('192.168.56.12', '192.168.56.11')) } }, 'cmd');
      assert.equal(masq.ok, false);
      assert.match(masq.seen, /web-1 → node node-1: node-1 saw 192\.168\.56\.11, not web-1's pod IP 10\.244\.0\.3 \(NAT between pod and node\)/);
    });
  });
  describe('flows (issue 12): what a failure’s explanation traces', () => {
    it('service: to the address probed, on the port probed (by name: the Service and its port)', () => {
      const S = (raw: Record<string, unknown>) => service.flows!(service.resolve({ from: 'client', ...raw }, ctxWith()).params!);
      assert.deepEqual(S({ service: 'web' }), [{ from: 'client', to: '10.96.0.20', proto: 'tcp', port: 80 }]);
      assert.deepEqual(S({ service: 'web-np', via: 'node-port' }), [{ from: 'client', to: '192.168.56.11', proto: 'tcp', port: 30080 }]);
      assert.deepEqual(S({ service: 'web', via: 'name' }), [{ from: 'client', to: 'default/web', proto: 'tcp', port: 80 }]);
    });

    it('dns: the query to the cluster DNS, udp 53', () => {
      const p = dns.resolve({ from: 'client', name: 'web' }, ctxWith()).params!;
      assert.deepEqual(dns.flows!(p), [{ from: 'client', to: '10.96.0.10', proto: 'udp', port: 53 }]);
      assert.deepEqual(dns.flows!({ ...p, server: undefined }), []);
    });

    it('policy: every cell; a failed table names its first wrong cell', () => {
      const p = policy.resolve({ port: 80, from: ['web-1', 'client'], to: ['db'] }, ctxWith()).params!;
      assert.deepEqual(policy.flows!(p), [
        { from: 'web-1', to: '10.244.2.4', proto: 'tcp', port: 80 },
        { from: 'client', to: '10.244.2.4', proto: 'tcp', port: 80 },
      ]);
      const o = judgePolicy(p, [[false], [false]], 'cmd');
      assert.equal(o.ok, false);
      assert.deepEqual(o.details?.flow, { from: 'client', to: '10.244.2.4', proto: 'tcp', port: 80 });
      assert.equal(judgePolicy(p, [[false], [true]], 'cmd').details?.flow, undefined);
    });

    it('k8s-network-model: every pair probed; a failure names its first failing pair', () => {
      const p = k8sNetworkModel.resolve({}, ctxWith()).params!;
      const flows = k8sNetworkModel.flows!(p);
      assert.equal(flows.length, 17 + 9 + 5); // pod pairs, node → pod, pod → own node (kubelet port)
      assert.deepEqual(flows.at(-1), { from: 'db', to: '192.168.56.12', proto: 'tcp', port: 10250 });
      assert.deepEqual(flows[0], { from: 'web-1', to: '10.244.2.2', proto: 'tcp', port: 80 });
      const probes = Object.fromEntries(p.sources.map((s) => [s.name, s.targets.map((t) => ok(t, s.ip, p.podIPs[t]))]));
      probes.n2 = probes.n2.map((l, i) => (i === 1 ? bad('timeout', l.to) : l));
      const own = Object.fromEntries(p.sources.filter((s) => s.kind === 'pod').map((s) => [s.name, [s.ip]]));
      const nodeAddrs = { n1: ['192.168.56.11', '10.244.1.1', '10.244.1.0'], n2: ['192.168.56.12', '10.244.2.1', '10.244.2.0'] };
      const fixed = Object.fromEntries(Object.entries(probes).map(([k, ls]) => [k, k.startsWith('n') ? ls.map((l) => (l.ok ? { ...l, client: k === 'n1' ? '10.244.1.1' : '10.244.2.1' } : l)) : ls]));
      const toNode = Object.fromEntries(p.sources.filter((s) => s.node).map((s) => [s.name, [{ ...ok(s.node!.name, s.ip, s.node!.ip), port: 10250 }]]));
      const o = judgeNetworkModel(p, { ownAddrs: own, probes: fixed, nodeAddrs, toNode }, 'cmd');
      assert.equal(o.ok, false);
      const n2 = p.sources.find((s) => s.name === 'n2')!;
      assert.deepEqual(o.details?.flow, { from: 'n2', to: p.podIPs[n2.targets[1]], proto: 'tcp', port: 80 });
    });
  });
});
