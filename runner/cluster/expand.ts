/**
 * The `cluster:` construct, expanded into ordinary lab parts before resolve: every Kubernetes node and pod becomes a
 * node of the lab, wired as kubelet and the CNI plugin would (cni0 bridges and veths, flannel.1 VTEPs with their
 * static neighbour and FDB entries, host-gw routes, flannel-udp tun tunnels, Calico's cali* veths, /32 routes and a
 * BIRD per node). What is left for compile (kube-proxy's rules, policies, DNS, the pods' servers) is the
 * ResolvedCluster this returns. Pure: the result is a LoadedFile whose positions point back into `cluster:`.
 */
import { createHash } from 'node:crypto';
import { didYouMean, error, warning, type Diagnostic, type SourcePos } from '../config/diagnostics.ts';
import type { LoadedFile, PathSeg, Placement } from '../config/load.ts';
import { contains, formatAddress, formatPrefix, network, overlaps, parseAddress, parsePrefix, size, type Prefix } from '../model/ip.ts';
import { buildPolicies, buildServices, nthAddress } from './model.ts';
import type { ClusterResult, CniBackend, IPFamily, Protocol, Service } from './types.ts';
import { isHeadless } from './dns.ts';
import type { Draft, PodDraft } from './draft.ts';
import { addPodNetwork, DNS_POD, underlayDiagnostics } from './cni.ts';
import { ipamSubnets, parseConflist, podsOutside } from './cni-plugins.ts';
import { hostPortDiagnostics } from './hostport.ts';
import { checkDualStack, cidrPair, DEFAULT_SERVICE_CIDR6, DEFAULT_UNDERLAY6, defaultNodeMask6, noIPv6, prefix6 } from './dual-stack.ts';
import { resolveGateway, resolveGateway6 } from './egress.ts';
import { userspaceDiagnostics } from './userspace-checks.ts';
import { buildMesh } from './mesh.ts';
import { SIDECAR_DEFAULTS, sidecarPorts, type SidecarSpec } from './sidecar.ts';
import { asObj, isObj, type Obj, str } from '../util/obj.ts';
import { join } from 'node:path';
import { labDir } from '../exec/state.ts';
import { buildIngresses, controllerPodEntry, controllerServiceAt, controllerServiceEntry, INGRESS_NAMESPACE, INGRESS_POD, INGRESS_SERVICE, ingressController, wantsIngress } from './ingress.ts';

export type { ClusterResult } from './types.ts';

export interface Expansion {
  readonly file: LoadedFile;
  /** The cluster section has errors: resolve stops after reporting them (they would echo in the generated parts). */
  readonly failed?: boolean;
  readonly cluster?: ClusterResult;
  readonly diagnostics: Diagnostic[];
}

/** The cluster's settings as written (defaults applied) and the address plan checked, shared by the steps of the expansion. */
interface Plan {
  readonly C: Obj;
  readonly raw: Obj;
  readonly at: LoadedFile['at'];
  readonly diags: Diagnostic[];
  readonly cni: CniBackend;
  readonly kubeProxy: string;
  readonly podCIDR: string;
  readonly serviceCIDR: string;
  readonly underlay: string;
  readonly mask: number;
  readonly mtu: number;
  readonly dnsOn: boolean;
  readonly nodePortRange: [number, number];
  readonly userNodes: Obj;
  readonly labName: string;
  /** What the running lab has handed out (issue 15.1), kept for the pods and Services the file still has. */
  readonly placement?: Placement;
  readonly pods4?: Prefix;
  readonly svc4?: Prefix;
  readonly und4?: Prefix;
  readonly podsOverUnderlay: boolean;
  /** Dual-stack (issue 14.1): the IPv6 ranges, each absent in an IPv4-only cluster. */
  readonly podCIDR6?: string;
  readonly serviceCIDR6?: string;
  readonly underlay6?: string;
  readonly mask6: number;
  readonly pods6?: Prefix;
  readonly svc6?: Prefix;
  readonly und6?: Prefix;
}

