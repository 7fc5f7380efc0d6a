/**
 * The `cluster:` construct, expanded into ordinary lab parts before resolve: every Kubernetes node and pod becomes a
 * node of the lab, wired as kubelet and the CNI plugin would (cni0 bridges and veths, flannel.1 VTEPs with their
 * static neighbour and FDB entries, host-gw routes, flannel-udp tun tunnels, Calico's cali* veths, /32 routes and a
 * BIRD per node). What is left for compile (kube-proxy's rules, policies, DNS, the pods' servers) is the
 * ResolvedCluster this returns. Pure: the result is a LoadedFile whose positions point back into `cluster:`.
 */
import { createHash } from 'node:crypto';
import { didYouMean, error, type Diagnostic, type SourcePos } from '../config/diagnostics.ts';
import type { LoadedFile, PathSeg } from '../config/load.ts';
import { contains, formatAddress, formatPrefix, network, overlaps, parseAddress, parsePrefix, size, type Prefix } from '../model/ip.ts';
import { buildPolicies, buildServices, nthAddress } from './model.ts';
import type { ClusterResult, CniBackend, Protocol } from './types.ts';
import type { Draft, PodDraft } from './draft.ts';
import { addPodNetwork, DNS_POD, underlayDiagnostics } from './cni.ts';
import { hostPortDiagnostics } from './hostport.ts';
import { resolveGateway } from './egress.ts';
import { asObj, isObj, type Obj, str } from '../util/obj.ts';

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
  readonly pods4?: Prefix;
  readonly svc4?: Prefix;
  readonly und4?: Prefix;
  readonly podsOverUnderlay: boolean;
}

export function expandCluster(file: LoadedFile): Expansion {
  const raw = asObj(file.data);
  if (!isObj(raw.cluster)) return { file, diagnostics: [] };
  const p = planOf(raw, raw.cluster, file.at);
  const { at, diags, C } = p;
  // a CIDR that is not one: everything drawn from it would crash or only echo the mistake (issue 18)
  if (diags.some((x) => x.severity === 'error' && x.code === 'cluster.cidr')) return { file, diagnostics: diags, failed: true };
  const nodes = placeNodes(p);
  const pods = placePods(p, nodes);
  const bgp = asObj(C.bgp);
  const peers = (Array.isArray(bgp.peers) ? bgp.peers : []).map((x: unknown) => str(asObj(x).node)).filter((x): x is string => !!x);
  const { model, dnsIP, namespaces, policies } = clusterModel(p, pods, peers);
  diags.push(...hostPortDiagnostics({ cni: p.cni, at, pods, services: model.services }));

  // ---- the lab parts
  const gateway = resolveGateway(C, p.userNodes, p.und4, p.underlay, nodes.map((n) => n.ip), at, diags);
  const draft: Draft = { cni: p.cni, mtu: p.mtu, nodes, pods, rawNodes: { ...(asObj(raw.nodes) as Record<string, Obj>) }, bridges: { ...(asObj(raw.bridges) as Record<string, Obj>) }, links: Array.isArray(raw.links) ? [...raw.links] : [], remap: new Map(), labName: p.labName, bgp, lbAnnounce: new Map(), serviceCIDR: p.serviceCIDR, gateway };
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
  for (const pol of policies) sources.set(`policy:${pol.namespace}/${pol.name}`, at(['cluster', 'network-policies', pol.name], true));
  const cluster: ClusterResult = {
    cni: p.cni,
    kubeProxy: p.kubeProxy === 'nftables' ? 'nftables' : 'iptables',
    requestedKubeProxy: p.kubeProxy,
    kubeProxyPos: C['kube-proxy'] !== undefined ? at(['cluster', 'kube-proxy']) : undefined,
    podCIDR: p.podCIDR,
    serviceCIDR: p.serviceCIDR,
    nodePortRange: p.nodePortRange,
    nodes: nodes.map(({ name, ip, underlayIf, podCIDR: b, labels }) => ({ name, ip, underlayIf, podCIDR: b, labels })),
    pods: pods.map(({ path: _p, image: _i, cmd: _c, ...pod }) => pod),
    services: model.services,
    endpoints: model.endpoints,
    namespaces,
    policies,
    dns: dnsIP ? { ip: dnsIP, pod: DNS_POD, domain: 'cluster.local' } : undefined,
    bgpPeers: peers,
    ...(gateway ? { gateway } : {}),
    egressMasquerade: C['egress-masquerade'] !== false,
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
  const cni = (str(C.cni) ?? 'flannel-vxlan') as CniBackend;
  const podCIDR = str(C['pod-cidr']) ?? '10.244.0.0/16';
  const serviceCIDR = str(C['service-cidr']) ?? '10.96.0.0/12';
  const underlay = str(C.underlay) ?? '192.168.56.0/24';
  const mask = typeof C['node-mask'] === 'number' ? C['node-mask'] : cni === 'calico-bgp' ? 26 : 24;
  const [lo, hi] = (str(C['node-port-range']) ?? '30000-32767').split('-').map(Number);
  if (!(lo >= 1 && hi <= 65535 && lo <= hi)) diags.push(error('cluster.node-port-range', `node-port-range ${String(C['node-port-range'])} is not a range of ports`, at(['cluster', 'node-port-range']), 'write it as 30000-32767: two ports, the lower first'));
  const pods4 = prefix4(podCIDR, ['cluster', 'pod-cidr'], 'pod-cidr', at, diags);
  const svc4 = prefix4(serviceCIDR, ['cluster', 'service-cidr'], 'service-cidr', at, diags);
  const und4 = prefix4(underlay, ['cluster', 'underlay'], 'underlay', at, diags);
  if (pods4 && svc4 && overlaps(pods4, svc4)) diags.push(error('cluster.cidr-overlap', `the pod CIDR ${podCIDR} overlaps the service CIDR ${serviceCIDR}`, at(['cluster', 'pod-cidr']), 'pods and service addresses must be apart: e.g. pod-cidr 10.244.0.0/16 and service-cidr 10.96.0.0/12 (the kubeadm defaults)'));
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
  };
}

