/**
 * The steps a cluster adds to the plan once its network is built: kube-proxy's rules in every node (iptables or
 * nftables layout), the NetworkPolicy rules, the pods' servers, the cluster DNS and every pod's resolv.conf.
 * Pure: the rules are generated from the resolved cluster by runner/cluster/kube-proxy-*.ts and policy.ts.
 */
import { join } from 'node:path';
import type { CompileContext } from '../plan/context.ts';
import type { Step } from '../plan/ops.ts';
import type { ResolvedLab } from '../model/types.ts';
import { DNS_POD } from './cni.ts';
import { cniOp } from './cni-plugins.ts';
import { dnsmasqArgs, resolvConf } from './dns.ts';
import { iptablesRules } from './kube-proxy-iptables.ts';
import { nftablesRules } from './kube-proxy-nftables.ts';
import { USERSPACE_PORT_RANGE, userspaceConfigText, userspacePaths, userspaceRules } from './kube-proxy-userspace.ts';
import { policyRules } from './policy.ts';
import { masqueradeRules, masqueradeRules6 } from './egress.ts';
import { sidecarSteps } from './sidecar-steps.ts';
import { meshPlugIn } from './mesh-haproxy.ts';
import { ingressSteps } from './ingress.ts';
import { portmapFirst, portmapRules } from './hostport.ts';
import type { ClusterResult, Endpoint, Family, KubeProxyInput, ResolvedCluster, Service, ServiceEndpoints } from './types.ts';

/** Where `ip netns exec` finds a namespace's own resolv.conf (it bind-mounts /etc/netns/<ns>/resolv.conf). */
export const netnsEtc = (netns: string): string => join('/etc/netns', netns);

/** The cluster as it is once these pods are deleted (the delete-pod action): no pods, no endpoints of theirs. */
export function clusterWithout<C extends ResolvedCluster>(c: C, pods: ReadonlySet<string>): C {
  if (!pods.size) return c;
  return { ...c, pods: c.pods.filter((p) => !pods.has(p.name)), endpoints: c.endpoints.map((e) => ({ ...e, endpoints: e.endpoints.filter((x) => !pods.has(x.pod)) })) };
}

/** A Service's families (spec.ipFamilies; absent: IPv4 only, as in an IPv4-only cluster). */
export function serviceFamilies(svc: Service): Family[] {
  const fams = svc.ipFamilies ?? ['IPv4'];
  return ([4, 6] as const).filter((f) => fams.includes(f === 6 ? 'IPv6' : 'IPv4'));
}

/** Whether the cluster is dual-stack (has an IPv6 pod and service range). */
export function isDualStack(c: Pick<ResolvedCluster, 'podCIDR6' | 'serviceCIDR6'>): boolean {
  return !!c.podCIDR6 && !!c.serviceCIDR6;
}

/** The families kube-proxy programs in this cluster: 4, and 6 when it is dual-stack. */
export function clusterFamilies(c: ResolvedCluster): Family[] {
  return isDualStack(c) ? [4, 6] : [4];
}

/**
 * kube-proxy's view for one node, in one family (as each of kube-proxy's two single-family proxiers sees it): every
 * service port of the family with its endpoints, marked local when on that node. Family 4 leaves IPv6-only Services
 * out; family 6 keeps the Services whose ipFamilies hold IPv6, with their IPv6 ClusterIP and each endpoint's pod's
 * IPv6 address (an endpoint whose pod has none is not an IPv6 endpoint), the node's IPv6 address and the IPv6 ranges.
 */
export function kubeProxyInput(c: ResolvedCluster, node: string, without: ReadonlySet<string> = new Set(), family: Family = 4): KubeProxyInput {
  const n = c.nodes.find((x) => x.name === node)!;
  const eps = (e: ServiceEndpoints, ip: (ep: Endpoint) => string | undefined): Endpoint[] =>
    e.endpoints.filter((ep) => !without.has(ep.pod) && ip(ep) !== undefined).map((ep) => ({ ...ep, ip: ip(ep)!, local: ep.node === node }));
  if (family === 4) {
    return {
      node,
      nodeIPs: [n.ip],
      clusterCIDR: c.podCIDR,
      serviceCIDR: c.serviceCIDR,
      services: c.endpoints.filter((e) => serviceFamilies(e.service).includes(4)).map((e) => ({ ...e, endpoints: eps(e, (ep) => ep.ip) })),
    };
  }
  const ip6 = new Map(c.pods.map((p) => [p.name, p.ip6]));
  const v6 = (a: string | undefined): string | undefined => (a !== undefined && a.includes(':') ? a : undefined);
  return {
    node,
    nodeIPs: n.ip6 ? [n.ip6] : [],
    clusterCIDR: c.podCIDR6 ?? '',
    serviceCIDR: c.serviceCIDR6 ?? '',
    family: 6,
    services: c.endpoints
      .filter((e) => serviceFamilies(e.service).includes(6))
      .map((e) => {
        const { loadBalancerIP, ...rest } = e.service;
        const service: Service = { ...rest, clusterIP: e.service.clusterIP6, ...(v6(loadBalancerIP) ? { loadBalancerIP } : {}) };
        return { ...e, service, endpoints: eps(e, (ep) => v6(ip6.get(ep.pod))) };
      }),
  };
}

