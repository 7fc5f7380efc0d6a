/**
 * hostPort and hostNetwork (issue 14.3): the two ways into a pod that bypass Services.
 *
 * - A container port with `hostPort` is forwarded from the pod's node by the portmap CNI plugin
 *   (containernetworking/plugins, plugins/meta/portmap/portmap_iptables.go), in its own layout, in the node's nat
 *   table:
 *     PREROUTING, OUTPUT: -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
 *     CNI-HOSTPORT-DNAT:  -p tcp -m comment --comment "dnat name: …" -m multiport --dports 8080 -j CNI-DN-<hash>  (one per pod)
 *     CNI-DN-<hash>:      -s <pod net> … --dport 8080 -j CNI-HOSTPORT-SETMARK   (hairpin: a pod of the node to its own port)
 *                         -s 127.0.0.1 … --dport 8080 -j CNI-HOSTPORT-SETMARK   (the node's localhost)
 *                         … --dport 8080 -j DNAT --to-destination <pod>:<port>
 *     CNI-HOSTPORT-SETMARK: -j MARK --set-xmark 0x2000/0x2000 (markMasqBit 13)
 *     POSTROUTING (first): -j CNI-HOSTPORT-MASQ; CNI-HOSTPORT-MASQ: -m mark --mark 0x2000/0x2000 -j MASQUERADE
 *   The per-pod chain is CNI-DN- plus the first hex digits of sha512(network name + container ID), 28 characters in
 *   all (pkg/utils/iptables.go, MustFormatChainNameWithPrefix). A client outside the node is not masqueraded: the
 *   pod sees its address.
 * - A `hostNetwork: true` pod has no namespace of its own: it runs in its node's, with the node's address; it can
 *   only have ports nothing else of the node uses.
 *
 * Pure: the checks are diagnostics with their YAML places, the rules iptables-restore input.
 */
import { createHash } from 'node:crypto';
import { error, type Diagnostic } from '../config/diagnostics.ts';
import type { LoadedFile } from '../config/load.ts';
import type { PodDraft } from './draft.ts';
import type { CniBackend, Pod, ResolvedCluster, Service } from './types.ts';
import { UDP_PORT, VXLAN_PORT } from './cni.ts';

export const HOSTPORT_DNAT = 'CNI-HOSTPORT-DNAT';
export const HOSTPORT_SETMARK = 'CNI-HOSTPORT-SETMARK';
export const HOSTPORT_MASQ = 'CNI-HOSTPORT-MASQ';
/** portmap's default markMasqBit 13. */
export const HOSTPORT_MARK = '0x2000/0x2000';

/** The network name of the node's CNI configuration (what portmap's chain names and comments carry). */
export function cniNetworkName(cni: CniBackend): string {
  return cni === 'calico-bgp' ? 'k8s-pod-network' : 'cbr0';
}

/** The container ID a runtime would give the pod's sandbox: here a stable hash of namespace/name (64 hex digits). */
export function sandboxId(pod: Pick<Pod, 'namespace' | 'name'>): string {
  return createHash('sha256').update(`nslab-sandbox/${pod.namespace}/${pod.name}`).digest('hex');
}

/** portmap's per-pod chain: CNI-DN- + sha512(network name + container ID) in hex, 28 characters in all. */
export function dnChain(netName: string, containerId: string): string {
  return `CNI-DN-${createHash('sha512').update(netName + containerId).digest('hex')}`.slice(0, 28);
}

/** The node ports a cluster node's own daemons hold, by backend (BIRD's BGP, the kernel's VXLAN socket, flanneld's UDP). */
function nodeDaemonPorts(cni: CniBackend, nodes: number): { proto: 'TCP' | 'UDP'; port: number; what: string }[] {
  if (cni === 'calico-bgp') return [{ proto: 'TCP', port: 179, what: "BIRD's BGP (calico-node)" }];
  if (cni === 'flannel-vxlan') return [{ proto: 'UDP', port: VXLAN_PORT, what: "flannel.1's VXLAN socket" }];
  if (cni === 'flannel-udp') return Array.from({ length: Math.max(1, (nodes * (nodes - 1)) / 2) }, (_, k) => ({ proto: 'UDP' as const, port: UDP_PORT + k, what: "flanneld's UDP tunnel" }));
  return [];
}