/** The cluster nodes: each an underlay address (declared, or the next from the underlay) and a block of the pod CIDR. */
function placeNodes(p: Plan): Draft['nodes'][number][] {
  const { at, diags, C, pods4, und4, mask } = p;
  const nodeEntries = Object.entries(asObj(C.nodes));
  const blocks = pods4 ? 2 ** Math.max(0, mask - pods4.len) : 0;
  if (pods4 && nodeEntries.length > blocks) diags.push(error('cluster.node-cidr', `the pod CIDR ${p.podCIDR} has room for ${blocks} node blocks of /${mask}, and the cluster has ${nodeEntries.length} nodes`, at(['cluster', 'pod-cidr']), 'use a larger pod-cidr or a longer node-mask'));
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
    nodes.push({ name: n, ip: addr?.split('/')[0] ?? '0.0.0.0', underlayIf: ifname, podCIDR: block, labels: asObj(o.labels) as Record<string, string>, declared, index: i });
    if (addr && pods4 && !p.podsOverUnderlay) {
      const a = parseAddress(addr.split('/')[0]);
      if (a && contains(network(pods4), 4, a.addr)) diags.push(error('cluster.cidr-overlap', `node ${n}'s address ${addr} is inside the pod CIDR ${p.podCIDR}`, at(['cluster', 'nodes', n], true), 'node and pod addresses must be apart'));
    }
  });
  return nodes;
}

/** The pods (replicas expanded, the DNS pod first), placed on nodes round-robin unless pinned, numbered within their node's block. */
function placePods(p: Plan, nodes: readonly Draft['nodes'][number][]): PodDraft[] {
  const { at, diags, C, cni, mask } = p;
  const nodeNames = nodes.map((n) => n.name);
  const pods: PodDraft[] = [];
  const clash = new Set([...Object.keys(p.userNodes), ...nodeNames]);
  const perNode = new Map<string, number>();
  const place = (name: string, node: string, path: PathSeg[], o: Obj, namespace: string): void => {
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
      pods.push({ name, namespace, labels: asObj(o.labels) as Record<string, string>, node, ip: n.ip, ports, hostIf: n.underlayIf, hostNetwork: true, path, image: str(o.image), cmd: o.cmd });
      return;
    }
    const k = (perNode.get(node) ?? 0) + 1;
    perNode.set(node, k);
    const b = parsePrefix(n.podCIDR)!;
    const first = cni === 'calico-bgp' ? 0 : 1; // bridge CNIs keep .1 for cni0
    const room = Number(size(b)) - 2 - first;
    if (k > room) {
      if (k === room + 1) diags.push(error('cluster.node-cidr-full', `node ${node}'s pod block ${n.podCIDR} has room for ${room} pods, and pod ${name} is number ${k} placed on it`, at(path, true), `use a shorter node-mask than /${mask}, or place pods on other nodes`));
      return;
    }
    const ip = formatAddress(4, b.addr + BigInt(first + k));
    pods.push({ name, namespace, labels: asObj(o.labels) as Record<string, string>, node, ip, ports, hostIf: hostIfName(cni, namespace, name), path, image: str(o.image), cmd: o.cmd });
  };
  if (p.dnsOn && nodes.length) place(DNS_POD, nodes[0].name, ['cluster', 'dns'], { labels: { 'k8s-app': 'kube-dns' }, ports: [{ port: 53, name: 'dns', protocol: 'UDP' }, { port: 53, name: 'dns-tcp', protocol: 'TCP' }] }, 'kube-system');
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
    const names = count ? Array.from({ length: count }, (_, k) => `${name}-${k + 1}`) : [name];
    for (const pn of names) {
      const node = explicit ?? nodeNames[rr++ % Math.max(1, nodeNames.length)];
      if (node !== undefined) place(pn, node, path, o, str(o.namespace) ?? 'default');
    }
  }
  return pods;
}

