/**
 * The model's packet walk (issue 12) on shipped labs: each predicted walk, forward and reply, is exactly its golden
 * file (test/unit/golden/trace/*.walk.txt, `npm run goldens` rewrites them), plus the facts each case is about.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { loadLab } from '../../runner/api.ts';
import type { ResolvedLab } from '../../runner/model/types.ts';
import type { TraceFlow, TraceProto, Walk } from '../../runner/model/trace.ts';
import { predictWalk, type PredictOptions } from '../../runner/trace/predict.ts';
import { expectGolden, expectNoStrayGoldens } from './golden.ts';
import { walkText } from './trace-text.ts';

const GOLDEN = 'test/unit/golden/trace';
const labs = new Map<string, ResolvedLab>();

function lab(name: string): ResolvedLab {
  if (!labs.has(name)) labs.set(name, loadLab(join('labs', name, 'lab.yaml')).lab);
  return labs.get(name)!;
}

function flow(from: string, dst: string, proto: TraceProto, port?: number): TraceFlow {
  return { from, dst, family: dst.includes(':') ? 6 : 4, proto, ...(port !== undefined ? { port } : {}), toText: dst, target: { kind: 'address' } };
}

interface Case {
  readonly name: string;
  readonly lab: string;
  readonly flow: TraceFlow;
  readonly opts?: PredictOptions;
  readonly check: (w: Walk) => void;
}

const at = (w: Walk, dir: 'forward' | 'reply' = 'forward'): string[] => (dir === 'forward' ? w.forward : w.reply!).hops.map((h) => h.at);

const CASES: readonly Case[] = [
  {
    name: 'sidecar-outbound',
    lab: 'k8s-sidecar-interception',
    flow: flow('reviews', '10.96.0.13', 'tcp', 80),
    check: (w) => {
      // the app's connection: ISTIO_OUTPUT → ISTIO_REDIRECT → 127.0.0.1:15001, the proxy's listener
      assert.deepEqual(at(w), ['reviews']);
      assert.deepEqual(w.forward.hops[0].nat.map((n) => [n.before, n.after]), [['10.96.0.13:80', '127.0.0.1:15001']]);
      assert.deepEqual(w.forward.hops[0].rules.map((r) => [r.chain, r.verdict]), [['OUTPUT', 'jump ISTIO_OUTPUT'], ['ISTIO_OUTPUT', 'jump ISTIO_REDIRECT'], ['ISTIO_REDIRECT', 'accept']]);
      assert.equal(w.forward.hops[0].rules[2].object?.name, 'the sidecar of pod default/reviews (rules from istio-init)');
      assert.deepEqual(w.forward.verdict, { kind: 'delivered', at: 'reviews', address: '127.0.0.1', port: 15001 });
      assert.deepEqual(w.reply!.verdict, { kind: 'returned', at: 'reviews' });
      // then the proxy's own connection (uid 1337) to the original destination, let through by the uid RETURN
      const p = w.proxied!;
      assert.deepEqual([p.at, p.direction, p.uid, p.listener, p.original], ['reviews', 'outbound', 1337, 15001, '10.96.0.13:80']);
      assert.match(p.passedBy, /--uid-owner 1337 -j RETURN/);
      assert.deepEqual(at(p.walk), ['reviews', 'cni0@node-1', 'plain']);
      assert.deepEqual(p.walk.forward.hops[0].rules.map((r) => [r.chain, r.verdict]), [['OUTPUT', 'jump ISTIO_OUTPUT'], ['ISTIO_OUTPUT', 'return']]);
      assert.deepEqual(p.walk.forward.verdict, { kind: 'delivered', at: 'plain', address: '10.244.0.5', port: 80 });
      assert.equal(p.walk.proxied, undefined);
    },
  },
  {
    name: 'sidecar-inbound',
    lab: 'k8s-sidecar-interception',
    flow: flow('plain', '10.96.0.11', 'tcp', 80),
    check: (w) => {
      const last = w.forward.hops.at(-1)!;
      assert.deepEqual(last.nat.map((n) => [n.before, n.after]), [['10.244.0.3:80', '10.244.0.3:15006']]);
      assert.deepEqual(w.forward.verdict, { kind: 'delivered', at: 'reviews', address: '10.244.0.3', port: 15006 });
      // the proxy connects to the app from 127.0.0.6 (what the app sees), let through by ISTIO_OUTPUT's 127.0.0.6 RETURN
      const p = w.proxied!;
      assert.deepEqual([p.direction, p.listener, p.original, p.walk.forward.hops[0].packet?.src], ['inbound', 15006, '10.244.0.3:80', '127.0.0.6']);
      assert.deepEqual(p.walk.forward.verdict, { kind: 'delivered', at: 'reviews', address: '10.244.0.3', port: 80 });
    },
  },
  {
    name: 'sidecar-both',
    lab: 'k8s-sidecar-interception',
    flow: flow('reviews', '10.96.0.12', 'tcp', 80),
    check: (w) => {
      // reviews' sidecar, then ratings' (inbound), then ratings' app from 127.0.0.6: three connections
      assert.equal(w.proxied!.walk.forward.verdict.at, 'ratings');
      assert.equal((w.proxied!.walk.forward.verdict as { port: number }).port, 15006);
      assert.equal(w.proxied!.walk.proxied!.direction, 'inbound');
      assert.equal(w.proxied!.walk.proxied!.walk.forward.verdict.at, 'ratings');
    },
  },
  {
    name: 'sidecar-excluded-inbound-port',
    lab: 'k8s-sidecar-interception',
    flow: flow('plain', '10.96.0.12', 'tcp', 9090),
    check: (w) => {
      const last = w.forward.hops.at(-1)!;
      assert.ok(last.rules.some((r) => r.chain === 'ISTIO_INBOUND' && r.verdict === 'return'));
      assert.deepEqual(w.forward.verdict, { kind: 'delivered', at: 'ratings', address: '10.244.0.4', port: 9090 });
      assert.equal(w.proxied, undefined);
    },
  },
  {
    name: 'sidecar-proxy-uid',
    lab: 'k8s-sidecar-interception',
    flow: flow('reviews', '10.96.0.13', 'tcp', 80),
    opts: { uid: 1337 },
    check: (w) => {
      // uid 1337 is not captured: the connection goes straight to plain
      assert.deepEqual(w.forward.verdict.at, 'plain');
      assert.equal(w.proxied, undefined);
    },
  },
  {
    name: 'canary-sidecar',
    lab: 'k8s-canary',
    flow: flow('client', '10.96.0.11', 'tcp', 80),
    check: (w) => {
      assert.deepEqual(w.forward.verdict, { kind: 'delivered', at: 'client', address: '127.0.0.1', port: 15001 });
      // the VirtualService's route picks a v1 pod (90 %): the proxy connects to that pod, not to the ClusterIP
      const p = w.proxied!;
      assert.match(p.walk.notes[0], /VirtualService default\/reviews catches 10\.96\.0\.11:80/);
      assert.match(p.walk.forward.verdict.at, /^reviews-v1/);
    },
  },
  {
    name: 'ways-in-hostport',
    lab: 'k8s-ways-in',
    flow: flow('ext', '192.168.56.11', 'tcp', 8080),
    check: (w) => {
      assert.deepEqual(at(w), ['ext', 'k8s-net', 'node-1', 'web']);
      const nat = w.forward.hops.find((h) => h.at === 'node-1')!.nat;
      assert.deepEqual(nat.map((n) => [n.type, n.before, n.after]), [['dnat', '192.168.56.11:8080', '10.244.0.2:80']]);
      assert.match(w.forward.hops.find((h) => h.at === 'node-1')!.rules.map((r) => r.chain).join(' '), /CNI-DN-[0-9a-f]{21}/);
      assert.deepEqual(w.forward.verdict.kind, 'delivered');
      assert.deepEqual(w.reply!.verdict, { kind: 'returned', at: 'ext' });
    },
  },
  {
    name: 'ways-in-hostport-hairpin',
    lab: 'k8s-ways-in',
    flow: flow('web', '192.168.56.11', 'tcp', 8080),
    check: (w) => {
      const nat = w.forward.hops.find((h) => h.at === 'node-1')!.nat;
      assert.deepEqual(nat.map((n) => n.type), ['dnat', 'snat']);
      assert.equal(nat[1].after, '192.168.56.11');
      assert.deepEqual(w.reply!.verdict, { kind: 'returned', at: 'web' });
    },
  },
  {
    name: 'ways-in-hostnetwork',
    lab: 'k8s-ways-in',
    flow: flow('ext', '192.168.56.12', 'tcp', 8081),
    check: (w) => {
      assert.deepEqual(at(w), ['ext', 'k8s-net', 'node-2']);
      assert.equal(w.forward.verdict.kind, 'delivered');
      assert.deepEqual(w.forward.hops.flatMap((h) => h.nat), []);
    },
  },
  {
    name: 'routed-a1-b1-icmp',
    lab: 'routed',
    flow: flow('a1', '10.2.0.2', 'icmp'),
    check: (w) => {
      assert.deepEqual(at(w), ['a1', 'lan-a', 'r', 'lan-b', 'b1']);
      assert.deepEqual(at(w, 'reply'), ['b1', 'lan-b', 'r', 'lan-a', 'a1']);
      assert.deepEqual(w.reply!.verdict, { kind: 'returned', at: 'a1' });
    },
  },
  {
    name: 'routed-no-route',
    lab: 'routed',
    flow: flow('b2', '10.3.0.1', 'icmp'),
    check: (w) => {
      assert.deepEqual(w.forward.verdict.kind === 'dropped' && [w.forward.verdict.at, w.forward.verdict.by], ['b2', 'route']);
      assert.equal(w.reply, undefined);
    },
  },
  {
    name: 'routed-nobody-answers-arp',
    lab: 'routed',
    flow: flow('a1', '10.2.0.99', 'icmp'),
    check: (w) => {
      assert.deepEqual(w.forward.verdict.kind === 'dropped' && [w.forward.verdict.at, w.forward.verdict.by], ['r', 'unknown']);
      assert.equal(w.forward.hops.at(-1)!.out, undefined, 'the last hop leaves by nothing');
    },
  },
  {
    name: 'bridge-nat-published-port',
    lab: 'bridge-nat',
    flow: flow('internet', '203.0.113.2', 'tcp', 8080),
    check: (w) => {
      const host = w.forward.hops[1]!;
      assert.equal(host.outPort, 'h1-eth0');
      assert.deepEqual(host.nat.map((n) => [n.type, n.after, n.object?.name]), [['dnat', '172.17.0.2:80', 'nat rule 1 of host']]);
      assert.deepEqual(w.reply!.hops[1]!.nat.map((n) => [n.type, n.before, n.after]), [['dnat', '172.17.0.2:80', '203.0.113.2:8080']]);
    },
  },
  {
    // Docker's `-A DOCKER -i docker0 -j RETURN`: a container's packet to a published port is not DNATed; docker-proxy takes it
    name: 'bridge-nat-container-to-published-port',
    lab: 'bridge-nat',
    flow: flow('h2', '203.0.113.2', 'tcp', 8080),
    check: (w) => {
      assert.deepEqual(at(w), ['h2', 'host']);
      assert.deepEqual(w.forward.hops.flatMap((h) => h.nat), []);
      assert.deepEqual(w.forward.verdict, { kind: 'delivered', at: 'host', address: '203.0.113.2', port: 8080 });
    },
  },
  {
    // nat OUTPUT → DOCKER (`! -i docker0` holds for the host's own packets): DNATed to h1, which answers the host's address
    name: 'bridge-nat-host-to-own-published-port',
    lab: 'bridge-nat',
    flow: flow('host', '203.0.113.2', 'tcp', 8080),
    check: (w) => {
      assert.deepEqual(at(w), ['host', 'h1']);
      assert.deepEqual(w.forward.hops[0]!.nat.map((n) => [n.type, n.before, n.after]), [['dnat', '203.0.113.2:8080', '172.17.0.2:80']]);
      assert.equal(w.forward.hops.at(-1)!.packet?.src, '203.0.113.2');
      assert.deepEqual(w.reply!.verdict, { kind: 'returned', at: 'host' });
    },
  },
  {
    // OUTPUT's `! -d 127.0.0.0/8`: 127.0.0.1:8080 stays in the host, where docker-proxy listens
    name: 'bridge-nat-host-loopback-published-port',
    lab: 'bridge-nat',
    flow: flow('host', '127.0.0.1', 'tcp', 8080),
    check: (w) => {
      assert.deepEqual(w.forward.hops.flatMap((h) => h.nat), []);
      assert.deepEqual(w.forward.verdict, { kind: 'delivered', at: 'host', address: '127.0.0.1', port: 8080 });
    },
  },
  {
    // the masquerade is `! -o docker0`: container to container on docker0 is not translated
    name: 'bridge-nat-container-to-container',
    lab: 'bridge-nat',
    flow: flow('h2', '172.17.0.2', 'tcp', 80),
    check: (w) => {
      assert.deepEqual(at(w), ['h2', 'docker0', 'h1']);
      assert.deepEqual(w.forward.hops.flatMap((h) => h.nat), []);
    },
  },
  {
    name: 'bridge-nat-masquerade',
    lab: 'bridge-nat',
    flow: flow('h1', '203.0.113.1', 'icmp'),
    check: (w) => assert.deepEqual(w.forward.hops[1]!.nat.map((n) => [n.type, n.after]), [['snat', '203.0.113.2']]),
  },
  ...(['iptables', 'nftables'] as const).map((mode): Case => ({
    name: `k8s-services-${mode}-clusterip-other-node`,
    lab: `k8s-services-${mode}`,
    flow: flow('client', '10.96.0.11', 'tcp', 80),
    opts: { endpoint: '10.244.1.2' },
    check: (w) => {
      assert.deepEqual(at(w), ['client', 'node-1', 'k8s-net', 'node-2', 'web-2']);
      const n1 = w.forward.hops[1]!;
      // the iptables lab runs flannel-vxlan (VNI 1), the nftables lab flannel-host-gw (routed on the underlay)
      if (mode === 'iptables') assert.deepEqual([n1.out, n1.encap?.vni, w.forward.hops[3]!.decap?.vni], ['flannel.1', 1, 1]);
      else assert.deepEqual([n1.out, n1.encap, n1.route?.via], ['eth0', undefined, '192.168.56.12']);
      assert.equal(n1.nat[0]!.after, '10.244.1.2:80');
      assert.match(n1.rules[0]!.chain, mode === 'iptables' ? /^KUBE-SEP-/ : /^endpoint-/);
      assert.ok(w.notes.some((n) => n.includes('at random') && n.includes('web-1') && n.includes('web-3')));
      assert.equal(w.reply!.hops[3]!.nat[0]!.after, '10.96.0.11:80');
    },
  })),
  {
    // checked on the real kernel: br_netfilter DNATs the frame cni0 handed up and switches it to the pod's port
    name: 'k8s-services-iptables-clusterip-same-node',
    lab: 'k8s-services-iptables',
    flow: flow('client', '10.96.0.11', 'tcp', 80),
    opts: { endpoint: '10.244.0.4' },
    check: (w) => {
      assert.deepEqual(at(w), ['client', 'cni0@node-1', 'web-3']);
      const b = w.forward.hops[1]!;
      assert.deepEqual([b.type, b.in, b.out, b.nat[0]!.after], ['bridge', 'vetha7a3e029', 'veth4448cbdd', '10.244.0.4:80']);
      assert.equal(w.reply!.hops[1]!.nat[0]!.after, '10.96.0.11:80');
    },
  },
  {
    name: 'k8s-services-iptables-hairpin',
    lab: 'k8s-services-iptables',
    flow: flow('web-1', '10.96.0.11', 'tcp', 80),
    opts: { endpoint: '10.244.0.3' },
    check: (w) => {
      const b = w.forward.hops[1]!;
      assert.deepEqual([b.at, b.in, b.out], ['cni0@node-1', 'veth0761ccbe', 'veth0761ccbe']);
      assert.deepEqual(b.nat.map((n) => [n.type, n.after]), [['dnat', '10.244.0.3:80'], ['snat', '10.244.0.1']]);
      assert.deepEqual(w.reply!.verdict, { kind: 'returned', at: 'web-1' });
    },
  },
  {
    name: 'k8s-services-iptables-no-endpoints',
    lab: 'k8s-services-iptables',
    flow: flow('client', '10.96.0.15', 'tcp', 80),
    check: (w) => {
      assert.deepEqual(w.forward.verdict.kind === 'dropped' && [w.forward.verdict.by, w.forward.verdict.object?.name], ['rule', 'Service default/ghost port 80 (no endpoints)']);
      // REJECT answers with an ICMP error from node-1 (its address toward the client)
      assert.deepEqual(at(w, 'reply'), ['node-1', 'client']);
      assert.equal(w.reply!.hops[0]!.packet!.src, '10.244.0.1');
      assert.deepEqual(w.reply!.verdict, { kind: 'returned', at: 'client' });
    },
  },
  {
    name: 'k8s-services-nftables-icmp-to-clusterip',
    lab: 'k8s-services-nftables',
    flow: flow('client', '10.96.0.11', 'icmp'),
    check: (w) => {
      const v = w.forward.verdict;
      assert.ok(v.kind === 'dropped' && v.rule?.chain === 'cluster-ips-check' && v.object?.name === 'Service default/web');
      assert.equal(w.reply?.verdict.kind, 'returned');
    },
  },
  {
    name: 'k8s-networkpolicy-dropped',
    lab: 'k8s-networkpolicy',
    flow: flow('tester', '10.244.0.65', 'tcp', 5432),
    check: (w) => {
      const v = w.forward.verdict;
      assert.ok(v.kind === 'dropped');
      assert.equal(v.by, 'rule');
      assert.equal(v.object?.name, 'NetworkPolicy dev/tester-egress');
      assert.match(v.rule!.chain, /^NSL-POL-OUT-/);
      assert.ok(v.object?.pos?.line);
    },
  },
  {
    name: 'k8s-networkpolicy-allowed',
    lab: 'k8s-networkpolicy',
    flow: flow('tester', '10.244.0.2', 'tcp', 80),
    check: (w) => assert.equal(w.forward.verdict.kind, 'delivered'),
  },
  {
    name: 'k8s-networkpolicy-no-listener',
    lab: 'k8s-networkpolicy',
    flow: flow('web', '10.244.0.1', 'tcp', 80),
    check: (w) => {
      // the DNS pod serves 53 only: the kernel answers with a RST, walked back as the reply
      assert.deepEqual(w.forward.verdict.kind === 'dropped' && [w.forward.verdict.at, w.forward.verdict.by], ['coredns', 'no-listener']);
      assert.deepEqual(w.reply?.verdict, { kind: 'returned', at: 'web' });
    },
  },
  {
    name: 'k8s-nodeport-cluster',
    lab: 'k8s-nodeport-client-ip',
    flow: flow('ext', '192.168.56.12', 'tcp', 30080),
    check: (w) => {
      const n2 = w.forward.hops[2]!;
      assert.deepEqual(n2.nat.map((n) => [n.type, n.after]), [['dnat', '10.244.0.3:80'], ['snat', '10.244.1.0']]);
      assert.equal(w.forward.hops.at(-1)!.packet!.src, '10.244.1.0');
    },
  },
  {
    name: 'k8s-nodeport-local-kept-address',
    lab: 'k8s-nodeport-client-ip',
    flow: flow('ext', '192.168.56.11', 'tcp', 30081),
    check: (w) => {
      assert.deepEqual(w.forward.hops[2]!.nat.map((n) => n.type), ['dnat']);
      assert.equal(w.forward.hops.at(-1)!.packet!.src, '192.168.56.100');
    },
  },
  {
    name: 'k8s-nodeport-local-no-endpoint',
    lab: 'k8s-nodeport-client-ip',
    flow: flow('ext', '192.168.56.12', 'tcp', 30081),
    check: (w) => assert.ok(w.forward.verdict.kind === 'dropped' && w.forward.verdict.object?.name === 'Service default/web-local port 80 (no local endpoints)'),
  },
  {
    // issue 18: KUBE-EXT sends pod traffic to every endpoint under the Local policy (the kernel delivered it)
    name: 'k8s-nodeport-local-from-a-pod',
    lab: 'k8s-nodeport-client-ip',
    flow: flow('other', '192.168.56.12', 'tcp', 30081),
    check: (w) => {
      assert.equal(w.forward.verdict.kind, 'delivered');
      assert.deepEqual(w.forward.hops[1]!.nat.map((n) => [n.type, n.after]), [['dnat', '10.244.0.3:80']]);
    },
  },
  {
    name: 'k8s-calico-bgp-pod-to-pod',
    lab: 'k8s-calico-bgp',
    flow: flow('client', '10.244.0.65', 'tcp', 80),
    check: (w) => {
      assert.deepEqual(at(w), ['client', 'node-1', 'k8s-net', 'node-2', 'web-2']);
      assert.equal(w.forward.hops[1]!.route?.object?.name, '10.244.0.64/26 learned by BGP from node-2');
    },
  },
  {
    name: 'k8s-flannel-udp-tun',
    lab: 'k8s-flannel-udp',
    flow: flow('web-1', '10.244.1.2', 'icmp'),
    check: (w) => {
      assert.deepEqual(at(w), ['web-1', 'node-1', 'node-2', 'web-2']);
      assert.equal(w.forward.hops[1]!.encap?.type, 'tun');
    },
  },
  {
    name: 'docker-host-mode',
    lab: 'docker-network-modes',
    flow: flow('hostmode', '172.17.0.2', 'icmp'),
    check: (w) => {
      // a container in the host's namespace sends from there: the walk's hops name the namespace's node
      assert.deepEqual(at(w), ['dockerhost', 'web']);
      assert.deepEqual(w.reply!.verdict, { kind: 'returned', at: 'hostmode' });
      assert.ok(w.notes.some((n) => n.includes('network namespace of dockerhost')));
    },
  },
  {
    name: 'vxlan-l2-overlay',
    lab: 'vxlan-l2-overlay',
    flow: flow('h-a', '192.168.50.2', 'icmp'),
    check: (w) => {
      assert.deepEqual(at(w), ['h-a', 'br-a', 'r', 'br-b', 'h-b']);
      assert.deepEqual([w.forward.hops[1]!.encap?.vni, w.forward.hops[3]!.decap?.vni], [42, 42]);
      assert.equal(w.forward.hops[2]!.packet!.dst, '10.2.0.2');
    },
  },
  {
    name: 'ebgp-triangle',
    lab: 'ebgp-triangle',
    flow: flow('h1', '10.3.0.10', 'icmp'),
    check: (w) => assert.deepEqual(at(w), ['h1', 'r1', 'r3', 'h3']),
  },
  {
    name: 'ebgp-triangle-link-down',
    lab: 'ebgp-triangle',
    flow: flow('h1', '10.3.0.10', 'icmp'),
    opts: { downLinks: ['r1:eth1'] },
    check: (w) => {
      assert.deepEqual(at(w), ['h1', 'r1', 'r2', 'r3', 'h3']);
      assert.equal(w.forward.hops[1]!.route?.object?.name, '10.3.0.0/24 learned by BGP from r2');
    },
  },
];

describe('predicted packet walks (golden)', () => {
  it('every golden walk belongs to a case', () => expectNoStrayGoldens(GOLDEN, '.walk.txt', CASES.map((c) => `${c.name}.walk.txt`)));
  for (const c of CASES) {
    it(`${c.lab}: ${c.name}`, () => {
      const w = predictWalk(lab(c.lab), c.flow, c.opts);
      assert.equal(w.source, 'model');
      c.check(w);
      expectGolden(join(GOLDEN, `${c.name}.walk.txt`), walkText(w));
    });
  }
});
