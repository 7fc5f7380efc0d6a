/**
 * Dual-stack clusters (issue 14.1), the model side: `pod-cidr`/`service-cidr`/`underlay` as [IPv4, IPv6] lists, the
 * nodes' IPv6 addresses and blocks (node-mask6), the pods' second address, the services' families as the apiserver
 * settles them (ipFamilies, ipFamilyPolicy, clusterIPs), kube-dns dual-stack, and the same fields in a Service
 * manifest. The refusals are bad labs (test/unit/bad-labs/dual-stack-*.lab.yaml). Pure: nothing is built.
 */
import { strict as assert } from 'node:assert';
import { parseLabText } from '../../../runner/config/load.ts';
import { expandCluster, type ClusterResult } from '../../../runner/cluster/expand.ts';
import type { Diagnostic } from '../../../runner/config/diagnostics.ts';
import { dnsmasqArgs, isHeadless } from '../../../runner/cluster/dns.ts';
import { vtepMac } from '../../../runner/cluster/cni.ts';
import { loadManifests } from '../../../runner/cluster/manifests.ts';
import { resolveLab } from '../../../runner/resolve/resolve.ts';
import { nodeRules } from '../../../runner/cluster/compile.ts';
import { loadLab } from '../../../runner/api.ts';
import { predictWalk } from '../../../runner/trace/predict.ts';
import { modelStatus } from '../../../runner/lab/status-model.ts';
import { modelLines } from '../../../runner/cli/status-text.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FILE = 'test/unit/cluster/inline.lab.yaml';

function expand(text: string): { cluster?: ClusterResult; errors: Diagnostic[]; data: Record<string, unknown> } {
  const e = expandCluster(parseLabText(FILE, text));
  return { cluster: e.cluster, errors: e.diagnostics.filter((d) => d.severity === 'error'), data: e.file.data as Record<string, unknown> };
}

const DUAL = `name: ds
cluster:
  cni: flannel-vxlan
  pod-cidr: [10.244.0.0/16, fd00:10:244::/56]
  service-cidr: [10.96.0.0/12, fd00:10:96::/112]
  nodes:
    node-1: {}
    node-2: {}
  pods:
    web: { labels: { app: web }, replicas: 2 }
    client: { node: node-1 }
`;

function services(extra: string, base = DUAL): { cluster?: ClusterResult; errors: Diagnostic[] } {
  return expand(`${base}  services:\n${extra}`);
}

