/** The lab objects behind netfilter rules and routes nslab generated (issue 12): a rule's chain or comment → the YAML. Pure. */
import { kubeProxyInput } from '../cluster/compile.ts';
import { proxiedServicePorts } from '../cluster/hash.ts';
import { extChain, sepChain, svcChain, svlChain } from '../cluster/kube-proxy-iptables.ts';
import { nftEndpointChain, nftExternalChain, nftLocalChain, nftServiceChain } from '../cluster/kube-proxy-nftables.ts';
import { isolatingPolicies, podChain } from '../cluster/policy.ts';
import { cniNetworkName, dnChain, sandboxId } from '../cluster/hostport.ts';
import type { ClusterResult } from '../cluster/types.ts';
import type { LabObjectRef, RouteStep, RuleHit, TraceProto } from '../model/trace.ts';
import type { ResolvedLab, ResolvedNode } from '../model/types.ts';
import { isSidecarChain, sidecarObject, sidecarPod } from './predict-sidecar.ts';
import { endpointObject, kubeProxyDecide, serviceObject } from './predict-kube-proxy.ts';
import { egressObject, kubeProxyObject, natRuleObject } from './predict-nat.ts';
import { policyOfRule } from './objects-policy.ts';
import { policiesObject, policyObject } from './predict-policy.ts';
import { routeObjectOf } from './route-object.ts';

/** The packet a rule saw, where the rule alone cannot tell the object (nftables kube-proxy's no-endpoint maps). */
export interface RulePacket {
  readonly dst: string;
  readonly dport?: number;
  readonly proto: string;
}

export interface ObjectIndex {
  /**
   * The lab object behind a rule hit in node `node`, if nslab generated the rule (or it is the user's firewall).
   * `packet` (optional) names the Service behind kube-proxy's nftables verdict maps (no endpoints, ClusterIP checks).
   */
  ruleObject(node: string, hit: RuleHit, packet?: RulePacket): LabObjectRef | undefined;
}

const NFT_MAP_CHAINS = new Set(['service-endpoints-check', 'nodeport-endpoints-check', 'reject-chain', 'cluster-ips-check']);

/** What kube-proxy decides for the packet in `node`, as the prediction does: the object of its refusal. */
function refusalObject(cluster: ClusterResult, node: string, p: RulePacket): LabObjectRef | undefined {
  const protos: readonly TraceProto[] = ['tcp', 'udp', 'icmp'];
  const proto = protos.find((x) => x === p.proto);
  if (!proto) return undefined;
  const pkt = { src: '0.0.0.0', dst: p.dst, ...(p.dport !== undefined ? { dport: p.dport } : {}), proto, family: 4 as const, ttl: 64 };
  const nodeIPs = new Set(cluster.nodes.filter((n) => n.name === node).map((n) => n.ip));
  const d = kubeProxyDecide(cluster, node, pkt, (a) => nodeIPs.has(a), false);
  return d.kind === 'refuse' ? d.object : undefined;
}

const EGRESS_CHAINS = new Set(['FLANNEL-POSTRTG', 'cali-POSTROUTING', 'cali-nat-outgoing', 'CNI-MASQ']);
const POLICY_DISPATCH = /^NSL-POL(ICY|-INGRESS|-EGRESS-OK|-IPB-)/;

/** kube-proxy's per-service chains (both modes) → the Service port or endpoint they serve. */
function kubeProxyChains(cluster: ClusterResult): Map<string, LabObjectRef> {
  const map = new Map<string, LabObjectRef>();
  const first = cluster.nodes[0];
  if (!first) return map;
  // both families' chains in a dual-stack cluster (KUBE-SEP and endpoint chains differ by the endpoint's address)
  const families = cluster.podCIDR6 && cluster.serviceCIDR6 ? ([4, 6] as const) : ([4] as const);
  for (const sp of families.flatMap((f) => proxiedServicePorts(kubeProxyInput(cluster, first.name, new Set(), f)))) {
    const svc = serviceObject(cluster, sp);
    for (const c of [svcChain(sp), extChain(sp), svlChain(sp), svcChain(sp).replace('KUBE-SVC-', 'KUBE-FW-'), nftServiceChain(sp), nftExternalChain(sp), nftLocalChain(sp)]) map.set(c, svc);
    for (const ep of sp.clusterEndpoints) {
      const obj = endpointObject(cluster, sp, ep.ip);
      map.set(sepChain(sp, ep), obj);
      map.set(nftEndpointChain(sp, ep), obj);
    }
  }
  return map;
}

/** The NetworkPolicy chains of every pod → the policies isolating it (or the one a rule's comment names). */
function policyChains(cluster: ClusterResult): Map<string, LabObjectRef> {
  const map = new Map<string, LabObjectRef>();
  for (const pod of cluster.pods) {
    for (const [dir, type] of [['IN', 'Ingress'], ['OUT', 'Egress']] as const) {
      const ps = isolatingPolicies(cluster.policies, pod, type);
      if (ps.length) map.set(podChain(pod, dir), policiesObject(cluster, ps));
    }
  }
  return map;
}

