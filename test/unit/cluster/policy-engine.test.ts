/**
 * Issue 16.1 and 16.3 at the expansion: who enforces NetworkPolicy is part of the CNI backend (calico-bgp enforces;
 * flannel and the bridge plugin do not unless `policy: canal` adds Calico's policy engine), and the DNS identity of
 * pods (hostname/subdomain, StatefulSet-style groups). Under a plain flannel cluster the policies compile to no rule,
 * predict no drop (trace) and `lab validate` warns at each of them; with canal, rules are written as before.
 * Pure: nothing is built.
 */
import { strict as assert } from 'node:assert';
import { parseLabText } from '../../../runner/config/load.ts';
import { resolveLab } from '../../../runner/resolve/resolve.ts';
import { nodeRules } from '../../../runner/cluster/compile.ts';
import { dnsmasqArgs } from '../../../runner/cluster/dns.ts';
import { policyDrop } from '../../../runner/trace/predict-policy.ts';
import { modelStatus } from '../../../runner/lab/status-model.ts';
import { modelLines } from '../../../runner/cli/status-text.ts';
import type { Pkt } from '../../../runner/trace/predict-packet.ts';
import type { Diagnostic } from '../../../runner/config/diagnostics.ts';
import type { ResolvedLab } from '../../../runner/model/types.ts';

const FILE = 'test/unit/cluster/inline.lab.yaml';
const pkt = (src: string, dst: string): Pkt => ({ src, dst, proto: 'tcp', sport: 40000, dport: 80, family: 4, ttl: 64 });

function resolve(text: string): { lab?: ResolvedLab; errors: Diagnostic[]; warnings: Diagnostic[] } {
  const r = resolveLab(parseLabText(FILE, text));
  return { lab: r.lab, errors: r.diagnostics.filter((d) => d.severity === 'error'), warnings: r.diagnostics.filter((d) => d.severity === 'warning') };
}

const policyLab = (cni: string, policy = ''): string => `name: pe
cluster:
  cni: ${cni}
${policy}  nodes: { node-1: {}, node-2: {} }
  pods:
    web: { node: node-1, labels: { app: web } }
    client: { node: node-2, labels: { app: client } }
  network-policies:
    deny-web:
      podSelector: { matchLabels: { app: web } }
      ingress: []
tests:
  - policy: { port: 80, from: [client], to: [web] }
`;

describe('NetworkPolicy enforcement belongs to the CNI backend (issue 16.3)', () => {
  for (const cni of ['flannel-vxlan', 'flannel-host-gw', 'flannel-udp']) {
    it(`${cni} alone: the policy is inert — no rule, no predicted drop, a located warning with the opt-in`, () => {
      const { lab, errors, warnings } = resolve(policyLab(cni));
      assert.deepEqual(errors, []);
      const c = lab!.cluster!;
      assert.equal(c.policyEngine, 'none');
      assert.deepEqual(c.policies, []);
      assert.deepEqual(c.inertPolicies?.map((p) => p.name), ['deny-web']);
      for (const n of ['node-1', 'node-2']) assert.doesNotMatch(nodeRules(c, n).iptables ?? '', /NSL-POL/);
      const web = c.pods.find((p) => p.name === 'web')!;
      const client = c.pods.find((p) => p.name === 'client')!;
      assert.equal(policyDrop(c, 'node-1', pkt(client.ip, web.ip)), undefined);
      const w = warnings.filter((x) => x.code === 'cluster.policy-inert');
      assert.equal(w.length, 1);
      assert.match(w[0].message, new RegExp(`network policy default/deny-web is not enforced: cni ${cni} does not enforce NetworkPolicy`));
      assert.equal(w[0].pos?.line, 9);
      assert.match(w[0].hint ?? '', /policy: canal/);
      // lab status shows the policy, and that it is not enforced
      const st = modelStatus(lab!);
      assert.deepEqual(st.policies.map((p) => [p.name, p.enforced]), [['deny-web', false]]);
      // a policy truth table on such a cluster expects every cell allowed, and says why
      const pt = lab!.tests.find((t) => t.type === 'policy');
      assert.ok(pt, 'the lab has a policy test');
      assert.deepEqual((pt!.params as { expected: boolean[][] }).expected, [[true]]);
      assert.match(warnings.find((x) => x.code === 'test.policy')?.message ?? '', /are not enforced \(cni .*\): every cell is expected allowed/);
      assert.deepEqual(modelLines(st).filter((l) => l.includes('policy')), ['  policy default/deny-web (Ingress) selects web — NOT ENFORCED: the CNI enforces no NetworkPolicy (add policy: canal)']);
    });
  }

  it('flannel with policy: canal: enforced (rules written, drop predicted), no warning', () => {
    const { lab, errors, warnings } = resolve(policyLab('flannel-vxlan', '  policy: canal\n'));
    assert.deepEqual(errors, []);
    const c = lab!.cluster!;
    assert.equal(c.policyEngine, 'canal');
    assert.deepEqual(c.policies.map((p) => p.name), ['deny-web']);
    assert.equal(c.inertPolicies, undefined);
    assert.match(nodeRules(c, 'node-1').iptables ?? '', /NSL-POL-IN-/);
    const ipOf = (n: string): string => c.pods.find((p) => p.name === n)!.ip;
    assert.match(policyDrop(c, 'node-1', pkt(ipOf('client'), ipOf('web')))?.object.name ?? '', /NetworkPolicy default\/deny-web/);
    assert.deepEqual(warnings.filter((x) => x.code === 'cluster.policy-inert'), []);
    assert.deepEqual(modelStatus(lab!).policies.map((p) => [p.name, p.enforced]), [['deny-web', true]]);
    assert.deepEqual((lab!.tests.find((t) => t.type === 'policy')!.params as { expected: boolean[][] }).expected, [[false]]);
    assert.deepEqual(warnings.filter((x) => x.code === 'test.policy'), []);
  });

  it('calico-bgp enforces by itself', () => {
    const { lab, errors, warnings } = resolve(policyLab('calico-bgp'));
    assert.deepEqual(errors, []);
    assert.equal(lab!.cluster!.policyEngine, 'calico');
    assert.match(nodeRules(lab!.cluster!, 'node-1').iptables ?? '', /NSL-POL-IN-/);
    assert.deepEqual(warnings.filter((x) => x.code === 'cluster.policy-inert'), []);
  });

  it('a flannel cluster without policies has nothing to warn about', () => {
    const { warnings } = resolve(policyLab('flannel-vxlan').replace(/  network-policies:[\s\S]*$/, ''));
    assert.deepEqual(warnings.filter((x) => x.code === 'cluster.policy-inert'), []);
  });
});