/**
 * The rule sets one node loads: kube-proxy's (iptables-restore or nft input, ip6tables-restore), the policies'
 * (iptables-restore, ip6tables-restore) and the egress masquerade's; in userspace mode also the proxy's configuration
 * (JSON), which is what changes with the endpoints.
 */
export function nodeRules(c: ResolvedCluster, node: string, without: ReadonlySet<string> = new Set(), endpointsOnly = false): { iptables?: string; nftables?: string; ip6tables?: string; userspace?: string } {
  const input = kubeProxyInput(c, node, without);
  const dual = isDualStack(c);
  const input6 = dual ? kubeProxyInput(c, node, without, 6) : undefined;
  // endpointsOnly: the pods are not ready (their node is NotReady, issue 15.2), not gone: the policies still see them
  const pods = endpointsOnly ? c.pods : c.pods.filter((p) => !without.has(p.name));
  const policyIn = { node, pods, namespaces: c.namespaces, policies: c.policies };
  const policy = c.policies.length ? policyRules(policyIn) : undefined;
  const policy6 = dual && c.policies.length ? policyRules(policyIn, 6) : undefined;
  const block = c.nodes.find((n) => n.name === node)?.podCIDR ?? c.podCIDR;
  const masq = c.egressMasquerade ? masqueradeRules(c.cni, c.podCIDR, block, c.masqueradeRandomFully) : undefined;
  // portmap's hostPort chains (after kube-proxy's in PREROUTING/OUTPUT; its POSTROUTING jump first, as the plugin prepends it)
  const portmap = portmapRules({ ...c, pods }, node);
  const join = (...parts: (string | undefined)[]): string | undefined => parts.filter((x): x is string => !!x).reduce<string | undefined>((a, b) => (a ? mergeRestore(a, b) : b), undefined);
  const merged = (...parts: (string | undefined)[]): string | undefined => {
    const out = join(...parts);
    return out && portmap ? portmapFirst(out) : out;
  };
  // dual-stack: the IPv6 egress masquerade (ip6tables-restore: its nat table is one load, so the IPv6 rules of every
  // part — kube-proxy's, the policies', the masquerade — are merged into one input with mergeRestore)
  const block6 = c.nodes.find((n) => n.name === node)?.podCIDR6;
  const masq6 = c.egressMasquerade6 && c.podCIDR6 && block6 ? masqueradeRules6(c.cni, c.podCIDR6, block6, c.masqueradeRandomFully) : undefined;
  if (c.kubeProxy === 'userspace') {
    // the userspace proxy is IPv4 only: IPv6 keeps the policies and the masquerade
    const ip6tables = join(policy6, masq6);
    return { iptables: merged(userspaceRules(input), policy, masq, portmap), userspace: userspaceConfigText(input), ...(ip6tables ? { ip6tables } : {}) };
  }
  if (c.kubeProxy === 'nftables') {
    // one transaction, both tables: `ip kube-proxy` and `ip6 kube-proxy` (kube-proxy's two proxiers, one per family)
    const nft = nftablesRules(input) + (input6 ? nftablesRules(input6) : '');
    const ip6tables = join(policy6, masq6);
    return { nftables: nft, iptables: merged(policy, masq, portmap), ...(ip6tables ? { ip6tables } : {}) };
  }
  const kp = iptablesRules(input, { localhostNodePorts: false });
  const kp6 = input6 ? iptablesRules(input6) : undefined;
  const ip6tables = join(kp6, policy6, masq6);
  return { iptables: merged(kp, policy, masq, portmap), ...(ip6tables ? { ip6tables } : {}) };
}

/**
 * Two iptables-restore inputs as one: the tables of both, each table's chains declared once and the second's rules
 * after the first's (a plain iptables-restore replaces a whole table, so they must go in one load).
 */
