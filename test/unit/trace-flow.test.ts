/**
 * `lab trace FROM TO` resolved against a lab (runner/trace/flow.ts, issue 12): every kind of TO on the shipped labs,
 * and every bad input with its exact message and hint. Pure: no root.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { checkLab, loadLab } from '../../runner/api.ts';
import { parseLabText } from '../../runner/config/load.ts';
import type { ResolvedLab } from '../../runner/model/types.ts';
import type { FlowRequest, TraceFlow } from '../../runner/model/trace.ts';
import { resolveFlow } from '../../runner/trace/flow.ts';

const ROOT = join(import.meta.dirname, '../..');
const shipped = (name: string): ResolvedLab => loadLab(join(ROOT, 'labs', name, 'lab.yaml')).lab;

function inline(text: string): ResolvedLab {
  const r = checkLab(parseLabText('/tmp/trace-flow.lab.yaml', text));
  assert.ok(r.lab, r.diagnostics.map((d) => d.message).join('\n'));
  return r.lab;
}

function ok(lab: ResolvedLab, req: FlowRequest): TraceFlow {
  const r = resolveFlow(lab, req);
  assert.ok(r.ok, `${req.from} → ${req.to}: ${r.ok ? '' : `${r.message} (${r.hint})`}`);
  return r.flow;
}

function bad(lab: ResolvedLab, req: FlowRequest): { message: string; hint?: string } {
  const r = resolveFlow(lab, req);
  assert.ok(!r.ok, `${req.from} → ${req.to} resolved to ${JSON.stringify(r.ok && r.flow)}`);
  return { message: r.message, hint: r.hint };
}

/** A lab with an IPv6-only node, a dual-stack one and an IPv4-only one. */
const FAMILIES = `
name: trace-families
nodes:
  v4: { interfaces: { eth0: { addresses: [10.0.0.1/24] } } }
  dual: { interfaces: { eth0: { addresses: [10.0.0.2/24] }, eth1: { addresses: ["fd00::2/64"] } } }
  v6: { interfaces: { eth0: { addresses: ["fd00::3/64"] } } }
links:
  - [v4:eth0, dual:eth0]
  - [dual:eth1, v6:eth0]
`;