describe('dual-stack clusters: the model (issue 14.1)', () => {
  it('nodes get an IPv6 address (host 11 + index of the ULA default) and a /64 of the IPv6 pod CIDR; pods the same host number in it', () => {
    const { cluster: c, errors } = expand(DUAL);
    assert.deepEqual(errors, []);
    assert.equal(c!.podCIDR6, 'fd00:10:244::/56');
    assert.equal(c!.serviceCIDR6, 'fd00:10:96::/112');
    assert.deepEqual(c!.nodes.map((n) => [n.name, n.ip, n.ip6, n.podCIDR, n.podCIDR6]), [
      ['node-1', '192.168.56.11', 'fd00:56::b', '10.244.0.0/24', 'fd00:10:244::/64'],
      ['node-2', '192.168.56.12', 'fd00:56::c', '10.244.1.0/24', 'fd00:10:244:1::/64'],
    ]);
    assert.deepEqual(c!.pods.map((p) => [p.name, p.ip, p.ip6]), [
      ['coredns', '10.244.0.2', 'fd00:10:244::2'],
      ['web-1', '10.244.0.3', 'fd00:10:244::3'],
      ['web-2', '10.244.1.2', 'fd00:10:244:1::2'],
      ['client', '10.244.0.4', 'fd00:10:244::4'],
    ]);
    // kube-dns: both families, the tenth address of each range
    assert.deepEqual(c!.dns, { ip: '10.96.0.10', ip6: 'fd00:10:96::a', pod: 'coredns', domain: 'cluster.local' });
    const kd = c!.services.find((s) => s.name === 'kube-dns')!;
    assert.deepEqual([kd.clusterIP, kd.clusterIP6, kd.ipFamilies, kd.ipFamilyPolicy], ['10.96.0.10', 'fd00:10:96::a', ['IPv4', 'IPv6'], 'PreferDualStack']);
  });

  it('an IPv4-only cluster is as before: no IPv6 field anywhere', () => {
    const { cluster: c, errors } = expand(DUAL.replace('  pod-cidr: [10.244.0.0/16, fd00:10:244::/56]\n  service-cidr: [10.96.0.0/12, fd00:10:96::/112]\n', '') + '  services:\n    web: { selector: { app: web }, ports: [{ port: 80 }], ipFamilyPolicy: PreferDualStack }\n');
    assert.deepEqual(errors, []);
    assert.equal(c!.podCIDR6, undefined);
    assert.ok(c!.nodes.every((n) => n.ip6 === undefined && n.podCIDR6 === undefined));
    assert.ok(c!.pods.every((p) => p.ip6 === undefined));
    const web = c!.services.find((s) => s.name === 'web')!;
    // PreferDualStack in a single-stack cluster: IPv4 only, as the apiserver gives it
    assert.deepEqual([web.clusterIP, web.clusterIP6, web.ipFamilies], ['10.96.0.11', undefined, undefined]);
    assert.equal(c!.dns?.ip6, undefined);
  });

  it('services: SingleStack is the primary family; PreferDualStack/RequireDualStack both; ipFamilies [IPv6] alone; two families infer RequireDualStack', () => {
    const { cluster: c, errors } = services(`    single: { selector: { app: web }, ports: [{ port: 80 }] }
    prefer: { selector: { app: web }, ports: [{ port: 80 }], ipFamilyPolicy: PreferDualStack }
    six: { selector: { app: web }, ports: [{ port: 80 }], ipFamilies: [IPv6] }
    six-first: { selector: { app: web }, ports: [{ port: 80 }], ipFamilies: [IPv6, IPv4] }
    written: { selector: { app: web }, ports: [{ port: 80 }], ipFamilyPolicy: RequireDualStack, clusterIPs: [10.96.0.100, "fd00:10:96::64"] }
    headless: { selector: { app: web }, ports: [{ port: 80 }], clusterIP: None, ipFamilyPolicy: PreferDualStack }
`);
    assert.deepEqual(errors, []);
    const s = (n: string) => { const x = c!.services.find((y) => y.name === n)!; return [x.clusterIP, x.clusterIP6, x.ipFamilies, x.ipFamilyPolicy]; };
    assert.deepEqual(s('single'), ['10.96.0.11', undefined, ['IPv4'], 'SingleStack']);
    assert.deepEqual(s('prefer'), ['10.96.0.12', 'fd00:10:96::b', ['IPv4', 'IPv6'], 'PreferDualStack']);
    assert.deepEqual(s('six'), [undefined, 'fd00:10:96::c', ['IPv6'], 'SingleStack']);
    assert.deepEqual(s('six-first'), ['10.96.0.13', 'fd00:10:96::d', ['IPv6', 'IPv4'], 'RequireDualStack']);
    assert.deepEqual(s('written'), ['10.96.0.100', 'fd00:10:96::64', ['IPv4', 'IPv6'], 'RequireDualStack']);
    assert.deepEqual(s('headless'), ['None', 'None', ['IPv4', 'IPv6'], 'PreferDualStack']);
    // an IPv6-only Service has an address: it is not headless
    assert.equal(isHeadless(c!.services.find((y) => y.name === 'six')!), false);
    assert.equal(isHeadless(c!.services.find((y) => y.name === 'headless')!), true);
  });

  it('what the apiserver refuses is a located error', () => {
    const cases: [string, string, RegExp][] = [
      ['    a: { selector: { app: web }, ports: [{ port: 80 }], ipFamilies: [IPv4, IPv6], ipFamilyPolicy: SingleStack }\n', 'cluster.ip-family-policy', /SingleStack, and ipFamilies lists two families/],
      ['    a: { selector: { app: web }, ports: [{ port: 80 }], ipFamilies: [IPv4, IPv4] }\n', 'cluster.ip-families', /lists IPv4 twice/],
      ['    a: { selector: { app: web }, ports: [{ port: 80 }], ipFamilies: [IPv4, IPv6], clusterIPs: ["fd00:10:96::64", 10.96.0.100] }\n', 'cluster.ip-families', /clusterIPs\[0\] fd00:10:96::64 is IPv6, and ipFamilies\[0\] is IPv4/],
      ['    a: { selector: { app: web }, ports: [{ port: 80 }], clusterIP: 10.96.0.101, clusterIPs: [10.96.0.100] }\n', 'cluster.service-ip', /clusterIP 10.96.0.101 is not clusterIPs\[0\]/],
      ['    a: { selector: { app: web }, ports: [{ port: 80 }], clusterIPs: [10.96.0.100, 10.96.0.101], ipFamilyPolicy: RequireDualStack }\n', 'cluster.service-ip', /both IPv4/],
      ['    a: { selector: { app: web }, ports: [{ port: 80 }], clusterIPs: [None, "fd00:10:96::64"], ipFamilyPolicy: RequireDualStack }\n', 'cluster.headless', /lists None and an address/],
      ['    a: { type: ExternalName, externalName: example.org, ipFamilyPolicy: PreferDualStack }\n', 'cluster.ip-families', /not for an ExternalName service/],
      ['    a: { selector: { app: web }, ports: [{ port: 80 }], clusterIPs: [10.96.0.100, "fd00:99::1"], ipFamilyPolicy: RequireDualStack }\n', 'cluster.service-ip', /outside the IPv6 service CIDR fd00:10:96::\/112/],
    ];
    for (const [svc, code, msg] of cases) {
      const { errors } = services(svc);
      assert.equal(errors.length, 1, `${svc}: ${errors.map((e) => e.message).join('; ')}`);
      assert.equal(errors[0].code, code);
      assert.match(errors[0].message, msg);
      assert.ok(errors[0].pos && errors[0].hint, 'located, with a hint');
    }
    // in an IPv4-only cluster, IPv6 is "not configured on this cluster"
    const v4 = DUAL.replace('  pod-cidr: [10.244.0.0/16, fd00:10:244::/56]\n  service-cidr: [10.96.0.0/12, fd00:10:96::/112]\n', '');
    const { errors } = services('    a: { selector: { app: web }, ports: [{ port: 80 }], ipFamilies: [IPv6] }\n', v4);
    assert.deepEqual(errors.map((e) => e.code), ['cluster.ip-families']);
    assert.match(errors[0].message, /ipFamilies has IPv6, and the cluster is IPv4-only/);
  });

  it('service-cidr left out of a dual-stack cluster: the IPv6 default joins 10.96.0.0/12; underlay [v4, v6] and node-mask6 as written', () => {
    const { cluster: c, errors } = expand(`name: ds
cluster:
  cni: flannel-host-gw
  pod-cidr: [10.244.0.0/16, fd00:10:244::/64]
  underlay: [192.168.56.0/24, fd00:abcd::/64]
  node-mask6: 80
  nodes:
    node-1: {}
    node-2: {}
`);
    assert.deepEqual(errors, []);
    assert.equal(c!.serviceCIDR6, 'fd00:10:96::/112');
    assert.deepEqual(c!.nodes.map((n) => [n.ip6, n.podCIDR6]), [['fd00:abcd::b', 'fd00:10:244::/80'], ['fd00:abcd::c', 'fd00:10:244:0:1::/80']]);
  });

  it('calico-bgp: IPv6 blocks of /122 (Calico\'s blockSize), pods numbered from the block\'s first address', () => {
    const { cluster: c, errors } = expand(DUAL.replace('cni: flannel-vxlan', 'cni: calico-bgp'));
    assert.deepEqual(errors, []);
    assert.deepEqual(c!.nodes.map((n) => n.podCIDR6), ['fd00:10:244::/122', 'fd00:10:244::40/122']);
    assert.equal(c!.pods.find((p) => p.name === 'web-2')!.ip6, 'fd00:10:244::41');
  });

  it('a Service manifest keeps ipFamilies, ipFamilyPolicy and clusterIPs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-ds-'));
    try {
      writeFileSync(join(dir, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec:\n  ipFamilyPolicy: RequireDualStack\n  ipFamilies: [IPv6, IPv4]\n  clusterIPs: ["fd00:10:96::64", 10.96.0.100]\n  selector: { app: web }\n  ports: [{ port: 80 }]\n');
      const set = loadManifests(dir, [{ value: 'svc.yaml', pos: { file: 'lab.yaml', line: 1, col: 1 } }], []);
      assert.deepEqual(set.diagnostics, []);
      assert.deepEqual(set.entries[0].value, { selector: { app: 'web' }, clusterIPs: ['fd00:10:96::64', '10.96.0.100'], ipFamilies: ['IPv6', 'IPv4'], ipFamilyPolicy: 'RequireDualStack', ports: [{ port: 80 }] });
      assert.equal(set.entries[0].at(['ipFamilies']).line, 6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('flannel-vxlan: flannel-v6.1 beside flannel.1 (same VNI and port, the IPv6 underlay address, the block\'s first address /128), neighbour + FDB + onlink route per other node', () => {
    const { data } = expand(DUAL);
    const node1 = (data.nodes as Record<string, Record<string, unknown>>)['node-1'];
    const ifs = node1.interfaces as Record<string, Record<string, unknown>>;
    assert.deepEqual(ifs.eth0.addresses, ['192.168.56.11/24', 'fd00:56::b/64']);
    assert.deepEqual(ifs['flannel-v6.1'], {
      type: 'vxlan', vni: 1, port: 8472, dev: 'eth0', local: 'fd00:56::b', mac: vtepMac('ds', 'node-1', 'flannel-v6.1'), addresses: ['fd00:10:244::/128'], mtu: 1430,
      neighbors: [{ ip: 'fd00:10:244:1::', mac: vtepMac('ds', 'node-2', 'flannel-v6.1'), via: 'fd00:56::c' }],
    });
    assert.notEqual(vtepMac('ds', 'node-1', 'flannel-v6.1'), vtepMac('ds', 'node-1'));
    assert.ok((node1.routes as string[]).includes('fd00:10:244:1::/64 via fd00:10:244:1:: dev flannel-v6.1 onlink'));
    assert.ok((node1.routes as string[]).includes('fd00:10:96::/112 dev eth0'));
    // no DAD in the lab's namespaces: addresses usable at once
    assert.equal((node1.sysctls as Record<string, number>)['net.ipv6.conf.all.accept_dad'], 0);
    const bridges = data.bridges as Record<string, Record<string, unknown>>;
    assert.deepEqual(bridges['cni0@node-1'].addresses, ['10.244.0.1/24', 'fd00:10:244::1/64']);
    const web2 = (data.nodes as Record<string, Record<string, unknown>>)['web-2'];
    assert.deepEqual((web2.interfaces as Record<string, Record<string, unknown>>).eth0.addresses, ['10.244.1.2/24', 'fd00:10:244:1::2/64']);
    assert.deepEqual(web2.routes, ['default via 10.244.1.1', 'default via fd00:10:244:1::1']);
  });

  it('flannel-host-gw: the other node\'s IPv6 block via its IPv6 address', () => {
    const { data } = expand(DUAL.replace('cni: flannel-vxlan', 'cni: flannel-host-gw'));
    const routes = (data.nodes as Record<string, Record<string, unknown>>)['node-2'].routes as string[];
    assert.ok(routes.includes('fd00:10:244::/64 via fd00:56::b dev eth0'), routes.join('; '));
  });

  it('calico-bgp: the pod\'s /128 on eth0, its default via the host side\'s link-local (fe80::ecee:eeff:feee:eeee), a /128 route on the node', () => {
    const { data, cluster: c } = expand(DUAL.replace('cni: flannel-vxlan', 'cni: calico-bgp'));
    const pod = c!.pods.find((p) => p.name === 'web-2')!;
    const nodes = data.nodes as Record<string, Record<string, unknown>>;
    assert.deepEqual((nodes['web-2'].interfaces as Record<string, Record<string, unknown>>).eth0.addresses, ['10.244.0.65/32', 'fd00:10:244::41/128']);
    assert.deepEqual(nodes['web-2'].routes, ['default via 169.254.1.1 dev eth0 onlink', 'default via fe80::ecee:eeff:feee:eeee dev eth0']);
    assert.ok((nodes['node-2'].routes as string[]).includes(`fd00:10:244::41/128 dev ${pod.hostIf}`));
    assert.equal((nodes['node-2'].sysctls as Record<string, number>)[`net.ipv6.conf.${pod.hostIf}.accept_dad`], 0);    // the whole lab resolves: an IPv6 link-local gateway with its device is on the link (no `onlink` needed)
    const r = resolveLab(parseLabText(FILE, DUAL.replace('cni: flannel-vxlan', 'cni: calico-bgp')));
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  });

  it('DNS: A and AAAA for a dual-stack Service, AAAA only for an IPv6 one, both families of a headless one\'s endpoints, pods\' dashed IPv6 names; dnsmasq listens on both', () => {
    const { cluster: c } = services(`    web: { selector: { app: web }, ports: [{ port: 80, name: http }], ipFamilyPolicy: PreferDualStack }
    six: { selector: { app: web }, ports: [{ port: 80 }], ipFamilies: [IPv6] }
    hl: { selector: { app: web }, ports: [{ port: 80, name: http }], clusterIP: None, ipFamilyPolicy: RequireDualStack }
`);
    const dnsPod = c!.pods.find((p) => p.name === 'coredns')!;
    const endpoints = new Map(c!.endpoints.map((e) => [`${e.service.namespace}/${e.service.name}`, e.endpoints.map((x) => ({ ip: x.ip, pod: x.pod }))]));
    const args = dnsmasqArgs({ services: c!.services, pods: c!.pods, endpoints, listen: dnsPod.ip, listen6: dnsPod.ip6 });
    assert.ok(args.includes('--listen-address=fd00:10:244::2'));
    assert.ok(args.includes('--host-record=web.default.svc.cluster.local,10.96.0.11,fd00:10:96::b'));
    assert.ok(args.includes('--host-record=six.default.svc.cluster.local,fd00:10:96::c'));
    for (const a of ['10.244.0.3', '10.244.1.2', 'fd00:10:244::3', 'fd00:10:244:1::2']) assert.ok(args.includes(`--host-record=hl.default.svc.cluster.local,${a}`), a);
    assert.ok(args.includes('--host-record=fd00-10-244--3.hl.default.svc.cluster.local,fd00:10:244::3'));
    assert.ok(args.includes('--host-record=fd00-10-244-1--2.default.pod.cluster.local,fd00:10:244:1::2'));
    assert.ok(args.includes('--host-record=kube-dns.kube-system.svc.cluster.local,10.96.0.10,fd00:10:96::a'));
  });

  it('IPv6 egress masquerade: off by default for flannel and Calico (--ip6-masq, natOutgoing), on for bridge; ip6tables in flannel\'s layout; the gateway node\'s IPv6 address is the nodes\' IPv6 default route', () => {
    const gw = `nodes:
  gw:
    forwarding: true
    interfaces:
      eth0: { addresses: [192.168.56.1/24, "fd00:56::1/64"] }
links:
  - [gw:eth0, k8s-net]
`;
    const withGw = (extra: string, cni = 'flannel-vxlan') => expand(gw + DUAL.replace('cni: flannel-vxlan', `cni: ${cni}\n  gateway: gw${extra}`));
    const off = withGw('');
    assert.deepEqual(off.errors, []);
    assert.equal(off.cluster!.egressMasquerade6, undefined);
    // kube-proxy's IPv6 rules are in the node's ip6tables load (t17-ds-rules), but no egress masquerade
    assert.doesNotMatch(nodeRules(off.cluster!, 'node-1').ip6tables ?? '', /FLANNEL-POSTRTG|CNI-MASQ|egress masquerade/);
    assert.equal(off.cluster!.gateway6, 'fd00:56::1');
    assert.ok(((off.data.nodes as Record<string, Record<string, unknown>>)['node-1'].routes as string[]).includes('default via fd00:56::1 dev eth0'));
    const on = withGw('\n  egress-masquerade6: true');
    const rules = nodeRules(on.cluster!, 'node-1').ip6tables!;
    assert.match(rules, /^# IPv6 egress masquerade \(flanneld's ip-masq\)/m);
    assert.match(rules, /-A FLANNEL-POSTRTG -s fd00:10:244::\/56 -d fd00:10:244::\/56 .*-j RETURN/);
    assert.match(rules, /-A FLANNEL-POSTRTG -s fd00:10:244::\/56 ! -d ff00::\/8 .*-j MASQUERADE --random-fully/);
    assert.doesNotMatch(rules, /10\.244|224\.0/);
    assert.equal(withGw('', 'calico-bgp').cluster!.egressMasquerade6, undefined);
    const bridge = expand(DUAL.replace('cni: flannel-vxlan', 'cni: bridge').replace('    node-2: {}\n', '').replace('replicas: 2', 'replicas: 1'));
    assert.deepEqual(bridge.errors, []);
    assert.equal(bridge.cluster!.egressMasquerade6, true);
    assert.match(nodeRules(bridge.cluster!, 'node-1').ip6tables!, /-A CNI-MASQ ! -d ff00::\/8 .*-j MASQUERADE/);
    // in an IPv4-only cluster the key is an error
    const v4 = expand(DUAL.replace('  pod-cidr: [10.244.0.0/16, fd00:10:244::/56]\n  service-cidr: [10.96.0.0/12, fd00:10:96::/112]\n', '  egress-masquerade6: true\n'));
    assert.deepEqual(v4.errors.map((e) => e.code), ['cluster.dual-stack']);
  });

  it('the predicted walk of an IPv6 pod-to-pod flow in labs/k8s-dual-stack: out by flannel-v6.1, in by node-2\'s flannel-v6.1 (not flannel.1, though both are VNI 1 on 8472)', () => {
    const { lab } = loadLab('labs/k8s-dual-stack/lab.yaml');
    const w = predictWalk(lab, { from: 'client', dst: 'fd00:10:244:1::2', family: 6, proto: 'tcp', port: 80, toText: 'fd00:10:244:1::2', target: { kind: 'address', node: 'web-2' } });
    const hops = w.forward.hops.map((h) => `${h.at} ${h.in ?? ''}>${h.out ?? ''}`);
    assert.deepEqual(hops, ['client >eth0', 'node-1 cni0>flannel-v6.1', 'k8s-net node-1-eth0>node-2-eth0', 'node-2 flannel-v6.1>cni0', 'web-2 eth0>']);
    assert.equal(w.forward.verdict.kind, 'delivered');
  });

  it('lab status shows a Service\'s ClusterIPs of both families', () => {
    const { lab } = loadLab('labs/k8s-dual-stack/lab.yaml');
    const lines = modelLines(modelStatus(lab));
    assert.ok(lines.some((l) => l.includes('service default/web (ClusterIP) ClusterIP 10.96.0.11, fd00:10:96::b ports 80/TCP')), lines.join('\n'));
  });

  it('family: 6 picks the IPv6 address of a pod or node target (ping, tcp, http to/url, capture\'s ping); a mismatch or a node without one is an error', () => {
    const text = `${DUAL}tests:
  - ping: { from: client, to: web-2, family: 6 }
  - tcp: { from: client, to: node-2, port: 80, family: 6 }
  - http: { from: client, url: "http://web-2/", family: 6 }
  - http: { from: client, to: web-2, family: 4 }
  - ping: { from: client, to: web-2 }
`;
    const r = resolveLab(parseLabText(FILE, text));
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
    const p = r.lab!.tests.map((t) => t.params as Record<string, unknown>);
    assert.deepEqual([p[0].address, p[0].family], ['fd00:10:244:1::2', 6]);
    assert.equal(p[1].address, 'fd00:56::c');
    assert.equal(p[2].resolve, 'web-2:80:[fd00:10:244:1::2]');
    assert.equal(p[3].url, 'http://10.244.1.2:80/');
    assert.equal(p[4].address, '10.244.1.2', 'IPv4 first without family');
    const bad = resolveLab(parseLabText(FILE, `${DUAL}tests:\n  - ping: { from: client, to: 10.244.1.2, family: 6 }\n`));
    assert.match(bad.diagnostics.find((d) => d.severity === 'error')!.message, /10\.244\.1\.2 is an IPv4 address, and the test asks for family 6/);
    const v4 = DUAL.replace('  pod-cidr: [10.244.0.0/16, fd00:10:244::/56]\n  service-cidr: [10.96.0.0/12, fd00:10:96::/112]\n', '');
    const none = resolveLab(parseLabText(FILE, `${v4}tests:\n  - ping: { from: client, to: web-2, family: 6 }\n`));
    assert.match(none.diagnostics.find((d) => d.severity === 'error')!.message, /node web-2 has no IPv6 address/);
  });

  it('a cluster node declared under nodes: (a routed underlay) brings its own IPv6 address; without one it is an error', () => {
    const declared = (addrs: string) => expand(`name: ds
nodes:
  node-1:
    interfaces:
      eth0: { addresses: [${addrs}] }
cluster:
  cni: bridge
  pod-cidr: [10.244.0.0/16, fd00:10:244::/56]
  service-cidr: [10.96.0.0/12, fd00:10:96::/112]
  nodes:
    node-1: {}
`);
    const ok = declared('10.0.0.5/24, "fd00:aa::5/64"');
    assert.deepEqual(ok.errors, []);
    assert.deepEqual([ok.cluster!.nodes[0].ip, ok.cluster!.nodes[0].ip6], ['10.0.0.5', 'fd00:aa::5']);
    const bad = declared('10.0.0.5/24');
    assert.deepEqual(bad.errors.map((e) => e.code), ['cluster.node-address']);
    assert.match(bad.errors[0].message, /has no IPv6 address for the dual-stack cluster/);
  });
});
