/**
 * The Kubernetes objects of a `cluster:` section, as the rule generators and assertions see them: Services with their
 * addresses and endpoints, NetworkPolicies, namespaces. Pure; every mistake is a diagnostic with its YAML place.
 */
import { didYouMean, error, warning, type Diagnostic, type SourcePos } from '../config/diagnostics.ts';
import type { PathSeg, Placement } from '../config/load.ts';
import { contains, formatAddress, network, parseAddress, parsePrefix, size } from '../model/ip.ts';
import { matches } from './selectors.ts';
import type { Endpoint, IPFamily, IPFamilyPolicy, NetworkPolicy, Pod, PolicyPeer, PolicyRule, Protocol, Service, ServiceEndpoints, ServicePort } from './types.ts';
import { asObj, isObj, type Obj, str, stripNulls } from '../util/obj.ts';

export interface ModelContext {
  readonly at: (path: readonly PathSeg[], key?: boolean) => SourcePos;
  readonly diags: Diagnostic[];
  readonly serviceCIDR: string;
  readonly nodePortRange: readonly [number, number];
  readonly pods: readonly Pod[];
  /** Load balancer pool (calico-bgp with peers), if LoadBalancer services may be built. */
  readonly lbPool?: string;
  /** Why LoadBalancer services cannot be built here, if they cannot. */
  readonly noLoadBalancer?: string;
  /** The cluster DNS service address (kube-dns), reserved. */
  readonly dnsIP?: string;
  /** Dual-stack (issue 14.1): the IPv6 service CIDR and kube-dns's IPv6 address; absent in an IPv4-only cluster. */
  readonly serviceCIDR6?: string;
  readonly dnsIP6?: string;
  /** The running lab's Services' ClusterIPs and NodePorts (issue 15.1), kept for the Services the file still has. */
  readonly placement?: Placement['services'];
}

export interface ServiceModel {
  readonly services: Service[];
  readonly endpoints: ServiceEndpoints[];
  /** YAML place of each service, by namespace/name. */
  readonly pos: Map<string, SourcePos>;
}

/** The address `index` places into a prefix (10.96.0.0/12, 10 → 10.96.0.10). */
export function nthAddress(prefix: string, index: number): string {
  const p = network(parsePrefix(prefix)!);
  return formatAddress(p.family, p.addr + BigInt(index));
}

/** A service as written: its name, its YAML mapping, and the path to it (cluster.services.<name>). */
type Draft = { readonly name: string; readonly s: Obj; readonly path: readonly PathSeg[] };

/** What the service allocation has handed out, and where each search for a free one goes on from. */
interface Allocation {
  readonly takenIPs: Set<string>;
  readonly takenPorts: Set<number>;
  readonly takenLB: Set<string>;
  /** Index of the next ClusterIP to try in the service CIDR, and how many addresses it has (capped at a million). */
  nextIP: number;
  readonly svcSize: number;
  /** The same for the IPv6 service CIDR (dual-stack). */
  nextIP6: number;
  readonly svcSize6: number;
  nextPort: number;
  nextLB: number;
  /** Addresses and ports a Service of the running lab keeps (by `ns/name|IPv4`, `ns/name|name|port/proto`), taken first. */
  readonly kept: Map<string, string | number>;
}

const svcKey = (d: Draft): string => `${str(d.s.namespace) ?? 'default'}/${d.name}`;
/** A service port's key in a Placement: its name, port and protocol. */
export const portKey = (rp: { readonly name?: unknown; readonly port?: unknown; readonly protocol?: unknown }): string => `${str(rp.name) ?? ''}|${String(rp.port)}/${str(rp.protocol) ?? 'TCP'}`;

/**
 * The ClusterIPs and NodePorts the running lab's Services hold (issue 15.1), taken after the written ones and before
 * any is allocated: a Service the file still has keeps them, as the apiserver never renumbers a Service. One that
 * no longer fits (outside a changed range, or written for another Service now) is allocated afresh.
 */
