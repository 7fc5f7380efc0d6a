/**
 * kube-proxy's iptables mode, as rules: the `iptables-restore` input kube-proxy's syncProxyRules writes for one
 * node (pkg/proxy/iptables/proxier.go, the Kubernetes 1.31-era layout), so that `iptables-save` in a node's
 * namespace shows what it shows on a real node: KUBE-SERVICES → KUBE-SVC-<hash> → KUBE-SEP-<hash> (DNAT), NodePorts
 * through KUBE-NODEPORTS → KUBE-EXT-<hash>, externalTrafficPolicy: Local through KUBE-SVL-<hash>, masquerading
 * through KUBE-MARK-MASQ (mark 0x4000) and KUBE-POSTROUTING, and the filter-table REJECT/DROP rules for services
 * without (local) endpoints.
 *
 * Differences from the real thing, all deliberate:
 * - kube-proxy restores with --noflush and adds its jumps from the built-in chains (PREROUTING → KUBE-SERVICES, …)
 *   with `iptables -I`; here the jumps are part of the text and the built-in chains are declared. `lab up` loads it
 *   with `iptables-restore --noflush` into a fresh namespace; a plain `iptables-restore` (as the delete-pod action
 *   uses) replaces the filter and nat tables, so reloading is idempotent.
 * - Services are written in a fixed order (namespace, name, port) where kube-proxy follows Go's map order, and the
 *   endpoint chains of a service in "ip:port" order.
 * - The local-traffic detector is the cluster CIDR (kube-proxy's --cluster-cidr / detect-local-mode ClusterCIDR).
 * - No mangle-table canary chains, no health-check NodePorts, no loadBalancerSourceRanges (the model has none).
 *
 * IPv6 (`input.family` 6, issue 14.1): what kube-proxy's IPv6 proxier writes for ip6tables-restore — the same
 * chains, and the same KUBE-SVC/SVL/EXT names (their hash does not hold an address); KUBE-SEP names hash the endpoint
 * as "[ip]:port" and DNAT to "[ip]:port"; the NodePort jump excludes ::1/128 (localhost NodePorts never work on
 * IPv6, whatever --iptables-localhost-nodeports says) and there is no "block incoming localnet connections" rule.
 * The REJECT of a Service without endpoints is written as kube-proxy writes it, a bare `-j REJECT`, which
 * ip6tables makes `--reject-with icmp6-port-unreachable`; addresses are written bare and ip6tables-save shows /128.
 */
import { endpointHash, portProtoHash, probability, proxiedServicePorts, type ProxiedEndpoint, type ProxiedServicePort } from './hash.ts';
import type { KubeProxyInput } from './types.ts';

export interface IptablesOptions {
  /**
   * kube-proxy's --iptables-localhost-nodeports (default true, as in kube-proxy): NodePorts also answer on
   * 127.0.0.1, which needs net.ipv4.conf.all.route_localnet=1 and brings the "block incoming localnet
   * connections" rule in KUBE-FIREWALL. With false the nodeport jump excludes 127.0.0.0/8.
   */
  readonly localhostNodePorts?: boolean;
  /** kube-proxy's --masquerade-all: SNAT every packet sent to a ClusterIP. Default false. */
  readonly masqueradeAll?: boolean;
}

/** The mark kube-proxy sets on packets to masquerade (--iptables-masquerade-bit 14). */
export const MASQUERADE_MARK = '0x4000';

/** Chain-name prefixes, each followed by a 16-character base32 hash. */
export const IPTABLES_CHAIN_PREFIXES = ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-EXT-', 'KUBE-FW-', 'KUBE-SEP-'] as const;

export function svcChain(sp: ProxiedServicePort): string {
  return `KUBE-SVC-${portProtoHash(sp.name, sp.protocol)}`;
}
export function svlChain(sp: ProxiedServicePort): string {
  return `KUBE-SVL-${portProtoHash(sp.name, sp.protocol)}`;
}
export function extChain(sp: ProxiedServicePort): string {
  return `KUBE-EXT-${portProtoHash(sp.name, sp.protocol)}`;
}
export function sepChain(sp: ProxiedServicePort, ep: ProxiedEndpoint): string {
  return `KUBE-SEP-${endpointHash(sp.name, sp.protocol, ep.addr)}`;
}

/** A --comment argument as kube-proxy writes it: quoted only when it has a space. */
function comment(text: string): string {
  return `-m comment --comment ${text.includes(' ') ? `"${text}"` : text}`;
}

interface JumpChain {
  readonly table: 'filter' | 'nat';
  readonly dst: string;
  readonly src: string;
  readonly comment: string;
  readonly extra: string;
}

