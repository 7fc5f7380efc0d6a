/**
 * Kubernetes NetworkPolicy, enforced with iptables in a k8s node's namespace.
 *
 * `policyRules(input)` writes iptables-restore input (filter table) for ONE node, covering the pods on that node:
 * a pod's egress is enforced on its own node, its ingress on its own node, so traffic between pods of two nodes
 * passes the source's egress chain on one node and the destination's ingress chain on the other.
 * `expectedAllowed(cluster, from, to, port, protocol)` is the Kubernetes answer computed from the model alone
 * (not from the rules): the `policy` assertion compares it with what the kernel does.
 *
 * Semantics (networking.k8s.io/v1):
 * - a policy selects the pods of its own namespace matching its podSelector (`{}`: all of them);
 * - a pod selected by no policy whose policyTypes contain Ingress is not isolated for ingress: all is allowed
 *   (Egress the same); a pod selected by at least one is isolated: only what the union of the ingress rules of
 *   all those policies allows passes (policies add up, they never subtract);
 * - policyTypes are taken as given; an empty list gets Kubernetes' API-server default (Ingress, plus Egress when
 *   the policy has egress rules), as `effectivePolicyTypes` does. So `policyTypes: [Egress]` ignores ingress
 *   rules, and `[Ingress, Egress]` without egress rules denies all egress;
 * - a connection needs both the source pod's egress and the destination pod's ingress to allow it;
 * - a rule's peers absent/empty = every source (destination); ports absent/empty = every port; peers are OR-ed,
 *   and so are ports; within one peer podSelector + namespaceSelector = pods matching both, in namespaces matching;
 *   podSelector alone = pods of the policy's namespace; namespaceSelector alone = all pods of the matching
 *   namespaces (namespaces carry the automatic `kubernetes.io/metadata.name` label); ipBlock = the cidr minus its
 *   except entries. Kubernetes leaves it to the implementation whether ipBlock matches pod IPs: here it does
 *   (an address is an address, as with Calico and kube-router);
 * - a named port resolves against the destination pod's container ports (name and protocol): for ingress the
 *   selected pod, for egress the peer pod (a destination that is not a pod never matches a named port); endPort
 *   makes port..endPort a range;
 * - replies of allowed connections pass (conntrack ESTABLISHED,RELATED is accepted before any policy); in IPv6 so
 *   does neighbour discovery (ICMPv6 types 133–136), which IPv4 does with ARP outside iptables;
 * - the node itself reaches its pods whatever the policies (kubelet's health checks; Kubernetes documents that
 *   a pod cannot block its node, and CNIs allow it); a pod reaching its own node is not filtered either (that is
 *   left to the implementation by Kubernetes; here it goes to the node's INPUT chain, which is left alone);
 * - a pod reaching itself never leaves its namespace: always allowed (the e2e tests ignore loopback).
 */
import { contains, formatPrefix, parseAddress } from '../model/ip.ts';
import { ALL, block, chainHash, comment, l4Args, Rules, type L4 } from './policy-iptables.ts';
import { matches, selectPods } from './selectors.ts';
import type { Family, NetworkPolicy, Pod, PolicyInput, PolicyPeer, PolicyRule, Protocol } from './types.ts';

export type PolicyType = 'Ingress' | 'Egress';

/** The whole cluster as policy sees it (a PolicyInput without the node will do, and so does a PolicyInput). */
export type PolicyCluster = Pick<PolicyInput, 'pods' | 'namespaces' | 'policies'>;

/** Something that is not a pod: an address, and the node it is when it is a node's own address. */
export interface Host {
  readonly ip: string;
  /** Set when the address is a k8s node's own: that node reaches its pods whatever the policies. */
  readonly node?: string;
}

export const CHAIN_POLICY = 'NSL-POLICY';
export const CHAIN_INGRESS = 'NSL-POL-INGRESS';
export const CHAIN_EGRESS_OK = 'NSL-POL-EGRESS-OK';