function keepPlacement(drafts: readonly Draft[], ctx: ModelContext, alloc: Allocation): void {
  if (!ctx.placement) return;
  for (const d of drafts) {
    const was = ctx.placement[svcKey(d)];
    if (!was) continue;
    const written = writtenIPs(d);
    for (const ip of was.clusterIPs) {
      const a = parseAddress(ip);
      const cidr = a?.family === 6 ? ctx.serviceCIDR6 : ctx.serviceCIDR;
      const family: IPFamily = a?.family === 6 ? 'IPv6' : 'IPv4';
      if (!a || !cidr || written.some((w) => w.ip === 'None' || familyOf(w.ip) === family) || alloc.takenIPs.has(ip)) continue;
      if (!contains(network(parsePrefix(cidr)!), a.family, a.addr)) continue;
      alloc.takenIPs.add(ip);
      alloc.kept.set(`${svcKey(d)}|${family}`, ip);
    }
    const [lo, hi] = ctx.nodePortRange;
    for (const rp of Array.isArray(d.s.ports) ? d.s.ports.map(asObj) : []) {
      const np = was.nodePorts[portKey(rp)];
      if (np === undefined || rp.nodePort !== undefined || np < lo || np > hi || alloc.takenPorts.has(np)) continue;
      alloc.takenPorts.add(np);
      alloc.kept.set(`${svcKey(d)}|${portKey(rp)}`, np);
    }
  }
}

/** Explicit clusterIP, loadBalancerIP and nodePorts, checked and taken first, so that allocation skips them. */
function reserveExplicit(drafts: readonly Draft[], ctx: ModelContext, alloc: Allocation): void {
  const { at, diags } = ctx;
  const { takenIPs, takenLB, takenPorts } = alloc;
  for (const d of drafts) {
    const { name, s } = d;
    for (const { ip, path } of writtenIPs(d)) {
      if (ip === 'None') continue;
      const a = parseAddress(ip);
      const cidr = a?.family === 6 ? ctx.serviceCIDR6 : ctx.serviceCIDR;
      if (!a) diags.push(error('cluster.service-ip', `service ${name}: clusterIP ${JSON.stringify(ip)} is not an address`, at(path), 'write an address in the service CIDR, or None for a headless service'));
      // an IPv6 address in an IPv4-only cluster: the family check says why (familiesOf)
      else if (a.family === 6 && !cidr) continue;
      else if (!contains(network(parsePrefix(cidr!)!), a.family, a.addr)) diags.push(error('cluster.service-ip', `service ${name}: clusterIP ${ip} is outside the ${a.family === 6 && ctx.serviceCIDR6 ? 'IPv6 ' : ''}service CIDR ${cidr}`, at(path), `choose an address in ${cidr}, or leave ${path.includes('clusterIPs') ? 'clusterIPs' : 'clusterIP'} out to get one`));
      else if (takenIPs.has(canonIP(ip))) diags.push(error('cluster.service-ip', `service ${name}: clusterIP ${ip} is already taken${canonIP(ip) === ctx.dnsIP || canonIP(ip) === ctx.dnsIP6 ? ' by kube-dns' : ''}`, at(path), 'choose another address, or leave clusterIP out'));
      takenIPs.add(canonIP(ip));
    }
    const lbip = str(s.loadBalancerIP);
    if (lbip) {
      const a = parseAddress(lbip);
      const pool = ctx.lbPool ? parsePrefix(ctx.lbPool) : undefined;
      if (a && pool && !contains(network(pool), a.family, a.addr)) diags.push(error('cluster.load-balancer', `service ${name}: loadBalancerIP ${lbip} is outside the load-balancer pool ${ctx.lbPool}`, at(['cluster', 'services', name, 'loadBalancerIP']), `choose an address in ${ctx.lbPool}, or set cluster.bgp.load-balancer-pool`));
      else if (takenLB.has(lbip)) diags.push(error('cluster.load-balancer', `service ${name}: loadBalancerIP ${lbip} is already another service's`, at(['cluster', 'services', name, 'loadBalancerIP']), 'choose another address, or leave loadBalancerIP out to get one'));
      takenLB.add(lbip);
    }
    (Array.isArray(s.ports) ? s.ports : []).forEach((p, k) => {
      const np = asObj(p).nodePort;
      if (typeof np !== 'number') return;
      const [lo, hi] = ctx.nodePortRange;
      if (np < lo || np > hi) diags.push(error('cluster.node-port-range', `service ${name}: nodePort ${np} is outside the node-port range ${lo}-${hi}`, at(['cluster', 'services', name, 'ports', k, 'nodePort']), `use a port in ${lo}-${hi}, or widen the range with cluster.node-port-range (kube-apiserver's --service-node-port-range)`));
      else if (takenPorts.has(np)) diags.push(error('cluster.node-port-taken', `service ${name}: nodePort ${np} is already used by another service`, at(['cluster', 'services', name, 'ports', k, 'nodePort']), 'every NodePort is open on every node: choose another'));
      takenPorts.add(np);
    });
  }
}

