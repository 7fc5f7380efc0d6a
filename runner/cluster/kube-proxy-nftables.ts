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
 *
 * IPv6 (`input.family` 6, issue 14.1): kube-proxy's nftables proxier runs one proxier per family, each with its own
 * table: `ip6 kube-proxy` beside `ip kube-proxy`, the same layout with `ip6 daddr`/`ip6 saddr` matches, ipv6_addr
 * sets and maps, DNAT to "[ip]:port", and endpoint chain names with the address's colons made dots (a chain name
 * cannot hold a colon: `endpoint-HASH-ns/svc/tcp/p__fd00.10.244.1..2/8080`).
 */
import { nftHashAndTruncate, proxiedServicePorts, type ProxiedEndpoint, type ProxiedServicePort } from './hash.ts';
import { MASQUERADE_MARK } from './kube-proxy-iptables.ts';
import type { KubeProxyInput } from './types.ts';

export interface NftablesOptions {
  /** kube-proxy's --masquerade-all. Default false. */
  readonly masqueradeAll?: boolean;
}

export const NFT_TABLE = 'kube-proxy';

/** The nft family of a rule generator's family: `ip` or `ip6`. */
export function nftFamily(family: 4 | 6 | undefined): 'ip' | 'ip6' {
  return family === 6 ? 'ip6' : 'ip';
}