export function expandCluster(file: LoadedFile): Expansion {
  const raw = asObj(file.data);
  if (!isObj(raw.cluster)) return { file, diagnostics: [] };
  const p = { ...planOf(raw, raw.cluster, file.at), ...(file.placement ? { placement: file.placement } : {}) };
  const { at, diags, C } = p;
  // a CIDR that is not one: everything drawn from it would crash or only echo the mistake (issue 18)
  if (diags.some((x) => x.severity === 'error' && x.code === 'cluster.cidr')) return { file, diagnostics: diags, failed: true };
  const nodes = placeNodes(p);
  const pods = placePods(p, nodes);
  const bgp = asObj(C.bgp);
  const peers = (Array.isArray(bgp.peers) ? bgp.peers : []).map((x: unknown) => str(asObj(x).node)).filter((x): x is string => !!x);
  const { model, dnsIP, dnsIP6, namespaces, policies, mesh } = clusterModel(p, pods, peers);
  const ingresses = wantsIngress(C) ? buildIngresses(asObj(C.ingresses), model.services, at, diags) : undefined;
  if (!ingresses && C['ingress-controller'] !== undefined) diags.push(warning('cluster.ingress-controller', 'ingress-controller is set, and the cluster has no ingresses: no controller is made', at(['cluster', 'ingress-controller'], true), 'add cluster.ingresses (or Ingress manifests), or remove ingress-controller'));
  const policyEngine = policyEngineOf(p.cni, str(C.policy));
  if (p.cni !== 'conflist') policyDiagnostics(p, policyEngine, policies); // a conflist refuses policies outright (cluster.conflist-policy)
  const conflist = p.cni === 'conflist' ? parseConflist(asObj(C.cni).conflist, file, diags) : undefined;
  if (conflist) {
    const outside = podsOutside(conflist, pods);
    if (outside.length) diags.push(error('cluster.conflist-subnet', `the conflist's host-local subnet (${ipamSubnets(conflist).join(', ')}) does not hold pod ${outside[0].name}'s address ${outside[0].ip}${outside.length > 1 ? ` (nor ${outside.length - 1} more)` : ''}`, conflist.pluginPos[0], `leave subnet and ranges out (nslab fills in the node's pod block, as containerd's {{.PodCIDR}} does), or use a subnet inside pod-cidr ${p.podCIDR} that holds ${nodes[0]?.podCIDR ?? 'the node block'}`));
  }
  if (p.cni === 'conflist' && policies.length) diags.push(error('cluster.conflist-policy', 'NetworkPolicy is not built for cni: { conflist }', at(['cluster', 'network-policies'], true), 'nslab\'s policy rules match each pod\'s host-side veth by name, and the bridge plugin names it at random: use cni: bridge for NetworkPolicy labs'));
  diags.push(...hostPortDiagnostics({ cni: p.cni, at, pods, services: model.services }));

  // ---- the lab parts
  const gateway = resolveGateway(C, p.userNodes, p.und4, p.underlay, nodes.map((n) => n.ip), at, diags);
  const gateway6 = resolveGateway6(C, p.userNodes, p.und6);
  if (C['egress-masquerade6'] !== undefined && !p.podCIDR6) diags.push(error('cluster.dual-stack', 'egress-masquerade6 is set, and the cluster is IPv4-only', at(['cluster', 'egress-masquerade6'], true), 'make pod-cidr and service-cidr lists [IPv4, IPv6] for a dual-stack cluster, or remove egress-masquerade6'));
  const draft: Draft = { cni: p.cni, mtu: p.mtu, nodes, pods, rawNodes: { ...(asObj(raw.nodes) as Record<string, Obj>) }, bridges: { ...(asObj(raw.bridges) as Record<string, Obj>) }, links: Array.isArray(raw.links) ? [...raw.links] : [], remap: new Map(), labName: p.labName, bgp, lbAnnounce: new Map(), serviceCIDR: p.serviceCIDR, ...(p.svc6 && p.und6 ? { serviceCIDR6: p.serviceCIDR6, underlay6: p.underlay6 } : {}), gateway, ...(gateway6 ? { gateway6 } : {}) };
  for (const svc of model.services) {
    if (svc.type !== 'LoadBalancer' || !svc.loadBalancerIP) continue;
    const local = svc.externalTrafficPolicy === 'Local';
    const eps = model.endpoints.filter((e) => e.service === svc).flatMap((e) => e.endpoints);
    for (const n of nodes) if (!local || eps.some((e) => e.node === n.name)) draft.lbAnnounce.set(n.name, [...(draft.lbAnnounce.get(n.name) ?? []), `${svc.loadBalancerIP}/32`]);
  }
  diags.push(...underlayDiagnostics(draft, p.underlay, at, peers));
  // with the cluster's own settings wrong, the lab parts made from them would only add confusing errors
  if (diags.some((x) => x.severity === 'error')) return { file, diagnostics: diags, failed: true };
  addPodNetwork(draft, p.und4 ? p.underlay : '192.168.56.0/24', peers, at, diags);

  const sources = new Map<string, SourcePos>();
  for (const pod of pods) sources.set(`pod:${pod.name}`, at(pod.path, true));
  for (const n of nodes) sources.set(`node:${n.name}`, at(['cluster', 'nodes', n.name], true));
  for (const [k, v] of model.pos) sources.set(`svc:${k}`, v);
  if (ingresses) for (const name of Object.keys(asObj(C.ingresses))) sources.set(`ingress:${name}`, at(['cluster', 'ingresses', name], true));
  for (const pol of policies) sources.set(`policy:${pol.namespace}/${pol.name}`, at(['cluster', 'network-policies', pol.name], true));
  for (const vs of mesh?.virtualServices ?? []) sources.set(`vs:${vs.namespace}/${vs.name}`, at(['cluster', 'virtual-services', vs.name], true));
  const cluster: ClusterResult = {
    cni: p.cni,
    kubeProxy: p.kubeProxy === 'nftables' || p.kubeProxy === 'userspace' ? p.kubeProxy : 'iptables',
    requestedKubeProxy: p.kubeProxy,
    kubeProxyPos: C['kube-proxy'] !== undefined ? at(['cluster', 'kube-proxy']) : undefined,
    podCIDR: p.podCIDR,
    serviceCIDR: p.serviceCIDR,
    nodePortRange: p.nodePortRange,
    ...(p.podCIDR6 && p.serviceCIDR6 ? { podCIDR6: p.podCIDR6, serviceCIDR6: p.serviceCIDR6 } : {}),
    nodes: nodes.map(({ name, ip, underlayIf, podCIDR: b, ip6, podCIDR6, labels }) => ({ name, ip, underlayIf, podCIDR: b, ...(ip6 ? { ip6 } : {}), ...(podCIDR6 ? { podCIDR6 } : {}), labels })),
    pods: pods.map(({ path: _p, image: _i, cmd: _c, ...pod }) => pod),
    services: model.services,
    endpoints: model.endpoints,
    namespaces,
    policies: policyEngine === 'none' ? [] : policies,
    policyEngine,
    ...(policyEngine === 'none' && policies.length ? { inertPolicies: policies } : {}),
    dns: dnsIP ? { ip: dnsIP, ...(dnsIP6 ? { ip6: dnsIP6 } : {}), pod: DNS_POD, domain: 'cluster.local' } : undefined,
    bgpPeers: peers,
    ...(gateway ? { gateway } : {}),
    // a conflist masquerades by itself (the bridge plugin's ipMasq), or not
    egressMasquerade: p.cni !== 'conflist' && C['egress-masquerade'] !== false,
    // IPv6: flannel's --ip6-masq and Calico's IPv6 natOutgoing are off unless asked; the bridge plugin's ipMasq covers both families
    ...(p.podCIDR6 && (C['egress-masquerade6'] === true || (C['egress-masquerade6'] === undefined && p.cni === 'bridge' && C['egress-masquerade'] !== false)) ? { egressMasquerade6: true } : {}),
    ...(gateway6 ? { gateway6 } : {}),
    ...(mesh ? { mesh } : {}),
    ...(ingresses ? { ingress: ingressController(join(labDir(p.labName), 'ingress'), ingresses) } : {}),
    ...(conflist ? { conflist } : {}),
    ...(typeof C['masquerade-random-fully'] === 'boolean' ? { masqueradeRandomFully: C['masquerade-random-fully'] } : {}),
    pos: at(['cluster'], true),
    sources,
  };
  const data = { ...raw, nodes: draft.rawNodes, bridges: draft.bridges, links: draft.links };
  return { file: remapped(file, data, draft.remap), cluster, diagnostics: diags };
}

