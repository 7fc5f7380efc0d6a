/**
 * kube-proxy's nftables mode, as rules: the transaction kube-proxy's syncProxyRules sends to `nft -f -` on a full
 * sync (pkg/proxy/nftables/proxier.go, the Kubernetes 1.31-era layout, written in knftables' one-command-a-line
 * form), so that `nft list table ip kube-proxy` in a node's namespace shows what it shows on a real node: the
 * `services` chain dispatching through the `service-ips` / `service-nodeports` verdict maps to
 * `service-<hash>-ns/name/proto/port` chains, `numgen random mod N vmap { … }` to `endpoint-<hash>-…` chains (DNAT),
 * `external-…` / `local-…` chains for externalTrafficPolicy, `mark-for-masquerade` / `masquerading`, and the
 * `no-endpoint-services` / `no-endpoint-nodeports` maps that drop or reject.
 *
 * Differences from the real thing, all deliberate:
 * - The text starts with `add table` + `delete table` so that loading it replaces the whole table atomically
 *   (kube-proxy instead flushes what it owns); the flushes of freshly created chains and maps are left out.
 * - Base-chain priorities are numbers: kube-proxy writes `dstnat - 10`, `dstnat + 10`, `dstnat`, `srcnat`, but
 *   nftables 1.0.6 accepts the name `dstnat` only on the prerouting hook. The values are the same
 *   (dstnat = -100, srcnat = 100), and `nft list` prints the names back where they apply.
 * - NodePorts answer on the node's own addresses (`nodeport-ips`), which is kube-proxy's nftables default
 *   (--nodeport-addresses primary).
 * - Services in a fixed order (namespace, name, port); the local-traffic detector is the cluster CIDR.
 */
import { nftHashAndTruncate, proxiedServicePorts, type ProxiedEndpoint, type ProxiedServicePort } from './hash.ts';
import { MASQUERADE_MARK } from './kube-proxy-iptables.ts';
import type { KubeProxyInput } from './types.ts';

export interface NftablesOptions {
  /** kube-proxy's --masquerade-all. Default false. */
  readonly masqueradeAll?: boolean;
}

export const NFT_TABLE = 'kube-proxy';
const T = `ip ${NFT_TABLE}`;

function chainBase(sp: ProxiedServicePort): string {
  return nftHashAndTruncate(`${sp.namespace}/${sp.serviceName}/${sp.protocol}/${sp.portName}`);
}
function endpointBase(sp: ProxiedServicePort, ep: ProxiedEndpoint): string {
  return nftHashAndTruncate(`${sp.namespace}/${sp.serviceName}/${sp.protocol}/${sp.portName}__${ep.ip}/${ep.port}`);
}
export function nftServiceChain(sp: ProxiedServicePort): string {
  return `service-${chainBase(sp)}`;
}
export function nftLocalChain(sp: ProxiedServicePort): string {
  return `local-${chainBase(sp)}`;
}
export function nftExternalChain(sp: ProxiedServicePort): string {
  return `external-${chainBase(sp)}`;
}
export function nftEndpointChain(sp: ProxiedServicePort, ep: ProxiedEndpoint): string {
  return `endpoint-${endpointBase(sp, ep)}`;
}
export function nftAffinitySet(sp: ProxiedServicePort, ep: ProxiedEndpoint): string {
  return `affinity-${endpointBase(sp, ep)}`;
}

/** Base chains: name, type, hook, priority (dstnat = -100, srcnat = 100). */
const BASE_CHAINS: readonly (readonly [string, string, string, number])[] = [
  ['filter-prerouting', 'filter', 'prerouting', -110],
  ['filter-input', 'filter', 'input', -110],
  ['filter-forward', 'filter', 'forward', -110],
  ['filter-output', 'filter', 'output', -110],
  ['filter-output-post-dnat', 'filter', 'output', -90],
  ['nat-prerouting', 'nat', 'prerouting', -100],
  ['nat-output', 'nat', 'output', -100],
  ['nat-postrouting', 'nat', 'postrouting', 100],
];

/** nftablesJumpChains: destination, source, extra match. */
const JUMP_CHAINS: readonly (readonly [string, string, string])[] = [
  ['nodeport-endpoints-check', 'filter-input', 'ct state new'],
  ['service-endpoints-check', 'filter-input', 'ct state new'],
  ['service-endpoints-check', 'filter-forward', 'ct state new'],
  ['service-endpoints-check', 'filter-output', 'ct state new'],
  ['firewall-check', 'filter-prerouting', 'ct state new'],
  ['firewall-check', 'filter-output', 'ct state new'],
  ['services', 'nat-output', ''],
  ['services', 'nat-prerouting', ''],
  ['masquerading', 'nat-postrouting', ''],
  ['cluster-ips-check', 'filter-forward', 'ct state new'],
  ['cluster-ips-check', 'filter-output-post-dnat', 'ct state new'],
];