/** The ClusterIPs as written: clusterIPs, or clusterIP alone, each with its YAML place. */
function writtenIPs(d: Draft): { ip: string; path: PathSeg[] }[] {
  const { s, path: p } = d;
  if (Array.isArray(s.clusterIPs)) return s.clusterIPs.map((ip, i) => ({ ip: String(ip), path: [...p, 'clusterIPs', i] }));
  const ip = str(s.clusterIP);
  return ip ? [{ ip, path: [...p, 'clusterIP'] }] : [];
}

/** An address as nslab writes it (an IPv6 one compressed, lower case: fd00:10:96:0::0a → fd00:10:96::a). */
const canonIP = (ip: string): string => {
  const a = parseAddress(ip);
  return a ? formatAddress(a.family, a.addr) : ip;
};

const familyOf = (ip: string): IPFamily | undefined => {
  const a = parseAddress(ip);
  return a ? (a.family === 6 ? 'IPv6' : 'IPv4') : undefined;
};

/**
 * A service's address families as the apiserver settles them (issue 14.1): ipFamilies as written, or inferred from
 * clusterIPs; no ipFamilyPolicy with two families is RequireDualStack, otherwise SingleStack; SingleStack gets the
 * cluster's primary family (IPv4), PreferDualStack and RequireDualStack both in a dual-stack cluster. What the
 * apiserver refuses is an error: an IPv6 family or RequireDualStack in an IPv4-only cluster, SingleStack with two
 * families, clusterIPs out of the order of ipFamilies, clusterIP other than clusterIPs[0], two of one family.
 */