/** Settings with their defaults; pod CIDR, service CIDR and underlay must not overlap, and the node blocks must fit. */
function planOf(raw: Obj, C: Obj, at: LoadedFile['at']): Plan {
  const diags: Diagnostic[] = [];
  const cni = (isObj(C.cni) ? 'conflist' : (str(C.cni) ?? 'flannel-vxlan')) as CniBackend;
  const podPair = cidrPair(C, 'pod-cidr', '10.244.0.0/16', at, diags);
  const svcPair = cidrPair(C, 'service-cidr', '10.96.0.0/12', at, diags);
  const undPair = cidrPair(C, 'underlay', '192.168.56.0/24', at, diags);
  const podCIDR = podPair.v4;
  const serviceCIDR = svcPair.v4;
  const underlay = undPair.v4;
  const mask = typeof C['node-mask'] === 'number' ? C['node-mask'] : cni === 'calico-bgp' ? 26 : 24;
  const [lo, hi] = (str(C['node-port-range']) ?? '30000-32767').split('-').map(Number);
  if (!(lo >= 1 && hi <= 65535 && lo <= hi)) diags.push(error('cluster.node-port-range', `node-port-range ${String(C['node-port-range'])} is not a range of ports`, at(['cluster', 'node-port-range']), 'write it as 30000-32767: two ports, the lower first'));
  const pods4 = prefix4(podCIDR, podPair.path4, 'pod-cidr', at, diags);
  const svc4 = prefix4(serviceCIDR, svcPair.path4, 'service-cidr', at, diags);
  const und4 = prefix4(underlay, undPair.path4, 'underlay', at, diags);
  // dual-stack: pods and services both get an IPv6 range, or neither (kubeadm needs both lists); the node network gets one by default
  const dual = podPair.dual || svcPair.dual;
  // (a service-cidr not written at all gets the IPv6 default beside the IPv4 one)
  const halfDual = podPair.dual !== svcPair.dual && !(podPair.dual && C['service-cidr'] === undefined);
  if (halfDual && !diags.some((x) => x.code === 'cluster.cidr')) {
    const [has, lacks] = podPair.dual ? ['pod-cidr', 'service-cidr'] : ['service-cidr', 'pod-cidr'];
    diags.push(error('cluster.dual-stack', `${has} is dual-stack and ${lacks} has no IPv6 range`, at(['cluster', lacks]), `a dual-stack cluster needs both families in both lists: pod-cidr [10.244.0.0/16, fd00:10:244::/56] and service-cidr [10.96.0.0/12, ${DEFAULT_SERVICE_CIDR6}]`));
  }
  if (!dual && undPair.dual) diags.push(error('cluster.dual-stack', `underlay has an IPv6 prefix (${undPair.v6}), and the cluster is IPv4-only`, at(undPair.path6), 'make the cluster dual-stack (pod-cidr and service-cidr [IPv4, IPv6]), or give underlay its IPv4 prefix only'));
  const podCIDR6 = dual ? podPair.v6 : undefined;
  const serviceCIDR6 = dual ? (svcPair.v6 ?? (C['service-cidr'] === undefined ? DEFAULT_SERVICE_CIDR6 : undefined)) : undefined;
  const underlay6 = dual ? (undPair.v6 ?? DEFAULT_UNDERLAY6) : undefined;
  const pods6 = prefix6(podCIDR6, podPair.path6, 'pod-cidr', at, diags);
  const svc6 = prefix6(serviceCIDR6, svcPair.v6 ? svcPair.path6 : ['cluster', 'service-cidr'], 'service-cidr', at, diags);
  const und6 = prefix6(underlay6, undPair.v6 ? undPair.path6 : ['cluster', 'underlay'], 'underlay', at, diags);
  const mask6 = typeof C['node-mask6'] === 'number' ? C['node-mask6'] : defaultNodeMask6(cni);
  if (dual) {
    checkDualStack({ pods6, svc6, und6, pods: podPair, svc: svcPair, und: undPair, mask6, mask6Written: C['node-mask6'] !== undefined, cni, nodes: Object.keys(asObj(C.nodes)).length }, at, diags);
    const why = noIPv6(cni);
    if (why) diags.push(error('cluster.dual-stack-cni', `${cni === 'conflist' ? 'cni: { conflist }' : `cni ${cni}`} cannot build a dual-stack cluster: ${why}`, at(['cluster', 'cni'], true), 'use flannel-vxlan (flannel-v6.1 beside flannel.1), flannel-host-gw, bridge (one node) or calico-bgp'));
  } else if (C['node-mask6'] !== undefined) diags.push(error('cluster.node-mask6', 'node-mask6 is set, and the cluster is IPv4-only', at(['cluster', 'node-mask6'], true), 'make pod-cidr and service-cidr lists [IPv4, IPv6] for a dual-stack cluster, or remove node-mask6'));
  if (pods4 && svc4 && overlaps(pods4, svc4)) diags.push(error('cluster.cidr-overlap', `the pod CIDR ${podCIDR} overlaps the service CIDR ${serviceCIDR}`, at(podPair.path4), 'pods and service addresses must be apart: e.g. pod-cidr 10.244.0.0/16 and service-cidr 10.96.0.0/12 (the kubeadm defaults)'));
  const podsOverUnderlay = !!(pods4 && und4 && overlaps(pods4, und4));
  if (podsOverUnderlay) diags.push(error('cluster.cidr-overlap', `the pod CIDR ${podCIDR} overlaps the node network ${underlay}`, at(['cluster', C.underlay !== undefined && C['pod-cidr'] === undefined ? 'underlay' : 'pod-cidr']), 'pods and nodes need ranges of their own, e.g. pod-cidr 10.244.0.0/16 and underlay 192.168.56.0/24'));
  if (svc4 && und4 && overlaps(svc4, und4)) diags.push(error('cluster.cidr-overlap', `the service CIDR ${serviceCIDR} overlaps the node network ${underlay}`, at(['cluster', 'service-cidr']), 'give the services a range of their own, e.g. 10.96.0.0/12'));
  if (pods4 && mask < pods4.len) diags.push(error('cluster.node-mask', `node-mask /${mask} is larger than the pod CIDR ${podCIDR} itself`, at(['cluster', 'node-mask']), `use a node-mask longer than /${pods4.len}`));
  return {
    C,
    raw,
    at,
    diags,
    cni,
    kubeProxy: str(C['kube-proxy']) ?? 'iptables',
    podCIDR,
    serviceCIDR,
    underlay,
    mask,
    mtu: typeof C.mtu === 'number' ? C.mtu : 1500,
    dnsOn: C.dns !== false,
    nodePortRange: [lo, hi],
    userNodes: asObj(raw.nodes),
    labName: str(raw.name) ?? 'lab',
    pods4,
    svc4,
    und4,
    podsOverUnderlay,
    podCIDR6,
    serviceCIDR6,
    underlay6,
    mask6,
    pods6,
    svc6,
    und6,
  };
}

