/** objectIndex and routeObject (issue 12): the lab object behind a rule the kernel tracer saw, and behind a route. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { loadLab } from '../../runner/api.ts';
import { proxiedServicePorts } from '../../runner/cluster/hash.ts';
import { kubeProxyInput } from '../../runner/cluster/compile.ts';
import { extChain, sepChain, svcChain } from '../../runner/cluster/kube-proxy-iptables.ts';
import { nftEndpointChain, nftServiceChain } from '../../runner/cluster/kube-proxy-nftables.ts';
import { podChain } from '../../runner/cluster/policy.ts';
import { dnChain, sandboxId } from '../../runner/cluster/hostport.ts';
import type { ResolvedLab } from '../../runner/model/types.ts';
import type { RuleHit } from '../../runner/model/trace.ts';
import { objectIndex, routeObject } from '../../runner/trace/objects.ts';
import { predictWalk } from '../../runner/trace/predict.ts';

const load = (name: string): ResolvedLab => loadLab(join('labs', name, 'lab.yaml')).lab;
const hit = (h: Partial<RuleHit> & { chain: string }): RuleHit => ({ family: 'ip', table: 'nat', verdict: 'accept', ...h });

describe('objectIndex: the lab object behind a rule', () => {
  const ipt = load('k8s-services-iptables');
  const web = proxiedServicePorts(kubeProxyInput(ipt.cluster!, 'node-1')).find((s) => s.serviceName === 'web')!;
  const idx = objectIndex(ipt);

  it("kube-proxy's iptables chains: the Service port, the endpoint's pod", () => {
    assert.equal(idx.ruleObject('node-1', hit({ chain: svcChain(web) }))?.name, 'Service default/web port 80');
    assert.equal(idx.ruleObject('node-1', hit({ chain: extChain(web) }))?.name, 'Service default/web port 80');
    const ep = web.clusterEndpoints.find((e) => e.ip === '10.244.1.2')!;
    const o = idx.ruleObject('node-1', hit({ chain: sepChain(web, ep), verdict: 'accept' }));
    assert.equal(o?.name, 'endpoint pod web-2 of Service default/web port 80');
    assert.ok(o?.pos?.line, 'the pod has a YAML place');
  });

  it('a dispatching rule is about where it jumps; a generic kube-proxy chain is kube-proxy', () => {
    assert.equal(idx.ruleObject('node-1', hit({ chain: 'KUBE-SERVICES', verdict: `jump ${svcChain(web)}` }))?.name, 'Service default/web port 80');
    assert.equal(idx.ruleObject('node-1', hit({ chain: 'KUBE-MARK-MASQ' }))?.kind, 'kube-proxy');
  });

  it("portmap's chains: CNI-DN-<hash> is the pod whose hostPort it forwards, CNI-HOSTPORT-* the node's portmap rules", () => {
    const ways = load('k8s-ways-in');
    const w = objectIndex(ways);
    const chain = dnChain('k8s-pod-network', sandboxId({ namespace: 'default', name: 'web' }));
    const o = w.ruleObject('node-1', hit({ chain }));
    assert.equal(o?.name, 'hostPort 8080 of pod web (portmap)');
    assert.ok(o?.pos?.line);
    assert.equal(w.ruleObject('node-1', hit({ chain: 'CNI-HOSTPORT-MASQ' }))?.name, "the portmap plugin's hostPort rules of node-1");
  });

  it("a REJECT for a port without endpoints names the Service from the rule's comment", () => {
    const rule = 'ip daddr 10.96.0.15 tcp dport 80 counter packets 1 bytes 60 reject comment "default/ghost has no endpoints"';
    assert.equal(idx.ruleObject('node-1', hit({ table: 'filter', chain: 'KUBE-SERVICES', rule, verdict: 'reject' }))?.name, 'Service default/ghost port 80 (no endpoints)');
  });

  it('a REJECT/DROP as nft monitor trace prints it (no comment) names the Service from its match', () => {
    const reject = hit({ table: 'filter', chain: 'KUBE-SERVICES', rule: 'meta l4proto tcp ip daddr 10.96.0.15 tcp dport 80 counter reject', verdict: 'drop' });
    assert.equal(idx.ruleObject('node-1', reject)?.name, 'Service default/ghost port 80 (no endpoints)');
    const np = objectIndex(load('k8s-nodeport-client-ip'));
    const drop = hit({ table: 'filter', chain: 'KUBE-EXTERNAL-SERVICES', rule: 'meta l4proto tcp fib daddr type local tcp dport 30081 counter drop', verdict: 'drop' });
    assert.equal(np.ruleObject('node-2', drop)?.name, 'Service default/web-local port 80 (no local endpoints)');
  });

  it("kube-proxy's nftables chains", () => {
    const nft = load('k8s-services-nftables');
    const sp = proxiedServicePorts(kubeProxyInput(nft.cluster!, 'node-1')).find((s) => s.serviceName === 'web')!;
    const i = objectIndex(nft);
    assert.equal(i.ruleObject('node-1', hit({ table: 'kube-proxy', chain: 'services', verdict: `goto ${nftServiceChain(sp)}` }))?.name, 'Service default/web port 80');
    assert.equal(i.ruleObject('node-1', hit({ table: 'kube-proxy', chain: nftEndpointChain(sp, sp.clusterEndpoints[0]!) }))?.name, 'endpoint pod web-1 of Service default/web port 80');
  });

  it("nftables' no-endpoint verdict maps name the Service from the packet, as the prediction does", () => {
    const i = objectIndex(load('k8s-services-nftables'));
    const reject = hit({ table: 'kube-proxy', chain: 'reject-chain', verdict: 'reject' });
    assert.equal(i.ruleObject('node-1', reject, { dst: '10.96.0.15', dport: 80, proto: 'tcp' })?.name, 'Service default/ghost port 80 (no endpoints)');
    assert.equal(i.ruleObject('node-1', reject)?.kind, 'kube-proxy');
  });

  it("NetworkPolicy chains: the pod's isolating policies, or the one the rule's comment names, with the YAML place", () => {
    const np = load('k8s-networkpolicy');
    const i = objectIndex(np);
    const webPod = np.cluster!.pods.find((p) => p.name === 'web')!;
    const drop = i.ruleObject('node-1', hit({ table: 'filter', chain: podChain(webPod, 'IN'), verdict: 'drop' }));
    assert.equal(drop?.name, 'NetworkPolicy prod/default-deny-ingress, prod/web-from-dev, prod/web-from-node-1-pods');
    assert.equal(drop?.pos?.line, np.cluster!.sources.get('policy:prod/default-deny-ingress')!.line);
    const rule = '-s 10.244.0.66/32 comment "policy prod/web-from-dev ingress[0]: from[0] pod dev/dev-web, all ports"';
    assert.equal(i.ruleObject('node-1', hit({ table: 'filter', chain: podChain(webPod, 'IN'), rule }))?.name, 'NetworkPolicy prod/web-from-dev');
    assert.equal(i.ruleObject('node-1', hit({ table: 'filter', chain: 'NSL-POL-INGRESS', verdict: `jump ${podChain(webPod, 'IN')}` }))?.kind, 'network-policy');
    // as nft monitor trace prints it (no comment): matched to the generated rule by addresses, port and verdict
    const tester = np.cluster!.pods.find((p) => p.name === 'tester')!;
    const seen = hit({ table: 'filter', chain: podChain(tester, 'OUT'), rule: 'ip daddr 10.244.0.2 meta l4proto tcp tcp dport 80 counter packets 0 bytes 0', verdict: 'jump NSL-POL-EGRESS-OK' });
    assert.equal(i.ruleObject('node-1', seen)?.name, 'NetworkPolicy dev/tester-egress');
    const fromBlock = hit({ table: 'filter', chain: podChain(webPod, 'IN'), rule: 'ip saddr 10.244.0.0/16 counter packets 0 bytes 0', verdict: 'jump NSL-POL-IPB-X' });
    assert.equal(i.ruleObject('node-1', fromBlock)?.kind, 'network-policy');
  });

  it("nslab's NAT rules of a node: nat rule N with its YAML place", () => {
    // bridge-nat's host with the two plain rules it had before Docker's layout (issue 16.2)
    const docker = load('bridge-nat');
    const pos = docker.nodes.find((n) => n.name === 'host')!.pos;
    const plain = [
      { type: 'masquerade' as const, out: 'eth0', from: '172.17.0.0/16', pos: { ...pos, line: 1 } },
      { type: 'dnat' as const, in: 'eth0', proto: 'tcp' as const, port: 8080, toAddr: '172.17.0.2', toPort: 80, pos: { ...pos, line: 2 } },
    ];
    const bn = { ...docker, nodes: docker.nodes.map((n) => (n.name === 'host' ? { ...n, nat: plain } : n)) };
    const i = objectIndex(bn);
    const dnat = i.ruleObject('host', hit({ chain: 'PREROUTING', rule: 'iifname "eth0" meta l4proto tcp tcp dport 8080 counter packets 1 bytes 60 dnat to 172.17.0.2:80' }));
    assert.equal(dnat?.name, 'nat rule 2 of host');
    assert.equal(dnat?.pos, bn.nodes.find((n) => n.name === 'host')!.nat[1]!.pos);
    const masq = i.ruleObject('host', hit({ chain: 'POSTROUTING', rule: 'oifname "eth0" ip saddr 172.17.0.0/16 counter packets 1 bytes 84 masquerade' }));
    assert.equal(masq?.name, 'nat rule 1 of host');
    const own = objectIndex(docker).ruleObject('host', hit({ chain: 'DOCKER', rule: 'iifname != "docker0" meta l4proto tcp tcp dport 8080 counter packets 1 bytes 60 dnat to 172.17.0.2:80' }));
    assert.equal(own?.name, 'nat rule 1 of host', "Docker's layout is one rule");
  });

  it("the cluster's egress masquerade chains are the cluster's CNI", () => {
    assert.equal(idx.ruleObject('node-1', hit({ chain: 'FLANNEL-POSTRTG', verdict: 'return' }))?.kind, 'cni');
  });

  it("the user's firewall: its table, with the firewall's YAML place; other rules are nobody's", () => {
    const routed = load('routed');
    const pos = routed.nodes[0]!.pos;
    const lab: ResolvedLab = { ...routed, nodes: routed.nodes.map((n) => (n.name === 'r' ? { ...n, firewall: { nftables: 'table inet filter {\n  chain forward {\n  }\n}\n' }, firewallPos: pos } : n)) };
    const i = objectIndex(lab);
    assert.deepEqual(i.ruleObject('r', hit({ family: 'inet', table: 'filter', chain: 'forward', verdict: 'drop' })), { kind: 'firewall', name: 'the firewall of node r', pos });
    assert.equal(i.ruleObject('r', hit({ family: 'inet', table: 'other', chain: 'forward' })), undefined);
    const w = predictWalk(lab, { from: 'a1', dst: '10.2.0.2', family: 4, proto: 'icmp', toText: 'b1', target: { kind: 'node', node: 'b1' } });
    assert.ok(w.notes.includes('the firewall of node r is not modeled'));
  });
});

describe('routeObject: the lab object behind a route', () => {
  it('a connected route is an address, a static route its routes: entry, a local route the address', () => {
    const routed = load('routed');
    assert.equal(routeObject(routed, 'r', { dst: '10.2.0.0/24', table: 'main', dev: 'eth1', protocol: 'kernel' })?.name, 'address 10.2.0.1/24 of r:eth1');
    const a1 = routed.nodes.find((n) => n.name === 'a1')!;
    assert.deepEqual(routeObject(routed, 'a1', { dst: 'default', table: 'main', via: '10.1.0.1' }), { kind: 'route', name: 'route default via 10.1.0.1 of a1', pos: a1.routes[0]!.pos });
    assert.equal(routeObject(routed, 'b1', { dst: '10.2.0.2', table: 'local', type: 'local' })?.name, 'address 10.2.0.2/24 of b1:eth0');
  });

  it('a BGP route: learned from the peer its next hop belongs to (also after a failure)', () => {
    const tri = load('ebgp-triangle');
    assert.equal(routeObject(tri, 'r1', { dst: '10.3.0.0/24', table: 'main', via: '10.0.13.3', protocol: 'bird' })?.name, '10.3.0.0/24 learned by BGP from r3');
    assert.equal(routeObject(tri, 'r1', { dst: '10.3.0.0/24', table: 'main', via: '10.0.12.2', protocol: 'bird' })?.name, '10.3.0.0/24 learned by BGP from r2');
    // as the kernel tracer reads it from `ip route get` after r1:eth1 went down: no protocol, the other next hop
    assert.equal(routeObject(tri, 'r1', { dst: '10.3.0.0/24', table: 'main', via: '10.0.12.2', dev: 'eth0' })?.name, '10.3.0.0/24 learned by BGP from r2');
    assert.equal(routeObject(tri, 'r1', { dst: '10.3.0.10', table: 'main', via: '10.0.13.3' })?.kind, 'bgp');
  });
});