/** The tables a node's nftables firewall declares (`table inet filter` → "inet filter"). */
function firewallTables(n: ResolvedNode): Set<string> {
  const out = new Set<string>();
  for (const m of (n.firewall.nftables ?? '').matchAll(/^\s*(?:add\s+|create\s+)?table\s+(\w+)\s+([\w-]+)/gm)) out.add(`${m[1]} ${m[2]}`);
  return out;
}

/** portmap's per-pod chains (CNI-DN-<hash>) → the pod whose hostPorts they forward. */
function portmapChains(cluster: ClusterResult): Map<string, LabObjectRef> {
  const map = new Map<string, LabObjectRef>();
  for (const pod of cluster.pods) {
    const ports = pod.ports.filter((p) => p.hostPort !== undefined).map((p) => p.hostPort!);
    if (pod.hostNetwork || !ports.length) continue;
    map.set(dnChain(cniNetworkName(cluster.cni), sandboxId(pod)), { kind: 'pod', name: `hostPort${ports.length > 1 ? 's' : ''} ${ports.join(', ')} of pod ${pod.name} (portmap)`, pos: cluster.sources.get(`pod:${pod.name}`) });
  }
  return map;
}

/** Chains an iptables firewall declares (`:NAME` or `-N NAME`), and the built-in ones it adds to. */
function firewallChains(n: ResolvedNode): Set<string> {
  const text = `${n.firewall.iptables ?? ''}\n${n.firewall.ip6tables ?? ''}`;
  const out = new Set<string>();
  for (const m of text.matchAll(/^\s*(?::|-N\s+|-A\s+|-I\s+)([\w-]+)/gm)) out.add(m[1]!);
  return out;
}

/** A service port named in a kube-proxy rule's comment: "ns/name:port has no endpoints". */
function commentService(cluster: ClusterResult, rule: string | undefined): LabObjectRef | undefined {
  const m = rule ? /([\w.-]+)\/([\w.-]+)(?::([\w-]+))? has no (local )?endpoints/.exec(rule) : null;
  if (!m) return undefined;
  const sp = [4, 6].flatMap((f) => (f === 6 && !cluster.podCIDR6 ? [] : proxiedServicePorts(kubeProxyInput(cluster, cluster.nodes[0]!.name, new Set(), f as 4 | 6)))).find((s) => s.namespace === m[1] && s.serviceName === m[2] && s.portName === (m[3] ?? ''));
  return sp ? serviceObject(cluster, sp, m[4] ? ' (no local endpoints)' : ' (no endpoints)') : undefined;
}

/**
 * The Service port a kube-proxy REJECT/DROP rule refuses, read from the rule as `nft monitor trace` prints an
 * iptables-nft rule (without its comment): `ip daddr 10.96.0.15 tcp dport 80 … reject`, `fib daddr type local tcp
 * dport 30081 … drop`.
 */
function ruleTextService(cluster: ClusterResult, node: string, hit: RuleHit): LabObjectRef | undefined {
  const text = hit.rule ?? '';
  if (!/\b(reject|drop)\b/.test(`${text} ${hit.verdict}`)) return undefined;
  const dport = /\bdport (\d+)/.exec(text)?.[1];
  const proto = /\b(tcp|udp) dport/.exec(text)?.[1];
  const daddr = /\bip daddr (\d+\.\d+\.\d+\.\d+)\b/.exec(text)?.[1];
  const local = /fib daddr type local/.test(text) ? cluster.nodes.find((n) => n.name === node)?.ip : undefined;
  const dst = daddr ?? local;
  return dst && dport && proto ? refusalObject(cluster, node, { dst, dport: Number(dport), proto }) : undefined;
}