describe('trace: FROM and TO (resolveFlow)', () => {
  const routed = shipped('routed');
  const svcs = shipped('k8s-services-iptables');
  const np = shipped('k8s-nodeport-client-ip');

  it('a node: the address FROM reaches directly (as tests\' to:), icmp by default, the source on the shared subnet', () => {
    const b1 = routed.nodes.find((n) => n.name === 'b1')!.interfaces.find((i) => i.name === 'eth0')!.addresses[0].split('/')[0];
    const f = ok(routed, { from: 'a1', to: 'b1' });
    assert.deepEqual(f, { from: 'a1', dst: b1, family: 4, proto: 'icmp', toText: 'b1', target: { kind: 'node', node: 'b1' } });
    const r = routed.nodes.find((n) => n.name === 'r')!;
    const near = ok(routed, { from: 'a1', to: 'r' });
    assert.equal(near.dst, '10.1.0.1', 'r seen from a1 is its address on lan-a');
    assert.ok(near.src?.startsWith('10.1.0.'), `a1 sends from its lan-a address, not ${near.src}`);
    assert.ok(r.interfaces.some((i) => i.addresses.some((a) => a.startsWith('10.1.0.1/'))));
  });

  it('node:iface, an address (and the node that has it), address:port and node:PORT (tcp)', () => {
    assert.deepEqual(ok(routed, { from: 'a1', to: 'r:eth1' }).target, { kind: 'node', node: 'r', iface: 'eth1' });
    const a = ok(routed, { from: 'a1', to: '10.2.0.1' });
    assert.deepEqual([a.dst, a.proto, a.target], ['10.2.0.1', 'icmp', { kind: 'address', node: 'r' }]);
    assert.deepEqual(ok(routed, { from: 'a1', to: '192.0.2.9' }).target, { kind: 'address' }, 'an address no node has');
    const ap = ok(routed, { from: 'a1', to: '10.2.0.1:80' });
    assert.deepEqual([ap.dst, ap.port, ap.proto], ['10.2.0.1', 80, 'tcp']);
    const np2 = ok(routed, { from: 'a1', to: 'b1:8080', proto: 'udp' });
    assert.deepEqual([np2.port, np2.proto, np2.target], [8080, 'udp', { kind: 'node', node: 'b1' }]);
    assert.equal(ok(routed, { from: 'a1', to: 'b1', port: 22 }).proto, 'tcp', 'a port without --proto is tcp');
  });

  it('a pod by name or namespace/name, as FROM and as TO', () => {
    const byName = ok(svcs, { from: 'client', to: 'web-2' });
    const byKey = ok(svcs, { from: 'default/client', to: 'default/web-2' });
    assert.deepEqual({ ...byKey, toText: 'web-2' }, byName);
    assert.equal(byName.from, 'client');
    assert.deepEqual(byName.target, { kind: 'node', node: 'web-2' });
    assert.equal(byName.dst, svcs.cluster!.pods.find((p) => p.name === 'web-2')!.ip);
  });

  it('a Service by name, namespace/name, svc/name and ClusterIP[:port]: its ClusterIP, its only port, its protocol', () => {
    const want = { dst: '10.96.0.11', port: 80, proto: 'tcp', target: { kind: 'service', namespace: 'default', name: 'web', via: 'cluster-ip' } };
    for (const to of ['web', 'default/web', 'svc/web', 'svc/default/web', '10.96.0.11', '10.96.0.11:80']) {
      const f = ok(svcs, { from: 'client', to });
      assert.deepEqual({ dst: f.dst, port: f.port, proto: f.proto, target: f.target }, want, to);
    }
    const udp = ok(svcs, { from: 'client', to: 'svc/echo' });
    assert.deepEqual([udp.port, udp.proto], [53, 'udp'], "a UDP Service port's protocol");
    assert.equal(ok(svcs, { from: 'client', to: 'api', port: 9090 }).port, 9090, '--port picks one of several');
    assert.equal(ok(svcs, { from: 'client', to: '10.96.0.13:9090' }).port, 9090);
    // a ping to a Service: kube-proxy forwards none, and what happens instead is the lesson
    for (const to of ['web', '10.96.0.11']) {
      const f = ok(svcs, { from: 'client', to, proto: 'icmp' });
      assert.deepEqual([f.dst, f.port, f.proto, f.target.kind], ['10.96.0.11', undefined, 'icmp', 'service'], to);
    }
    assert.equal(ok(svcs, { from: 'client', to: 'api', proto: 'icmp' }).proto, 'icmp', 'no port to choose for a ping');
  });

  it('a NodePort: node:NODEPORT and <node address>:<nodePort>, to the node\'s address', () => {
    for (const to of ['node-1:30080', '192.168.56.11:30080']) {
      const f = ok(np, { from: 'ext', to });
      assert.deepEqual([f.dst, f.port, f.proto, f.target], ['192.168.56.11', 30080, 'tcp', { kind: 'service', namespace: 'default', name: 'web-cluster', via: 'node-port', node: 'node-1' }], to);
    }
    assert.equal(ok(np, { from: 'ext', to: 'node-2:30081' }).target.kind, 'service');
    for (const to of ['node-1', '192.168.56.11']) assert.deepEqual(ok(np, { from: 'ext', to, port: 30080 }).target, { kind: 'service', namespace: 'default', name: 'web-cluster', via: 'node-port', node: 'node-1' }, `${to} --port 30080`);
    assert.deepEqual(ok(np, { from: 'ext', to: 'node-1', port: 22 }).target, { kind: 'node', node: 'node-1' }, 'a port no Service has on the node is the node\'s own');
  });

  it('a LoadBalancer address', () => {
    const bgp = shipped('k8s-calico-rr');
    const lb = bgp.cluster!.services.find((s) => s.loadBalancerIP);
    assert.ok(lb, 'k8s-calico-rr has a LoadBalancer Service');
    const from = bgp.nodes.find((n) => !bgp.cluster!.nodes.some((c) => c.name === n.name) && !bgp.cluster!.pods.some((p) => p.name === n.name))!.name;
    const f = ok(bgp, { from, to: lb.loadBalancerIP! });
    assert.deepEqual(f.target, { kind: 'service', namespace: lb.namespace, name: lb.name, via: 'load-balancer' });
    assert.equal(f.dst, lb.loadBalancerIP);
  });

  it('IPv6: a dual-stack node is reached in the family FROM has; [v6]:port', () => {
    const lab = inline(FAMILIES);
    assert.deepEqual([ok(lab, { from: 'v6', to: 'dual' }).dst, ok(lab, { from: 'v6', to: 'dual' }).family], ['fd00::2', 6]);
    assert.equal(ok(lab, { from: 'v4', to: 'dual' }).dst, '10.0.0.2');
    const p = ok(lab, { from: 'dual', to: '[fd00::3]:443' });
    assert.deepEqual([p.dst, p.port, p.proto, p.family], ['fd00::3', 443, 'tcp', 6]);
  });

  it('bad input: one message and a hint each', () => {
    const lab = inline(FAMILIES);
    const cases: [ResolvedLab, FlowRequest, string, string | undefined][] = [
      [routed, { from: 'a3', to: 'b1' }, 'unknown FROM "a3": lab routed has no node or pod of that name', 'did you mean "a1"? nodes: r, a1, a2, b1, b2'],
      [svcs, { from: 'clinet', to: 'web' }, 'unknown FROM "clinet": lab k8s-services-iptables has no node or pod of that name', 'did you mean "client"?'],
      [routed, { from: 'a1', to: 'bb1' }, 'unknown TO "bb1": lab routed has no node of that name, and it is no address', 'did you mean "b1"? nodes: r, a1, a2, b1, b2 (TO is a node, node:iface, node:PORT or an address)'],
      [svcs, { from: 'client', to: 'wbe' }, 'unknown TO "wbe": lab k8s-services-iptables has no node, pod or Service of that name, and it is no address', 'did you mean "web"?'],
      [svcs, { from: 'client', to: 'svc/nope' }, 'unknown TO "svc/nope": the cluster has no Service nope', 'Services: kube-system/kube-dns, default/web'],
      [routed, { from: 'a1', to: 'svc/web' }, 'TO "svc/web" names a Service, and lab routed has no cluster', 'trace to a node, node:iface or an address'],
      [routed, { from: 'a1', to: 'r:eth9' }, 'TO "r:eth9": node r has no interface eth9', 'its interfaces: eth0, eth1'],
      [routed, { from: 'a1', to: 'b1', port: 80, proto: 'icmp' }, '--port 80 with --proto icmp: ICMP has no ports', 'leave --port out to trace a ping, or use --proto tcp (or udp)'],
      [routed, { from: 'a1', to: 'b1', port: 0 }, 'port 0 is out of range: a port is a whole number from 1 to 65535', 'e.g. --port 80'],
      [routed, { from: 'a1', to: 'b1', port: 70000 }, 'port 70000 is out of range: a port is a whole number from 1 to 65535', 'e.g. --port 80'],
      [routed, { from: 'a1', to: '10.2.0.1:99999' }, 'port 99999 in TO 10.2.0.1:99999 is out of range: a port is a whole number from 1 to 65535', undefined],
      [routed, { from: 'a1', to: 'b1', proto: 'sctp' as 'tcp' }, 'unknown protocol "sctp": --proto is tcp, udp or icmp', 'leave --proto out: icmp without a port, tcp with --port'],
      [routed, { from: 'a1', to: 'b1', proto: 'udp' }, '--proto udp needs a port', 'add --port N (e.g. --port 53), or leave --proto out to trace a ping'],
      [routed, { from: 'a1', to: '10.2.0.1:80', port: 81 }, 'TO 10.2.0.1:80 names port 80, and --port says 81', 'give the port once'],
      [svcs, { from: 'client', to: 'api' }, 'Service default/api has 2 ports (http 80/TCP, metrics 9090/TCP): say which', 'add --port 80'],
      [svcs, { from: 'client', to: 'kube-dns' }, 'Service kube-system/kube-dns has 2 ports (dns 53/UDP, dns-tcp 53/TCP): say which', 'add --port 53 --proto udp'],
      [svcs, { from: 'client', to: 'web', port: 8080 }, 'Service default/web has no port 8080', 'its ports: 80/TCP'],
      [svcs, { from: 'client', to: '10.96.0.11:80', proto: 'icmp' }, 'port 80 with icmp: ICMP has no ports', 'leave the port out to trace a ping, or add --proto tcp (or udp)'],
      [svcs, { from: 'client', to: 'web-headless' }, 'Service default/web-headless is headless (clusterIP: None): it has no address of its own', 'its name resolves to the pods themselves: trace to one of them'],
      [svcs, { from: 'client', to: 'echo' }, 'TO "echo" names both the pod echo and the Service default/echo', 'write svc/echo for the Service, or echo:eth0 for the pod'],
      [np, { from: 'ext', to: 'node-1:30099' }, 'TO node-1:30099: no Service has node port 30099', 'node ports in this cluster: 30080 (default/web-cluster), 30081 (default/web-local)'],
      [routed, { from: 'a1', to: 'a1' }, "TO a1 is a1's own address (10.1.0.2): the packet would go over a1's lo and never leave it, so there is no path to walk", 'trace from another node to a1, or to another node from a1'],
      [routed, { from: 'a1', to: '127.0.0.1' }, "TO 127.0.0.1 is a loopback address: the packet would go over a1's lo and never leave it, so there is no path to walk", 'trace from another node to a1, or to another node from a1'],
      [lab, { from: 'v4', to: 'fd00::3' }, 'v4 has no IPv6 address, and TO fd00::3 is IPv6 (fd00::3)', 'trace to an IPv4 address of it, or give v4 an IPv6 address'],
      [lab, { from: 'v4', to: 'v6' }, 'v4 has no IPv6 address, and TO v6 is IPv6 (fd00::3)', 'trace to an IPv4 address of it, or give v4 an IPv6 address'],
    ];
    for (const [l, req, message, hint] of cases) {
      const got = bad(l, req);
      assert.equal(got.message, message, `${req.from} → ${req.to}`);
      if (hint === undefined) assert.equal(got.hint, undefined, `${req.from} → ${req.to}: no hint`);
      else assert.ok(got.hint?.startsWith(hint), `${req.from} → ${req.to}: hint ${JSON.stringify(got.hint)} starts with ${JSON.stringify(hint)}`);
    }
  });
});
