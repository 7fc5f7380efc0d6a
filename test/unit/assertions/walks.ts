/** Hand-built packet walks (issue 12) for the path assertion's and the failure explanations' tests. */
import type { Hop, TraceFlow, TraceReport, Verdict, Walk } from '../../../runner/model/trace.ts';

export function hop(at: string, over: Partial<Hop> = {}): Hop {
  return { at, type: 'node', netns: `nsl.t.${at}`, rules: [], nat: [], ...over };
}

export function flowOf(from: string, dst: string, over: Partial<TraceFlow> = {}): TraceFlow {
  return { from, dst, family: 4, proto: 'icmp', toText: dst, target: { kind: 'address' }, ...over };
}

/** a1 → lan-a → r → lan-b → b1, delivered, answered. */
export function routedWalk(): Walk {
  const flow = flowOf('a1', '10.2.0.2', { toText: 'b1', target: { kind: 'node', node: 'b1' } });
  return {
    source: 'kernel',
    flow,
    forward: {
      hops: [hop('a1', { out: 'eth0' }), hop('lan-a', { type: 'bridge', in: 'p1', out: 'p0' }), hop('r', { in: 'eth0', out: 'eth1' }), hop('lan-b', { type: 'bridge', in: 'p0', out: 'p1' }), hop('b1', { in: 'eth0' })],
      verdict: { kind: 'delivered', at: 'b1', address: '10.2.0.2' },
    },
    reply: { hops: [hop('b1', { out: 'eth0' }), hop('r', { in: 'eth1', out: 'eth0' }), hop('a1', { in: 'eth0' })], verdict: { kind: 'returned', at: 'a1' } },
    notes: [],
  };
}

export const POLICY_DROP: Verdict = {
  kind: 'dropped',
  at: 'node-1',
  by: 'rule',
  rule: { family: 'ip', table: 'filter', chain: 'KUBE-NWPLCY-ABC', verdict: 'drop' },
  object: { kind: 'network-policy', name: 'NetworkPolicy shop/web-only-client', pos: { file: 'lab.yaml', line: 40, col: 7 } },
  reason: 'dropped in node-1, filter FORWARD, chain KUBE-NWPLCY-ABC: NetworkPolicy shop/web-only-client allows no 10.244.0.9',
};

/** client → node-0 (dnat to web-1, vxlan) → node-1: dropped by a NetworkPolicy. */
export function policyWalk(): Walk {
  const flow = flowOf('client', '10.96.0.10', { proto: 'tcp', port: 80, toText: 'shop/web', target: { kind: 'service', namespace: 'shop', name: 'web', via: 'cluster-ip' } });
  return {
    source: 'kernel',
    flow,
    forward: {
      hops: [
        hop('client', { out: 'eth0' }),
        hop('node-0', { in: 'cni0', out: 'flannel.1', nat: [{ type: 'dnat', before: '10.96.0.10:80', after: '10.244.1.5:8080' }], encap: { type: 'vxlan', dev: 'flannel.1', vni: 1, local: '192.168.0.10', remote: '192.168.0.11', port: 8472 } }),
        hop('node-1', { in: 'flannel.1', decap: { type: 'vxlan', dev: 'flannel.1', vni: 1 } }),
      ],
      verdict: POLICY_DROP,
    },
    notes: [],
  };
}

export function reportOf(kernel: Walk, over: Partial<TraceReport> = {}): TraceReport {
  return { flow: kernel.flow, kernel, differences: [], durationMs: 120, ...over };
}

/** b2 has no route: dropped where it started, with the kernel's own words. */
export function noRouteWalk(): Walk {
  return { source: 'kernel', flow: flowOf('b2', '10.9.9.9'), forward: { hops: [hop('b2')], verdict: { kind: 'dropped', at: 'b2', by: 'route', reason: 'b2 has no route to 10.9.9.9: Network is unreachable' } }, notes: [] };
}
