/**
 * What `lab status` shows of a lab besides its interfaces and routes (issue 18): BGP sessions from `birdc show
 * protocols all`, and from the resolved lab its Services with their endpoints, NetworkPolicies with the pods they
 * select, and link impairments. Pure: data in, data out; runner/lab/status.ts gathers, runner/cli formats.
 */
import { parseProtocols } from '../../assertions/birdc.ts';
import { selectPods } from '../cluster/selectors.ts';
import type { ResolvedLab } from '../model/types.ts';

export interface BgpSessionStatus {
  readonly name: string;
  readonly neighbor?: string;
  readonly as?: number;
  /** Established, Active, Connect, … (BIRD's BGP state), or the protocol's state when BIRD gives none. */
  readonly state: string;
  readonly since: string;
  readonly lastError?: string;
}
export interface BgpRouterStatus {
  readonly node: string;
  readonly sessions: readonly BgpSessionStatus[];
  /** Why there are no sessions to show (birdc did not answer, …). */
  readonly error?: string;
}
export interface ServiceStatus {
  readonly name: string;
  readonly namespace: string;
  readonly type: string;
  readonly clusterIP?: string;
  /** Dual-stack: its IPv6 ClusterIP (ipFamilies holds IPv6). */
  readonly clusterIP6?: string;
  readonly nodePorts: readonly number[];
  readonly loadBalancerIP?: string;
  readonly ports: readonly string[];
  readonly endpoints: readonly { readonly pod: string; readonly ip: string; readonly ip6?: string; readonly port: number }[];
}
export interface PolicyStatus {
  readonly name: string;
  readonly namespace: string;
  readonly types: readonly string[];
  readonly pods: readonly string[];
  /** false: the cluster's CNI enforces no NetworkPolicy (flannel without policy: canal): no rule was written. */
  readonly enforced: boolean;
}
export interface ImpairmentStatus {
  readonly node: string;
  readonly iface: string;
  readonly rateBps?: number;
  readonly lossPct?: number;
  readonly delayUs?: number;
  readonly jitterUs?: number;
}
export interface ModelStatus {
  readonly services: readonly ServiceStatus[];
  readonly policies: readonly PolicyStatus[];
  readonly impairments: readonly ImpairmentStatus[];
}

/** The BGP sessions of one router from `birdc show protocols all` (its stdout, stderr and exit code). */
export function bgpRouterStatus(node: string, r: { stdout: string; stderr: string; exitCode: number; timedOut?: boolean }): BgpRouterStatus {
  const list = parseProtocols(r.stdout);
  if (!list) {
    const why = r.timedOut ? 'birdc did not answer in time' : (r.stderr || r.stdout).trim().split('\n')[0] || `birdc exited ${r.exitCode}`;
    return { node, sessions: [], error: why };
  }
  const sessions = list
    .filter((p) => p.proto === 'BGP')
    .map((p) => ({ name: p.name, neighbor: p.neighborAddress, as: p.neighborAs, state: p.bgpState ?? p.state, since: p.since, lastError: p.lastError }));
  return { node, sessions };
}

/** Services (with endpoints), NetworkPolicies (with the pods they select) and impairments of a resolved lab. */
export function modelStatus(lab: ResolvedLab): ModelStatus {
  const c = lab.cluster;
  const services: ServiceStatus[] = (c?.services ?? []).map((s) => {
    const eps = (c?.endpoints ?? []).filter((e) => e.service.name === s.name && e.service.namespace === s.namespace);
    const seen = new Set<string>();
    const six = new Map((c?.pods ?? []).map((p) => [p.name, p.ip6]));
    const v6 = s.ipFamilies?.includes('IPv6') ?? false;
    const endpoints = eps
      .flatMap((e) => e.endpoints)
      .filter((e) => !seen.has(`${e.pod}:${e.port}`) && seen.add(`${e.pod}:${e.port}`))
      .map((e) => ({ pod: e.pod, ip: e.ip, ...(v6 && six.get(e.pod) ? { ip6: six.get(e.pod) } : {}), port: e.port }));
    return {
      name: s.name,
      namespace: s.namespace,
      type: s.type,
      clusterIP: s.clusterIP,
      ...(s.clusterIP6 ? { clusterIP6: s.clusterIP6 } : {}),
      nodePorts: s.ports.flatMap((p) => (p.nodePort !== undefined ? [p.nodePort] : [])),
      loadBalancerIP: s.loadBalancerIP,
      ports: s.ports.map((p) => `${p.port}/${p.protocol}`),
      endpoints,
    };
  });
  const inert = new Set(c?.inertPolicies ?? []);
  const policies: PolicyStatus[] = [...(c?.policies ?? []), ...inert].map((p) => ({
    name: p.name,
    namespace: p.namespace,
    types: p.policyTypes,
    pods: selectPods(c?.pods ?? [], { podSelector: p.podSelector, namespace: p.namespace }).map((x) => x.name),
    enforced: !inert.has(p),
  }));
  const impairments: ImpairmentStatus[] = lab.nodes.flatMap((n) =>
    n.interfaces.flatMap((i) => (i.impair ? [{ node: n.name, iface: i.name, rateBps: i.impair.rateBps, lossPct: i.impair.lossPct, delayUs: i.impair.delayUs, jitterUs: i.impair.jitterUs }] : [])),
  );
  return { services, policies, impairments };
}