/** policyTypes as the API server stores them: the given list, or when empty Ingress (+ Egress with egress rules). */
export function effectivePolicyTypes(policy: Pick<NetworkPolicy, 'egress'> & { readonly policyTypes?: readonly PolicyType[] }): PolicyType[] {
  if (policy.policyTypes && policy.policyTypes.length > 0) return [...new Set(policy.policyTypes)];
  return (policy.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** The policies isolating `pod` for `type` (those in its namespace that select it and have the type), sorted. */
export function isolatingPolicies(policies: readonly NetworkPolicy[], pod: Pod, type: PolicyType): NetworkPolicy[] {
  return sortPolicies(policies.filter((p) => p.namespace === pod.namespace && effectivePolicyTypes(p).includes(type) && matches(p.podSelector, pod.labels)));
}

// ---------------------------------------------------------------------------------------------------------------
// The model's answer

function isPod(x: Pod | Host): x is Pod {
  return 'namespace' in x && 'name' in x && 'labels' in x;
}

const podKey = (p: Pod): string => `${p.namespace}/${p.name}`;

/**
 * Whether Kubernetes allows a connection from `from` to `to` on `port`/`protocol` (the truth table of the
 * e2e tests). `from`/`to` are pods, or addresses outside the pods (`{ ip }`; `{ ip, node }` for a node's own).
 */
export function expectedAllowed(cluster: PolicyCluster, from: Pod | Host, to: Pod | Host, port: number, protocol: Protocol, family: Family = 4): boolean {
  for (const p of cluster.policies) validatePolicy(p);
  if (isPod(from) && isPod(to) && podKey(from) === podKey(to)) return true; // loopback
  if (!isPod(from) && isPod(to) && from.node !== undefined && from.node === to.node) return true; // node → its pods
  if (isPod(from) && !isPod(to) && to.node !== undefined && to.node === from.node) return true; // pod → its node
  const egress = isPod(from) ? allowedFor(cluster, 'Egress', from, to, port, protocol, family) : true;
  const ingress = isPod(to) ? allowedFor(cluster, 'Ingress', to, from, port, protocol, family) : true;
  return egress && ingress;
}

/** Whether `subject`'s policies of `type` let traffic with `peer` through (the destination port is `port`). */
function allowedFor(cluster: PolicyCluster, type: PolicyType, subject: Pod, peer: Pod | Host, port: number, protocol: Protocol, family: Family): boolean {
  const policies = isolatingPolicies(cluster.policies, subject, type);
  if (policies.length === 0) return true;
  const destination = type === 'Ingress' ? subject : isPod(peer) ? peer : undefined;
  return policies.some((pol) =>
    rulesOf(pol, type).some((rule) => peerMatches(cluster, pol, rule, peer, family) && portMatches(rule, port, protocol, destination)),
  );
}

function rulesOf(pol: NetworkPolicy, type: PolicyType): readonly PolicyRule[] {
  return (type === 'Ingress' ? pol.ingress : pol.egress) ?? [];
}

function peerMatches(cluster: PolicyCluster, pol: NetworkPolicy, rule: PolicyRule, peer: Pod | Host, family: Family): boolean {
  const peers = rule.peers ?? [];
  if (peers.length === 0) return true;
  return peers.some((p) => {
    // an ipBlock is of one family: it matches the peer's address of the flow's family, never the other one
    if (p.ipBlock) {
      const ip = isPod(peer) ? podAddress(peer, family) : peer.ip;
      return ip !== undefined && inBlock(p.ipBlock, ip);
    }
    if (!isPod(peer)) return false;
    return selectPods([peer], peerSelection(cluster, pol, p)).length === 1;
  });
}

function peerSelection(cluster: PolicyCluster, pol: NetworkPolicy, p: PolicyPeer): Parameters<typeof selectPods>[1] {
  return p.namespaceSelector
    ? { podSelector: p.podSelector, namespaceSelector: p.namespaceSelector, namespaces: cluster.namespaces }
    : { podSelector: p.podSelector, namespace: pol.namespace };
}

function portMatches(rule: PolicyRule, port: number, protocol: Protocol, destination: Pod | undefined): boolean {
  const ports = rule.ports ?? [];
  if (ports.length === 0) return true;
  return ports.some((s) => {
    if (s.protocol !== protocol) return false;
    if (s.port === undefined) return true;
    if (typeof s.port === 'number') return s.endPort === undefined ? port === s.port : port >= s.port && port <= s.endPort;
    const named = s.port;
    return destination?.ports.some((c) => c.name === named && c.protocol === s.protocol && c.port === port) ?? false;
  });
}

function inBlock(b: NonNullable<PolicyPeer['ipBlock']>, ip: string): boolean {
  const a = parseAddress(ip);
  if (!a) return false;
  const { net, except } = block(b);
  return contains(net, a.family, a.addr) && !except.some((e) => contains(e, a.family, a.addr));
}

/** Throws on what Kubernetes' validation rejects and the rules could not express faithfully. */
function validatePolicy(pol: NetworkPolicy): void {
  const where = `NetworkPolicy ${pol.namespace}/${pol.name}`;
  for (const type of ['Ingress', 'Egress'] as const) {
    rulesOf(pol, type).forEach((rule, i) => {
      const at = `${where}: ${type.toLowerCase()}[${i}]`;
      (rule.peers ?? []).forEach((p, j) => {
        if (!p.podSelector && !p.namespaceSelector && !p.ipBlock) throw new Error(`${at} peer ${j}: needs podSelector, namespaceSelector or ipBlock`);
        if (p.ipBlock && (p.podSelector || p.namespaceSelector)) throw new Error(`${at} peer ${j}: ipBlock cannot be combined with selectors`);
        if (p.ipBlock) block(p.ipBlock);
      });
      (rule.ports ?? []).forEach((s, j) => {
        if (s.endPort === undefined) return;
        if (typeof s.port !== 'number') throw new Error(`${at} port ${j}: endPort needs a numeric port`);
        if (s.endPort < s.port) throw new Error(`${at} port ${j}: endPort ${s.endPort} is below port ${s.port}`);
      });
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The rules

/** The chain holding a pod's ingress (`IN`) or egress (`OUT`) policy: NSL-POL-IN-<hash of namespace/name>. */
export function podChain(pod: Pick<Pod, 'namespace' | 'name'>, direction: 'IN' | 'OUT'): string {
  return `NSL-POL-${direction}-${chainHash(`${pod.namespace}/${pod.name}`)}`;
}

function sortPolicies(ps: readonly NetworkPolicy[]): NetworkPolicy[] {
  return [...ps].sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
}

function sortPods(ps: readonly Pod[]): Pod[] {
  return [...ps].sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isV4(ip: string): boolean {
  return parseAddress(ip)?.family === 4;
}

/** A pod's address in a family: its IPv4 `ip`, or its IPv6 `ip6` (dual-stack); undefined when it has none. */
export function podAddress(pod: Pick<Pod, 'ip' | 'ip6'>, family: Family): string | undefined {
  if (family === 6) return pod.ip6 !== undefined && parseAddress(pod.ip6)?.family === 6 ? pod.ip6 : pod.ip.includes(':') ? pod.ip : undefined;
  return isV4(pod.ip) ? pod.ip : undefined;
}

type PortSpec = NonNullable<PolicyRule['ports']>[number];

/** A port spec against a destination pod: numeric ports need none; a named one resolves or matches nothing. */
function l4Of(s: PortSpec, destination: Pod | undefined): L4 | undefined {
  const proto = s.protocol === 'UDP' ? 'udp' : 'tcp';
  if (s.port === undefined) return { proto, what: `all ${s.protocol}` };
  if (typeof s.port === 'number') {
    return s.endPort === undefined ? { proto, dport: String(s.port), what: `${s.protocol} ${s.port}` } : { proto, dport: `${s.port}:${s.endPort}`, what: `${s.protocol} ${s.port}-${s.endPort}` };
  }
  const named = s.port;
  const c = destination?.ports.find((x) => x.name === named && x.protocol === s.protocol);
  return c ? { proto, dport: String(c.port), what: `${s.protocol} ${c.port} (port '${named}' of ${podKey(destination!)})` } : undefined;
}

/**
 * iptables-restore input (`*filter … COMMIT`) enforcing the cluster's NetworkPolicies for the pods on
 * `input.node`; `input.pods` is every pod of the cluster (peers are resolved to pod IPs now: the lab is static).
 * Meant for the node's namespace, loaded once (with --noflush when other rules of the node's filter table must
 * stay, e.g. kube-proxy's; the FORWARD jump is inserted first, so a second --noflush load would insert it twice).
 * One family: `family` 4 (default) writes iptables rules with the pods' IPv4 addresses and the IPv4 ipBlocks;
 * 6 writes the ip6tables-restore input of a dual-stack cluster, with each pod's IPv6 address and the IPv6 ipBlocks
 * (an ipBlock applies to its own family only, as Calico's rules do). The chains are the same in both.
 */
export function policyRules(input: PolicyInput, family: Family = 4): string {
  const host = family === 6 ? 128 : 32;
  const shown = (pod: Pod): string => (family === 6 ? (podAddress(pod, 6) ?? 'no IPv6 address') : pod.ip);
  for (const p of input.policies) validatePolicy(p);
  // hostNetwork pods are the node itself: policies neither isolate them nor select them as peers (as in Kubernetes)
  const pods = input.pods.filter((p) => !p.hostNetwork);
  const local = sortPods(pods.filter((p) => p.node === input.node));
  const allPods = sortPods(pods);
  const r = new Rules();
  for (const c of [CHAIN_POLICY, CHAIN_EGRESS_OK, CHAIN_INGRESS]) r.chain(c);

  const isolation = local.map((pod) => ({
    pod,
    ingress: isolatingPolicies(input.policies, pod, 'Ingress'),
    egress: isolatingPolicies(input.policies, pod, 'Egress'),
  }));

  r.lines.push(`-I FORWARD 1 ${comment(`nslab: NetworkPolicy for the pods of node ${input.node}`)} -j ${CHAIN_POLICY}`);

  // NSL-POLICY: replies first, then the source pod's egress, then the destination pod's ingress
  r.add(CHAIN_POLICY, ['-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED'], 'replies of allowed connections pass (and RELATED, e.g. ICMP errors)', 'ACCEPT');
  if (family === 6) {
    // IPv6 finds its neighbours with ICMPv6 (NDP), which with br_netfilter crosses these chains as bridged traffic: a
    // pod isolated for ingress would otherwise be unreachable even where allowed. Calico's Felix accepts NDP before
    // any policy too (ARP, its IPv4 counterpart, is not IP and never reaches iptables).
    for (const t of ['router-solicitation', 'router-advertisement', 'neighbour-solicitation', 'neighbour-advertisement']) {
      r.add(CHAIN_POLICY, ['-p', 'ipv6-icmp', '-m', 'icmp6', '--icmpv6-type', t], `IPv6 neighbour discovery (${t}) passes, as ARP does in IPv4`, 'ACCEPT');
    }
  }
  for (const { pod, egress } of isolation) {
    if (egress.length === 0) continue;
    const chain = podChain(pod, 'OUT');
    r.add(CHAIN_POLICY, ['-i', pod.hostIf], `from pod ${podKey(pod)}: routed from its veth`, chain);
    r.add(CHAIN_POLICY, ['-m', 'physdev', '--physdev-in', pod.hostIf], `from pod ${podKey(pod)}: in through its bridge port (bridged or routed; needs br_netfilter)`, chain);
  }
  r.add(CHAIN_POLICY, [], 'source not isolated for egress: on to the destination pod ingress policy', CHAIN_INGRESS);

  // NSL-POL-EGRESS-OK: the source's egress allowed it; the destination's ingress still decides
  r.add(CHAIN_EGRESS_OK, [], 'egress allowed: the destination pod ingress policy, if any, decides', CHAIN_INGRESS);
  r.add(CHAIN_EGRESS_OK, [], 'egress allowed and the destination is not isolated for ingress here', 'ACCEPT');

  // NSL-POL-INGRESS: which destination pod; its chain always ends in a verdict
  for (const { pod, ingress } of isolation) {
    if (ingress.length === 0) continue;
    const chain = podChain(pod, 'IN');
    r.add(CHAIN_INGRESS, ['-o', pod.hostIf], `to pod ${podKey(pod)}: routed to its veth`, chain);
    r.add(CHAIN_INGRESS, ['-m', 'physdev', '--physdev-out', pod.hostIf, '--physdev-is-bridged'], `to pod ${podKey(pod)}: bridged to its port (needs br_netfilter: bridge-nf-call-iptables=1)`, chain);
    const own = podAddress(pod, family);
    if (own !== undefined) {
      r.add(CHAIN_INGRESS, ['-d', `${own}/${host}`, '-m', 'physdev', '!', '--physdev-is-bridged'], `to pod ${podKey(pod)}: routed onto its bridge (the out port is not known in FORWARD, so by address)`, chain);
    }
  }

  for (const { pod, ingress, egress } of isolation) {
    for (const [dir, policies] of [['IN', ingress], ['OUT', egress]] as const) {
      if (policies.length === 0) continue;
      const chain = podChain(pod, dir);
      r.chain(chain);
      const type: PolicyType = dir === 'IN' ? 'Ingress' : 'Egress';
      r.note(`${chain}: ${type.toLowerCase()} of pod ${podKey(pod)} (${shown(pod)}, ${pod.hostIf}), isolated by ${policies.map((p) => `${p.namespace}/${p.name}`).join(', ')}`);
      for (const pol of policies) {
        const rules = rulesOf(pol, type);
        if (rules.length === 0) r.note(`policy ${pol.namespace}/${pol.name} has no ${type.toLowerCase()} rules: it allows nothing (it only isolates)`);
        rules.forEach((rule, i) => emitRule(r, input, allPods, pod, pol, type, rule, `policy ${pol.namespace}/${pol.name} ${type.toLowerCase()}[${i}]`, family));
      }
      r.add(chain, [], `pod ${podKey(pod)} is isolated for ${type.toLowerCase()}: the rest is dropped (DROP, silently, as Kubernetes describes; not REJECT)`, 'DROP');
    }
  }

  const header = [
    family === 6
      ? `nslab NetworkPolicy rules for node ${input.node}, IPv6: ip6tables-restore input, filter table (Kubernetes semantics; see runner/cluster/policy.ts).`
      : `nslab NetworkPolicy rules for node ${input.node}: iptables-restore input, filter table (Kubernetes semantics; see runner/cluster/policy.ts).`,
    'FORWARD -> NSL-POLICY: replies (conntrack ESTABLISHED,RELATED) are accepted first; then the source pod egress chain',
    'NSL-POL-OUT-<hash> (allowed -> NSL-POL-EGRESS-OK, else DROP); then NSL-POL-INGRESS picks the destination pod ingress chain',
    'NSL-POL-IN-<hash> (allowed -> ACCEPT, else DROP). A pod selected by no policy of a type gets no chain for it: not isolated.',
    'Pods are told by their host-side veth: -i/-o when routed, -m physdev when on a bridge (bridged traffic reaches iptables only',
    `with br_netfilter, net.bridge.bridge-nf-call-${family === 6 ? 'ip6tables' : 'iptables'}=1); traffic routed onto a pod bridge is told by the pod address.`,
    'Node-originated traffic (kubelet health checks) leaves by OUTPUT, which is not hooked: the node reaches all its pods, as',
    'Kubernetes CNIs allow. Pod -> node goes to INPUT: not filtered either. Peers are pod IPs resolved now (the lab is static).',
    ...isolation.map(({ pod, ingress, egress }) => {
      const iso = (ps: NetworkPolicy[]): string => (ps.length === 0 ? 'not isolated' : `isolated by ${ps.map((p) => `${p.namespace}/${p.name}`).join(', ')}`);
      return `pod ${podKey(pod)} ${shown(pod)} (${pod.hostIf}): ingress ${iso(ingress)}; egress ${iso(egress)}`;
    }),
  ];
  return r.text(header);
}

/** One policy rule of one pod's chain: peers × ports, each allowed combination one iptables rule. */
function emitRule(r: Rules, input: PolicyInput, allPods: Pod[], pod: Pod, pol: NetworkPolicy, type: PolicyType, rule: PolicyRule, where: string, family: Family): void {
  const host = family === 6 ? 128 : 32;
  const dir = type === 'Ingress' ? 'IN' : 'OUT';
  const chain = podChain(pod, dir);
  const verdict = dir === 'IN' ? 'ACCEPT' : CHAIN_EGRESS_OK;
  const addrFlag = dir === 'IN' ? '-s' : '-d';
  const peerWord = dir === 'IN' ? 'from' : 'to';
  const specs = rule.ports ?? [];
  const peers = rule.peers ?? [];
  let emitted = 0;

  /** The L4 matches of the rule for a destination pod (undefined: not a pod; named ports then match nothing). */
  const l4s = (destination: Pod | undefined, onlyNumeric = false): L4[] => {
    if (specs.length === 0) return [ALL];
    return specs.flatMap((s) => (onlyNumeric && typeof s.port === 'string' ? [] : (l4Of(s, destination) ?? [])));
  };
  const emit = (addr: string | undefined, l: L4, what: string, target = verdict): void => {
    r.add(chain, [...(addr ? [addrFlag, addr] : []), ...l4Args(l)], `${where}: ${what}, ${l.what}`, target);
    emitted++;
  };
  /** For egress, a named port resolves per destination pod: every pod of `candidates` that has it. */
  const namedToPods = (candidates: readonly Pod[], what: (p: Pod) => string): void => {
    for (const s of specs) {
      if (typeof s.port !== 'string') continue;
      for (const p of candidates) {
        const l = l4Of(s, p);
        const a = podAddress(p, family);
        if (l && a !== undefined) emit(`${a}/${host}`, l, what(p));
      }
    }
  };

  if (peers.length === 0) {
    if (dir === 'IN') for (const l of l4s(pod)) emit(undefined, l, 'from anywhere');
    else {
      for (const l of l4s(undefined, true)) emit(undefined, l, 'to anywhere');
      namedToPods(allPods, (p) => `to pod ${podKey(p)} (named port)`);
    }
  }
  peers.forEach((peer, j) => {
    const at = `${peerWord}[${j}]`;
    if (peer.ipBlock) {
      const b = block(peer.ipBlock);
      if (b.net.family !== family) {
        r.note(`${where} ${at}: ipBlock ${peer.ipBlock.cidr} is IPv${b.net.family}: not in these IPv${family} rules`);
        return;
      }
      const cidr = formatPrefix(b.net);
      const except = b.except.filter((e) => e.family === family);
      const what = `${at} ipBlock ${cidr}${except.length ? ` except ${except.map(formatPrefix).join(' ')}` : ''}`;
      const target = except.length ? r.blockChain(dir, { net: b.net, except }, verdict) : verdict;
      for (const l of dir === 'IN' ? l4s(pod) : l4s(undefined, true)) emit(cidr, l, what, target);
      if (dir === 'OUT') namedToPods(allPods.filter((p) => { const a = podAddress(p, family); return a !== undefined && inBlock(peer.ipBlock!, a); }), (p) => `${at} ipBlock ${cidr}: pod ${podKey(p)} (named port)`);
      return;
    }
    const selected = selectPods(allPods, peerSelection(input, pol, peer));
    const how = peer.namespaceSelector ? (peer.podSelector ? 'pods matching both selectors' : 'pods of the selected namespaces') : `pods of namespace ${pol.namespace}`;
    if (selected.length === 0) r.note(`${where} ${at}: selects no pod (${how})`);
    for (const p of selected) {
      const a = podAddress(p, family);
      if (a === undefined) continue;
      for (const l of l4s(dir === 'IN' ? pod : p)) emit(`${a}/${host}`, l, `${at} pod ${podKey(p)}`);
    }
  });
  if (emitted === 0) {
    const unresolved = specs.filter((s) => typeof s.port === 'string').map((s) => `'${s.port}'/${s.protocol}`);
    r.note(`${where}: allows nothing here${unresolved.length ? ` (named port ${unresolved.join(', ')} not found on the destination)` : ''}`);
  }
}