export function mergeRestore(a: string, b: string): string {
  const tables = new Map<string, { chains: string[]; rules: string[] }>();
  // each input's leading comment lines (what the rules are) stay, at the top
  const heads: string[] = [];
  for (const text of [a, b]) {
    let cur: { chains: string[]; rules: string[] } | undefined;
    let head = true;
    for (const line of text.split('\n')) {
      if (head && line.startsWith('#')) {
        heads.push(line);
        continue;
      }
      head = false;
      if (line.startsWith('*')) {
        const name = line.slice(1).trim();
        if (!tables.has(name)) tables.set(name, { chains: [], rules: [] });
        cur = tables.get(name)!;
      } else if (line === 'COMMIT') cur = undefined;
      else if (cur && line.startsWith(':')) {
        const chain = line.slice(1).split(' ')[0];
        if (!cur.chains.some((c) => c.slice(1).split(' ')[0] === chain)) cur.chains.push(line);
      } else if (cur && line.trim() !== '') cur.rules.push(line);
    }
  }
  return [...heads, ...[...tables].map(([t, v]) => [`*${t}`, ...v.chains, ...v.rules, 'COMMIT'].join('\n'))].join('\n') + '\n';
}

/**
 * userspace mode: the proxy's configuration under the lab's state, the proxy ports kept out of the node's ephemeral
 * ports (ip_local_reserved_ports: an outgoing connection never takes one), and the proxy itself, nslab's agent.
 */
function userspaceSteps(node: string, ns: string, config: string, ctx: CompileContext, source: ClusterResult['pos']): Step[] {
  const paths = userspacePaths(ctx.labDir, node);
  const argv = [...ctx.selfArgv, 'agent', 'kube-proxy-userspace', '--config', paths.config, '--applied', paths.applied];
  const [lo, hi] = USERSPACE_PORT_RANGE;
  return [
    { id: `${node}.kube-proxy.ports`, phase: 'configure', order: 90, op: { type: 'sysctl', ns, values: [['net.ipv4.ip_local_reserved_ports', `${lo}-${hi}`]] }, source, note: `node ${node}: kube-proxy's proxy ports ${lo}-${hi} are never given to an outgoing connection` },
    { id: `${node}.kube-proxy.config`, phase: 'exec', order: 0, op: { type: 'file', path: paths.config, content: config, lane: ns }, source, note: `node ${node}: the user-space proxy's configuration — every service port, its proxy port and its endpoints`, creates: { kind: 'file', name: paths.config } },
    { id: `${node}.kube-proxy.proxy`, phase: 'daemons', order: 0, op: { type: 'daemon', ns, node, name: 'kube-proxy', argv, log: paths.log, reload: 'watch' }, source, note: `node ${node}: kube-proxy in userspace mode — nslab's proxy listens on one port per service port and connects to the endpoints round-robin; it re-reads its configuration when it changes`, creates: { kind: 'process', name: 'kube-proxy', ns } },
  ];
}

