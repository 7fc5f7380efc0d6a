/**
 * hostPort and hostNetwork (runner/cluster/hostport.ts, issue 14.3), and the egress masquerade's --random-fully
 * switch (issue 14.4): the portmap plugin's chains as nslab writes them for a bridge and a Calico node (the pod's
 * network in the hairpin rule, hostIP as -d, UDP and TCP entries, the per-pod chain name from sha512), the
 * POSTROUTING jump moved first, where a hostNetwork pod lives (its node's namespace, its address, no veth, no
 * resolv.conf) and that policies leave it alone, the clash checks' negative side (other nodes, other hostIPs), and
 * `masquerade-random-fully` on each backend. Pure: nothing is built.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { parseLabText } from '../../../runner/config/load.ts';
import { resolveLab } from '../../../runner/resolve/resolve.ts';
import { nodeRules } from '../../../runner/cluster/compile.ts';
import { masqueradeRules } from '../../../runner/cluster/egress.ts';
import { dnChain, portmapFirst, portmapRules, sandboxId } from '../../../runner/cluster/hostport.ts';
import { policyRules } from '../../../runner/cluster/policy.ts';
import type { Pod } from '../../../runner/cluster/types.ts';

const FILE = 'test/unit/cluster/inline.lab.yaml';

function resolve(text: string) {
  const r = resolveLab(parseLabText(FILE, text));
  return { lab: r.lab, errors: r.diagnostics.filter((d) => d.severity === 'error') };
}

const BRIDGE = `name: hp
cluster:
  cni: bridge
  dns: false
  nodes: { node-1: {} }
  pods:
    web: { ports: [{ port: 80, hostPort: 8080 }, { port: 53, protocol: UDP, hostPort: 5353, hostIP: 192.168.56.11 }] }
    agent: { hostNetwork: true, ports: [9100], labels: { app: agent } }
`;

describe('hostPort: the portmap plugin\'s chains', () => {
  it('names the per-pod chain CNI-DN- + sha512(network name + container ID), 28 characters', () => {
    const id = sandboxId({ namespace: 'default', name: 'web' });
    assert.match(id, /^[0-9a-f]{64}$/);
    const chain = dnChain('cbr0', id);
    assert.equal(chain.length, 28);
    assert.equal(chain, `CNI-DN-${createHash('sha512').update(`cbr0${id}`).digest('hex')}`.slice(0, 28));
  });

  it("writes the layout for a bridge node: the node's block as the hairpin source, hostIP as -d, one entry per protocol", () => {
    const { lab, errors } = resolve(BRIDGE);
    assert.deepEqual(errors, []);
    const c = lab!.cluster!;
    const text = portmapRules(c, 'node-1')!;
    const chain = dnChain('cbr0', sandboxId({ namespace: 'default', name: 'web' }));
    const rules = text.split('\n').filter((l) => l.startsWith('-A '));
    assert.deepEqual(rules.slice(0, 5), [
      '-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
      '-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
      '-A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ',
      '-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE',
      '-A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000/0x2000',
    ]);
    assert.ok(rules.some((l) => l.startsWith('-A CNI-HOSTPORT-DNAT -p tcp ') && l.endsWith(`-m multiport --dports 8080 -j ${chain}`)));
    assert.ok(rules.some((l) => l.startsWith('-A CNI-HOSTPORT-DNAT -p udp ') && l.endsWith(`-m multiport --dports 5353 -j ${chain}`)));
    const web = c.pods.find((p) => p.name === 'web')!;
    assert.ok(rules.includes(`-A ${chain} -s 10.244.0.0/24 -p tcp -m tcp --dport 8080 -j CNI-HOSTPORT-SETMARK`), text);
    assert.ok(rules.includes(`-A ${chain} -p tcp -m tcp --dport 8080 -j DNAT --to-destination ${web.ip}:80`), text);
    assert.ok(rules.includes(`-A ${chain} -s 10.244.0.0/24 -d 192.168.56.11/32 -p udp -m udp --dport 5353 -j CNI-HOSTPORT-SETMARK`), text);
    assert.ok(rules.includes(`-A ${chain} -d 192.168.56.11/32 -p udp -m udp --dport 5353 -j DNAT --to-destination ${web.ip}:53`), text);
  });

  it('uses the pod\'s /32 with Calico, and writes nothing on a node without a hostPort pod', () => {
    const { lab, errors } = resolve(`name: hp2
cluster:
  cni: calico-bgp
  dns: false
  nodes: { node-1: {}, node-2: {} }
  pods:
    web: { node: node-1, ports: [{ port: 80, hostPort: 8080 }] }
    other: { node: node-2 }
`);
    assert.deepEqual(errors, []);
    const c = lab!.cluster!;
    const web = c.pods.find((p) => p.name === 'web')!;
    assert.match(portmapRules(c, 'node-1')!, new RegExp(`-s ${web.ip.replace(/\./g, '\\.')}/32 -p tcp -m tcp --dport 8080 -j CNI-HOSTPORT-SETMARK`));
    assert.match(portmapRules(c, 'node-1')!, /dnat name: \\"k8s-pod-network\\"/);
    assert.equal(portmapRules(c, 'node-2'), undefined);
    assert.doesNotMatch(nodeRules(c, 'node-2').iptables ?? '', /CNI-/);
  });

  it("puts the CNI-HOSTPORT-MASQ jump first in POSTROUTING of the node's merged rules, and CNI-HOSTPORT-DNAT after KUBE-SERVICES", () => {
    const { lab } = resolve(BRIDGE);
    const ipt = nodeRules(lab!.cluster!, 'node-1').iptables!;
    const lines = ipt.split('\n');
    const post = lines.filter((l) => l.startsWith('-A POSTROUTING '));
    assert.match(post[0], /-j CNI-HOSTPORT-MASQ$/);
    const pre = lines.filter((l) => l.startsWith('-A PREROUTING '));
    assert.ok(pre.findIndex((l) => l.endsWith('-j KUBE-SERVICES')) < pre.findIndex((l) => l.endsWith('-j CNI-HOSTPORT-DNAT')), pre.join('\n'));
    assert.equal(portmapFirst('*nat\n-A POSTROUTING -j A\nCOMMIT\n'), '*nat\n-A POSTROUTING -j A\nCOMMIT\n');
  });
});

describe('hostPort with kube-proxy in nftables mode, and hostIP 0.0.0.0', () => {
  it("loads portmap's chains with iptables-restore beside kube-proxy's nftables table; 0.0.0.0 means every address (no -d)", () => {
    const { lab, errors } = resolve(BRIDGE.replace('  dns: false\n', '  dns: false\n  kube-proxy: nftables\n').replace('hostIP: 192.168.56.11', 'hostIP: 0.0.0.0'));
    assert.deepEqual(errors, []);
    const r = nodeRules(lab!.cluster!, 'node-1');
    assert.match(r.nftables!, /table ip kube-proxy/);
    assert.match(r.iptables!, /-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT/);
    assert.doesNotMatch(r.iptables!, /KUBE-SERVICES/);
    assert.doesNotMatch(r.iptables!, / -d 0\.0\.0\.0/);
    assert.equal(lab!.cluster!.pods.find((p) => p.name === 'web')!.ports[1].hostIP, undefined);
  });
});

describe('hostNetwork pods', () => {
  it("live in their node's namespace with its address: no interface, no link", () => {
    const { lab, errors } = resolve(BRIDGE.replace('  dns: false\n', ''));
    assert.deepEqual(errors, []);
    const agent = lab!.nodes.find((n) => n.name === 'agent')!;
    assert.equal(agent.sharesNetnsOf, 'node-1');
    assert.equal(agent.netns, 'nsl.hp.node-1');
    assert.deepEqual(agent.interfaces, []);
    const pod = lab!.cluster!.pods.find((p) => p.name === 'agent')!;
    assert.equal(pod.hostNetwork, true);
    assert.equal(pod.ip, lab!.cluster!.nodes[0].ip);
    assert.ok(!lab!.links.some((l) => l.a.node === 'agent' || l.b.node === 'agent'));
  });

  it('are left alone by NetworkPolicy: neither isolated nor a peer', () => {
    const pods: Pod[] = [
      { name: 'web', namespace: 'default', labels: { app: 'web' }, node: 'node-1', ip: '10.244.0.2', ports: [{ port: 80, protocol: 'TCP' }], hostIf: 'vethaaaa' },
      { name: 'agent', namespace: 'default', labels: { app: 'web' }, node: 'node-1', ip: '192.168.56.11', ports: [{ port: 80, protocol: 'TCP' }], hostIf: 'eth0', hostNetwork: true },
    ];
    const text = policyRules({ node: 'node-1', pods, namespaces: { default: {} }, policies: [{ name: 'deny', namespace: 'default', podSelector: {}, policyTypes: ['Ingress'], ingress: [{ peers: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }] });
    assert.match(text, /vethaaaa/);
    assert.doesNotMatch(text, /192\.168\.56\.11|-i eth0|-o eth0/);
  });
});

describe('hostPort and hostNetwork checks: what is not a clash', () => {
  it('the same hostPort on two nodes, or on two different hostIPs of one node, or another protocol', () => {
    const { errors } = resolve(`name: hp3
cluster:
  cni: flannel-vxlan
  dns: false
  nodes: { node-1: {}, node-2: {} }
  pods:
    a: { node: node-1, ports: [{ port: 80, hostPort: 8080, hostIP: 192.168.56.11 }] }
    b: { node: node-1, ports: [{ port: 80, hostPort: 8080, hostIP: 127.0.0.1 }, { port: 81, protocol: UDP, hostPort: 8080 }] }
    c: { node: node-2, ports: [{ port: 80, hostPort: 8080 }] }
    d: { node: node-2, hostNetwork: true, ports: [9100] }
    e: { node: node-1, hostNetwork: true, ports: [9100] }
`);
    assert.deepEqual(errors.map((e) => e.message), []);
  });

  it('a hostNetwork pod with a hostPort other than its port is an error at the hostPort', () => {
    const { errors } = resolve(`name: hp4
cluster:
  cni: bridge
  dns: false
  nodes: { node-1: {} }
  pods:
    a: { hostNetwork: true, ports: [{ port: 9100, hostPort: 9101 }] }
`);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 'cluster.host-port');
    assert.equal(errors[0].pos?.line, 7);
  });
});

describe('masquerade-random-fully', () => {
  it("keeps each backend's own choice by default and sets or removes --random-fully when written", () => {
    assert.match(masqueradeRules('flannel-vxlan', '10.244.0.0/16', '10.244.0.0/24'), /-j MASQUERADE --random-fully/);
    assert.match(masqueradeRules('calico-bgp', '10.244.0.0/16', '10.244.0.0/26'), /-j MASQUERADE --random-fully/);
    assert.doesNotMatch(masqueradeRules('bridge', '10.244.0.0/16', '10.244.0.0/24'), /random-fully/);
    assert.match(masqueradeRules('bridge', '10.244.0.0/16', '10.244.0.0/24', true), /ipMasq" -j MASQUERADE --random-fully/);
    assert.doesNotMatch(masqueradeRules('flannel-vxlan', '10.244.0.0/16', '10.244.0.0/24', false), /random-fully/);
  });

  it('reaches the node\'s rules from the lab file', () => {
    const { lab } = resolve(`name: rf\ncluster:\n  cni: bridge\n  dns: false\n  masquerade-random-fully: true\n  nodes: { node-1: {} }\n  pods: { a: {} }\n`);
    assert.match(nodeRules(lab!.cluster!, 'node-1').iptables!, /-A CNI-MASQ .*-j MASQUERADE --random-fully/);
  });
});