interface CheckInput {
  readonly cni: CniBackend;
  readonly at: LoadedFile['at'];
  readonly pods: readonly PodDraft[];
  readonly services: readonly Service[];
  readonly nodeCount?: number;
}

/**
 * A hostPort another pod of the same node already forwards (the scheduler would not place the pod there), and a
 * hostNetwork pod on a port its node already uses: another hostNetwork pod's, a hostPort, a NodePort (open on every
 * node), or one of the node's own daemons. Each at the port's YAML place, before anything is built.
 */
export function hostPortDiagnostics(input: CheckInput): Diagnostic[] {
  const { at, pods } = input;
  const diags: Diagnostic[] = [];
  const nodePorts = new Map<string, Service>();
  for (const s of input.services) for (const p of s.ports) if (p.nodePort !== undefined) nodePorts.set(`${p.protocol}/${p.nodePort}`, s);
  const daemons = nodeDaemonPorts(input.cni, input.nodeCount ?? new Set(pods.map((p) => p.node)).size);
  const portPath = (pod: PodDraft, k: number, key?: string): (string | number)[] => [...pod.path, 'ports', k, ...(key ? [key] : [])];
  // hostPorts first, node by node: pod, port and host address of each
  const held = new Map<string, { pod: PodDraft; hostIP?: string }[]>();
  for (const pod of pods) {
    pod.ports.forEach((p, k) => {
      if (p.hostPort === undefined) return;
      if (pod.hostNetwork) {
        if (p.hostPort !== p.port) diags.push(error('cluster.host-port', `pod ${pod.name} has hostNetwork, and its port ${p.port} has hostPort ${p.hostPort}`, at(portPath(pod, k, 'hostPort')), `a hostNetwork pod listens on the node's ports itself: hostPort must equal the port (${p.port}), or be left out`));
        return;
      }
      const key = `${pod.node}|${p.protocol}/${p.hostPort}`;
      const others = held.get(key) ?? [];
      const clash = others.find((o) => !o.hostIP || !p.hostIP || o.hostIP === p.hostIP);
      if (clash) {
        diags.push(error('cluster.host-port', `pod ${pod.name}: hostPort ${p.hostPort}/${p.protocol} on node ${pod.node} is already pod ${clash.pod.name}'s${clash.hostIP ? ` (on ${clash.hostIP})` : ''}`, at(portPath(pod, k, 'hostPort')), `a node forwards a hostPort to one pod only (the scheduler would not place ${pod.name} on ${pod.node}): choose another hostPort, place the pod on another node, or give both a different hostIP`));
      } else {
        const np = nodePorts.get(`${p.protocol}/${p.hostPort}`);
        if (np) diags.push(error('cluster.host-port', `pod ${pod.name}: hostPort ${p.hostPort}/${p.protocol} is service ${np.name}'s NodePort`, at(portPath(pod, k, 'hostPort')), "kube-proxy's KUBE-NODEPORTS rules come before portmap's CNI-HOSTPORT-DNAT: the hostPort would never be reached. Choose a hostPort outside the node-port range"));
      }
      others.push({ pod, hostIP: p.hostIP });
      held.set(key, others);
    });
  }
  // hostNetwork pods: their ports against every other use of the node's ports
  const hostNet = new Map<string, PodDraft>();
  for (const pod of pods) {
    if (!pod.hostNetwork) continue;
    if (pod.image) diags.push(error('cluster.host-network', `pod ${pod.name}: hostNetwork pods run nslab's test server in the node's namespace, and cannot have an image here`, at([...pod.path, 'image'], true), 'remove image (or hostNetwork)'));
    pod.ports.forEach((p, k) => {
      const where = at(portPath(pod, k)); // the pod's own place when its ports are the default [80]
      const key = `${pod.node}|${p.protocol}/${p.port}`;
      const twin = hostNet.get(key);
      const hp = held.get(key)?.[0];
      const np = nodePorts.get(`${p.protocol}/${p.port}`);
      const own = daemons.find((d) => d.proto === p.protocol && d.port === p.port);
      const used = twin
        ? `hostNetwork pod ${twin.name} listens on it`
        : hp
          ? `pod ${hp.pod.name}'s hostPort forwards it`
          : np
            ? `it is service ${np.name}'s NodePort (open on every node)`
            : own
              ? `it is ${own.what}`
              : undefined;
      if (used) diags.push(error('cluster.host-network-port', `pod ${pod.name} has hostNetwork and port ${p.port}/${p.protocol}, which node ${pod.node} already uses: ${used}`, where, 'a hostNetwork pod shares its node\'s ports: choose a port nothing else on the node uses, or place the pod on another node (replicas of a hostNetwork pod need a node each)'));
      else hostNet.set(key, pod);
    });
  }
  return diags;
}