function familiesOf(d: Draft, type: Service['type'], ctx: ModelContext): { families: IPFamily[]; policy?: IPFamilyPolicy } {
  const { at, diags } = ctx;
  const { name, s, path: p } = d;
  const dual = !!ctx.serviceCIDR6;
  if (type === 'ExternalName') {
    for (const k of ['ipFamilies', 'ipFamilyPolicy', 'clusterIPs']) {
      if (s[k] !== undefined) diags.push(error('cluster.ip-families', `service ${name}: ${k} is not for an ExternalName service`, at([...p, k], true), 'an ExternalName service is a DNS name only, with no address of any family: remove it'));
    }
    return { families: [] };
  }
  const written = writtenIPs(d);
  if (Array.isArray(s.clusterIPs) && str(s.clusterIP) !== undefined && str(s.clusterIP) !== written[0]?.ip) {
    diags.push(error('cluster.service-ip', `service ${name}: clusterIP ${str(s.clusterIP)} is not clusterIPs[0] (${written[0]?.ip})`, at([...p, 'clusterIP']), 'clusterIP is the first of clusterIPs, as the apiserver keeps them: write clusterIPs only, or the same address first'));
  }
  const headless = written[0]?.ip === 'None';
  if (headless && written.length > 1) diags.push(error('cluster.headless', `service ${name}: clusterIPs lists None and an address`, at([...p, 'clusterIPs']), 'a headless service has no ClusterIP in any family: write clusterIPs: [None] (or clusterIP: None)'));
  const fams = headless ? [] : written.map((w) => familyOf(w.ip));
  if (fams.length === 2 && fams[0] && fams[0] === fams[1]) diags.push(error('cluster.service-ip', `service ${name}: clusterIPs ${written[0].ip} and ${written[1].ip} are both ${fams[0]}`, at([...p, 'clusterIPs']), 'a dual-stack service has one ClusterIP of each family, in the order of ipFamilies'));
  const writtenFams = Array.isArray(s.ipFamilies) ? (s.ipFamilies as IPFamily[]) : undefined;
  if (writtenFams?.length === 2 && writtenFams[0] === writtenFams[1]) diags.push(error('cluster.ip-families', `service ${name}: ipFamilies lists ${writtenFams[0]} twice`, at([...p, 'ipFamilies', 1]), 'ipFamilies holds each family at most once: [IPv4, IPv6] or [IPv6, IPv4]'));
  if (writtenFams) {
    // the first ClusterIP out of order (the next one is then out of order too)
    const i = fams.findIndex((f, k) => f && writtenFams[k] && f !== writtenFams[k]);
    const f = fams[i];
    if (i >= 0) {
      diags.push(error('cluster.ip-families', `service ${name}: ${written[i].path.includes('clusterIPs') ? `clusterIPs[${i}]` : 'clusterIP'} ${written[i].ip} is ${f}, and ipFamilies[${i}] is ${writtenFams[i]}`, at(written[i].path), 'list the ClusterIPs in the order of ipFamilies (the first is the primary)'));
    }
  }
  let families: IPFamily[] = writtenFams ? [...writtenFams] : (fams.filter((f): f is IPFamily => !!f));
  if (!dual) {
    const i = families.indexOf('IPv6');
    if (i >= 0) {
      const where = writtenFams ? at([...p, 'ipFamilies', i]) : at(written[i]?.path ?? p);
      diags.push(error('cluster.ip-families', `service ${name}: ${writtenFams ? 'ipFamilies has' : `clusterIP ${written[i]?.ip} is`} IPv6, and the cluster is IPv4-only`, where, 'the apiserver refuses a family the cluster has no service range for ("not configured on this cluster"): make the cluster dual-stack (pod-cidr and service-cidr [IPv4, IPv6]), or remove it'));
      families = families.filter((f) => f === 'IPv4');
    }
  }
  const policyWritten = str(s.ipFamilyPolicy) as IPFamilyPolicy | undefined;
  // the apiserver's inference: two families (or two ClusterIPs) without a policy ask for RequireDualStack; a headless
  // service without a selector gets every family of the cluster
  const policy: IPFamilyPolicy = policyWritten ?? (families.length === 2 || written.length === 2 ? 'RequireDualStack' : headless && !isObj(s.selector) && dual ? 'RequireDualStack' : 'SingleStack');
  if (policy === 'SingleStack' && (families.length === 2 || (!headless && written.length === 2))) {
    diags.push(error('cluster.ip-family-policy', `service ${name}: ipFamilyPolicy SingleStack, and ${families.length === 2 ? 'ipFamilies lists two families' : 'clusterIPs lists two addresses'}`, at([...p, 'ipFamilyPolicy']), 'the apiserver wants RequireDualStack or PreferDualStack when two families are given: change the policy, or list one family'));
    families = families.slice(0, 1);
  }
  if (policy === 'RequireDualStack' && !dual) {
    diags.push(error('cluster.ip-family-policy', `service ${name}: ipFamilyPolicy RequireDualStack, and the cluster is single-stack (IPv4 only)`, at([...p, 'ipFamilyPolicy']), 'the apiserver refuses it ("the cluster is not configured for dual-stack services"): use PreferDualStack (IPv4 here, both families in a dual-stack cluster), or make the cluster dual-stack with pod-cidr and service-cidr [IPv4, IPv6]'));
  }
  if (!families.length) families = ['IPv4'];
  if (policy !== 'SingleStack' && dual && families.length === 1) families.push(families[0] === 'IPv4' ? 'IPv6' : 'IPv4');
  return { families, policy };
}

/** A service's ClusterIP of one family: the one written, None for headless, or the next free one of that service CIDR. */
function clusterIPOf(d: Draft, family: IPFamily, written: string | undefined, ctx: ModelContext, alloc: Allocation): string {
  const { at, diags } = ctx;
  const { name, path: p } = d;
  if (written !== undefined) return canonIP(written);
  const kept = alloc.kept.get(`${svcKey(d)}|${family}`);
  if (typeof kept === 'string') return kept;
  const six = family === 'IPv6';
  const cidr = six ? ctx.serviceCIDR6! : ctx.serviceCIDR;
  const size = six ? alloc.svcSize6 : alloc.svcSize;
  let next = six ? alloc.nextIP6 : alloc.nextIP;
  while (next < size - 1 && alloc.takenIPs.has(nthAddress(cidr, next))) next++;
  let ip = 'None';
  if (next >= size - 1) diags.push(error('cluster.service-cidr-full', `service ${name}: the ${six ? 'IPv6 ' : ''}service CIDR ${cidr} has no free address left`, at(p, true), six ? 'use a larger IPv6 service-cidr (/108 at most)' : 'use a larger service-cidr (the kubeadm default is 10.96.0.0/12)'));
  else {
    ip = nthAddress(cidr, next++);
    alloc.takenIPs.add(ip);
  }
  if (six) alloc.nextIP6 = next;
  else alloc.nextIP = next;
  return ip;
}

