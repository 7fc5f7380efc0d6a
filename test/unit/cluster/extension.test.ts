/** The cluster as a registered extension (runner/cluster/extension.ts): verify with probed features as data, the tests' view. */
import { strict as assert } from 'node:assert';
import { parseLabText } from '../../../runner/config/load.ts';
import { clusterExtension } from '../../../runner/cluster/extension.ts';
import { EXTENSIONS } from '../../../runner/extensions.ts';
import type { FeatureProbe } from '../../../runner/extensions-types.ts';
import { resolveLab } from '../../../runner/resolve/resolve.ts';

const text = (kubeProxy: string): string => `name: t-ext
cluster:
  kube-proxy: ${kubeProxy}
  nodes: { node-1: {} }
  pods:
    web: { replicas: 2, labels: { app: web } }
  services:
    web: { selector: { app: web }, ports: [{ port: 80 }] }
`;

const features = (ipvs: FeatureProbe) => ({ features: async (names: readonly string[]) => new Map(names.map((n) => [n, ipvs])) });

describe('cluster extension', () => {
  it('is registered', () => {
    assert.ok(EXTENSIONS.includes(clusterExtension));
  });

  it('verify: kube-proxy ipvs is refused, as missing from the kernel or as not built yet', async () => {
    const { lab } = resolveLab(parseLabText('/tmp/t-ext/lab.yaml', text('ipvs')));
    assert.ok(lab);
    const missing = await clusterExtension.verify!(lab, features({ ok: false, detail: 'no ip_vs module', hint: 'modprobe ip_vs' }));
    assert.deepEqual(missing.map((d) => [d.code, d.pos?.line]), [['kernel.missing', 3]]);
    assert.match(missing[0].message, /no ip_vs module/);
    const present = await clusterExtension.verify!(lab, features({ ok: true, detail: 'ok' }));
    assert.deepEqual(present.map((d) => d.code), ['cluster.kube-proxy-ipvs']);
    const { lab: nft } = resolveLab(parseLabText('/tmp/t-ext/lab.yaml', text('nftables')));
    assert.deepEqual(await clusterExtension.verify!(nft!, features({ ok: false, detail: 'x' })), []);
  });

  it("the tests' view: the cluster, without the pods a delete-pod before them removed", () => {
    const e = clusterExtension.expand!(parseLabText('/tmp/t-ext/lab.yaml', text('iptables')));
    const scope = clusterExtension.assertionContext!(e.extras ?? {});
    assert.ok(scope);
    const pods = (): string[] => scope.context.cluster!()!.pods.map((p) => p.name).filter((p) => p.startsWith('web'));
    assert.deepEqual(pods(), ['web-1', 'web-2']);
    scope.resolved('ping', { from: 'web-1' });
    assert.deepEqual(pods(), ['web-1', 'web-2']);
    scope.resolved('delete-pod', { pods: ['web-1'] });
    assert.deepEqual(pods(), ['web-2']);
    assert.equal(clusterExtension.assertionContext!({}), undefined, 'no cluster: no view');
  });

  it('a cluster: section the schema refused is not expanded, and nothing naming its pods echoes "unknown node"', () => {
    const bad = text('iptables').replace('  kube-proxy: iptables\n', '  kube-proxy: iptables\n  mtu: lots\n') + 'tests:\n  - ping: { from: web-1, to: web-2 }\n';
    const r = resolveLab(parseLabText('/tmp/t-ext/lab.yaml', bad));
    assert.equal(r.lab, undefined);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.pos?.line]),
      [['schema.type', 4]],
    );
  });
});