/** The cluster nodes: each an underlay address (declared, or the next from the underlay) and a block of the pod CIDR. */
function placeNodes(p: Plan): Draft['nodes'][number][] {
  const { at, diags, C, pods4, und4, mask } = p;
  const nodeEntries = Object.entries(asObj(C.nodes));
  const blocks = pods4 ? 2 ** Math.max(0, mask - pods4.len) : 0;
  if (pods4 && nodeEntries.length > blocks) diags.push(error('cluster.node-cidr', `the pod CIDR ${p.podCIDR} has room for ${blocks} node blocks of /${mask}, and the cluster has ${nodeEntries.length} nodes`, at(['cluster', 'pod-cidr']), 'use a larger pod-cidr or a longer node-mask'));
  if (p.cni === 'conflist' && nodeEntries.length > 1) diags.push(error('cluster.conflist-single-node', `cni: { conflist } builds a single-node cluster, and this one has ${nodeEntries.length} nodes`, at(['cluster', 'cni'], true), 'the CNI plugins connect pods to their own node only (between nodes a real cluster runs flannel or Calico): use one node, or flannel-vxlan, flannel-host-gw, flannel-udp or calico-bgp'));
  if (p.cni === 'bridge' && nodeEntries.length > 1) diags.push(error('cluster.bridge-single-node', `cni: bridge builds a single-node cluster, and this one has ${nodeEntries.length} nodes`, at(['cluster', 'cni']), 'pods on different nodes need routes between them: use flannel-vxlan, flannel-host-gw, flannel-udp or calico-bgp'));
  const nodes: Draft['nodes'][number][] = [];
  nodeEntries.forEach(([n, v], i) => {
    const o = asObj(v);
    const declared = n in p.userNodes;
    const ifname = str(o.interface) ?? 'eth0';
    let addr = str(o.address);
    if (!addr && declared) addr = (asObj(asObj(asObj(p.userNodes[n]).interfaces)[ifname]).addresses as string[] | undefined)?.find((a) => !a.includes(':'));
    if (!addr && declared) diags.push(error('cluster.node-address', `cluster node ${n} is declared under nodes:, and its ${ifname} has no IPv4 address`, at(['cluster', 'nodes', n], true), `give nodes.${n}.interfaces.${ifname} an address, or name the underlay interface with cluster.nodes.${n}.interface`));
    if (!addr && und4) {
      const host = BigInt(11 + i);
      if (host >= size(und4) - 1n) diags.push(error('cluster.underlay-full', `the node network ${p.underlay} has no address for node ${n}`, at(['cluster', 'nodes', n], true), 'use a larger underlay'));
      else addr = `${formatAddress(4, network(und4).addr + host)}/${und4.len}`;
    }
    const block = pods4 ? `${formatAddress(4, network(pods4).addr + BigInt(i) * (1n << BigInt(32 - mask)))}/${mask}` : '0.0.0.0/32';
    const six = p.pods6 && p.und6 ? nodeSix(p, n, declared, ifname, i) : {};
    nodes.push({ name: n, ip: addr?.split('/')[0] ?? '0.0.0.0', underlayIf: ifname, podCIDR: block, ...six, labels: asObj(o.labels) as Record<string, string>, declared, index: i });
    if (addr && pods4 && !p.podsOverUnderlay) {
      const a = parseAddress(addr.split('/')[0]);
      if (a && contains(network(pods4), 4, a.addr)) diags.push(error('cluster.cidr-overlap', `node ${n}'s address ${addr} is inside the pod CIDR ${p.podCIDR}`, at(['cluster', 'nodes', n], true), 'node and pod addresses must be apart'));
    }
  });
  return nodes;
}

/**
 * Dual-stack: a node's IPv6 underlay address (cluster.nodes.<n>.address6, an IPv6 address of its declared interface,
 * or the next of the IPv6 underlay, host part 11 + index as for IPv4) and its block of the IPv6 pod CIDR.
 */