const CT_NEW = '-m conntrack --ctstate NEW';

/** iptablesJumpChains then iptablesKubeletJumpChains, in kube-proxy's order. */
const JUMP_CHAINS: readonly JumpChain[] = [
  { table: 'filter', dst: 'KUBE-EXTERNAL-SERVICES', src: 'INPUT', comment: 'kubernetes externally-visible service portals', extra: CT_NEW },
  { table: 'filter', dst: 'KUBE-EXTERNAL-SERVICES', src: 'FORWARD', comment: 'kubernetes externally-visible service portals', extra: CT_NEW },
  { table: 'filter', dst: 'KUBE-NODEPORTS', src: 'INPUT', comment: 'kubernetes health check service ports', extra: '' },
  { table: 'filter', dst: 'KUBE-SERVICES', src: 'FORWARD', comment: 'kubernetes service portals', extra: CT_NEW },
  { table: 'filter', dst: 'KUBE-SERVICES', src: 'OUTPUT', comment: 'kubernetes service portals', extra: CT_NEW },
  { table: 'filter', dst: 'KUBE-FORWARD', src: 'FORWARD', comment: 'kubernetes forwarding rules', extra: '' },
  { table: 'filter', dst: 'KUBE-PROXY-FIREWALL', src: 'INPUT', comment: 'kubernetes load balancer firewall', extra: CT_NEW },
  { table: 'filter', dst: 'KUBE-PROXY-FIREWALL', src: 'OUTPUT', comment: 'kubernetes load balancer firewall', extra: CT_NEW },
  { table: 'filter', dst: 'KUBE-PROXY-FIREWALL', src: 'FORWARD', comment: 'kubernetes load balancer firewall', extra: CT_NEW },
  { table: 'nat', dst: 'KUBE-SERVICES', src: 'OUTPUT', comment: 'kubernetes service portals', extra: '' },
  { table: 'nat', dst: 'KUBE-SERVICES', src: 'PREROUTING', comment: 'kubernetes service portals', extra: '' },
  { table: 'nat', dst: 'KUBE-POSTROUTING', src: 'POSTROUTING', comment: 'kubernetes postrouting rules', extra: '' },
  { table: 'filter', dst: 'KUBE-FIREWALL', src: 'INPUT', comment: '', extra: '' },
  { table: 'filter', dst: 'KUBE-FIREWALL', src: 'OUTPUT', comment: '', extra: '' },
];

/**
 * The jump rules of one table as they end up after kube-proxy's EnsureRule(Prepend, …) calls: each prepend puts
 * its rule first, so within a built-in chain the last-ensured jump comes first.
 */
function jumpRules(table: 'filter' | 'nat', builtins: readonly string[]): string[] {
  const out: string[] = [];
  for (const chain of builtins) {
    const jumps = JUMP_CHAINS.filter((j) => j.table === table && j.src === chain).reverse();
    for (const j of jumps) {
      const parts = ['-A', chain];
      if (j.extra) parts.push(j.extra);
      if (j.comment) parts.push(comment(j.comment));
      parts.push('-j', j.dst);
      out.push(parts.join(' '));
    }
  }
  return out;
}

function proto(sp: ProxiedServicePort): string {
  return `-m ${sp.protocol} -p ${sp.protocol}`;
}

/** writeServiceToEndpointRules: affinity checks first, then one statistic rule per endpoint but the last. */
function serviceToEndpointRules(sp: ProxiedServicePort, chain: string, endpoints: readonly ProxiedEndpoint[]): string[] {
  const out: string[] = [];
  if (sp.clientIPAffinity) {
    for (const ep of endpoints) {
      const sep = sepChain(sp, ep);
      out.push(
        `-A ${chain} ${comment(`${sp.name} -> ${ep.addr}`)} -m recent --name ${sep} --rcheck --seconds ${sp.affinityTimeout} --reap -j ${sep}`,
      );
    }
  }
  endpoints.forEach((ep, i) => {
    const stat = i < endpoints.length - 1 ? ` -m statistic --mode random --probability ${probability(endpoints.length - i)}` : '';
    out.push(`-A ${chain} ${comment(`${sp.name} -> ${ep.addr}`)}${stat} -j ${sepChain(sp, ep)}`);
  });
  return out;
}

/** The rules of one node as they are written: each table's rules, and the nat chains declared so far. */
interface IptablesTables {
  readonly filterRules: string[];
  readonly natRules: string[];
  readonly natChains: string[];
}