/** ExternalName's own checks (externalName set, and only there), and a headless service's type. */
function typeChecks(d: Draft, type: Service['type'], ctx: ModelContext): void {
  const { at, diags } = ctx;
  const { name, s, path: p } = d;
  if (type === 'ExternalName') {
    if (!str(s.externalName)) diags.push(error('cluster.external-name', `service ${name} is of type ExternalName but has no externalName`, at(p, true), 'add `externalName: <dns name>`'));
  } else if (str(s.externalName)) {
    diags.push(error('cluster.external-name', `service ${name}: externalName is only for type ExternalName`, at([...p, 'externalName'], true), 'remove it, or set type: ExternalName'));
  }
  if (writtenIPs(d)[0]?.ip === 'None' && type !== 'ClusterIP') diags.push(error('cluster.headless', `service ${name}: a headless service (clusterIP: None) must be of type ClusterIP`, at([...p, 'clusterIP']), 'remove clusterIP: None, or use type ClusterIP'));
}

/** A service's ports, each NodePort or LoadBalancer port given the next free node port when it has none written. */
function servicePortsOf(d: Draft, type: Service['type'], ctx: ModelContext, alloc: Allocation): ServicePort[] {
  const { at, diags } = ctx;
  const { name, s, path: p } = d;
  const external = type === 'NodePort' || type === 'LoadBalancer';
  if (type !== 'ExternalName' && !Array.isArray(s.ports)) diags.push(error('cluster.service-ports', `service ${name} has no ports`, at(p, true), 'add `ports: [{port: 80}]`'));
  const rawPorts = Array.isArray(s.ports) ? s.ports.map(asObj) : [];
  if (rawPorts.length > 1) rawPorts.forEach((rp, k) => {
    if (!str(rp.name)) diags.push(error('cluster.port-name', `service ${name} has several ports, and port ${k + 1} has no name`, at([...p, 'ports', k]), 'Kubernetes requires a name on every port of a multi-port service: add `name: <name>`'));
  });
  const ports: ServicePort[] = rawPorts.map((rp) => {
    let nodePort = typeof rp.nodePort === 'number' ? rp.nodePort : undefined;
    const kept = alloc.kept.get(`${svcKey(d)}|${portKey(rp)}`);
    if (external && nodePort === undefined && typeof kept === 'number') nodePort = kept;
    if (external && nodePort === undefined) {
      while (alloc.takenPorts.has(alloc.nextPort)) alloc.nextPort++;
      if (alloc.nextPort > ctx.nodePortRange[1]) {
        if (alloc.nextPort === ctx.nodePortRange[1] + 1) diags.push(error('cluster.node-port-range-full', `service ${name}: the node-port range ${ctx.nodePortRange.join('-')} has no free port left`, at(p, true), 'widen cluster.node-port-range'));
        alloc.nextPort++;
      } else {
        nodePort = alloc.nextPort++;
        alloc.takenPorts.add(nodePort);
      }
    }
    return { name: str(rp.name), protocol: (str(rp.protocol) ?? 'TCP') as Protocol, port: rp.port as number, targetPort: (rp.targetPort as number | string | undefined) ?? (rp.port as number), nodePort: external ? nodePort : undefined };
  });
  rawPorts.forEach((rp, k) => {
    if (rp.nodePort !== undefined && !external) diags.push(error('cluster.node-port-type', `service ${name}: nodePort is set but the service is of type ${type}`, at([...p, 'ports', k, 'nodePort'], true), 'set type: NodePort (or LoadBalancer), or remove nodePort'));
  });
  return ports;
}

/** A LoadBalancer service's address: the one written, or the next free one of the pool. */
function loadBalancerIPOf(d: Draft, type: Service['type'], ctx: ModelContext, alloc: Allocation): string | undefined {
  const { at, diags } = ctx;
  const { name, s, path: p } = d;
  let loadBalancerIP = str(s.loadBalancerIP);
  if (type === 'LoadBalancer') {
    if (ctx.noLoadBalancer) diags.push(error('cluster.load-balancer', `service ${name} is of type LoadBalancer, but ${ctx.noLoadBalancer}`, at([...p, 'type']), 'use cni: calico-bgp with cluster.bgp.peers (an external BGP router the addresses are announced to), or type NodePort'));
    else if (loadBalancerIP === undefined && ctx.lbPool) {
      const pool = parsePrefix(ctx.lbPool)!;
      const room = Number(size(pool)) - 1;
      while (alloc.nextLB < room && alloc.takenLB.has(nthAddress(ctx.lbPool, alloc.nextLB))) alloc.nextLB++;
      if (alloc.nextLB >= room) diags.push(error('cluster.load-balancer', `service ${name}: the load-balancer pool ${ctx.lbPool} has no free address left`, at(p, true), 'use a larger cluster.bgp.load-balancer-pool'));
      else {
        loadBalancerIP = nthAddress(ctx.lbPool, alloc.nextLB++);
        alloc.takenLB.add(loadBalancerIP);
      }
    }
  } else if (loadBalancerIP !== undefined) {
    diags.push(error('cluster.load-balancer', `service ${name}: loadBalancerIP is only for type LoadBalancer`, at([...p, 'loadBalancerIP'], true), 'remove it, or set type: LoadBalancer'));
  }
  return loadBalancerIP;
}