/** Services with their endpoints (kube-dns first when DNS is on), namespaces with their labels, NetworkPolicies. */
function clusterModel(p: Plan, pods: readonly PodDraft[], peers: readonly string[]) {
  const { at, diags, C, cni, pods4, svc4, und4 } = p;
  const dnsIP = p.dnsOn && svc4 ? nthAddress(p.serviceCIDR, 10) : undefined;
  const bgp = asObj(C.bgp);
  const noLoadBalancer = cni !== 'calico-bgp' ? `the cluster's cni is ${cni}, and only calico-bgp clusters run BGP on their nodes` : peers.length === 0 ? 'cluster.bgp.peers names no router to announce the address to' : undefined;
  const lbPool = str(bgp['load-balancer-pool']) ?? '172.30.0.0/24';
  const lb4 = bgp['load-balancer-pool'] !== undefined ? prefix4(lbPool, ['cluster', 'bgp', 'load-balancer-pool'], 'load-balancer-pool', at, diags) : parsePrefix(lbPool);
  for (const [other, what] of [[pods4, `the pod CIDR ${p.podCIDR}`], [svc4, `the service CIDR ${p.serviceCIDR}`], [und4, `the node network ${p.underlay}`]] as const) {
    if (lb4 && other && overlaps(lb4, other)) diags.push(error('cluster.cidr-overlap', `the load-balancer pool ${lbPool} overlaps ${what}`, at(['cluster', 'bgp', 'load-balancer-pool']), 'give LoadBalancer addresses a range of their own, e.g. 172.30.0.0/24'));
  }
  const model = buildServices(asObj(C.services), { at, diags, serviceCIDR: p.serviceCIDR, nodePortRange: p.nodePortRange, pods, lbPool, noLoadBalancer, dnsIP });
  if (dnsIP) {
    const kubeDns = { name: 'kube-dns', namespace: 'kube-system', type: 'ClusterIP' as const, clusterIP: dnsIP, selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', protocol: 'UDP' as const, port: 53, targetPort: 53 }, { name: 'dns-tcp', protocol: 'TCP' as const, port: 53, targetPort: 53 }], sessionAffinity: 'None' as const, affinityTimeout: 10800, externalTrafficPolicy: 'Cluster' as const };
    const dnsPod = pods.find((x) => x.name === DNS_POD);
    model.services.unshift(kubeDns);
    for (const port of kubeDns.ports) model.endpoints.unshift({ service: kubeDns, port, endpoints: dnsPod ? [{ pod: DNS_POD, node: dnsPod.node, ip: dnsPod.ip, port: 53, local: false }] : [] });
  }
  const namespaces: Record<string, Record<string, string>> = {};
  for (const ns of new Set([...pods.map((x) => x.namespace), ...Object.keys(asObj(C.namespaces)), 'default'])) namespaces[ns] = { 'kubernetes.io/metadata.name': ns, ...(asObj(asObj(C.namespaces)[ns]) as Record<string, string>) };
  const policies = buildPolicies(asObj(C['network-policies']), at, diags, Object.keys(namespaces), pods);
  return { model, dnsIP, namespaces, policies };
}

/** The example each CIDR field's message gives (its default, where it has one). */
const CIDR_EXAMPLES: Readonly<Record<string, string>> = { 'pod-cidr': '10.244.0.0/16', 'service-cidr': '10.96.0.0/12', underlay: '192.168.56.0/24', 'load-balancer-pool': '172.30.0.0/24' };

function prefix4(s: string, path: PathSeg[], what: string, at: LoadedFile['at'], diags: Diagnostic[]): Prefix | undefined {
  const p = parsePrefix(s);
  if (!p || p.family !== 4) {
    diags.push(error('cluster.cidr', `${what} ${s} is not an IPv4 prefix`, at(path), `write it as an address and a prefix length of at most 32, e.g. ${CIDR_EXAMPLES[what] ?? '10.0.0.0/16'} (clusters are IPv4-only here)`));
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