export function clusterSteps(lab: ResolvedLab, ctx: CompileContext): Step[] {
  const c = lab.cluster;
  if (!c) return [];
  const steps: Step[] = [];
  const netns = (name: string): string => lab.nodes.find((n) => n.name === name)!.netns;
  const src = (k: string): ClusterResult['pos'] => c.sources.get(k) ?? c.pos;
  for (const n of c.nodes) {
    const ns = netns(n.name);
    const r = nodeRules(c, n.name);
    const note = `node ${n.name}: kube-proxy (${c.kubeProxy} mode${r.nftables && isDualStack(c) ? ': tables ip and ip6 kube-proxy' : ''})`;
    if (r.nftables) steps.push({ id: `${n.name}.kube-proxy`, phase: 'firewall', order: 30, op: { type: 'load', ns, tool: 'nft', input: r.nftables }, source: c.pos, note, creates: { kind: 'rules', name: 'nftables kube-proxy', ns } });
    if (r.iptables) steps.push({ id: `${n.name}.${r.nftables ? 'policy' : 'kube-proxy'}`, phase: 'firewall', order: 31, op: { type: 'load', ns, tool: 'iptables-restore', input: r.iptables }, source: c.pos, note: r.nftables ? `node ${n.name}: NetworkPolicy` : `${note}${c.policies.length ? ' and NetworkPolicy' : ''}`, creates: { kind: 'rules', name: 'iptables', ns } });
    if (r.ip6tables) {
      const what = [...(r.nftables ? [] : ['kube-proxy (iptables mode, IPv6)']), ...(c.policies.length ? ['NetworkPolicy (IPv6)'] : []), ...(c.egressMasquerade6 ? ['IPv6 egress masquerade'] : [])].join(', ');
      steps.push({ id: `${n.name}.ip6tables`, phase: 'firewall', order: 32, op: { type: 'load', ns, tool: 'ip6tables-restore', input: r.ip6tables }, source: c.pos, note: `node ${n.name}: ${what}`, creates: { kind: 'rules', name: 'ip6tables', ns } });
    }
    if (r.userspace !== undefined) steps.push(...userspaceSteps(n.name, ns, r.userspace, ctx, c.kubeProxyPos ?? c.pos));
  }
  const log = (node: string, name: string): string => join(ctx.labDir, 'logs', `${node}.${name}.log`);
  for (const pod of c.pods) {
    const ns = netns(pod.name);
    if (c.conflist) {
      // what kubelet asks the runtime to do for a new pod sandbox: the runtime runs the CNI plugins (in the node)
      const node = c.nodes.find((n) => n.name === pod.node)!;
      const op = cniOp(c.conflist, pod, { lab: lab.name, labDir: ctx.labDir, nodeNs: netns(pod.node), podNs: ns, podCIDR: node.podCIDR });
      steps.push({ id: `${pod.name}.cni`, phase: 'exec', order: -1, op, source: src(`pod:${pod.name}`), note: `pod ${pod.name}: the CNI plugins of network ${c.conflist.name} (${op.calls.map((x) => x.plugin).join(' → ')}), run as a container runtime runs them` });
    }
    if (c.dns && !pod.hostNetwork) {
      steps.push({ id: `${pod.name}.resolv.conf`, phase: 'exec', order: 0, op: { type: 'file', path: join(netnsEtc(ns), 'resolv.conf'), content: resolvConf(c.dns.ip, pod.namespace), lane: ns }, source: src(`pod:${pod.name}`), note: `pod ${pod.name}: resolv.conf (ip netns exec mounts it)`, creates: { kind: 'file', name: netnsEtc(ns) } });
    }
    if (pod.name === DNS_POD && c.dns) {
      const endpoints = new Map(c.endpoints.map((e) => [`${e.service.namespace}/${e.service.name}`, e.endpoints.map((x) => ({ ip: x.ip, pod: x.pod }))]));
      const argv = ['dnsmasq', ...dnsmasqArgs({ services: c.services, pods: c.pods, endpoints, listen: pod.ip, ...(pod.ip6 ? { listen6: pod.ip6 } : {}) }), '--pid-file', '--user=root'];
      steps.push({ id: `${pod.name}.dnsmasq`, phase: 'daemons', order: 0, op: { type: 'daemon', ns, node: pod.name, name: 'dnsmasq', argv, log: log(pod.name, 'dnsmasq') }, source: c.pos, note: 'the cluster DNS: dnsmasq with the records of every service and pod', creates: { kind: 'process', name: 'dnsmasq', ns } });
      continue;
    }
    if (c.ingress && pod.name === c.ingress.pod) {
      steps.push(...ingressSteps(c, ns, ctx, lab.name, c.sources.get(`ingress:${c.ingress.ingresses[0]?.name}`) ?? c.pos));
      continue;
    }
    if (pod.sidecar) steps.push(...sidecarSteps(pod, pod.sidecar, { ns, labDir: ctx.labDir, source: src(`pod:${pod.name}`), ...meshPlugIn(c.mesh) }));
    const tcp = [...new Set(pod.ports.filter((p) => p.protocol === 'TCP').map((p) => p.port))];
    const udp = [...new Set(pod.ports.filter((p) => p.protocol === 'UDP').map((p) => p.port))];
    // run-as-user: the app as that uid (setpriv), allowed low ports as in a container (ip_unprivileged_port_start=0)
    const asUser = pod.runAsUser !== undefined && pod.runAsUser !== 0 ? ['setpriv', `--reuid=${pod.runAsUser}`, `--regid=${pod.runAsUser}`, '--clear-groups', '--'] : [];
    if (asUser.length) steps.push({ id: `${pod.name}.unprivileged-ports`, phase: 'configure', order: 90, op: { type: 'sysctl', ns, values: [['net.ipv4.ip_unprivileged_port_start', '0']] }, source: src(`pod:${pod.name}`), note: `pod ${pod.name}: its app runs as uid ${pod.runAsUser} and may bind any port, as in a container` });
    const argv = [...asUser, ...ctx.selfArgv, 'agent', 'whoami', '--name', pod.name, ...tcp.flatMap((p) => ['--port', String(p)]), ...udp.flatMap((p) => ['--udp-port', String(p)]), ...(pod.labels.version !== undefined ? ['--app-version', String(pod.labels.version)] : [])];
    steps.push({ id: `${pod.name}.server`, phase: 'daemons', order: 0, op: { type: 'daemon', ns, node: pod.name, name: 'whoami', argv, log: log(pod.name, 'whoami') }, source: src(`pod:${pod.name}`), note: `pod ${pod.name}${pod.hostNetwork ? ` (hostNetwork: in node ${pod.node}'s namespace)` : ''}: ${asUser.length ? `as uid ${pod.runAsUser}, ` : ''}answers with its name and the client address on ${[...tcp.map((p) => `${p}/tcp`), ...udp.map((p) => `${p}/udp`)].join(', ')}`, creates: { kind: 'process', name: 'whoami', ns } });
  }
  return steps;
}
