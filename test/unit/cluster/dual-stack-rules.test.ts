/**
 * Dual-stack rules (issue 14.1): the per-family projection of a cluster for kube-proxy, kube-proxy's IPv6 rules in
 * both modes (ip6tables-restore input; the `ip6 kube-proxy` table), NetworkPolicy in both families, and the
 * delete-pod reloads of both. Golden files in test/unit/golden/kube-proxy6 and test/unit/golden/policy6; the same
 * rules on a real kernel are test/integration/dual-stack-rules.test.ts. The cluster is test/fixtures/dual-stack-cluster.ts.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { kubeProxyInput, nodeRules, serviceFamilies } from '../../../runner/cluster/compile.ts';
import { endpointHash, portProtoHash } from '../../../runner/cluster/hash.ts';
import { iptablesRules } from '../../../runner/cluster/kube-proxy-iptables.ts';
import { nftablesRules } from '../../../runner/cluster/kube-proxy-nftables.ts';
import { expectedAllowed, podAddress, policyRules } from '../../../runner/cluster/policy.ts';
import { hasIPv6Rules, reloadsWithout } from '../../../runner/cluster/assertions/delete-pod.ts';
import { dnatRule, kubeProxyDecide } from '../../../runner/trace/predict-kube-proxy.ts';
import { policyDrop } from '../../../runner/trace/predict-policy.ts';
import type { Pkt } from '../../../runner/trace/predict-packet.ts';
import type { ClusterResult } from '../../../runner/cluster/types.ts';
import { calicoNeighbors6, hasAddress, peerAddress6, peerNeighbors6 } from '../../../runner/cluster/calico6.ts';
import type { Draft } from '../../../runner/cluster/draft.ts';
import { asObj } from '../../../runner/util/obj.ts';
import { modelLines } from '../../../runner/cli/status-text.ts';
import { expectedText as serviceExpected, service } from '../../../runner/cluster/assertions/service.ts';
import { policy } from '../../../runner/cluster/assertions/policy.ts';
import { k8sNetworkModel } from '../../../runner/cluster/assertions/k8s-network-model.ts';
import type { ResolvedCluster } from '../../../runner/cluster/types.ts';
import type { ResolveContext } from '../../../assertions/types.ts';
import { resolveCtx } from '../assertions/helpers.ts';
import { dualStack, PODS, SERVICES } from '../../fixtures/dual-stack-cluster.ts';
import { expectGolden, expectNoStrayGoldens } from '../golden.ts';

const KP = 'test/unit/golden/kube-proxy6';
const POL = 'test/unit/golden/policy6';
const names = (input: ReturnType<typeof kubeProxyInput>): string[] => [...new Set(input.services.map((s) => s.service.name))].sort();
const podNamed = (n: string) => PODS.find((p) => p.name === n)!;

describe('dual-stack: the per-family projection for kube-proxy', () => {
  const c = dualStack();

  it('a Service without ipFamilies is IPv4 only; ipFamilies order does not matter', () => {
    assert.deepEqual(serviceFamilies({ ...SERVICES[0], ipFamilies: undefined }), [4]);
    assert.deepEqual(serviceFamilies(SERVICES[1]), [4, 6]);
    assert.deepEqual(serviceFamilies(SERVICES[2]), [6]);
  });

  it('family 4 leaves the IPv6-only Service out and keeps the IPv4 addresses', () => {
    const in4 = kubeProxyInput(c, 'node1');
    assert.equal(in4.family, undefined);
    assert.deepEqual(names(in4), ['empty', 'sticky', 'v4', 'web', 'web-np']);
    assert.deepEqual(in4.nodeIPs, ['192.168.50.11']);
    assert.equal(in4.clusterCIDR, '10.244.0.0/16');
    const web = in4.services.find((s) => s.service.name === 'web')!;
    assert.equal(web.service.clusterIP, '10.96.0.10');
    assert.deepEqual(web.endpoints.map((e) => [e.ip, e.local]), [['10.244.1.2', true], ['10.244.2.2', false]]);
  });

  it('family 6: the Services with IPv6, their IPv6 ClusterIP, the pods’ IPv6 addresses, the node’s, the IPv6 ranges', () => {
    const in6 = kubeProxyInput(c, 'node2', new Set(), 6);
    assert.equal(in6.family, 6);
    assert.deepEqual(names(in6), ['empty', 'sticky', 'v6', 'web', 'web-np']);
    assert.deepEqual(in6.nodeIPs, ['fd00:50::12']);
    assert.equal(in6.clusterCIDR, 'fd00:10:244::/56');
    assert.equal(in6.serviceCIDR, 'fd00:10:96::/112');
    const web = in6.services.find((s) => s.service.name === 'web')!;
    assert.equal(web.service.clusterIP, 'fd00:10:96::a');
    assert.deepEqual(web.endpoints.map((e) => [e.ip, e.local]), [['fd00:10:244:1::2', false], ['fd00:10:244:2::2', true]]);
    const v6 = in6.services.find((s) => s.service.name === 'v6')!;
    assert.deepEqual(v6.endpoints.map((e) => e.ip), ['fd00:10:244:1::3']);
  });

  it('a pod without an IPv6 address is no IPv6 endpoint', () => {
    const c2 = { ...c, pods: c.pods.map((p) => (p.name === 'web-b' ? { ...p, ip6: undefined } : p)) };
    const web = kubeProxyInput(c2, 'node1', new Set(), 6).services.find((s) => s.service.name === 'web')!;
    assert.deepEqual(web.endpoints.map((e) => e.pod), ['web-a']);
  });
});

describe('dual-stack: kube-proxy’s IPv6 rules', () => {
  const c = dualStack();
  for (const node of ['node1', 'node2']) {
    const in6 = kubeProxyInput(c, node, new Set(), 6);
    it(`ds.${node}.ip6tables is its golden file`, () => expectGolden(join(KP, `ds.${node}.ip6tables`), iptablesRules(in6)));
    it(`ds.${node}.nft is its golden file`, () => expectGolden(join(KP, `ds.${node}.nft`), nftablesRules(in6)));
  }
  it('every golden file belongs to a case', () => expectNoStrayGoldens(KP, '', ['ds.node1.ip6tables', 'ds.node1.nft', 'ds.node2.ip6tables', 'ds.node2.nft']));

  it('ip6tables: kube-proxy’s chain names (KUBE-SVC the same as in IPv4, KUBE-SEP hashing "[ip]:port"), DNAT to [ip]:port', () => {
    const text = iptablesRules(kubeProxyInput(c, 'node1', new Set(), 6));
    const v4 = iptablesRules(kubeProxyInput(c, 'node1'));
    const svc = `KUBE-SVC-${portProtoHash('default/web:http', 'tcp')}`;
    assert.match(text, new RegExp(`^:${svc} - `, 'm'));
    assert.match(v4, new RegExp(`^:${svc} - `, 'm'));
    const sep = `KUBE-SEP-${endpointHash('default/web:http', 'tcp', '[fd00:10:244:1::2]:8080')}`;
    assert.match(text, new RegExp(`^-A ${sep} .* -s fd00:10:244:1::2 -j KUBE-MARK-MASQ$`, 'm'));
    assert.match(text, new RegExp(`^-A ${sep} .* -j DNAT --to-destination \\[fd00:10:244:1::2\\]:8080$`, 'm'));
    assert.match(text, /^-A KUBE-SERVICES .* -d fd00:10:96::a --dport 80 -j KUBE-SVC-/m);
    assert.match(text, /^-A KUBE-SVC-\S+ .* -d fd00:10:96::a --dport 80 ! -s fd00:10:244::\/56 -j KUBE-MARK-MASQ$/m);
  });

  it('ip6tables: no localhost NodePorts (! -d ::1/128, no localnet rule), REJECT for a Service without endpoints in filter', () => {
    const text = iptablesRules(kubeProxyInput(c, 'node1', new Set(), 6), { localhostNodePorts: true });
    assert.match(text, /^-A KUBE-SERVICES .* -m addrtype --dst-type LOCAL ! -d ::1\/128 -j KUBE-NODEPORTS$/m);
    assert.doesNotMatch(text, /127\.0\.0\.0/);
    const filter = text.slice(text.indexOf('*filter'), text.indexOf('*nat'));
    assert.match(filter, /^-A KUBE-SERVICES -m comment --comment "default\/empty:http has no endpoints" -m tcp -p tcp -d fd00:10:96::f --dport 80 -j REJECT$/m);
    assert.match(text, /^-A KUBE-NODEPORTS -m comment --comment default\/web-np:http -m tcp -p tcp --dport 30080 -j KUBE-EXT-/m);
    assert.doesNotMatch(text, /10\.\d+\.\d+\.\d+|192\.168\./, 'no IPv4 address in the IPv6 rules');
  });

  it('nftables: the ip6 kube-proxy table, ip6 matches, ipv6_addr sets, endpoint chains with dots for colons', () => {
    const text = nftablesRules(kubeProxyInput(c, 'node1', new Set(), 6));
    assert.match(text, /^add table ip6 kube-proxy$/m);
    assert.doesNotMatch(text, /^add \S+ ip kube-proxy/m);
    assert.match(text, /^add set ip6 kube-proxy cluster-ips \{ type ipv6_addr ;/m);
    assert.match(text, /^add element ip6 kube-proxy nodeport-ips \{ fd00:50::11 \}$/m);
    assert.match(text, /^add element ip6 kube-proxy service-ips \{ fd00:10:96::a \. tcp \. 80 : goto service-\S+-default\/web\/tcp\/http \}$/m);
    assert.match(text, /^add chain ip6 kube-proxy endpoint-\w{8}-default\/web\/tcp\/http__fd00\.10\.244\.1\.\.2\/8080$/m);
    assert.match(text, /dnat to \[fd00:10:244:1::2\]:8080$/m);
    assert.match(text, /^add rule ip6 kube-proxy services ip6 daddr \. meta l4proto \. th dport vmap @service-ips$/m);
    assert.match(text, /update @affinity-\S+ \{ ip6 saddr \}/);
    assert.doesNotMatch(text, /\bip (daddr|saddr)\b/);
    assert.doesNotMatch(text, /10\.\d+\.\d+\.\d+|192\.168\./);
  });

  it('nodeRules: iptables mode loads ip6tables beside iptables; nftables mode both tables in one transaction', () => {
    const r = nodeRules(c, 'node1');
    assert.match(r.iptables!, /-d 10\.96\.0\.10 /);
    assert.match(r.ip6tables!, /kube-proxy \(iptables mode, IPv6\)/);
    assert.match(r.ip6tables!, /NSL-POL-IN-/, 'the IPv6 policy rules are in the same ip6tables load');
    const n = nodeRules({ ...c, kubeProxy: 'nftables' }, 'node1');
    assert.match(n.nftables!, /^add table ip kube-proxy$/m);
    assert.match(n.nftables!, /^add table ip6 kube-proxy$/m);
    assert.doesNotMatch(n.ip6tables!, /KUBE-/);
    assert.match(n.ip6tables!, /NSL-POL-IN-/);
    const { podCIDR6: _p, serviceCIDR6: _s, ...v4only } = c;
    assert.equal(nodeRules(v4only, 'node1').ip6tables, undefined, 'an IPv4-only cluster loads no ip6tables');
  });

  it('delete-pod: both families’ rules lose the pod’s endpoints', () => {
    const [r] = reloadsWithout(c, new Set(['web-a']));
    assert.ok(r.ip6tables);
    assert.doesNotMatch(r.ip6tables!, /fd00:10:244:1::2\]:8080/);
    assert.match(r.ip6tables!, /fd00:10:244:2::2\]:8080/);
    assert.doesNotMatch(r.iptables!, /10\.244\.1\.2:8080/);
    const [n] = reloadsWithout({ ...c, kubeProxy: 'nftables' }, new Set(['web-a']));
    assert.doesNotMatch(n.nftables!, /fd00:10:244:1::2\]:8080|10\.244\.1\.2:8080/);
    assert.match(n.nftables!, /fd00:10:244:2::2\]:8080/);
    assert.equal(hasIPv6Rules(r), true);
    assert.equal(hasIPv6Rules(n), true);
    const { podCIDR6: _p, serviceCIDR6: _s, ...v4only } = c;
    assert.equal(hasIPv6Rules(reloadsWithout(v4only, new Set(['web-a']))[0]), false);
  });
});

describe('dual-stack: NetworkPolicy in both families', () => {
  const c = dualStack();
  const input = { node: 'node1', pods: c.pods, namespaces: c.namespaces, policies: c.policies };

  it('policy6.node1 / policy4.node1 are their golden files', () => {
    expectGolden(join(POL, 'ds.node1.ip6tables'), policyRules(input, 6));
    expectGolden(join(POL, 'ds.node1.iptables'), policyRules(input, 4));
  });
  it('every golden file belongs to a case', () => expectNoStrayGoldens(POL, '', ['ds.node1.ip6tables', 'ds.node1.iptables']));

  it('selectors match each pod by its address of the family; an ipBlock applies to its own family only', () => {
    const six = policyRules(input, 6);
    const four = policyRules(input, 4);
    assert.match(six, /-s fd00:10:244:1::9\/128 -p tcp -m tcp --dport 8080 .* -j ACCEPT/);
    assert.match(four, /-s 10\.244\.1\.9\/32 -p tcp -m tcp --dport 8080 .* -j ACCEPT/);
    assert.match(six, /-s fd00:50::\/64 .* -j NSL-POL-IPB-/);
    assert.match(six, /-s fd00:50::12\/128 .* -j RETURN/);
    assert.doesNotMatch(six, /192\.168\.50\.0\/24 .*-j/);
    assert.match(four, /-s 192\.168\.50\.0\/24 .* -j ACCEPT/);
    assert.doesNotMatch(four, /-s fd00:50::/);
    assert.match(six, /-d fd00:10:244:1::2\/128 -m physdev ! --physdev-is-bridged/);
  });

  it('the model: a flow’s family picks the addresses; a v4 block never admits a v6 flow and the reverse', () => {
    const web = podNamed('web-a');
    assert.equal(podAddress(web, 6), 'fd00:10:244:1::2');
    assert.equal(podAddress(web, 4), '10.244.1.2');
    assert.equal(expectedAllowed(c, { ip: 'fd00:50::99' }, web, 9999, 'TCP', 6), true, 'in the IPv6 block');
    assert.equal(expectedAllowed(c, { ip: 'fd00:50::12' }, web, 9999, 'TCP', 6), false, 'the except');
    assert.equal(expectedAllowed(c, { ip: '192.168.50.12' }, web, 9999, 'TCP', 4), true, 'in the IPv4 block');
    assert.equal(expectedAllowed(c, podNamed('client'), web, 8080, 'TCP', 6), true);
    assert.equal(expectedAllowed(c, podNamed('client'), web, 9999, 'TCP', 6), false);
    assert.equal(expectedAllowed(c, podNamed('other'), web, 8080, 'TCP', 6), false);
    // a cluster whose only block is IPv4: IPv6 flows from that network's hosts are not let in by it
    const only4 = { ...c, policies: [{ ...c.policies[0], ingress: [c.policies[0].ingress![2]] }] };
    assert.equal(expectedAllowed(only4, { ip: 'fd00:50::99' }, web, 80, 'TCP', 6), false);
    assert.equal(expectedAllowed(only4, { ip: '192.168.50.99' }, web, 80, 'TCP', 4), true);
  });
});

describe('dual-stack: the trace’s kube-proxy and policy in IPv6', () => {
  const pos = { file: 'lab.yaml', line: 1, col: 1 };
  const cr = (kubeProxy: 'iptables' | 'nftables') => ({ ...dualStack(), kubeProxy, pos, sources: new Map(), requestedKubeProxy: kubeProxy }) as unknown as ClusterResult;
  const pkt = (dst: string, dport: number, src = 'fd00:10:244:1::9'): Pkt => ({ src, dst, dport, proto: 'tcp', family: 6, ttl: 64 });

  for (const mode of ['iptables', 'nftables'] as const) {
    it(`${mode}: an IPv6 ClusterIP is DNATed to an IPv6 endpoint, in the ip6 family’s chain`, () => {
      const d = kubeProxyDecide(cr(mode), 'node1', pkt('fd00:10:96::a', 80), () => false, false);
      assert.equal(d.kind, 'dnat');
      if (d.kind !== 'dnat') return;
      assert.match(d.ep.ip, /^fd00:10:244:/);
      assert.equal(dnatRule(cr(mode), d.sp, d.ep).family, 'ip6');
      assert.match(d.object.name, /endpoint pod web-[ab] of Service default\/web port 80/);
    });
    it(`${mode}: a NodePort on the node’s IPv6 address; the IPv6-only Service; no endpoints: refused in ip6`, () => {
      const np = kubeProxyDecide(cr(mode), 'node1', pkt('fd00:50::11', 30080, 'fd00:50::99'), (a) => a === 'fd00:50::11', false);
      assert.equal(np.kind, 'dnat');
      assert.equal(kubeProxyDecide(cr(mode), 'node1', pkt('fd00:10:96::c', 80), () => false, false).kind, 'dnat');
      const none = kubeProxyDecide(cr(mode), 'node1', pkt('fd00:10:96::f', 80), () => false, false);
      assert.equal(none.kind, 'refuse');
      if (none.kind === 'refuse') assert.equal(none.rule.family, 'ip6');
      // the IPv4 ClusterIP of the IPv6-only Service does not exist; the IPv4 one of a dual-stack Service still works
      const four: Pkt = { src: '10.244.1.9', dst: '10.96.0.10', dport: 80, proto: 'tcp', family: 4, ttl: 64 };
      const d4 = kubeProxyDecide(cr(mode), 'node1', four, () => false, false);
      assert.equal(d4.kind, 'dnat');
      if (d4.kind === 'dnat') assert.match(d4.ep.ip, /^10\.244\./);
    });
  }

  it('policy: an IPv6 flow is judged by the IPv6 addresses and blocks, the drop named in ip6', () => {
    const c = cr('iptables');
    assert.equal(policyDrop(c, 'node1', pkt('fd00:10:244:1::2', 8080)), undefined, 'client → web-a allowed on 8080');
    const d = policyDrop(c, 'node1', pkt('fd00:10:244:1::2', 9999));
    assert.ok(d);
    assert.equal(d!.rule.family, 'ip6');
    assert.equal(policyDrop(c, 'node1', pkt('fd00:10:244:1::2', 9999, 'fd00:50::99')), undefined, 'from the IPv6 block');
    assert.ok(policyDrop(c, 'node1', pkt('fd00:10:244:1::2', 9999, 'fd00:50::12')), 'its except');
  });
});

describe('dual-stack: Calico BGP carrying IPv6 (calico6.ts)', () => {
  const node = (name: string, i: number) => ({ name, ip: `192.168.56.${10 + i}`, ip6: `fd00:56::${10 + i}`, underlayIf: 'eth0', podCIDR: `10.244.${i}.0/26`, podCIDR6: `fd00:10:244::${(i * 64).toString(16)}/122`, labels: {}, declared: false, index: i });
  const d = {
    nodes: [node('node-1', 1), node('node-2', 2), node('node-3', 3)],
    rawNodes: { edge: { kind: 'bird', asn: 65000, interfaces: { eth0: { addresses: ['192.168.56.100/24', 'fe80::1/64', 'fd00:56::100/64'] } } }, old: { kind: 'bird', interfaces: { eth0: { addresses: ['192.168.56.101/24'] } } } },
  } as unknown as Draft;

  it('each IPv4 session gets its IPv6 twin, to the peer’s IPv6 address, with the same options', () => {
    const n1 = d.nodes[0];
    const v4 = [{ peer: 'node-2' }, { peer: 'node-3', 'rr-client': true }, { peer: 'edge' }, { peer: 'old' }];
    assert.deepEqual(calicoNeighbors6(d, n1, v4, ['edge', 'old']), [{ peer: 'fd00:56::12' }, { peer: 'fd00:56::13', 'rr-client': true }, { peer: 'fd00:56::100' }]);
    assert.deepEqual(calicoNeighbors6(d, { ...n1, ip6: undefined }, v4, ['edge']), [], 'an IPv4-only node: none');
  });

  it('an external peer with an IPv6 address gets a session to each node’s IPv6 address; link-local is not one', () => {
    assert.equal(peerAddress6(asObj(d.rawNodes.edge)), 'fd00:56::100');
    assert.deepEqual(peerNeighbors6(d, asObj(d.rawNodes.edge), 64512).map((x) => x.peer), ['fd00:56::11', 'fd00:56::12', 'fd00:56::13']);
    assert.deepEqual(peerNeighbors6(d, asObj(d.rawNodes.old), 64512), []);
    assert.equal(hasAddress({ eth0: { addresses: ['fd00:56::11/64'] } }, 'fd00:56::11'), true);
    assert.equal(hasAddress({ eth0: { addresses: ['192.168.56.11/24'] } }, 'fd00:56::11'), false);
  });
});

describe('dual-stack: lab status shows both ClusterIPs', () => {
  it('a dual-stack Service shows both, an IPv6-only one its IPv6 one, endpoints with both addresses', () => {
    const lines = modelLines({ services: [
      { name: 'web', namespace: 'default', type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIP6: 'fd00:10:96::a', nodePorts: [], ports: ['80/TCP'], endpoints: [{ pod: 'web-a', ip: '10.244.1.2', ip6: 'fd00:10:244:1::2', port: 8080 }] },
      { name: 'v6', namespace: 'default', type: 'ClusterIP', clusterIP6: 'fd00:10:96::c', nodePorts: [], ports: ['80/TCP'], endpoints: [{ pod: 'v6-a', ip: '10.244.1.3', ip6: 'fd00:10:244:1::3', port: 8080 }] },
    ], policies: [], impairments: [] });
    assert.deepEqual(lines, [
      '  service default/web (ClusterIP) ClusterIP 10.96.0.10, fd00:10:96::a ports 80/TCP → web-a 10.244.1.2:8080 [fd00:10:244:1::2]:8080',
      '  service default/v6 (ClusterIP) ClusterIP fd00:10:96::c ports 80/TCP → v6-a [fd00:10:244:1::3]:8080',
    ]);
  });
});

describe('dual-stack: the service, policy and k8s-network-model tests per family', () => {
  const c = dualStack();
  const ctx = (cluster: ResolvedCluster = c): ResolveContext => {
    const nodes: Record<string, Record<string, string>> = {};
    for (const p of cluster.pods) nodes[p.name] = { eth0: p.ip };
    for (const n of cluster.nodes) nodes[n.name] = { eth0: n.ip };
    return { ...resolveCtx({ nodes }), cluster: () => cluster };
  };

  it('service family 6: the IPv6 ClusterIP, a node’s IPv6 address for node-port, AAAA for a name; family 4 of an IPv6-only Service is refused', () => {
    const six = service.resolve({ service: 'web', from: 'client', family: 6 }, ctx()).params!;
    assert.equal(six.address, 'fd00:10:96::a');
    assert.equal(six.family, 6);
    assert.match(service.describe(six), /\(IPv6\)/);
    assert.match(serviceExpected(six, six.address), /via its ClusterIP \[fd00:10:96::a\]:80 \(IPv6\)/);
    const np = service.resolve({ service: 'web-np', from: 'client', via: 'node-port', node: 'node2', family: 6 }, ctx()).params!;
    assert.equal(np.address, 'fd00:50::12');
    assert.equal(np.port, 30080);
    const v6only = service.resolve({ service: 'v6', from: 'client' }, ctx());
    assert.equal(v6only.params, undefined);
    assert.match(v6only.diagnostics.map((d) => d.message).join('\n'), /has no IPv4: its ipFamilies are \[IPv6\]/);
    const v4only = service.resolve({ service: 'v4', from: 'client', family: 6 }, ctx());
    assert.match(v4only.diagnostics.map((d) => d.message).join('\n'), /has no IPv6/);
    assert.equal(service.resolve({ service: 'web', from: 'client', family: 5 }, ctx()).params, undefined);
  });

  it('service family 6: only pods with an IPv6 address are endpoints', () => {
    const c2 = { ...c, pods: c.pods.map((p) => (p.name === 'web-b' ? { ...p, ip6: undefined } : p)) };
    assert.deepEqual(service.resolve({ service: 'web', from: 'client', family: 6 }, ctx(c2)).params!.endpoints, ['web-a']);
    assert.deepEqual(service.resolve({ service: 'web', from: 'client' }, ctx(c2)).params!.endpoints, ['web-a', 'web-b']);
  });

  it('policy family 6: the pods by their IPv6 addresses, the cells as the IPv6 rules decide', () => {
    const p6 = policy.resolve({ port: 8080, from: ['client', 'other'], to: ['web-a'], family: 6 }, ctx()).params!;
    assert.deepEqual(p6.to.map((t) => t.ip), ['fd00:10:244:1::2']);
    assert.deepEqual(p6.from.map((t) => t.ip), ['fd00:10:244:1::9', 'fd00:10:244:2::9']);
    assert.deepEqual(p6.expected, [[true], [false]]);
    assert.match(policy.describe(p6), /over IPv6/);
    const p4 = policy.resolve({ port: 8080, from: ['client', 'other'], to: ['web-a'] }, ctx()).params!;
    assert.deepEqual(p4.expected, [[true], [false]]);
  });

  it('k8s-network-model judges the IPv6 pairs in IPv6: an IPv4-only block admits a node over IPv4, not over IPv6', () => {
    const only4 = { ...c, policies: [{ ...c.policies[0], ingress: [c.policies[0].ingress![2]] }] };
    const m = k8sNetworkModel.resolve({ port: 8080 }, ctx(only4)).params!;
    const node2 = m.sources.find((s) => s.name === 'node2')!;
    assert.ok(node2.targets.includes('web-a'), 'node2 → web-a over IPv4: its address is in 192.168.50.0/24');
    assert.ok(node2.targets6 && !node2.targets6.includes('web-a'), 'over IPv6 nothing admits it');
    const v6 = m.podIPs6 ? (k8sNetworkModel.flows!(m) as { from: string; to: string }[]) : [];
    assert.ok(!v6.some((f) => f.from === 'node2' && f.to === 'fd00:10:244:1::2'), 'no IPv6 probe of a pair the IPv6 rules deny');
  });
});
