/**
 * Traffic management in the sidecar (issue 13.3): runner/cluster/mesh.ts resolves virtual-services and
 * destination-rules against the cluster's Services and pods, runner/cluster/mesh-haproxy.ts writes the outbound
 * proxy's configuration and the pod's redirect rules, runner/cluster/mesh-steps.ts adds them to the plan. The
 * configuration of labs/k8s-canary is checked by `haproxy -c` (Debian's haproxy, which scripts/setup.sh installs).
 * Pure, except for `haproxy -c`.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLabText } from '../../../runner/config/load.ts';
import { expandCluster, type ClusterResult } from '../../../runner/cluster/expand.ts';
import { meshOutboundRoutes, outboundProxyConfig, outboundRouteRules, q } from '../../../runner/cluster/mesh-haproxy.ts';
import { serviceOfHost } from '../../../runner/cluster/mesh.ts';
import { clusterSteps } from '../../../runner/cluster/compile.ts';
import type { Diagnostic } from '../../../runner/config/diagnostics.ts';

const FILE = 'test/unit/cluster/inline.lab.yaml';

function expand(text: string): { cluster: ClusterResult; diagnostics: Diagnostic[] } {
  const e = expandCluster(parseLabText(FILE, text));
  assert.ok(e.cluster, `no cluster: ${e.diagnostics.map((d) => d.message).join('; ')}`);
  return { cluster: e.cluster, diagnostics: e.diagnostics };
}

const LAB = `name: mesh
cluster:
  cni: bridge
  nodes:
    node-1: {}
  pods:
    web-v1: { replicas: 2, labels: { app: web, version: v1 } }
    web-v2: { labels: { app: web, version: v2 } }
    api: { labels: { app: api }, ports: [80, 9090] }
    client: { sidecar: {} }
    plain: {}
  services:
    web: { selector: { app: web }, ports: [{ port: 80 }] }
    api: { selector: { app: api }, ports: [{ name: http, port: 80 }, { name: metrics, port: 9090 }] }
  destination-rules:
    web:
      host: web.default.svc.cluster.local
      subsets:
        - { name: v1, labels: { version: v1 } }
        - { name: v2, labels: { version: v2 } }
  virtual-services:
    web:
      hosts: [web]
      http:
        - name: by-header
          match:
            - headers: { X-Canary: { exact: "yes" } }
            - uri: { prefix: /beta }
              headers: { user: { regex: "^j.*" } }
          route:
            - destination: { host: web, subset: v2 }
        - name: weighted
          route:
            - { destination: { host: web, subset: v1 }, weight: 75 }
            - { destination: { host: web, subset: v2 }, weight: 25 }
          retries: { attempts: 3, perTryTimeout: 500ms }
          timeout: 2s
    api:
      hosts: [api.default]
      http:
        - match: [{ uri: { exact: /only } }]
          route:
            - destination: { host: api, port: { number: 9090 } }
`;

describe('traffic management in the sidecar (runner/cluster/mesh*.ts)', () => {
  const { cluster, diagnostics } = expand(LAB);
  const mesh = cluster.mesh!;

  it('resolves hosts by Istio short names to Services, subsets to the pods with their labels, weights and timeouts', () => {
    assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepEqual(mesh.destinationRules.map((r) => [r.host, r.subsets.map((s) => `${s.name}:${s.pods.join('+')}`)]), [['default/web', ['v1:web-v1-1+web-v1-2', 'v2:web-v2']]]);
    const [web, api] = mesh.virtualServices;
    assert.deepEqual(web.hosts, ['default/web']);
    assert.deepEqual(web.addresses, [{ ip: '10.96.0.11', port: 80 }]);
    assert.deepEqual(api.addresses, [{ ip: '10.96.0.12', port: 80 }, { ip: '10.96.0.12', port: 9090 }], 'every TCP port of the host is caught');
    const [header, weighted] = web.http;
    assert.deepEqual(header.match, [
      { headers: [{ name: 'x-canary', match: { kind: 'exact', value: 'yes' } }] },
      { uri: { kind: 'prefix', value: '/beta' }, headers: [{ name: 'user', match: { kind: 'regex', value: '^j.*' } }] },
    ]);
    assert.deepEqual(header.destinations.map((d) => [d.subset, d.weight, d.endpoints.map((e) => e.pod)]), [['v2', 100, ['web-v2']]]);
    assert.deepEqual(weighted.destinations.map((d) => [d.subset, d.weight, d.endpoints.length]), [['v1', 75, 2], ['v2', 25, 1]]);
    assert.deepEqual(weighted.retries, { attempts: 3, perTryTimeoutMs: 500 });
    assert.equal(weighted.timeoutMs, 2000);
    assert.equal(api.http[0].name, 'http-0');
    assert.deepEqual(api.http[0].destinations[0].endpoints.map((e) => `${e.pod}:${e.port}`), ['api:9090']);
    assert.equal(cluster.pods.find((p) => p.name === 'client')?.sidecar?.mode, 'init');
    assert.equal(cluster.pods.find((p) => p.name === 'plain')?.sidecar, undefined);
  });

  it('serviceOfHost: name (in the namespace), name.namespace, name.namespace.svc[.cluster.local]; nothing else', () => {
    const svcs = cluster.services;
    for (const h of ['web', 'web.default', 'web.default.svc', 'web.default.svc.cluster.local']) assert.equal(serviceOfHost(h, 'default', svcs)?.name, 'web', h);
    assert.equal(serviceOfHost('web', 'other', svcs), undefined);
    assert.equal(serviceOfHost('web.example.com', 'default', svcs), undefined);
  });

  it('the routes plug into the sidecar\'s outbound frontend (sidecar.ts\'s OutboundRoute): a VirtualService ClusterIP:port to its HTTP listener by original destination', () => {
    assert.deepEqual(outboundRouteRules(mesh), [
      'use_backend vs.default.web.10.96.0.11:80 if { dst 10.96.0.11 } { dst_port 80 }',
      'use_backend vs.default.api.10.96.0.12:80 if { dst 10.96.0.12 } { dst_port 80 }',
      'use_backend vs.default.api.10.96.0.12:9090 if { dst 10.96.0.12 } { dst_port 9090 }',
    ]);
    assert.deepEqual(meshOutboundRoutes(mesh)[2].lines.map((l) => l.replace(/\s+#.*/, '')), ['mode tcp', 'server listener 127.0.0.1:15101']);
    const cfg = outboundProxyConfig(mesh, 'client');
    const outbound = cfg.slice(cfg.indexOf('frontend outbound'), cfg.indexOf('backend outbound-passthrough'));
    for (const l of outboundRouteRules(mesh)) assert.ok(outbound.includes(`  ${l}\n`), `the sidecar's outbound frontend has ${l}`);
  });

  it('routes become ACLs and use_backend rules in order: OR of the matches, AND within one, a random 0–99 for weights', () => {
    const cfg = outboundProxyConfig(mesh, 'client');
    const lines = cfg.split('\n').map((l) => l.replace(/\s+#.*/, '').trim());
    const web = lines.slice(lines.indexOf('frontend vs.default.web'), lines.indexOf('backend vs.default.web.no-route'));
    assert.deepEqual(web, [
      'frontend vs.default.web',
      'mode http',
      'bind 127.0.0.1:15100',
      'option httplog',
      'http-request set-var(txn.pick) rand(100)',
      'acl r0.m0.h0 req.hdr(x-canary) -m str "yes"',
      'acl r0.m1.uri path -m beg "/beta"',
      'acl r0.m1.h0 req.hdr(user) -m reg "^j.*"',
      'use_backend vs.default.web.by-header.v2 if r0.m0.h0 || r0.m1.uri r0.m1.h0',
      'use_backend vs.default.web.weighted.v1 if { var(txn.pick) -m int lt 75 }',
      'use_backend vs.default.web.weighted.v2 if { var(txn.pick) -m int ge 75 }',
      'default_backend vs.default.web.no-route',
      '',
    ]);
    const api = lines.slice(lines.indexOf('frontend vs.default.api'), lines.indexOf('backend vs.default.api.no-route'));
    assert.ok(!api.some((l) => l.includes('rand(')), 'no random number without weights');
    assert.ok(api.includes('use_backend vs.default.api.http-0.api if r0.m0.uri'));
    assert.ok(api.includes('acl r0.m0.uri path -m str "/only"'));
  });

  it('each destination is a backend of its pods, with the route\'s retries and per-try timeout; no route is a 404', () => {
    const cfg = outboundProxyConfig(mesh, 'client');
    const section = (name: string): string[] => {
      const all = cfg.split('\n');
      const i = all.findIndex((l) => l.startsWith(`backend ${name} `) || l === `backend ${name}`);
      assert.ok(i >= 0, `no backend ${name}`);
      const end = all.findIndex((l, j) => j > i && l === '');
      return all.slice(i + 1, end).map((l) => l.replace(/\s+#.*/, '').trim()).filter(Boolean);
    };
    assert.deepEqual(section('vs.default.web.weighted.v1'), ['mode http', 'balance roundrobin', 'retries 3', 'retry-on conn-failure empty-response response-timeout 503', 'option redispatch 1', 'timeout server 500ms', 'server web-v1-1 10.244.0.3:80', 'server web-v1-2 10.244.0.4:80']);
    assert.deepEqual(section('vs.default.web.by-header.v2'), ['mode http', 'balance roundrobin', 'retries 2', 'retry-on conn-failure empty-response response-timeout 503', 'option redispatch 1', 'server web-v2 10.244.0.5:80']);
    assert.deepEqual(section('vs.default.web.no-route'), ['mode http', 'http-request return status 404 content-type text/plain string "no route in VirtualService default/web"']);
    assert.deepEqual(section('vs.default.web.10.96.0.11:80'), ['mode tcp', 'server listener 127.0.0.1:15100']);
    // the sidecar's own parts (runner/cluster/sidecar.ts): haproxy as uid 1337, the rest to the original destination
    assert.match(cfg, /^global\n {2}uid 1337\n {2}gid 1337\n/m);
    assert.match(cfg, /backend outbound-passthrough\n {2}server original-dst 0\.0\.0\.0:0/);
  });

  it('a pod with sidecar: gets the sidecar of sidecar-steps.ts, its configuration with the routes and the mesh\'s sections; a pod without gets none', () => {
    const nodes = cluster.pods.map((p) => ({ name: p.name, netns: `nsl.mesh.${p.name}` })).concat(cluster.nodes.map((n) => ({ name: n.name, netns: `nsl.mesh.${n.name}` })));
    const steps = clusterSteps({ cluster, nodes } as never, { labDir: '/run/nslab/mesh', selfArgv: ['lab'], inherited: new Map() } as never);
    assert.deepEqual(steps.filter((s) => s.id.startsWith('client.istio')).map((s) => [s.id, s.phase, s.op.type]), [['client.istio-init', 'exec', 'load'], ['client.istio-proxy.config', 'exec', 'file'], ['client.istio-proxy', 'daemons', 'daemon']]);
    const cfg = (steps.find((s) => s.id === 'client.istio-proxy.config')!.op as { content: string; path: string });
    assert.equal(cfg.path, '/run/nslab/mesh/sidecar/client.haproxy.cfg');
    assert.equal(cfg.content, outboundProxyConfig(mesh, 'client'));
    assert.ok(cfg.content.includes('  use_backend vs.default.web.10.96.0.11:80 if { dst 10.96.0.11 } { dst_port 80 }\n'));
    assert.ok(cfg.content.includes('frontend vs.default.web'));
    assert.deepEqual(steps.filter((s) => s.id.startsWith('plain.istio')), []);
  });

  it('the test server is told the pod\'s version label (--app-version), when it has one', () => {
    const nodes = cluster.pods.map((p) => ({ name: p.name, netns: `nsl.mesh.${p.name}` })).concat(cluster.nodes.map((n) => ({ name: n.name, netns: `nsl.mesh.${n.name}` })));
    const steps = clusterSteps({ cluster, nodes } as never, { labDir: '/run/nslab/mesh', selfArgv: ['lab'], inherited: new Map() } as never);
    const argvOf = (pod: string): readonly string[] => (steps.find((s) => s.id === `${pod}.server`)!.op as { argv: readonly string[] }).argv;
    assert.deepEqual(argvOf('web-v2').slice(-2), ['--app-version', 'v2']);
    assert.ok(!argvOf('api').includes('--app-version'));
  });

  it('warns when virtual-services route nobody: no pod has a sidecar', () => {
    const { diagnostics: d } = expand(LAB.replace('client: { sidecar: {} }', 'client: {}'));
    assert.deepEqual(d.filter((x) => x.code === 'mesh.no-sidecar').map((x) => x.severity), ['warning']);
  });

  it('a perTryTimeout longer than the timeout is a warning; a bad regex an error; a host twice an error', () => {
    const slow = expand(LAB.replace('perTryTimeout: 500ms', 'perTryTimeout: 5s')).diagnostics;
    assert.ok(slow.some((x) => x.code === 'mesh.timeout' && x.severity === 'warning'));
    const re = expandCluster(parseLabText(FILE, LAB.replace('"^j.*"', '"(unclosed"'))).diagnostics;
    assert.ok(re.some((x) => x.code === 'mesh.regex' && x.severity === 'error'));
    const twice = expandCluster(parseLabText(FILE, LAB.replace('hosts: [api.default]', 'hosts: [api.default, web]'))).diagnostics;
    assert.ok(twice.some((x) => x.code === 'mesh.host-twice'));
  });

  it('the configuration of labs/k8s-canary is valid for haproxy (haproxy -c)', function () {
    this.timeout(20000);
    const { cluster: canary } = expand(readFileSync('labs/k8s-canary/lab.yaml', 'utf8'));
    const dir = mkdtempSync(join(tmpdir(), 'nslab-mesh-'));
    try {
      const file = join(dir, 'client.cfg');
      writeFileSync(file, outboundProxyConfig(canary.mesh!, 'client'));
      const out = execFileSync('haproxy', ['-c', '-f', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      assert.match(out, /Configuration file is valid/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('haproxy quoting (runner/cluster/mesh-haproxy.ts)', () => {
  it('double quotes with \\, " and $ escaped, so a header value is taken literally (no "${VAR}" expansion)', () => {
    assert.equal(q('yes'), '"yes"');
    assert.equal(q('a"b\\c${HOME}'), '"a\\"b\\\\c\\${HOME}"');
  });
});