/** One service from its YAML, with its addresses and node ports allocated. */
function buildService(d: Draft, ctx: ModelContext, alloc: Allocation): Service {
  const { at, diags } = ctx;
  const { name, s, path: p } = d;
  const type = (str(s.type) ?? 'ClusterIP') as Service['type'];
  typeChecks(d, type, ctx);
  const { families, policy } = familiesOf(d, type, ctx);
  const written = writtenIPs(d);
  const headless = written[0]?.ip === 'None' && type !== 'ExternalName';
  // each family's ClusterIP: None (headless), the one written in its place, or allocated
  const ips = families.map((f, i) => (headless ? 'None' : clusterIPOf(d, f, written[i] && familyOf(written[i].ip) === f ? written[i].ip : undefined, ctx, alloc)));
  const clusterIP = ips[families.indexOf('IPv4')];
  const clusterIP6 = families.includes('IPv6') ? ips[families.indexOf('IPv6')] : undefined;
  const ports = servicePortsOf(d, type, ctx, alloc);
  const loadBalancerIP = loadBalancerIPOf(d, type, ctx, alloc);
  const etp = (str(s.externalTrafficPolicy) ?? 'Cluster') as Service['externalTrafficPolicy'];
  if (s.externalTrafficPolicy !== undefined && type !== 'NodePort' && type !== 'LoadBalancer') diags.push(error('cluster.external-traffic-policy', `service ${name}: externalTrafficPolicy is only for NodePort and LoadBalancer services`, at([...p, 'externalTrafficPolicy'], true), 'remove it, or change the type'));
  return {
    name,
    namespace: str(s.namespace) ?? 'default',
    type,
    clusterIP,
    ...(clusterIP6 !== undefined ? { clusterIP6 } : {}),
    // a dual-stack cluster's services say their families; an IPv4-only cluster's stay as they were (IPv4)
    ...(ctx.serviceCIDR6 && families.length ? { ipFamilies: families, ipFamilyPolicy: policy } : {}),
    loadBalancerIP,
    externalName: str(s.externalName),
    selector: isObj(s.selector) ? (s.selector as Record<string, string>) : undefined,
    ports,
    sessionAffinity: (str(s.sessionAffinity) ?? 'None') as Service['sessionAffinity'],
    affinityTimeout: typeof s.sessionAffinityTimeout === 'number' ? s.sessionAffinityTimeout : 10800,
    externalTrafficPolicy: etp,
  };
}

