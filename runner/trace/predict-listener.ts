/**
 * What listens at the destination, as far as the lab says (issue 12): a cluster pod serves exactly its container
 * ports (nslab's whoami agent, the DNS pod's dnsmasq on 53; a hostNetwork pod's in its node), a node its `whoami:` ports and Docker's published ports (docker-proxy), a `ready: listen` check or a
 * daemon naming the port; a plain namespace node with no daemon and no commands listens on nothing else. Pure.
 */
import type { ClusterResult } from '../cluster/types.ts';
import type { ResolvedLab } from '../model/types.ts';
import type { Pkt } from './predict-packet.ts';
import { userspaceListens } from './predict-userspace.ts';
import { sidecarListens, sidecarPod } from './predict-sidecar.ts';

/** true: something listens on the packet's port; false: nothing does (TCP RST, ICMP port unreachable); undefined: unknown. */
export function listens(lab: ResolvedLab, cluster: ClusterResult | undefined, node: string, pkt: Pkt): boolean | undefined {
  if (pkt.proto === 'icmp' || pkt.dport === undefined) return true;
  // kube-proxy's userspace mode: the node's proxy listens on every proxy port and holds every NodePort
  if (userspaceListens(cluster, node, pkt)) return true;
  const sp = sidecarPod(cluster, node);
  if (sp && cluster && sidecarListens(cluster, sp, pkt)) return true;
  const pod = cluster?.pods.find((p) => p.name === node);
  if (pod && !pod.hostNetwork) return pod.ports.some((p) => p.port === pkt.dport && p.protocol.toLowerCase() === pkt.proto);
  // a hostNetwork pod's test server listens in its node's namespace, on the node's address
  if (cluster?.pods.some((p) => p.hostNetwork && (p.node === node || p.name === node) && p.ports.some((x) => x.port === pkt.dport && x.protocol.toLowerCase() === pkt.proto))) return true;
  if (lab.ready?.some((r) => r.kind === 'listen' && r.node === node && r.proto === pkt.proto && r.ports.includes(pkt.dport!))) return true;
  const n = lab.nodes.find((x) => x.name === node);
  if (!n) return undefined;
  if (pkt.proto === 'tcp' && n.whoami.includes(pkt.dport)) return true;
  // Docker's userland proxy listens on every published port of the node
  if (n.nat.some((r) => r.type === 'docker' && r.userlandProxy && r.publish.some((p) => p.proto === pkt.proto && p.port === pkt.dport))) return true;
  const port = String(pkt.dport);
  if (n.daemons.some((d) => d.argv.some((a) => a === port || a.endsWith(`:${port}`) || a.endsWith(`=${port}`)))) return true;
  const quiet = n.kind === 'netns' && !n.daemons.length && !n.exec.length && !lab.nodes.some((x) => x.sharesNetnsOf === node);
  return quiet ? false : undefined;
}