/** The cluster-IP match of a service port: comment, protocol, address, port. */
function clusterIPMatch(sp: ProxiedServicePort): string {
  return `${comment(`${sp.name} cluster IP`)} ${proto(sp)} -d ${sp.clusterIP} --dport ${sp.servicePort}`;
}

/** The filter-table verdict for a service port's traffic that has no endpoint: REJECT (none at all) or DROP (none local). */
function noEndpointVerdict(sp: ProxiedServicePort): { readonly target: string; readonly comment: string } {
  if (!sp.hasEndpoints) return { target: 'REJECT', comment: `${sp.name} has no endpoints` };
  if (!sp.hasExternalEndpoints) return { target: 'DROP', comment: `${sp.name} has no local endpoints` };
  return { target: '', comment: '' };
}

/** Where a service port's traffic enters: the cluster IP, load-balancer IPs and NodePort, or their REJECT/DROP rules. */
function serviceEntryRules(sp: ProxiedServicePort, t: IptablesTables): void {
  const p = proto(sp);
  const clusterPolicy = svcChain(sp);
  const external = extChain(sp);
  const verdict = noEndpointVerdict(sp);

  // The cluster IP.
  if (sp.hasEndpoints) t.natRules.push(`-A KUBE-SERVICES ${clusterIPMatch(sp)} -j ${clusterPolicy}`);
  else t.filterRules.push(`-A KUBE-SERVICES ${comment(verdict.comment)} ${p} -d ${sp.clusterIP} --dport ${sp.servicePort} -j ${verdict.target}`);

  // Load-balancer IPs: like a cluster IP, but external traffic.
  for (const lb of sp.loadBalancerIPs) {
    if (sp.hasEndpoints) {
      t.natRules.push(`-A KUBE-SERVICES ${comment(`${sp.name} loadbalancer IP`)} ${p} -d ${lb} --dport ${sp.servicePort} -j ${external}`);
    }
  }
  if (!sp.hasExternalEndpoints) {
    for (const lb of sp.loadBalancerIPs) {
      t.filterRules.push(`-A KUBE-EXTERNAL-SERVICES ${comment(verdict.comment)} ${p} -d ${lb} --dport ${sp.servicePort} -j ${verdict.target}`);
    }
  }

  // NodePorts.
  if (sp.nodePort !== 0) {
    if (sp.hasEndpoints) t.natRules.push(`-A KUBE-NODEPORTS ${comment(sp.name)} ${p} --dport ${sp.nodePort} -j ${external}`);
    if (!sp.hasExternalEndpoints) {
      t.filterRules.push(
        `-A KUBE-EXTERNAL-SERVICES ${comment(verdict.comment)} -m addrtype --dst-type LOCAL ${p} --dport ${sp.nodePort} -j ${verdict.target}`,
      );
    }
  }
}