const q = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * portmap's rules on one node, as iptables-restore input (the nat table), in the order iptables-save prints them;
 * undefined when no pod of the node has a hostPort. `podNet` is the pod's network as portmap gets it from the
 * previous plugin's result: the node's block on a bridge, the pod's /32 with Calico.
 */
export function portmapRules(c: Pick<ResolvedCluster, 'cni' | 'pods' | 'nodes'>, node: string): string | undefined {
  const pods = c.pods.filter((p) => p.node === node && !p.hostNetwork && p.ports.some((x) => x.hostPort !== undefined));
  if (!pods.length) return undefined;
  const net = cniNetworkName(c.cni);
  const block = c.nodes.find((n) => n.name === node)?.podCIDR;
  const chains = [HOSTPORT_DNAT, HOSTPORT_SETMARK, HOSTPORT_MASQ];
  const rules: string[] = [
    `-A PREROUTING -m addrtype --dst-type LOCAL -j ${HOSTPORT_DNAT}`,
    `-A OUTPUT -m addrtype --dst-type LOCAL -j ${HOSTPORT_DNAT}`,
    `-A POSTROUTING -m comment --comment ${q('CNI portfwd requiring masquerade')} -j ${HOSTPORT_MASQ}`,
    `-A ${HOSTPORT_MASQ} -m mark --mark ${HOSTPORT_MARK} -j MASQUERADE`,
    `-A ${HOSTPORT_SETMARK} -m comment --comment ${q('CNI portfwd masquerade mark')} -j MARK --set-xmark ${HOSTPORT_MARK}`,
  ];
  // the newest pod's entry is prepended in CNI-HOSTPORT-DNAT; here the pods in reverse order of the lab file
  for (const pod of [...pods].reverse()) {
    const id = sandboxId(pod);
    const chain = dnChain(net, id);
    chains.push(chain);
    const comment = q(`dnat name: "${net}" id: "${id}"`);
    const maps = pod.ports.filter((x) => x.hostPort !== undefined);
    for (const proto of ['TCP', 'UDP'] as const) {
      const ports = maps.filter((x) => x.protocol === proto).map((x) => x.hostPort!);
      for (let i = 0; i < ports.length; i += 15) rules.push(`-A ${HOSTPORT_DNAT} -p ${proto.toLowerCase()} -m comment --comment ${comment} -m multiport --dports ${ports.slice(i, i + 15).join(',')} -j ${chain}`);
    }
    const podNet = c.cni === 'calico-bgp' || !block ? `${pod.ip}/32` : block;
    for (const m of maps) {
      const p = m.protocol.toLowerCase();
      const dst = m.hostIP ? ` -d ${m.hostIP}/32` : '';
      const match = `-p ${p} -m ${p} --dport ${m.hostPort}`;
      rules.push(`-A ${chain} -s ${podNet}${dst} ${match} -j ${HOSTPORT_SETMARK}`);
      rules.push(`-A ${chain} -s 127.0.0.1/32${dst} ${match} -j ${HOSTPORT_SETMARK}`);
      rules.push(`-A ${chain}${dst} ${match} -j DNAT --to-destination ${pod.ip}:${m.port}`);
    }
  }
  return [`# the portmap CNI plugin on node ${node}: hostPorts of ${pods.map((p) => p.name).join(', ')}`, '*nat', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ...chains.map((x) => `:${x} - [0:0]`), ...rules, 'COMMIT', ''].join('\n');
}

/** Move portmap's POSTROUTING jump ahead of every other POSTROUTING rule (the plugin prepends it). */
export function portmapFirst(restore: string): string {
  const lines = restore.split('\n');
  const jump = lines.findIndex((l) => l.startsWith('-A POSTROUTING ') && l.endsWith(`-j ${HOSTPORT_MASQ}`));
  if (jump < 0) return restore;
  const [line] = lines.splice(jump, 1);
  const first = lines.findIndex((l) => l.startsWith('-A POSTROUTING '));
  lines.splice(first < 0 ? jump : first, 0, line);
  return lines.join('\n');
}
