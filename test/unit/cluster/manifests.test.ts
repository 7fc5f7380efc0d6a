/**
 * Kubernetes manifests as written (runner/cluster/manifests.ts): multi-document files and directories become the
 * `cluster:` entries they stand for, with positions in the manifests; invalid objects of known kinds are errors at
 * their manifest line, kinds that do not concern the network are one warning each. Pure: no root.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { parseLabText } from '../../../runner/config/load.ts';
import { loadManifests, mergeManifests } from '../../../runner/cluster/manifests.ts';
import { loadLab } from '../../../runner/resolve/load.ts';
import { formatDiagnostics, LabError } from '../../../runner/config/diagnostics.ts';
import { mkdtempSync, cpSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const DIR = join(import.meta.dirname, '../fixtures/manifests');
const pos = { file: 'lab.yaml', line: 1, col: 1 };
type Obj = Record<string, unknown>;

describe('cluster manifests: Kubernetes YAML as written', () => {
  it('a directory of multi-document files: Deployments, Services, Namespaces, NetworkPolicies, StatefulSets, DaemonSets', () => {
    const set = loadManifests(DIR, [{ value: 'app', pos }], ['node-1', 'node-2']);
    assert.deepEqual(set.diagnostics.filter((d) => d.severity === 'error'), []);
    const names = set.entries.map((e) => `${e.section}/${e.name}`);
    assert.deepEqual(names, [
      'pods/redis-leader', 'services/redis-leader', 'pods/frontend', 'services/frontend',
      'namespaces/ops', 'network-policies/redis-from-frontend', 'network-policies/allow-all-in-ops',
      'pods/db-0', 'pods/db-1', 'pods/agent-node-1', 'pods/agent-node-2',
    ]);
    const by = (n: string): Obj => set.entries.find((e) => `${e.section}/${e.name}` === n)!.value;
    // a Deployment: its template's labels, its containers' ports, replicas
    assert.deepEqual(by('pods/frontend'), { replicas: 3, labels: { app: 'guestbook', tier: 'frontend' }, ports: [{ port: 80, name: 'http' }] });
    assert.deepEqual(by('services/frontend'), { type: 'NodePort', selector: { app: 'guestbook', tier: 'frontend' }, ports: [{ port: 80, targetPort: 'http' }] });
    assert.deepEqual(by('services/redis-leader').ports, [{ port: 6379, targetPort: 6379 }]);
    // `matchLabels:` with no value is null for YAML and "all pods" for Kubernetes
    assert.deepEqual(by('network-policies/allow-all-in-ops'), { namespace: 'ops', podSelector: {}, ingress: [{}] });
    assert.deepEqual(by('namespaces/ops'), { team: 'ops' });
    // StatefulSet pods are <name>-0 … with the template's named port; a DaemonSet has one pod per node
    // and the StatefulSet's DNS identity: hostname = the pod's name, subdomain = spec.serviceName
    assert.deepEqual(by('pods/db-1'), { namespace: 'ops', labels: { app: 'db' }, ports: [{ port: 5432, name: 'pg' }], hostname: 'db-1', subdomain: 'db' });
    assert.equal(by('pods/agent-node-2').node, 'node-2');
    // the ConfigMap: one warning at its kind, nothing else
    const warns = set.diagnostics.filter((d) => d.severity === 'warning');
    assert.equal(warns.length, 1);
    assert.match(warns[0].message, /^ConfigMap settings does not concern the network: ignored$/);
    assert.equal(warns[0].pos?.line, 34);
  });

  it('positions: an entry knows where each of its parts is written in the manifest', () => {
    const set = loadManifests(DIR, [{ value: 'app/guestbook.yaml', pos }], []);
    const frontend = set.entries.find((e) => e.name === 'frontend' && e.section === 'pods')!;
    assert.match(frontend.origin.file, /guestbook\.yaml$/);
    assert.equal(frontend.origin.line, 50); // kind: Deployment
    assert.equal(frontend.at(["replicas"]).line, 54);
    assert.equal(frontend.at(['labels', "tier"]).line, 63);
    assert.equal(frontend.at(['ports', 0, "port"]).line, 72); // containerPort
    const svc = set.entries.find((e) => e.name === 'frontend' && e.section === 'services')!;
    assert.equal(svc.at(['ports', 0, "targetPort"]).line, 83);
  });

  it('bad manifests: each mistake is one error at its manifest line, and the good objects still load', () => {
    const set = loadManifests(DIR, [{ value: 'bad', pos }, { value: 'nowhere', pos }], []);
    const errs = set.diagnostics.map((d) => `${d.code} ${d.pos?.line}: ${d.message}`);
    assert.deepEqual(errs, [
      'manifest.no-selector 5: Deployment web has no spec.selector',
      'manifest.service-port 20: Service web: spec.ports[0] has no port number',
      'manifest.not-kubernetes 23: this document is not a Kubernetes object: it needs apiVersion and kind',
      'manifest.selector-mismatch 30: Deployment api: selector does not match template labels (app=api)',
      'manifest.api-version 37: NetworkPolicy is served as apiVersion networking.k8s.io/v1, not extensions/v1beta1',
      'manifest.missing 1: cannot read manifests "nowhere": no such file or directory: ' + join(DIR, 'nowhere').replace(process.cwd() + '/', ''),
    ]);
    assert.ok(set.diagnostics.every((d) => d.hint), 'every diagnostic has a hint');
  });

  it('merged into a lab file: entries as if written under cluster:, positions answered from the manifests, clashes refused', () => {
    const text = ['name: gb', 'cluster:', '  nodes: { node-1: {}, node-2: {} }', '  manifests: [app]', '  pods:', '    frontend: {}', ''].join('\n');
    const file = parseLabText(join(DIR, 'lab.yaml'), text);
    const m = mergeManifests(file);
    const cluster = (m.file.data as Obj).cluster as Obj;
    assert.ok((cluster.services as Obj)['redis-leader']);
    assert.deepEqual((cluster.pods as Obj).frontend, {}, 'the lab file keeps its own entry');
    const dup = m.diagnostics.filter((d) => d.code === 'manifest.duplicate');
    assert.equal(dup.length, 1);
    assert.match(dup[0].message, /^pod "frontend" is defined twice \(also at .*lab\.yaml:6\)$/);
    assert.match(m.file.at(['cluster', 'services', 'redis-leader', 'ports', 0, 'port']).file, /guestbook\.yaml$/);
    assert.equal(m.file.at(['cluster', 'services', 'redis-leader', 'ports', 0, 'port']).line, 42);
    assert.equal(m.file.at(['cluster', 'nodes']).line, 3, 'other paths: the lab file');
    assert.ok(m.sources.size >= 2);
  });

  it('hostPort, hostIP and hostNetwork carry over from a manifest, and a clash points into it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-hostport-'));
    try {
      writeFileSync(join(dir, 'ds.yaml'), [
        'apiVersion: apps/v1',
        'kind: DaemonSet',
        'metadata: { name: exporter }',
        'spec:',
        '  selector: { matchLabels: { app: exporter } }',
        '  template:',
        '    metadata: { labels: { app: exporter } }',
        '    spec:',
        '      hostNetwork: true',
        '      containers: [{ name: e, image: x, ports: [{ containerPort: 9100 }] }]',
        '---',
        'apiVersion: v1',
        'kind: Pod',
        'metadata: { name: proxy }',
        'spec:',
        '  nodeName: node-1',
        '  containers: [{ name: p, image: x, ports: [{ containerPort: 80, hostPort: 9100, hostIP: 192.168.56.11 }] }]',
        '',
      ].join('\n'));
      writeFileSync(join(dir, 'lab.yaml'), 'name: hpm\ncluster:\n  cni: bridge\n  dns: false\n  nodes: { node-1: {} }\n  manifests: [ds.yaml]\n');
      let err: unknown;
      try {
        loadLab(join(dir, 'lab.yaml'));
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof LabError, 'the clash is an error');
      const text = formatDiagnostics(err.diagnostics);
      assert.match(text, /ds\.yaml:10:\d+: error: pod exporter-node-1 has hostNetwork and port 9100\/TCP, which node node-1 already uses: pod proxy's hostPort forwards it/);
      writeFileSync(join(dir, 'ds.yaml'), readFileSync(join(dir, 'ds.yaml'), 'utf8').replace('hostPort: 9100', 'hostPort: 9200'));
      const { lab } = loadLab(join(dir, 'lab.yaml'));
      const pods = lab.cluster!.pods;
      assert.equal(pods.find((p) => p.name.startsWith('exporter'))!.hostNetwork, true);
      assert.deepEqual(pods.find((p) => p.name === 'proxy')!.ports, [{ port: 80, protocol: 'TCP', hostPort: 9200, hostIP: '192.168.56.11', name: undefined }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a lab without manifests comes back as it was', () => {
    const file = parseLabText('x.yaml', 'name: x\nnodes: { a: {} }\n');
    assert.equal(mergeManifests(file).file, file);
  });

  it("labs/k8s-guestbook: the tutorial's manifests become its pods, Services with endpoints, and the policy", () => {
    const { lab } = loadLab(join(import.meta.dirname, '../../../labs/k8s-guestbook/lab.yaml'));
    const c = lab.cluster!;
    assert.deepEqual(c.pods.map((p) => p.name).sort(), ['client', 'coredns', 'frontend-1', 'frontend-2', 'frontend-3', 'redis-follower-1', 'redis-follower-2', 'redis-leader-1']);
    const eps = (svc: string): string[] => c.endpoints.filter((e) => e.service.name === svc).flatMap((e) => e.endpoints.map((x) => x.pod)).sort();
    assert.deepEqual(eps('frontend'), ['frontend-1', 'frontend-2', 'frontend-3']);
    assert.deepEqual(eps('redis-leader'), ['redis-leader-1']);
    assert.deepEqual(eps('redis-follower'), ['redis-follower-1', 'redis-follower-2']);
    assert.deepEqual(c.policies.map((p) => p.name), ['redis-from-frontend']);
    assert.equal(c.pods.find((p) => p.name === 'frontend-2')!.labels.tier, 'frontend');
  });

  it('a lab whose manifests are wrong: every error at its manifest line, the lines shown, nothing built', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-manifests-'));
    try {
      cpSync(join(DIR, 'bad'), join(dir, 'bad'), { recursive: true });
      writeFileSync(join(dir, 'lab.yaml'), 'name: m\ncluster:\n  nodes: { node-1: {} }\n  manifests: [bad]\n');
      assert.throws(() => loadLab(join(dir, 'lab.yaml')), (e: unknown) => {
        assert.ok(e instanceof LabError);
        const text = formatDiagnostics(e.diagnostics, { sources: e.sources });
        assert.match(text, /bad\/bad\.yaml:5:1: error: Deployment web has no spec\.selector\n {2}5 \| spec:/);
        assert.match(text, /bad\/bad\.yaml:20:7: error: Service web: spec\.ports\[0\] has no port number/);
        assert.match(text, /bad\/bad\.yaml:23:1: error: this document is not a Kubernetes object/);
        assert.equal(e.exitCode, 2);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an Ingress (networking.k8s.io/v1) becomes a cluster ingress; a backend Service that does not exist is an error at its manifest line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-manifests-'));
    try {
      const svc = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: { app: web }\n  ports: [{ port: 80, name: http }]\n';
      const ing = (backend: string): string => `---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: shop\nspec:\n  ingressClassName: nginx\n  rules:\n    - host: shop.example\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: ${backend}\n                port: { name: http }\n`;
      writeFileSync(join(dir, 'app.yaml'), svc + ing('web'));
      const set = loadManifests(dir, [{ value: 'app.yaml', pos }], []);
      const e = set.entries.find((x) => x.section === 'ingresses')!;
      assert.equal(e.name, 'shop');
      assert.deepEqual(e.value, { ingressClassName: 'nginx', rules: [{ host: 'shop.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }] });
      writeFileSync(join(dir, 'app.yaml'), svc + ing('webb'));
      writeFileSync(join(dir, 'lab.yaml'), 'name: m\ncluster:\n  cni: bridge\n  nodes: { node-1: {} }\n  pods: { web: { labels: { app: web } } }\n  manifests: [app.yaml]\n');
      assert.throws(() => loadLab(join(dir, 'lab.yaml')), (err: unknown) => {
        assert.ok(err instanceof LabError);
        const text = formatDiagnostics(err.diagnostics, { sources: err.sources });
        assert.match(text, /app\.yaml:23:23: error: ingress shop: rule 1 path \/: no Service "webb" in namespace default/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cluster manifests: Istio VirtualService and DestinationRule (issue 13.3)', () => {
  it('become virtual-services and destination-rules; fields the sidecar does not apply are one warning each; errors point into the manifest', () => {
    const set = loadManifests(DIR, [{ value: 'istio-routes', pos }], ['node-1']);
    assert.deepEqual(set.entries.map((e) => `${e.section}/${e.name}`), ['pods/reviews-v1', 'pods/reviews-v2', 'services/reviews', 'destination-rules/reviews', 'virtual-services/reviews']);
    const dr = set.entries.find((e) => e.section === 'destination-rules')!;
    assert.deepEqual(dr.value, { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] });
    const warned = set.diagnostics.filter((d) => d.severity === 'warning');
    assert.deepEqual(warned.map((d) => [d.message, d.pos?.line]), [['DestinationRule reviews: spec.trafficPolicy is not applied by nslab\'s sidecar: ignored', 38]]);
    // the weights add up to 90: an error at the VirtualService's route, in the manifest
    const dir = mkdtempSync(join(tmpdir(), 'nslab-istio-'));
    try {
      cpSync(join(DIR, 'istio-routes'), join(dir, 'm'), { recursive: true });
      writeFileSync(join(dir, 'lab.yaml'), 'name: istio\ncluster:\n  cni: bridge\n  nodes: { node-1: {} }\n  manifests: [m]\n  pods: { client: { sidecar: {} } }\n');
      let err: unknown;
      try {
        loadLab(join(dir, 'lab.yaml'));
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof LabError, String(err));
      const weights = err.diagnostics.find((d) => d.code === 'mesh.weights')!;
      assert.match(weights.message, /add up to 90, not 100 \(v1 80 \+ v2 10\)/);
      assert.match(weights.pos!.file, /m\/reviews\.yaml$/);
      assert.equal(weights.pos!.line, 52, 'the route: key of the manifest');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