/** The external-traffic chain (KUBE-EXT): masquerade, or under the Local policy short-circuit pod and local traffic. */
function externalChainRules(sp: ProxiedServicePort, ifLocal: string, t: IptablesTables): void {
  const clusterPolicy = svcChain(sp);
  const external = extChain(sp);
  t.natChains.push(external);
  if (!sp.externalPolicyLocal) {
    t.natRules.push(`-A ${external} ${comment(`masquerade traffic for ${sp.name} external destinations`)} -j KUBE-MARK-MASQ`);
  } else {
    t.natRules.push(`-A ${external} ${comment(`pod traffic for ${sp.name} external destinations`)} ${ifLocal} -j ${clusterPolicy}`);
    t.natRules.push(
      `-A ${external} ${comment(`masquerade LOCAL traffic for ${sp.name} external destinations`)} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
    );
    t.natRules.push(
      `-A ${external} ${comment(`route LOCAL traffic for ${sp.name} external destinations`)} -m addrtype --src-type LOCAL -j ${clusterPolicy}`,
    );
  }
  if (sp.hasExternalEndpoints) t.natRules.push(`-A ${external} -j ${sp.externalPolicyLocal ? svlChain(sp) : clusterPolicy}`);
}

/** A service port's nat chains past the entry: masquerading, external traffic, the policy chains, one KUBE-SEP per endpoint. */
function servicePolicyRules(sp: ProxiedServicePort, input: KubeProxyInput, masqueradeAll: boolean, t: IptablesTables): void {
  const clusterPolicy = svcChain(sp);

  // Internal traffic: masquerade what comes from outside the cluster CIDR (or everything with masqueradeAll).
  if (sp.hasEndpoints) {
    t.natRules.push(`-A ${clusterPolicy} ${clusterIPMatch(sp)}${masqueradeAll ? '' : ` ! -s ${input.clusterCIDR}`} -j KUBE-MARK-MASQ`);
  }

  // External traffic.
  if (sp.usesExternalTrafficChain) externalChainRules(sp, `-s ${input.clusterCIDR}`, t);

  if (sp.usesClusterPolicyChain) {
    t.natChains.push(clusterPolicy);
    t.natRules.push(...serviceToEndpointRules(sp, clusterPolicy, sp.clusterEndpoints));
  }
  if (sp.usesLocalPolicyChain) {
    t.natChains.push(svlChain(sp));
    t.natRules.push(...serviceToEndpointRules(sp, svlChain(sp), sp.localEndpoints));
  }

  // One KUBE-SEP chain per endpoint: hairpin masquerade, then DNAT.
  for (const ep of sp.reachableEndpoints) {
    const sep = sepChain(sp, ep);
    t.natChains.push(sep);
    t.natRules.push(`-A ${sep} ${comment(sp.name)} -s ${ep.ip} -j KUBE-MARK-MASQ`);
    const recent = sp.clientIPAffinity ? ` -m recent --name ${sep} --set` : '';
    t.natRules.push(`-A ${sep} ${comment(sp.name)}${recent} ${proto(sp)} -j DNAT --to-destination ${ep.addr}`);
  }
}

/** The iptables-restore text of the two tables: built-in and kube-proxy chains declared, then the jumps, then the rules. */
function restoreText(node: string, family: 4 | 6, filterChains: readonly string[], t: IptablesTables): string {
  const filterBuiltins = ['INPUT', 'FORWARD', 'OUTPUT'];
  const natBuiltins = ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'];
  const lines = [
    family === 6
      ? `# kube-proxy (iptables mode, IPv6) rules for node ${node}, written by nslab; load with ip6tables-restore`
      : `# kube-proxy (iptables mode) rules for node ${node}, written by nslab; load with iptables-restore`,
    '*filter',
    ...filterBuiltins.map((c) => `:${c} ACCEPT [0:0]`),
    ...filterChains.map((c) => `:${c} - [0:0]`),
    ...jumpRules('filter', filterBuiltins),
    ...t.filterRules,
    'COMMIT',
    '*nat',
    ...natBuiltins.map((c) => `:${c} ACCEPT [0:0]`),
    ...t.natChains.map((c) => `:${c} - [0:0]`),
    ...jumpRules('nat', natBuiltins),
    ...t.natRules,
    'COMMIT',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The iptables-restore input kube-proxy (iptables mode) would leave in `input.node`'s network namespace: a
 * `*filter … COMMIT` and a `*nat … COMMIT` section, each declaring its built-in chains, so a plain
 * `iptables-restore` replaces both tables.
 */
export function iptablesRules(input: KubeProxyInput, options: IptablesOptions = {}): string {
  const family = input.family ?? 4;
  // kube-proxy's IPv6 proxier never serves NodePorts on localhost
  const localhostNodePorts = family === 4 && (options.localhostNodePorts ?? true);
  const masqueradeAll = options.masqueradeAll ?? false;
  const mark = MASQUERADE_MARK;

  const filterChains = ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL', 'KUBE-FIREWALL'];
  const t: IptablesTables = {
    filterRules: [],
    natChains: ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'],
    natRules: [
      `-A KUBE-POSTROUTING -m mark ! --mark ${mark}/${mark} -j RETURN`,
      `-A KUBE-POSTROUTING -j MARK --xor-mark ${mark}`,
      `-A KUBE-POSTROUTING ${comment('kubernetes service traffic requiring SNAT')} -j MASQUERADE --random-fully`,
      `-A KUBE-MARK-MASQ -j MARK --or-mark ${mark}`,
    ],
  };
  if (localhostNodePorts) {
    t.filterRules.push(
      `-A KUBE-FIREWALL ${comment('block incoming localnet connections')} -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
    );
  }

  for (const sp of proxiedServicePorts(input)) {
    serviceEntryRules(sp, t);
    servicePolicyRules(sp, input, masqueradeAll, t);
  }

  // The NodePort catch-all, last in KUBE-SERVICES.
  t.natRules.push(
    `-A KUBE-SERVICES ${comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain')} -m addrtype --dst-type LOCAL${
      family === 6 ? ' ! -d ::1/128' : localhostNodePorts ? '' : ' ! -d 127.0.0.0/8'
    } -j KUBE-NODEPORTS`,
  );

  t.filterRules.push(
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    `-A KUBE-FORWARD ${comment('kubernetes forwarding rules')} -m mark --mark ${mark}/${mark} -j ACCEPT`,
    `-A KUBE-FORWARD ${comment('kubernetes forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
  );
  return restoreText(input.node, family, filterChains, t);
}