/** A NetworkPolicy named in a policy rule's comment ("policy prod/web-from-dev ingress[0]: …"). */
function commentPolicy(cluster: ClusterResult, rule: string | undefined): LabObjectRef | undefined {
  const m = rule ? /policy ([\w.-]+)\/([\w.-]+) (ingress|egress)\[/.exec(rule) : null;
  return m ? policyObject(cluster, m[1]!, m[2]!) : undefined;
}

/** The node's own `nat:` rule an iptables-nft DNAT/MASQUERADE rule is. */
function userNatObject(n: ResolvedNode, hit: RuleHit): LabObjectRef | undefined {
  // Docker's own chains (DOCKER, DOCKER-USER, DOCKER-ISOLATION-STAGE-1/2, in filter and nat) are its layout's
  const docker = n.nat.find((r) => r.type === 'docker');
  if (docker && /^DOCKER(-|$)/.test(hit.chain)) return natRuleObject(n, docker);
  // and its rules in FORWARD: the jumps to its chains, and the bridge's own (-o docker0 … ACCEPT, -i docker0 …)
  const forward = docker?.type === 'docker' && hit.table === 'filter' && hit.chain === 'FORWARD';
  if (forward && (/^(?:jump|goto) DOCKER(-|$)/.test(hit.verdict) || (hit.rule ?? '').includes(`"${docker.bridge}"`))) return natRuleObject(n, docker);
  if (hit.table !== 'nat' || !hit.rule) return undefined;
  const text = hit.rule;
  for (const r of n.nat) {
    if (r.type === 'dnat' && /dnat/i.test(text) && text.includes(String(r.port)) && text.includes(r.toAddr)) return natRuleObject(n, r);
    if (r.type === 'masquerade' && /masquerade/i.test(text) && text.includes(`"${r.out}"`) && (!r.from || text.includes(r.from))) return natRuleObject(n, r);
    if (r.type === 'docker' && /masquerade/i.test(text) && (text.includes(r.subnet) || r.publish.some((p) => text.includes(p.toAddr)))) return natRuleObject(n, r);
    if (r.type === 'docker' && /dnat/i.test(text) && r.publish.some((p) => text.includes(String(p.port)) && text.includes(p.toAddr))) return natRuleObject(n, r);
  }
  return undefined;
}

function jumpTarget(hit: RuleHit): string | undefined {
  return /^(?:jump|goto)\s+(\S+)/.exec(hit.verdict)?.[1];
}

export function objectIndex(lab: ResolvedLab): ObjectIndex {
  const cluster = lab.cluster;
  const kp = cluster ? kubeProxyChains(cluster) : new Map<string, LabObjectRef>();
  const pol = cluster ? policyChains(cluster) : new Map<string, LabObjectRef>();
  const pm = cluster ? portmapChains(cluster) : new Map<string, LabObjectRef>();
  const nodes = new Map(lab.nodes.map((n) => [n.name, n]));

  const byChain = (node: string, chain: string, hit: RuleHit): LabObjectRef | undefined => {
    if (kp.has(chain)) return kp.get(chain);
    if (pol.has(chain) && cluster) {
      const p = chain === hit.chain ? policyOfRule(cluster, node, hit) : undefined;
      return commentPolicy(cluster, hit.rule) ?? (p ? policyObject(cluster, p.namespace, p.name) : pol.get(chain));
    }
    if (!cluster) return undefined;
    if (isSidecarChain(chain)) {
      const sp = sidecarPod(cluster, node);
      if (sp) return sidecarObject(cluster, sp);
    }
    if (EGRESS_CHAINS.has(chain)) return egressObject(cluster);
    if (pm.has(chain)) return pm.get(chain);
    if (chain.startsWith('CNI-HOSTPORT-')) return { kind: 'cni', name: `the portmap plugin's hostPort rules of ${node}`, pos: cluster.pos };
    if (POLICY_DISPATCH.test(chain)) return { kind: 'network-policy', name: `the NetworkPolicy rules of ${node}`, pos: cluster.pos };
    if (chain.startsWith('KUBE-') || (hit.table === 'kube-proxy' && chain === hit.chain)) return commentService(cluster, hit.rule) ?? ruleTextService(cluster, node, hit) ?? kubeProxyObject(cluster, node);
    return undefined;
  };

  return {
    ruleObject(node, hit, packet) {
      const n = nodes.get(node);
      if (cluster && packet && hit.table === 'kube-proxy' && NFT_MAP_CHAINS.has(hit.chain)) {
        const o = refusalObject(cluster, node, packet);
        if (o) return o;
      }
      const target = jumpTarget(hit);
      const own = byChain(node, hit.chain, hit);
      // a dispatching rule (KUBE-SERVICES → KUBE-SVC-…, NSL-POL-INGRESS → NSL-POL-IN-…) is about where it jumps
      const generic = own === undefined || own.kind === 'kube-proxy' || own.name.startsWith('the NetworkPolicy rules');
      const viaTarget = target && generic ? byChain(node, target, { ...hit, chain: target }) : undefined;
      if (viaTarget && viaTarget.kind !== 'kube-proxy') return viaTarget;
      if (own) return own;
      if (viaTarget) return viaTarget;
      if (!n) return undefined;
      const nat = userNatObject(n, hit);
      if (nat) return nat;
      if (firewallTables(n).has(`${hit.family} ${hit.table}`) || ((n.firewall.iptables || n.firewall.ip6tables) && firewallChains(n).has(hit.chain))) {
        return { kind: 'firewall', name: `the firewall of node ${node}`, pos: n.firewallPos ?? n.pos };
      }
      return undefined;
    },
  };
}

/** The lab object behind a route a node used: its address (connected), its `routes:` entry, or BGP (from which peer). */
export function routeObject(lab: ResolvedLab, node: string, route: RouteStep): LabObjectRef | undefined {
  return routeObjectOf(lab, node, route);
}