function nodeSix(p: Plan, n: string, declared: boolean, ifname: string, i: number): { ip6?: string; podCIDR6: string } {
  const pods6 = p.pods6!;
  const und6 = p.und6!;
  const podCIDR6 = `${formatAddress(6, pods6.addr + BigInt(i) * (1n << BigInt(128 - p.mask6)))}/${p.mask6}`;
  let addr = declared ? (asObj(asObj(asObj(p.userNodes[n]).interfaces)[ifname]).addresses as string[] | undefined)?.find((a) => a.includes(':') && !a.toLowerCase().startsWith('fe80')) : undefined;
  if (declared && !addr) {
    p.diags.push(error('cluster.node-address', `cluster node ${n} is declared under nodes:, and its ${ifname} has no IPv6 address for the dual-stack cluster`, p.at(['cluster', 'nodes', n], true), `give nodes.${n}.interfaces.${ifname} an IPv6 address in ${p.underlay6} too`));
    return { podCIDR6 };
  }
  addr ??= `${formatAddress(6, und6.addr + BigInt(11 + i))}/${und6.len}`;
  const a = parseAddress(addr.split('/')[0]);
  if (a && contains(pods6, 6, a.addr)) p.diags.push(error('cluster.cidr-overlap', `node ${n}'s IPv6 address ${addr} is inside the IPv6 pod CIDR ${p.podCIDR6}`, p.at(['cluster', 'nodes', n], true), 'node and pod addresses must be apart'));
  return { ip6: addr.split('/')[0], podCIDR6 };
}

/** The pods (replicas expanded, the DNS pod first), placed on nodes round-robin unless pinned, numbered within their node's block. */
function placePods(p: Plan, nodes: readonly Draft['nodes'][number][]): PodDraft[] {
  const { at, diags, C, cni, mask } = p;
  const nodeNames = nodes.map((n) => n.name);
  const pods: PodDraft[] = [];
  const clash = new Set([...Object.keys(p.userNodes), ...nodeNames]);
  const perNode = new Map<string, number>();
  const place = (name: string, node: string, path: PathSeg[], o: Obj, namespace: string, dnsName: { hostname?: string; subdomain?: string } = {}): void => {
    if (clash.has(name)) {
      diags.push(error('cluster.pod-name', `pod ${name} has the name of ${nodeNames.includes(name) ? 'a cluster node' : pods.some((x) => x.name === name) ? 'another pod' : 'a node of the lab'}`, at(path, true), 'every pod is a node of the lab too: names must be unique across nodes and pods (whatever their namespace)'));
      return;
    }
    clash.add(name);
    const n = nodes.find((x) => x.name === node);
    if (!n) return;
    const ports = (Array.isArray(o.ports) ? o.ports : [80]).map((x) => {
      if (typeof x === 'number') return { port: x, protocol: 'TCP' as Protocol };
      const q = asObj(x);
      return { port: q.port as number, name: str(q.name), protocol: (str(q.protocol) ?? 'TCP') as Protocol, ...(typeof q.hostPort === 'number' ? { hostPort: q.hostPort } : {}), ...(str(q.hostIP) && str(q.hostIP) !== '0.0.0.0' ? { hostIP: str(q.hostIP) } : {}) };
    });
    if (o.hostNetwork === true) {
      // the node's own namespace: its address, no veth, no address of the pod block
      pods.push({ name, namespace, labels: asObj(o.labels) as Record<string, string>, node, ip: n.ip, ...(n.ip6 ? { ip6: n.ip6 } : {}), ports, hostIf: n.underlayIf, hostNetwork: true, path, image: str(o.image), cmd: o.cmd });
      return;
    }
    const b = parsePrefix(n.podCIDR)!;
    const first = cni === 'calico-bgp' ? 0 : 1; // bridge CNIs keep .1 for cni0
    const room = Number(size(b)) - 2 - first;
    // a pod the running lab has keeps its address (issue 15.1); a new one takes the next host number nobody holds
    const kept = keptHost(name, node, b);
    let k = kept ?? 0;
    if (kept === undefined) {
      const used = taken(node);
      k = (perNode.get(node) ?? 0) + 1;
      while (used.has(k)) k++;
      perNode.set(node, k);
    }
    taken(node).add(k);
    if (k > room) {
      if (!fullNodes.has(node)) diags.push(error('cluster.node-cidr-full', `node ${node}'s pod block ${n.podCIDR} has room for ${room} pods, and pod ${name} is number ${k} placed on it`, at(path, true), `use a shorter node-mask than /${mask}, or place pods on other nodes`));
      fullNodes.add(node);
      return;
    }
    const ip = formatAddress(4, b.addr + BigInt(first + k));
    // dual-stack: the same host number in the node's IPv6 block (status.podIPs[1]), which must have room for it too
    const b6 = n.podCIDR6 ? parsePrefix(n.podCIDR6)! : undefined;
    if (b6 && BigInt(first + k) >= size(b6) - 1n) {
      if (!full6.has(node)) diags.push(error('cluster.node-cidr-full', `node ${node}'s IPv6 pod block ${n.podCIDR6} has room for ${Math.max(0, Number(size(b6)) - 2 - first)} pods, and pod ${name} is number ${k} placed on it`, at(path, true), `use a shorter node-mask6 than /${p.mask6}, or place pods on other nodes`));
      full6.add(node);
      return;
    }
    const ip6 = b6 ? formatAddress(6, b6.addr + BigInt(first + k)) : undefined;
    const sidecar = isObj(o.sidecar) || o.sidecar === null ? sidecarOf(asObj(o.sidecar)) : undefined;
    const runAsUser = typeof o['run-as-user'] === 'number' ? o['run-as-user'] : undefined;
    if (sidecar && !checked.has(path.join('.'))) {
      checked.add(path.join('.'));
      sidecarDiagnostics(sidecar, ports, runAsUser, path, at, diags);
    }
    pods.push({ name, namespace, labels: asObj(o.labels) as Record<string, string>, node, ip, ...(ip6 ? { ip6 } : {}), ports, hostIf: hostIfName(cni, namespace, name), ...dnsName, path, image: str(o.image), cmd: o.cmd, ...(sidecar ? { sidecar } : {}), ...(runAsUser !== undefined ? { runAsUser } : {}) });
  };
  const checked = new Set<string>();
  const full6 = new Set<string>();
  const fullNodes = new Set<string>();
  // the host numbers held on each node: the running lab's pods' first (issue 15.1), so that new pods go around them
  const held = new Map<string, Set<number>>();
  const taken = (node: string): Set<number> => {
    let t = held.get(node);
    if (!t) held.set(node, (t = new Set()));
    return t;
  };
  const firstHost = cni === 'calico-bgp' ? 0 : 1;
  const hostOf = (ip: string, b: ReturnType<typeof parsePrefix>): number | undefined => {
    const a = parseAddress(ip);
    if (!a || !b || a.family !== 4 || !contains(b, 4, a.addr)) return undefined;
    const k = Number(a.addr - b.addr) - firstHost;
    return k >= 1 ? k : undefined;
  };
  for (const [, was] of Object.entries(p.placement?.pods ?? {})) {
    const n = nodes.find((x) => x.name === was.node);
    const k = n ? hostOf(was.ip, parsePrefix(n.podCIDR)) : undefined;
    if (n && k !== undefined) taken(n.name).add(k);
  }
  /** The host number a pod of the running lab keeps: on the same node, in the node's block. */
  const keptHost = (name: string, node: string, b: ReturnType<typeof parsePrefix>): number | undefined => {
    const was = p.placement?.pods[name];
    return was && was.node === node ? hostOf(was.ip, b) : undefined;
  };
  if (p.dnsOn && nodes.length) place(DNS_POD, nodes[0].name, ['cluster', 'dns'], { labels: { 'k8s-app': 'kube-dns' }, ports: [{ port: 53, name: 'dns', protocol: 'UDP' }, { port: 53, name: 'dns-tcp', protocol: 'TCP' }] }, 'kube-system');
  if (wantsIngress(C) && nodes.length) {
    const ic = asObj(C['ingress-controller']);
    const want = str(ic.node);
    if (want !== undefined && !nodeNames.includes(want)) {
      const guess = didYouMean(want, nodeNames);
      diags.push(error('cluster.pod-node', `ingress-controller: unknown cluster node ${JSON.stringify(want)}`, at(['cluster', 'ingress-controller', 'node']), guess ? `did you mean ${guess}? cluster nodes: ${nodeNames.join(', ')}` : `cluster nodes: ${nodeNames.join(', ')}`));
    } else place(INGRESS_POD, want ?? nodes[0].name, C['ingress-controller'] !== undefined ? ['cluster', 'ingress-controller'] : ['cluster', 'ingresses'], controllerPodEntry(), INGRESS_NAMESPACE);
  }
  let rr = 0;
  for (const [name, v] of Object.entries(asObj(C.pods))) {
    const o = asObj(v);
    const path: PathSeg[] = ['cluster', 'pods', name];
    const explicit = str(o.node);
    if (explicit !== undefined && !nodeNames.includes(explicit)) {
      const guess = didYouMean(explicit, nodeNames);
      diags.push(error('cluster.pod-node', `pod ${name}: unknown cluster node ${JSON.stringify(explicit)}`, at([...path, 'node']), guess ? `did you mean ${guess}? cluster nodes: ${nodeNames.join(', ')}` : `cluster nodes: ${nodeNames.join(', ')}`));
      continue;
    }
    const count = typeof o.replicas === 'number' ? o.replicas : 0;
    const sts = str(o.statefulset);
    if (sts !== undefined) {
      for (const k of ['hostname', 'subdomain'] as const) {
        if (o[k] !== undefined) diags.push(error('cluster.pod-statefulset', `pod ${name}: a StatefulSet's pods take their ${k} from the StatefulSet`, at([...path, k], true), `remove ${k}: each pod's hostname is its name (${name}-0, …) and its subdomain is the Service statefulset names (${sts})`));
      }
    }
    // a StatefulSet's pods are <name>-0 … <name>-(N-1); a Deployment's (here) <name>-1 … <name>-N
    const names = sts !== undefined ? Array.from({ length: count || 1 }, (_, k) => `${name}-${k}`) : count ? Array.from({ length: count }, (_, k) => `${name}-${k + 1}`) : [name];
    for (const pn of names) {
      // a pod of the running lab stays on its node (issue 15.1), as a Kubernetes pod is never moved
      const was = p.placement?.pods[pn];
      const rrNode = explicit === undefined ? nodeNames[rr++ % Math.max(1, nodeNames.length)] : undefined;
      const node = explicit ?? (was && nodeNames.includes(was.node) ? was.node : rrNode);
      const dnsName = sts !== undefined ? { hostname: pn, subdomain: sts } : { ...(str(o.hostname) ? { hostname: str(o.hostname) } : {}), ...(str(o.subdomain) ? { subdomain: str(o.subdomain) } : {}) };
      if (node !== undefined) place(pn, node, path, o, str(o.namespace) ?? 'default', dnsName);
    }
  }
  return pods;
}