/** Each port's endpoints: the selected pods of the service's namespace serving its target port; a warning where none do. */
function serviceEndpoints(services: readonly Service[], ctx: ModelContext): ServiceEndpoints[] {
  const { at, diags } = ctx;
  const endpoints: ServiceEndpoints[] = [];
  for (const svc of services) {
    if (!svc.selector || svc.type === 'ExternalName') continue;
    const sel = svc.selector;
    const chosen = ctx.pods.filter((pod) => pod.namespace === svc.namespace && matches({ matchLabels: sel }, pod.labels));
    const p = ['cluster', 'services', svc.name];
    if (!chosen.length) {
      const selText = Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',');
      const other = ctx.pods.filter((pod) => matches({ matchLabels: sel }, pod.labels));
      diags.push(
        warning('cluster.service-no-pods', `service ${svc.namespace}/${svc.name} selects no pods: no pod in namespace ${svc.namespace} has the labels ${selText}`, at([...p, 'selector']), other.length ? `pods ${other.map((x) => `${x.namespace}/${x.name}`).join(', ')} match but are in another namespace` : 'a service without endpoints rejects connections (kube-proxy writes a REJECT rule); label some pods to match'),
      );
    }
    svc.ports.forEach((sp, k) => {
      const eps: Endpoint[] = [];
      for (const pod of chosen) {
        const port = typeof sp.targetPort === 'number' ? sp.targetPort : pod.ports.find((x) => x.name === sp.targetPort && x.protocol === sp.protocol)?.port;
        if (port === undefined) continue;
        eps.push({ pod: pod.name, node: pod.node, ip: pod.ip, port, local: false });
      }
      if (chosen.length && typeof sp.targetPort === 'string' && !eps.length) {
        diags.push(warning('cluster.target-port', `service ${svc.name}: no selected pod has a ${sp.protocol} port named ${sp.targetPort}`, at([...p, 'ports', k, 'targetPort']), `name a port of the pods (${[...new Set(chosen.flatMap((x) => x.ports.map((q) => q.name).filter(Boolean)))].join(', ') || 'they have no named ports'})`));
      }
      if (typeof sp.targetPort === 'number' && chosen.length && !chosen.some((pod) => pod.ports.some((x) => x.port === sp.targetPort && x.protocol === sp.protocol))) {
        diags.push(warning('cluster.target-port', `service ${svc.name}: targetPort ${sp.targetPort}/${sp.protocol} is not a port any selected pod serves`, at([...p, 'ports', k]), `the pods serve ${[...new Set(chosen.flatMap((x) => x.ports.map((q) => `${q.port}/${q.protocol}`)))].join(', ')}: connections will be refused`));
      }
      endpoints.push({ service: svc, port: sp, endpoints: eps });
    });
  }
  return endpoints;
}

/** Services: addresses allocated (ClusterIP in order from the service CIDR's 11th address; NodePorts from the range). */
export function buildServices(raw: Obj, ctx: ModelContext): ServiceModel {
  const svcNet = parsePrefix(ctx.serviceCIDR)!;
  const alloc: Allocation = {
    takenIPs: new Set<string>([ctx.dnsIP, ctx.dnsIP6].filter((x): x is string => !!x)),
    takenPorts: new Set<number>(),
    takenLB: new Set<string>(),
    nextIP: 11,
    svcSize: Number(size(svcNet) > 1_000_000n ? 1_000_000n : size(svcNet)),
    nextIP6: 11,
    svcSize6: ctx.serviceCIDR6 ? Number(size(parsePrefix(ctx.serviceCIDR6)!) > 1_000_000n ? 1_000_000n : size(parsePrefix(ctx.serviceCIDR6)!)) : 0,
    nextPort: ctx.nodePortRange[0],
    nextLB: 1,
    kept: new Map(),
  };
  const drafts: Draft[] = Object.entries(asObj(raw)).map(([name, v]) => ({ name, s: asObj(v), path: ['cluster', 'services', name] }));
  reserveExplicit(drafts, ctx, alloc);
  keepPlacement(drafts, ctx, alloc);
  const services: Service[] = [];
  const pos = new Map<string, SourcePos>();
  for (const d of drafts) {
    pos.set(`${str(d.s.namespace) ?? 'default'}/${d.name}`, ctx.at(d.path, true));
    services.push(buildService(d, ctx, alloc));
  }
  return { services, endpoints: serviceEndpoints(services, ctx), pos };
}

/** Each ipBlock's cidr and except entries are CIDRs, checked where they are written (issue 18: only the tests echoed it). */
function checkIpBlocks(peers: unknown, path: readonly PathSeg[], at: (path: readonly PathSeg[], key?: boolean) => SourcePos, diags: Diagnostic[]): void {
  (Array.isArray(peers) ? peers : []).forEach((peer: unknown, j: number) => {
    const block = asObj(asObj(peer).ipBlock);
    const check = (v: unknown, where: readonly PathSeg[]): void => {
      if (typeof v === 'string' && !parsePrefix(v)) diags.push(error('cluster.cidr', `ipBlock ${String(where[where.length - 1]) === 'cidr' ? 'cidr' : 'except'} ${JSON.stringify(v)} is not a CIDR`, at(where), 'write an address and a prefix length, e.g. 10.244.0.0/16 (at most /32, /128 for IPv6)'));
    };
    check(block.cidr, [...path, j, 'ipBlock', 'cidr']);
    (Array.isArray(block.except) ? block.except : []).forEach((x: unknown, k: number) => check(x, [...path, j, 'ipBlock', 'except', k]));
    // as the API server validates an ipBlock (issue 14.1: IPv6 blocks too): each except entry is of the cidr's family
    // and inside it; an ipBlock is of one family (a dual-stack peer needs one ipBlock per family)
    const net = typeof block.cidr === 'string' ? parsePrefix(block.cidr) : undefined;
    if (!net) return;
    (Array.isArray(block.except) ? block.except : []).forEach((x: unknown, k: number) => {
      const e = typeof x === 'string' ? parsePrefix(x) : undefined;
      if (!e) return;
      const where = at([...path, j, 'ipBlock', 'except', k]);
      if (e.family !== net.family) {
        diags.push(error('cluster.cidr', `ipBlock except ${JSON.stringify(x)} is IPv${e.family}, and its cidr ${block.cidr} is IPv${net.family}: one ipBlock is of one family`, where, `write a second peer with an ipBlock of its own for the IPv${e.family} range (a peer list may hold one ipBlock per family)`));
      } else if (e.len < net.len || !contains(network(net), e.family, e.addr)) {
        diags.push(error('cluster.cidr', `ipBlock except ${JSON.stringify(x)} is not inside its cidr ${block.cidr}`, where, `Kubernetes rejects it: an except entry must be a part of the cidr (a prefix of /${net.len} or longer within ${formatAddress(net.family, network(net).addr)}/${net.len})`));
      }
    });
  });
}