function isIPv4(ip: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(ip);
}

/**
 * The `nft -f -` input kube-proxy (nftables mode) would leave in `input.node`'s network namespace: the whole
 * `ip kube-proxy` table, replaced atomically on every load.
 */
export function nftablesRules(input: KubeProxyInput, options: NftablesOptions = {}): string {
  const masqueradeAll = options.masqueradeAll ?? false;
  const mark = MASQUERADE_MARK;
  const ifNotLocal = `ip saddr != ${input.clusterCIDR}`;
  const ifLocal = `ip saddr ${input.clusterCIDR}`;
  const out: string[] = [
    `# kube-proxy (nftables mode) rules for node ${input.node}, written by nslab; load with nft -f`,
    `add table ${T}`,
    `delete table ${T}`,
    `add table ${T} { comment "rules for kube-proxy" ; }`,
  ];
  const add = (s: string): void => {
    out.push(`add ${s}`);
  };
  const created = new Set<string>();
  const ensureChain = (name: string): void => {
    if (created.has(name)) return;
    created.add(name);
    add(`chain ${T} ${name}`);
  };
  const rule = (chain: string, text: string, note?: string): void => {
    add(`rule ${T} ${chain} ${text}${note ? ` comment "${note}"` : ''}`);
  };

  // setupNFTables.
  for (const [name, type, hook, prio] of BASE_CHAINS) add(`chain ${T} ${name} { type ${type} hook ${hook} priority ${prio} ; }`);
  for (const [dst, src, extra] of JUMP_CHAINS) {
    ensureChain(dst);
    rule(src, `${extra ? `${extra} ` : ''}jump ${dst}`);
  }
  for (const c of ['services', 'cluster-ips-check', 'masquerading', 'mark-for-masquerade']) ensureChain(c);
  rule('mark-for-masquerade', `mark set mark or ${mark}`);
  rule('masquerading', `mark and ${mark} == 0 return`);
  rule('masquerading', `mark set mark xor ${mark}`);
  rule('masquerading', 'masquerade fully-random');
  add(`set ${T} cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }`);
  rule('cluster-ips-check', 'ip daddr @cluster-ips reject', 'Reject traffic to invalid ports of ClusterIPs');
  rule('cluster-ips-check', `ip daddr { ${input.serviceCIDR} } drop`, 'Drop traffic to unallocated ClusterIPs');
  add(`set ${T} nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }`);
  for (const ip of input.nodeIPs.filter((a) => isIPv4(a) && !a.startsWith('127.'))) add(`element ${T} nodeport-ips { ${ip} }`);
  add(`map ${T} no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }`);
  add(`map ${T} no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }`);
  add(`chain ${T} reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }`);
  rule('reject-chain', 'reject');
  rule('service-endpoints-check', 'ip daddr . meta l4proto . th dport vmap @no-endpoint-services');
  rule('nodeport-endpoints-check', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports');
  add(`map ${T} firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }`);
  ensureChain('firewall-check');
  rule('firewall-check', 'ip daddr . meta l4proto . th dport vmap @firewall-ips');
  add(`map ${T} service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }`);
  add(`map ${T} service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }`);
  rule('services', 'ip daddr . meta l4proto . th dport vmap @service-ips');
  rule('services', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports');

  const clusterIPs = new Set<string>();
  for (const sp of proxiedServicePorts(input)) {
    const hasEndpoints = sp.hasEndpoints;
    const hasInternalEndpoints = hasEndpoints;
    const hasExternalEndpoints = sp.externalPolicyLocal ? sp.localEndpoints.length > 0 : hasEndpoints;
    const usesClusterPolicyChain = sp.clusterEndpoints.length > 0;
    const usesLocalPolicyChain = sp.localEndpoints.length > 0;
    const usesExternalTrafficChain = hasEndpoints && sp.externallyAccessible;
    const clusterPolicy = nftServiceChain(sp);
    const externalPolicy = sp.externalPolicyLocal ? nftLocalChain(sp) : clusterPolicy;
    const external = nftExternalChain(sp);
    const verdict = !hasEndpoints ? 'goto reject-chain' : 'drop';
    const key = (ip: string, port: number): string => `${ip} . ${sp.protocol} . ${port}`;

    for (const ep of sp.reachableEndpoints) ensureChain(nftEndpointChain(sp, ep));
    if (usesClusterPolicyChain) ensureChain(clusterPolicy);
    if (usesLocalPolicyChain) ensureChain(nftLocalChain(sp));
    if (usesExternalTrafficChain) ensureChain(external);

    // The cluster IP.
    if (!clusterIPs.has(sp.clusterIP)) {
      clusterIPs.add(sp.clusterIP);
      add(`element ${T} cluster-ips { ${sp.clusterIP} }`);
    }
    if (hasInternalEndpoints) add(`element ${T} service-ips { ${key(sp.clusterIP, sp.servicePort)} : goto ${clusterPolicy} }`);
    else add(`element ${T} no-endpoint-services { ${key(sp.clusterIP, sp.servicePort)} comment "${sp.name}" : ${verdict} }`);

    // Load-balancer IPs.
    for (const lb of sp.loadBalancerIPs) {
      if (hasEndpoints) add(`element ${T} service-ips { ${key(lb, sp.servicePort)} : goto ${external} }`);
    }
    if (!hasExternalEndpoints) {
      for (const lb of sp.loadBalancerIPs) add(`element ${T} no-endpoint-services { ${key(lb, sp.servicePort)} comment "${sp.name}" : ${verdict} }`);
    }

    // NodePorts.
    if (sp.nodePort !== 0) {
      if (hasEndpoints) add(`element ${T} service-nodeports { ${sp.protocol} . ${sp.nodePort} : goto ${external} }`);
      if (!hasExternalEndpoints) add(`element ${T} no-endpoint-nodeports { ${sp.protocol} . ${sp.nodePort} comment "${sp.name}" : ${verdict} }`);
    }

    // Internal traffic: masquerade what comes from outside the cluster CIDR (or everything with masqueradeAll).
    if (hasInternalEndpoints) {
      rule(
        clusterPolicy,
        `ip daddr ${sp.clusterIP} ${sp.protocol} dport ${sp.servicePort}${masqueradeAll ? '' : ` ${ifNotLocal}`} jump mark-for-masquerade`,
      );
    }

    // External traffic.
    if (usesExternalTrafficChain) {
      if (!sp.externalPolicyLocal) {
        rule(external, 'jump mark-for-masquerade');
      } else {
        rule(external, `${ifLocal} goto ${clusterPolicy}`, 'short-circuit pod traffic');
        rule(external, 'fib saddr type local jump mark-for-masquerade', 'masquerade local traffic');
        rule(external, `fib saddr type local goto ${clusterPolicy}`, 'short-circuit local traffic');
      }
      if (hasExternalEndpoints) rule(external, `goto ${externalPolicy}`);
    }

    // Session affinity: one timed set per endpoint.
    if (sp.clientIPAffinity) {
      for (const ep of sp.reachableEndpoints) {
        add(`set ${T} ${nftAffinitySet(sp, ep)} { type ipv4_addr ; flags dynamic,timeout ; timeout ${sp.affinityTimeout}s ; }`);
      }
    }

    const toEndpoints = (chain: string, endpoints: readonly ProxiedEndpoint[]): void => {
      if (sp.clientIPAffinity) {
        for (const ep of endpoints) rule(chain, `ip saddr @${nftAffinitySet(sp, ep)} goto ${nftEndpointChain(sp, ep)}`);
      }
      const elements = endpoints.map((ep, i) => `${i} : goto ${nftEndpointChain(sp, ep)}`).join(' , ');
      rule(chain, `numgen random mod ${endpoints.length} vmap { ${elements} }`);
    };
    if (usesClusterPolicyChain) toEndpoints(clusterPolicy, sp.clusterEndpoints);
    if (usesLocalPolicyChain) toEndpoints(nftLocalChain(sp), sp.localEndpoints);

    // One endpoint chain per endpoint: hairpin masquerade, affinity, DNAT.
    for (const ep of sp.reachableEndpoints) {
      const chain = nftEndpointChain(sp, ep);
      rule(chain, `ip saddr ${ep.ip} jump mark-for-masquerade`);
      if (sp.clientIPAffinity) rule(chain, `update @${nftAffinitySet(sp, ep)} { ip saddr }`);
      rule(chain, `meta l4proto ${sp.protocol} dnat to ${ep.addr}`);
    }
  }
  return `${out.join('\n')}\n`;
}