describe('pod hostname/subdomain and StatefulSet-style pods (issue 16.1)', () => {
  const lab = `name: sts
cluster:
  cni: flannel-vxlan
  nodes: { node-1: {}, node-2: {} }
  pods:
    db: { statefulset: db, replicas: 2, labels: { app: db } }
    web: { replicas: 2, labels: { app: web } }
    named: { hostname: one, subdomain: web-pods, labels: { app: web } }
    lost: { hostname: two, subdomain: nowhere, labels: { app: lost } }
  services:
    db: { clusterIP: None, selector: { app: db }, ports: [{ name: pg, port: 80 }] }
    web-pods: { clusterIP: None, selector: { app: web }, ports: [{ name: http, port: 80 }] }
`;
  it('a StatefulSet group: pods <name>-0 …, hostname = name, subdomain = the Service; others keep what they wrote', () => {
    const { lab: l, errors, warnings } = resolve(lab);
    assert.deepEqual(errors, []);
    const pods = l!.cluster!.pods.filter((p) => p.namespace === 'default').map((p) => [p.name, p.hostname, p.subdomain]);
    assert.deepEqual(pods, [['db-0', 'db-0', 'db'], ['db-1', 'db-1', 'db'], ['web-1', undefined, undefined], ['web-2', undefined, undefined], ['named', 'one', 'web-pods'], ['lost', 'two', 'nowhere']]);
    // a subdomain with no headless Service behind it: warned at, the name will not exist
    const w = warnings.filter((x) => x.code === 'cluster.pod-subdomain');
    assert.deepEqual(w.map((x) => [x.message, x.pos?.line]), [['pod lost: there is no Service nowhere in namespace default, so its name two.nowhere.default.svc.cluster.local does not exist', 9]]);
  });

  it('the DNS records: <hostname>.<service> for the StatefulSet and the pod that asked for it, dashed addresses for the Deployment', () => {
    const c = resolve(lab).lab!.cluster!;
    const endpoints = new Map(c.endpoints.map((e) => [`${e.service.namespace}/${e.service.name}`, e.endpoints.map((x) => ({ ip: x.ip, pod: x.pod }))]));
    const args = dnsmasqArgs({ services: c.services, pods: c.pods, endpoints, listen: c.dns!.ip });
    const ip = (n: string): string => c.pods.find((p) => p.name === n)!.ip;
    const dashed = (n: string): string => ip(n).replace(/\./g, '-');
    const per = (svc: string): string[] => args.filter((a) => a.startsWith('--host-record=') && a.includes(`.${svc}.default.svc.`)).map((a) => a.slice('--host-record='.length)).sort();
    assert.deepEqual(per('db'), [`db-0.db.default.svc.cluster.local,${ip('db-0')}`, `db-1.db.default.svc.cluster.local,${ip('db-1')}`]);
    assert.deepEqual(per('web-pods'), [`${dashed('web-1')}.web-pods.default.svc.cluster.local,${ip('web-1')}`, `${dashed('web-2')}.web-pods.default.svc.cluster.local,${ip('web-2')}`, `one.web-pods.default.svc.cluster.local,${ip('named')}`].sort());
    const srv = args.filter((a) => a.startsWith('--srv-host=_http._tcp.web-pods')).map((a) => a.split(',')[1]).sort();
    assert.deepEqual(srv, [`${dashed('web-1')}.web-pods.default.svc.cluster.local`, `${dashed('web-2')}.web-pods.default.svc.cluster.local`, 'one.web-pods.default.svc.cluster.local'].sort());
    assert.ok(!args.some((a) => a.includes('web-1.web-pods')), 'a Deployment pod is never named by its pod name');
  });
});