function chainBase(sp: ProxiedServicePort): string {
  return nftHashAndTruncate(`${sp.namespace}/${sp.serviceName}/${sp.protocol}/${sp.portName}`);
}
function endpointBase(sp: ProxiedServicePort, ep: ProxiedEndpoint): string {
  // servicePortEndpointChainNameBase: an IPv6 address's colons become dots
  return nftHashAndTruncate(`${sp.namespace}/${sp.serviceName}/${sp.protocol}/${sp.portName}__${ep.ip.replaceAll(':', '.')}/${ep.port}`);
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

/** One `nft -f -` transaction on the kube-proxy table: its lines, and the chains it has added so far. */
class NftTransaction {
  readonly lines: string[] = [];
  private readonly created = new Set<string>();
  /** `ip kube-proxy` or `ip6 kube-proxy`. */
  readonly T: string;
  /** The address match keyword (`ip` / `ip6`) and the set type (`ipv4_addr` / `ipv6_addr`). */
  readonly ipX: 'ip' | 'ip6';
  readonly addrType: string;

  constructor(family: 4 | 6) {
    this.ipX = nftFamily(family);
    this.T = `${this.ipX} ${NFT_TABLE}`;
    this.addrType = family === 6 ? 'ipv6_addr' : 'ipv4_addr';
  }

  add(s: string): void {
    this.lines.push(`add ${s}`);
  }

  ensureChain(name: string): void {
    if (this.created.has(name)) return;
    this.created.add(name);
    this.add(`chain ${this.T} ${name}`);
  }

  rule(chain: string, text: string, note?: string): void {
    this.add(`rule ${this.T} ${chain} ${text}${note ? ` comment "${note}"` : ''}`);
  }
}

/** setupNFTables: base chains and their jumps, masquerading, and the sets and verdict maps the services fill. */
function setupTable(tx: NftTransaction, input: KubeProxyInput): void {
  const mark = MASQUERADE_MARK;
  const { T, ipX, addrType } = tx;
  const family = input.family ?? 4;
  // nodeport-ips: the node's own addresses of the family, never loopback (IPv6 localhost NodePorts never work)
  const nodePortIPs = input.nodeIPs.filter((a) => (family === 6 ? a.includes(':') && a !== '::1' : isIPv4(a) && !a.startsWith('127.')));
  for (const [name, type, hook, prio] of BASE_CHAINS) tx.add(`chain ${T} ${name} { type ${type} hook ${hook} priority ${prio} ; }`);
  for (const [dst, src, extra] of JUMP_CHAINS) {
    tx.ensureChain(dst);
    tx.rule(src, `${extra ? `${extra} ` : ''}jump ${dst}`);
  }
  for (const c of ['services', 'cluster-ips-check', 'masquerading', 'mark-for-masquerade']) tx.ensureChain(c);
  tx.rule('mark-for-masquerade', `mark set mark or ${mark}`);
  tx.rule('masquerading', `mark and ${mark} == 0 return`);
  tx.rule('masquerading', `mark set mark xor ${mark}`);
  tx.rule('masquerading', 'masquerade fully-random');
  tx.add(`set ${T} cluster-ips { type ${addrType} ; comment "Active ClusterIPs" ; }`);
  tx.rule('cluster-ips-check', `${ipX} daddr @cluster-ips reject`, 'Reject traffic to invalid ports of ClusterIPs');
  tx.rule('cluster-ips-check', `${ipX} daddr { ${input.serviceCIDR} } drop`, 'Drop traffic to unallocated ClusterIPs');
  tx.add(`set ${T} nodeport-ips { type ${addrType} ; comment "IPs that accept NodePort traffic" ; }`);
  for (const ip of nodePortIPs) tx.add(`element ${T} nodeport-ips { ${ip} }`);
  tx.add(`map ${T} no-endpoint-services { type ${addrType} . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }`);
  tx.add(`map ${T} no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }`);
  tx.add(`chain ${T} reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }`);
  tx.rule('reject-chain', 'reject');
  tx.rule('service-endpoints-check', `${ipX} daddr . meta l4proto . th dport vmap @no-endpoint-services`);
  tx.rule('nodeport-endpoints-check', `${ipX} daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports`);
  tx.add(`map ${T} firewall-ips { type ${addrType} . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }`);
  tx.ensureChain('firewall-check');
  tx.rule('firewall-check', `${ipX} daddr . meta l4proto . th dport vmap @firewall-ips`);
  tx.add(`map ${T} service-ips { type ${addrType} . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }`);
  tx.add(`map ${T} service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }`);
  tx.rule('services', `${ipX} daddr . meta l4proto . th dport vmap @service-ips`);
  tx.rule('services', `${ipX} daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports`);
}

/** Where a service port's traffic enters: its elements in the cluster-ips set and the service / no-endpoint maps. */
function serviceEntryElements(tx: NftTransaction, sp: ProxiedServicePort, clusterIPs: Set<string>): void {
  const { T } = tx;
  const clusterPolicy = nftServiceChain(sp);
  const external = nftExternalChain(sp);
  const verdict = !sp.hasEndpoints ? 'goto reject-chain' : 'drop';
  const key = (ip: string, port: number): string => `${ip} . ${sp.protocol} . ${port}`;

  // The cluster IP.
  if (!clusterIPs.has(sp.clusterIP)) {
    clusterIPs.add(sp.clusterIP);
    tx.add(`element ${T} cluster-ips { ${sp.clusterIP} }`);
  }
  if (sp.hasEndpoints) tx.add(`element ${T} service-ips { ${key(sp.clusterIP, sp.servicePort)} : goto ${clusterPolicy} }`);
  else tx.add(`element ${T} no-endpoint-services { ${key(sp.clusterIP, sp.servicePort)} comment "${sp.name}" : ${verdict} }`);

  // Load-balancer IPs.
  for (const lb of sp.loadBalancerIPs) {
    if (sp.hasEndpoints) tx.add(`element ${T} service-ips { ${key(lb, sp.servicePort)} : goto ${external} }`);
  }
  if (!sp.hasExternalEndpoints) {
    for (const lb of sp.loadBalancerIPs) tx.add(`element ${T} no-endpoint-services { ${key(lb, sp.servicePort)} comment "${sp.name}" : ${verdict} }`);
  }

  // NodePorts.
  if (sp.nodePort !== 0) {
    if (sp.hasEndpoints) tx.add(`element ${T} service-nodeports { ${sp.protocol} . ${sp.nodePort} : goto ${external} }`);
    if (!sp.hasExternalEndpoints) tx.add(`element ${T} no-endpoint-nodeports { ${sp.protocol} . ${sp.nodePort} comment "${sp.name}" : ${verdict} }`);
  }
}

/** The external-traffic chain: masquerade, or under the Local policy short-circuit pod and local traffic. */
function externalChainRules(tx: NftTransaction, sp: ProxiedServicePort, ifLocal: string): void {
  const clusterPolicy = nftServiceChain(sp);
  const external = nftExternalChain(sp);
  if (!sp.externalPolicyLocal) {
    tx.rule(external, 'jump mark-for-masquerade');
  } else {
    tx.rule(external, `${ifLocal} goto ${clusterPolicy}`, 'short-circuit pod traffic');
    tx.rule(external, 'fib saddr type local jump mark-for-masquerade', 'masquerade local traffic');
    tx.rule(external, `fib saddr type local goto ${clusterPolicy}`, 'short-circuit local traffic');
  }
  if (sp.hasExternalEndpoints) tx.rule(external, `goto ${sp.externalPolicyLocal ? nftLocalChain(sp) : clusterPolicy}`);
}

/** A policy chain's endpoint choice: affinity lookups first, then a random pick over the endpoints. */
function toEndpointRules(tx: NftTransaction, sp: ProxiedServicePort, chain: string, endpoints: readonly ProxiedEndpoint[]): void {
  if (sp.clientIPAffinity) {
    for (const ep of endpoints) tx.rule(chain, `${tx.ipX} saddr @${nftAffinitySet(sp, ep)} goto ${nftEndpointChain(sp, ep)}`);
  }
  const elements = endpoints.map((ep, i) => `${i} : goto ${nftEndpointChain(sp, ep)}`).join(' , ');
  tx.rule(chain, `numgen random mod ${endpoints.length} vmap { ${elements} }`);
}

/** A service port's chains: masquerading, external traffic, affinity sets, the policy chains, one chain per endpoint. */
function serviceChainRules(tx: NftTransaction, sp: ProxiedServicePort, input: KubeProxyInput, masqueradeAll: boolean): void {
  const clusterPolicy = nftServiceChain(sp);
  const { T, ipX, addrType } = tx;

  // Internal traffic: masquerade what comes from outside the cluster CIDR (or everything with masqueradeAll).
  if (sp.hasEndpoints) {
    tx.rule(
      clusterPolicy,
      `${ipX} daddr ${sp.clusterIP} ${sp.protocol} dport ${sp.servicePort}${masqueradeAll ? '' : ` ${ipX} saddr != ${input.clusterCIDR}`} jump mark-for-masquerade`,
    );
  }

  // External traffic.
  if (sp.usesExternalTrafficChain) externalChainRules(tx, sp, `${ipX} saddr ${input.clusterCIDR}`);

  // Session affinity: one timed set per endpoint.
  if (sp.clientIPAffinity) {
    for (const ep of sp.reachableEndpoints) {
      tx.add(`set ${T} ${nftAffinitySet(sp, ep)} { type ${addrType} ; flags dynamic,timeout ; timeout ${sp.affinityTimeout}s ; }`);
    }
  }

  if (sp.usesClusterPolicyChain) toEndpointRules(tx, sp, clusterPolicy, sp.clusterEndpoints);
  if (sp.usesLocalPolicyChain) toEndpointRules(tx, sp, nftLocalChain(sp), sp.localEndpoints);

  // One endpoint chain per endpoint: hairpin masquerade, affinity, DNAT.
  for (const ep of sp.reachableEndpoints) {
    const chain = nftEndpointChain(sp, ep);
    tx.rule(chain, `${ipX} saddr ${ep.ip} jump mark-for-masquerade`);
    if (sp.clientIPAffinity) tx.rule(chain, `update @${nftAffinitySet(sp, ep)} { ${ipX} saddr }`);
    tx.rule(chain, `meta l4proto ${sp.protocol} dnat to ${ep.addr}`);
  }
}

/**
 * The `nft -f -` input kube-proxy (nftables mode) would leave in `input.node`'s network namespace: the whole
 * `ip kube-proxy` table (`ip6 kube-proxy` for a family-6 input), replaced atomically on every load.
 */
export function nftablesRules(input: KubeProxyInput, options: NftablesOptions = {}): string {
  const masqueradeAll = options.masqueradeAll ?? false;
  const family = input.family ?? 4;
  const tx = new NftTransaction(family);
  const { T } = tx;
  setupTable(tx, input);
  const clusterIPs = new Set<string>();
  for (const sp of proxiedServicePorts(input)) {
    for (const ep of sp.reachableEndpoints) tx.ensureChain(nftEndpointChain(sp, ep));
    if (sp.usesClusterPolicyChain) tx.ensureChain(nftServiceChain(sp));
    if (sp.usesLocalPolicyChain) tx.ensureChain(nftLocalChain(sp));
    if (sp.usesExternalTrafficChain) tx.ensureChain(nftExternalChain(sp));
    serviceEntryElements(tx, sp, clusterIPs);
    serviceChainRules(tx, sp, input, masqueradeAll);
  }
  const header = [
    `# kube-proxy (nftables mode${family === 6 ? ', IPv6' : ''}) rules for node ${input.node}, written by nslab; load with nft -f`,
    `add table ${T}`,
    `delete table ${T}`,
    `add table ${T} { comment "rules for kube-proxy" ; }`,
  ];
  return `${[...header, ...tx.lines].join('\n')}\n`;
}