/** NetworkPolicies from the Kubernetes field names (from/to become peers). */
export function buildPolicies(raw: Obj, at: (path: readonly PathSeg[], key?: boolean) => SourcePos, diags: Diagnostic[], namespaces: readonly string[], pods?: readonly Pick<Pod, 'name' | 'namespace' | 'labels'>[]): NetworkPolicy[] {
  const out: NetworkPolicy[] = [];
  for (const [name, v] of Object.entries(asObj(raw))) {
    // a key written with no value (`matchLabels:`, `ingress:`) is "not set", as the API server reads it
    const p = asObj(stripNulls(v));
    const ns = str(p.namespace) ?? 'default';
    if (!namespaces.includes(ns)) {
      const guess = didYouMean(ns, namespaces);
      diags.push(warning('cluster.policy-namespace', `network policy ${name} is in namespace ${ns}, where there are no pods`, at(['cluster', 'network-policies', name, 'namespace']), guess ? `did you mean ${guess}?` : `namespaces with pods: ${namespaces.join(', ')}`));
    }
    const rules = (list: unknown, peerKey: 'from' | 'to'): PolicyRule[] =>
      (Array.isArray(list) ? list : []).map((r, i) => {
        const o = asObj(r);
        checkIpBlocks(o[peerKey], ['cluster', 'network-policies', name, peerKey === 'from' ? 'ingress' : 'egress', i, peerKey], at, diags);
        return {
          peers: Array.isArray(o[peerKey]) ? (o[peerKey] as PolicyPeer[]) : undefined,
          ports: Array.isArray(o.ports) ? (o.ports as Obj[]).map((x) => ({ protocol: (str(x.protocol) ?? 'TCP') as Protocol, port: x.port as number | string | undefined, endPort: x.endPort as number | undefined })) : undefined,
        };
      });
    const types = Array.isArray(p.policyTypes) ? (p.policyTypes as ('Ingress' | 'Egress')[]) : p.egress !== undefined ? (['Ingress', 'Egress'] as const) : (['Ingress'] as const);
    const podSelector = asObj(p.podSelector);
    // a policy that selects no pod isolates nothing: say so, as for a Service that selects none (issue 18)
    if (pods && namespaces.includes(ns) && !pods.some((x) => x.namespace === ns && matches(podSelector, x.labels))) {
      const elsewhere = pods.filter((x) => x.namespace !== ns && matches(podSelector, x.labels));
      diags.push(
        warning(
          'cluster.policy-no-pods',
          `network policy ${name} selects no pods: no pod in namespace ${ns} matches its podSelector`,
          at(['cluster', 'network-policies', name, 'podSelector']),
          elsewhere.length ? `pods ${elsewhere.map((x) => `${x.namespace}/${x.name}`).join(', ')} match but are in another namespace (a policy applies in its own namespace)` : 'it isolates nothing and allows nothing: fix the labels, or remove it',
        ),
      );
    }
    out.push({ name, namespace: ns, podSelector, policyTypes: [...types], ingress: p.ingress === undefined ? undefined : rules(p.ingress, 'from'), egress: p.egress === undefined ? undefined : rules(p.egress, 'to') });
  }
  return out;
}