/** Services with their endpoints (kube-dns first when DNS is on), namespaces with their labels, NetworkPolicies. */
function clusterModel(p: Plan, pods: readonly PodDraft[], peers: readonly string[]) {
  const { at, diags, C, cni, pods4, svc4, und4 } = p;
  const dnsIP = p.dnsOn && svc4 ? nthAddress(p.serviceCIDR, 10) : undefined;
  const dnsIP6 = dnsIP && p.svc6 && p.serviceCIDR6 ? nthAddress(p.serviceCIDR6, 10) : undefined;
  const bgp = asObj(C.bgp);
  const noLoadBalancer = cni !== 'calico-bgp' ? `the cluster's cni is ${cni}, and only calico-bgp clusters run BGP on their nodes` : peers.length === 0 ? 'cluster.bgp.peers names no router to announce the address to' : undefined;
  const lbPool = str(bgp['load-balancer-pool']) ?? '172.30.0.0/24';
  const lb4 = bgp['load-balancer-pool'] !== undefined ? prefix4(lbPool, ['cluster', 'bgp', 'load-balancer-pool'], 'load-balancer-pool', at, diags) : parsePrefix(lbPool);
  for (const [other, what] of [[pods4, `the pod CIDR ${p.podCIDR}`], [svc4, `the service CIDR ${p.serviceCIDR}`], [und4, `the node network ${p.underlay}`]] as const) {
    if (lb4 && other && overlaps(lb4, other)) diags.push(error('cluster.cidr-overlap', `the load-balancer pool ${lbPool} overlaps ${what}`, at(['cluster', 'bgp', 'load-balancer-pool']), 'give LoadBalancer addresses a range of their own, e.g. 172.30.0.0/24'));
  }
  const services = wantsIngress(C) ? { ...asObj(C.services), [INGRESS_SERVICE]: controllerServiceEntry(C) } : asObj(C.services);
  const model = buildServices(services, { ...(p.placement ? { placement: p.placement.services } : {}), at: wantsIngress(C) ? controllerServiceAt(C, at) : at, diags, serviceCIDR: p.serviceCIDR, ...(p.svc6 ? { serviceCIDR6: p.serviceCIDR6 } : {}), nodePortRange: p.nodePortRange, pods, lbPool, noLoadBalancer, dnsIP, dnsIP6 });
  if (dnsIP) {
    // a dual-stack cluster's kube-dns answers on both families (PreferDualStack: both ClusterIPs)
    const families = dnsIP6 ? { clusterIP6: dnsIP6, ipFamilies: ['IPv4', 'IPv6'] as IPFamily[], ipFamilyPolicy: 'PreferDualStack' as const } : {};
    const kubeDns: Service = { name: 'kube-dns', namespace: 'kube-system', type: 'ClusterIP' as const, clusterIP: dnsIP, ...families, selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', protocol: 'UDP' as const, port: 53, targetPort: 53 }, { name: 'dns-tcp', protocol: 'TCP' as const, port: 53, targetPort: 53 }], sessionAffinity: 'None' as const, affinityTimeout: 10800, externalTrafficPolicy: 'Cluster' as const };
    const dnsPod = pods.find((x) => x.name === DNS_POD);
    model.services.unshift(kubeDns);
    for (const port of kubeDns.ports) model.endpoints.unshift({ service: kubeDns, port, endpoints: dnsPod ? [{ pod: DNS_POD, node: dnsPod.node, ip: dnsPod.ip, port: 53, local: false }] : [] });
  }
  if (p.kubeProxy === 'userspace') diags.push(...userspaceDiagnostics({ at, pods, services: model.services, servicePos: model.pos, written: new Set(Object.keys(asObj(C.services))), hasPolicies: Object.keys(asObj(C['network-policies'])).length > 0, dualStack: !!p.podCIDR6 }));
  const namespaces: Record<string, Record<string, string>> = {};
  for (const ns of new Set([...pods.map((x) => x.namespace), ...Object.keys(asObj(C.namespaces)), 'default'])) namespaces[ns] = { 'kubernetes.io/metadata.name': ns, ...(asObj(asObj(C.namespaces)[ns]) as Record<string, string>) };
  const policies = buildPolicies(asObj(C['network-policies']), at, diags, Object.keys(namespaces), pods);
  const mesh = buildMesh(C, { at, diags, services: model.services, endpoints: model.endpoints, pods });
  if (mesh?.virtualServices.length && !pods.some((x) => x.sidecar)) diags.push(warning('mesh.no-sidecar', 'no pod has a sidecar: the virtual-services route nobody\'s traffic', at(['cluster', 'virtual-services'], true), 'give the client pods `sidecar: {}`; pods without one reach Services through kube-proxy'));
  subdomainDiagnostics(p, pods, model.services);
  return { model, dnsIP, dnsIP6, namespaces, policies, mesh };
}

/** A pod's subdomain (a StatefulSet's Service) that names no headless Service of its namespace: no per-pod name. */
function subdomainDiagnostics(p: Plan, pods: readonly PodDraft[], services: readonly Service[]): void {
  const seen = new Set<string>();
  for (const pod of pods) {
    if (pod.subdomain === undefined || seen.has(pod.path.join('.'))) continue;
    seen.add(pod.path.join('.'));
    const svc = services.find((s) => s.name === pod.subdomain && s.namespace === pod.namespace);
    if (svc && isHeadless(svc)) continue;
    const sts = p.C.pods !== undefined && asObj(asObj(p.C.pods)[String(pod.path[2])]).statefulset !== undefined;
    const why = svc ? `Service ${pod.namespace}/${pod.subdomain} is not headless` : `there is no Service ${pod.subdomain} in namespace ${pod.namespace}`;
    p.diags.push(warning('cluster.pod-subdomain', `pod ${pod.name}: ${why}, so its name ${pod.hostname ?? pod.name}.${pod.subdomain}.${pod.namespace}.svc.cluster.local does not exist`, p.at([...pod.path, sts ? 'statefulset' : 'subdomain']), `name a headless Service (clusterIP: None) of namespace ${pod.namespace} that selects the pod, as a StatefulSet's serviceName does`));
  }
}

/** The NetworkPolicy engine: calico-bgp enforces itself; flannel and the bridge plugin only with `policy: canal`. */
export function policyEngineOf(cni: CniBackend, policy: string | undefined): 'calico' | 'canal' | 'none' {
  if (cni === 'calico-bgp') return 'calico';
  return policy === 'canal' ? 'canal' : 'none';
}

function policyDiagnostics(p: Plan, engine: 'calico' | 'canal' | 'none', policies: readonly { readonly name: string; readonly namespace: string }[]): void {
  if (p.C.policy === 'canal' && p.cni === 'calico-bgp') {
    p.diags.push(error('cluster.policy-engine', 'policy: canal under cni: calico-bgp: Calico enforces NetworkPolicy itself', p.at(['cluster', 'policy']), 'remove policy: Canal is flannel plus Calico\'s policy engine, for flannel clusters'));
  }
  if (engine !== 'none' || !policies.length) return;
  for (const pol of policies) {
    p.diags.push(warning('cluster.policy-inert', `network policy ${pol.namespace}/${pol.name} is not enforced: cni ${p.cni} does not enforce NetworkPolicy, so it compiles to no rule and blocks nothing`, p.at(['cluster', 'network-policies', pol.name], true), `${p.cni.startsWith('flannel') ? 'flannel never enforces policy (that is why Canal, flannel + Calico\'s policy engine, exists)' : 'the bridge plugin has no policy engine'}: add \`policy: canal\` under cluster: to run Calico's policy engine beside it, or use cni: calico-bgp`));
  }
}

/** The example each CIDR field's message gives (its default, where it has one). */
const CIDR_EXAMPLES: Readonly<Record<string, string>> = { 'pod-cidr': '10.244.0.0/16', 'service-cidr': '10.96.0.0/12', underlay: '192.168.56.0/24', 'load-balancer-pool': '172.30.0.0/24' };

function prefix4(s: string, path: PathSeg[], what: string, at: LoadedFile['at'], diags: Diagnostic[]): Prefix | undefined {
  const p = parsePrefix(s);
  if (!p || p.family !== 4) {
    diags.push(error('cluster.cidr', `${what} ${s} is not an IPv4 prefix`, at(path), `write it as an address and a prefix length of at most 32, e.g. ${CIDR_EXAMPLES[what] ?? '10.0.0.0/16'} (the primary family is IPv4; a dual-stack cluster lists [IPv4, IPv6])`));
    return undefined;
  }
  if (formatPrefix(network(p)) !== s) diags.push(error('cluster.cidr', `${what} ${s} has host bits set`, at(path), `write ${formatPrefix(network(p))}`));
  return network(p);
}

/** The host side of a pod's veth: Calico's cali + 11 hex digits of a hash of the workload, or veth + 8 (the bridge plugin). */
export function hostIfName(cni: CniBackend, namespace: string, pod: string): string {
  const h = createHash('sha1').update(`${namespace}.${pod}`).digest('hex');
  return cni === 'calico-bgp' ? `cali${h.slice(0, 11)}` : `veth${h.slice(0, 8)}`;
}

/** The same file, with the expanded data and positions that map generated places back into `cluster:`. */
function remapped(file: LoadedFile, data: unknown, remap: ReadonlyMap<string, PathSeg[]>): LoadedFile {
  const at = (path: readonly PathSeg[], key = false): SourcePos => {
    for (let n = path.length; n >= 1; n--) {
      const target = remap.get(JSON.stringify(path.slice(0, n)));
      if (target) return file.at(target, key && n === path.length);
    }
    return file.at(path, key);
  };
  return { ...file, data, at };
}

/** A pod's `sidecar:` as written, Istio's defaults for what it leaves out. */
function sidecarOf(o: Obj): SidecarSpec {
  const d = SIDECAR_DEFAULTS;
  const nums = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : []);
  const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return {
    mode: o.mode === 'cni' ? 'cni' : 'init',
    proxyUid: typeof o['proxy-uid'] === 'number' ? o['proxy-uid'] : d.proxyUid,
    inboundPort: typeof o['inbound-port'] === 'number' ? o['inbound-port'] : d.inboundPort,
    outboundPort: typeof o['outbound-port'] === 'number' ? o['outbound-port'] : d.outboundPort,
    includeInboundPorts: Array.isArray(o['include-inbound-ports']) ? nums(o['include-inbound-ports']) : '*',
    excludeInboundPorts: nums(o['exclude-inbound-ports']),
    excludeOutboundPorts: nums(o['exclude-outbound-ports']),
    includeOutboundCidrs: Array.isArray(o['include-outbound-cidrs']) ? strs(o['include-outbound-cidrs']) : '*',
    excludeOutboundCidrs: strs(o['exclude-outbound-cidrs']),
  };
}

