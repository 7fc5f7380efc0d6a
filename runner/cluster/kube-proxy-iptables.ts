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

/**
 * The iptables-restore input kube-proxy (iptables mode) would leave in `input.node`'s network namespace: a
 * `*filter … COMMIT` and a `*nat … COMMIT` section, each declaring its built-in chains, so a plain
 * `iptables-restore` replaces both tables.
 */
export function iptablesRules(input: KubeProxyInput, options: IptablesOptions = {}): string {
  const localhostNodePorts = options.localhostNodePorts ?? true;
  const masqueradeAll = options.masqueradeAll ?? false;
  const mark = MASQUERADE_MARK;
  const ifNotLocal = `! -s ${input.clusterCIDR}`;
  const ifLocal = `-s ${input.clusterCIDR}`;

  const filterChains = ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL', 'KUBE-FIREWALL'];
  const filterRules: string[] = [];
  const natChains = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'];
  const natRules: string[] = [
    `-A KUBE-POSTROUTING -m mark ! --mark ${mark}/${mark} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${mark}`,
    `-A KUBE-POSTROUTING ${comment('kubernetes service traffic requiring SNAT')} -j MASQUERADE --random-fully`,
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${mark}`,
  ];
  if (localhostNodePorts) {
    filterRules.push(
      `-A KUBE-FIREWALL ${comment('block incoming localnet connections')} -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
    );
  }

  for (const sp of proxiedServicePorts(input)) {
    const p = proto(sp);
    const hasEndpoints = sp.hasEndpoints;
    const hasInternalEndpoints = hasEndpoints;
    const hasExternalEndpoints = sp.externalPolicyLocal ? sp.localEndpoints.length > 0 : hasEndpoints;
    const usesClusterPolicyChain = sp.clusterEndpoints.length > 0;
    const usesLocalPolicyChain = sp.localEndpoints.length > 0;
    const usesExternalTrafficChain = hasEndpoints && sp.externallyAccessible;
    const clusterPolicy = svcChain(sp);
    const externalPolicy = sp.externalPolicyLocal ? svlChain(sp) : clusterPolicy;
    const external = extChain(sp);

    let filterTarget = '';
    let filterComment = '';
    if (!hasEndpoints) {
      filterTarget = 'REJECT';
      filterComment = `${sp.name} has no endpoints`;
    } else if (!hasExternalEndpoints) {
      filterTarget = 'DROP';
      filterComment = `${sp.name} has no local endpoints`;
    }

    // The cluster IP.
    const clusterMatch = `${comment(`${sp.name} cluster IP`)} ${p} -d ${sp.clusterIP} --dport ${sp.servicePort}`;
    if (hasInternalEndpoints) natRules.push(`-A KUBE-SERVICES ${clusterMatch} -j ${clusterPolicy}`);
    else filterRules.push(`-A KUBE-SERVICES ${comment(filterComment)} ${p} -d ${sp.clusterIP} --dport ${sp.servicePort} -j ${filterTarget}`);

    // Load-balancer IPs: like a cluster IP, but external traffic.
    for (const lb of sp.loadBalancerIPs) {
      if (hasEndpoints) {
        natRules.push(`-A KUBE-SERVICES ${comment(`${sp.name} loadbalancer IP`)} ${p} -d ${lb} --dport ${sp.servicePort} -j ${external}`);
      }
    }
    if (!hasExternalEndpoints) {
      for (const lb of sp.loadBalancerIPs) {
        filterRules.push(`-A KUBE-EXTERNAL-SERVICES ${comment(filterComment)} ${p} -d ${lb} --dport ${sp.servicePort} -j ${filterTarget}`);
      }
    }

    // NodePorts.
    if (sp.nodePort !== 0) {
      if (hasEndpoints) natRules.push(`-A KUBE-NODEPORTS ${comment(sp.name)} ${p} --dport ${sp.nodePort} -j ${external}`);
      if (!hasExternalEndpoints) {
        filterRules.push(
          `-A KUBE-EXTERNAL-SERVICES ${comment(filterComment)} -m addrtype --dst-type LOCAL ${p} --dport ${sp.nodePort} -j ${filterTarget}`,
        );
      }
    }

    // Internal traffic: masquerade what comes from outside the cluster CIDR (or everything with masqueradeAll).
    if (hasInternalEndpoints) {
      natRules.push(`-A ${clusterPolicy} ${clusterMatch}${masqueradeAll ? '' : ` ${ifNotLocal}`} -j KUBE-MARK-MASQ`);
    }

    // External traffic.
    if (usesExternalTrafficChain) {
      natChains.push(external);
      if (!sp.externalPolicyLocal) {
        natRules.push(`-A ${external} ${comment(`masquerade traffic for ${sp.name} external destinations`)} -j KUBE-MARK-MASQ`);
      } else {
        natRules.push(`-A ${external} ${comment(`pod traffic for ${sp.name} external destinations`)} ${ifLocal} -j ${clusterPolicy}`);
        natRules.push(
          `-A ${external} ${comment(`masquerade LOCAL traffic for ${sp.name} external destinations`)} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
        );
        natRules.push(
          `-A ${external} ${comment(`route LOCAL traffic for ${sp.name} external destinations`)} -m addrtype --src-type LOCAL -j ${clusterPolicy}`,
        );
      }
      if (hasExternalEndpoints) natRules.push(`-A ${external} -j ${externalPolicy}`);
    }

    if (usesClusterPolicyChain) {
      natChains.push(clusterPolicy);
      natRules.push(...serviceToEndpointRules(sp, clusterPolicy, sp.clusterEndpoints));
    }
    if (usesLocalPolicyChain) {
      natChains.push(svlChain(sp));
      natRules.push(...serviceToEndpointRules(sp, svlChain(sp), sp.localEndpoints));
    }

    // One KUBE-SEP chain per endpoint: hairpin masquerade, then DNAT.
    for (const ep of sp.reachableEndpoints) {
      const sep = sepChain(sp, ep);
      natChains.push(sep);
      natRules.push(`-A ${sep} ${comment(sp.name)} -s ${ep.ip} -j KUBE-MARK-MASQ`);
      const recent = sp.clientIPAffinity ? ` -m recent --name ${sep} --set` : '';
      natRules.push(`-A ${sep} ${comment(sp.name)}${recent} ${p} -j DNAT --to-destination ${ep.addr}`);
    }
  }

  // The NodePort catch-all, last in KUBE-SERVICES.
  natRules.push(
    `-A KUBE-SERVICES ${comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain')} -m addrtype --dst-type LOCAL${
      localhostNodePorts ? '' : ' ! -d 127.0.0.0/8'
    } -j KUBE-NODEPORTS`,
  );

  filterRules.push(
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    `-A KUBE-FORWARD ${comment('kubernetes forwarding rules')} -m mark --mark ${mark}/${mark} -j ACCEPT`,
    `-A KUBE-FORWARD ${comment('kubernetes forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
  );

  const filterBuiltins = ['INPUT', 'FORWARD', 'OUTPUT'];
  const natBuiltins = ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'];
  const lines = [
    `# kube-proxy (iptables mode) rules for node ${input.node}, written by nslab; load with iptables-restore`,
    '*filter',
    ...filterBuiltins.map((c) => `:${c} ACCEPT [0:0]`),
    ...filterChains.map((c) => `:${c} - [0:0]`),
    ...jumpRules('filter', filterBuiltins),
    ...filterRules,
    'COMMIT',
    '*nat',
    ...natBuiltins.map((c) => `:${c} ACCEPT [0:0]`),
    ...natChains.map((c) => `:${c} - [0:0]`),
    ...jumpRules('nat', natBuiltins),
    ...natRules,
    'COMMIT',
  ];
  return `${lines.join('\n')}\n`;
}