/** A sidecar the pod cannot have: the app on the proxy's ports, the app as the proxy's uid, CIDRs that are not. */
function sidecarDiagnostics(s: SidecarSpec, ports: readonly { port: number; protocol: Protocol }[], runAsUser: number | undefined, path: PathSeg[], at: LoadedFile['at'], diags: Diagnostic[]): void {
  const taken = sidecarPorts(s);
  ports.forEach((p, i) => {
    if (p.protocol === 'TCP' && taken.includes(p.port)) {
      const what = p.port === s.outboundPort ? 'outbound port (Envoy\'s virtualOutbound)' : p.port === s.inboundPort ? 'inbound port (Envoy\'s virtualInbound)' : 'admin port';
      diags.push(error('cluster.sidecar-port', `pod ${String(path[2])}: the app listens on ${p.port}, the sidecar's ${what}`, at([...path, 'ports', i]), `the proxy binds ${taken.join(', ')} in the pod's namespace: give the app another port (Istio reserves 15000-15090 for itself)`));
    }
  });
  if (s.inboundPort === s.outboundPort) diags.push(error('cluster.sidecar-port', `pod ${String(path[2])}: the sidecar's inbound and outbound ports are both ${s.inboundPort}`, at([...path, 'sidecar', 'inbound-port']), 'the proxy needs two listeners: Istio uses 15006 inbound and 15001 outbound'));
  if (runAsUser !== undefined && runAsUser === s.proxyUid) {
    diags.push(error('cluster.sidecar-uid', `pod ${String(path[2])}: the app runs as uid ${runAsUser}, the sidecar proxy's uid`, at([...path, 'run-as-user']), `ISTIO_OUTPUT returns every connection of uid ${s.proxyUid} uncaptured (-m owner --uid-owner ${s.proxyUid} -j RETURN): the app's traffic would bypass the proxy. Run the app as another uid (Istio's injector refuses uid 1337 too)`));
  }
  for (const key of ['exclude-outbound-cidrs', 'include-outbound-cidrs'] as const) {
    const list = key === 'exclude-outbound-cidrs' ? s.excludeOutboundCidrs : s.includeOutboundCidrs === '*' ? [] : s.includeOutboundCidrs;
    list.forEach((c, i) => {
      const pr = parsePrefix(c);
      if (!pr || pr.family !== 4) diags.push(error('cluster.sidecar-cidr', `pod ${String(path[2])}: ${JSON.stringify(c)} is not an IPv4 CIDR`, at([...path, 'sidecar', key, i]), 'write it as 10.96.0.0/12'));
    });
  }
}
