/**
 * `lab trace FROM TO`: FROM and TO resolved against the lab into one flow, or a message saying what is wrong. Pure.
 *
 * FROM is a node or a pod (a pod is a node: its name, or `namespace/name`). TO is a node (the address of it FROM
 * reaches most directly, as tests' `to:`), `node:iface`, `node:PORT` (a NodePort on a cluster node, else that port
 * on the node), an address or `address:port` (`[v6]:port`), a Service (`name`, `ns/name`, `svc/name`,
 * `svc/ns/name`: its ClusterIP), a ClusterIP or LoadBalancer address (with a port or not) or a node address with a
 * node port. The protocol is icmp without a port, tcp with one, and a Service port's own for a Service.
 */
import { didYouMean } from '../config/diagnostics.ts';
import type { ResolvedLab } from '../model/types.ts';
import type { FlowRequest, TraceFlow, TraceProto, TraceTarget } from '../model/trace.ts';
import { contains, network, parseAddress, parsePrefix } from '../model/ip.ts';
import { ownInterfaces, targetIn } from '../model/targets.ts';
import { serviceKey, serviceTo, servicesAt, type ServiceTo } from './flow-service.ts';

export type FlowResult = { readonly ok: true; readonly flow: TraceFlow } | { readonly ok: false; readonly message: string; readonly hint?: string };
type Fail = { readonly ok: false; readonly message: string; readonly hint?: string };

const fail = (message: string, hint?: string): Fail => ({ ok: false, message, hint });
const PROTOS: readonly string[] = ['tcp', 'udp', 'icmp'];

/** What TO resolved to, before the protocol and family checks. */
interface ToResult {
  readonly ok: true;
  readonly dst: string;
  readonly family: 4 | 6;
  readonly port?: number;
  /** The protocol TO implies (a Service port's). */
  readonly proto?: TraceProto;
  readonly target: TraceTarget;
}

/** "did you mean" over some names, else the list of them (the first 12). */
function namesHint(word: string, what: string, names: readonly string[], also: readonly string[] = []): string {
  const guess = didYouMean(word, [...names, ...also]);
  const list = names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', ');
  return guess ? `did you mean ${JSON.stringify(guess)}? ${what}: ${list}` : `${what}: ${list || '(none)'}`;
}

/** The nodes that are no pods, then the pods as namespace/name (for hints). */
function nodeAndPodNames(lab: ResolvedLab): string[] {
  const pods = lab.cluster?.pods ?? [];
  return [...lab.nodes.filter((n) => !pods.some((p) => p.name === n.name)).map((n) => n.name), ...pods.map((p) => `${p.namespace}/${p.name}`)];
}

/** FROM: a node's name, a pod's name or namespace/name. */
function fromNode(lab: ResolvedLab, text: string): { ok: true; node: string } | Fail {
  if (lab.nodes.some((n) => n.name === text)) return { ok: true, node: text };
  const pod = lab.cluster?.pods.find((p) => `${p.namespace}/${p.name}` === text);
  if (pod) return { ok: true, node: pod.name };
  return fail(`unknown FROM ${JSON.stringify(text)}: lab ${lab.name} has no node or pod of that name`, namesHint(text, lab.cluster ? 'nodes and pods' : 'nodes', nodeAndPodNames(lab), lab.nodes.map((n) => n.name)));
}

/** Every address of a node (interfaces, bridges in it, lo), with its prefix length. */
const addressesOf = (lab: ResolvedLab, node: string): string[] => [
  ...ownInterfaces(lab, node).flatMap((i) => i.addresses),
  ...(lab.nodes.find((n) => n.name === node)?.interfaces.filter((i) => i.name === 'lo').flatMap((i) => i.addresses) ?? []),
];

/** The node that has `addr` on one of its interfaces or bridges, if any. */
function ownerOf(lab: ResolvedLab, addr: string): string | undefined {
  return lab.nodes.find((n) => addressesOf(lab, n.name).some((a) => a.split('/')[0] === addr))?.name;
}

function parsePort(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** `10.0.0.1:80`, `[fd00::1]:80` → address and port; undefined for anything else. */
function splitAddressPort(text: string): { addr: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(text);
  return m && parseAddress(m[1]) ? { addr: m[1], port: Number(m[2]) } : undefined;
}

function fromService(s: ServiceTo | Fail): ToResult | Fail {
  if (!s.ok) return s;
  return { ok: true, dst: s.dst, family: s.dst.includes(':') ? 6 : 4, port: s.port, proto: s.proto, target: s.target };
}

/** An address (with a port or not): a Service's ClusterIP or LoadBalancer address, a node port, or a plain address. */
function toAddress(lab: ResolvedLab, addr: string, port: number | undefined, req: FlowRequest): ToResult | Fail {
  const svc = servicesAt(lab, addr, port ?? req.port);
  if (svc && port !== undefined && req.proto === 'icmp') return fail(`port ${port} with icmp: ICMP has no ports`, 'leave the port out to trace a ping, or add --proto tcp (or udp)');
  // the address's own family: a dual-stack Service's IPv6 ClusterIP is traced over IPv6, not its primary one
  if (svc) return fromService(serviceTo(lab, svc.service, svc.via, { port: port ?? req.port, proto: req.proto, node: svc.node, family: parseAddress(addr)!.family }));
  const node = ownerOf(lab, addr);
  return { ok: true, dst: addr, family: parseAddress(addr)!.family, port, target: { kind: 'address', ...(node ? { node } : {}) } };
}

/** `node:iface`, or `node:PORT`: a node port on a cluster node, else that port on the node. */
function toNodeColon(lab: ResolvedLab, from: string, node: string, right: string, req: FlowRequest): ToResult | Fail {
  const port = parsePort(right);
  if (port === undefined) {
    const t = targetIn(lab, `${node}:${right}`, from);
    if (!t.ok) return fail(`TO ${JSON.stringify(`${node}:${right}`)}: ${t.message}`, t.hint);
    return { ok: true, dst: t.address, family: t.family, target: { kind: 'node', node, iface: right } };
  }
  const cn = lab.cluster?.nodes.find((n) => n.name === node);
  if (cn) {
    const svc = servicesAt(lab, cn.ip, port);
    if (svc) return fromService(serviceTo(lab, svc.service, 'node-port', { port, proto: req.proto, node }));
    const [lo, hi] = lab.cluster!.nodePortRange;
    if (port >= lo && port <= hi) {
      const used = lab.cluster!.services.flatMap((s) => s.ports.filter((p) => p.nodePort !== undefined).map((p) => `${p.nodePort} (${serviceKey(s)})`));
      return fail(`TO ${node}:${port}: no Service has node port ${port}`, `node ports in this cluster: ${used.join(', ') || '(none)'}`);
    }
  }
  const t = toNode(lab, from, node);
  return t.ok ? { ...t, port } : t;
}

/** A node: the address of it FROM reaches most directly, in a family FROM has. */
function toNode(lab: ResolvedLab, from: string, node: string): ToResult | Fail {
  const t = targetIn(lab, node, from);
  if (!t.ok) return fail(`TO ${JSON.stringify(node)}: ${t.message}`, t.hint);
  let { address, family } = t;
  const fromFamilies = new Set(ownInterfaces(lab, from).flatMap((i) => i.addresses).map((a) => (a.includes(':') ? 6 : 4)));
  if (!fromFamilies.has(family)) {
    const other = ownInterfaces(lab, node).flatMap((i) => i.addresses).find((a) => fromFamilies.has(a.includes(':') ? 6 : 4));
    if (other) [address, family] = [other.split('/')[0], other.includes(':') ? 6 : 4];
  }
  return { ok: true, dst: address, family, target: { kind: 'node', node } };
}

/** A name with a slash: a pod (namespace/name) or a Service; both is ambiguous. */
function toSlashed(lab: ResolvedLab, from: string, text: string, req: FlowRequest): ToResult | Fail | undefined {
  const pod = lab.cluster?.pods.find((p) => `${p.namespace}/${p.name}` === text);
  const svc = lab.cluster?.services.find((s) => serviceKey(s) === text);
  if (pod && svc) return fail(`TO ${JSON.stringify(text)} names both the pod ${text} and the Service ${text}`, `write svc/${text} for the Service, or ${pod.name}:eth0 for the pod`);
  if (pod) return toNode(lab, from, pod.name);
  if (svc) return fromService(serviceTo(lab, svc, 'cluster-ip', { port: req.port, proto: req.proto }));
  return undefined;
}

/** A plain name: a node (or pod), or a Service; both is ambiguous. */
function toName(lab: ResolvedLab, from: string, text: string, req: FlowRequest): ToResult | Fail | undefined {
  const node = lab.nodes.find((n) => n.name === text);
  const svcs = lab.cluster?.services.filter((s) => s.name === text) ?? [];
  if (node && svcs.length) return fail(`TO ${JSON.stringify(text)} names both the ${lab.cluster?.pods.some((p) => p.name === text) ? 'pod' : 'node'} ${text} and the Service ${serviceKey(svcs[0])}`, `write svc/${text} for the Service, or ${text}:eth0 for the ${lab.cluster?.pods.some((p) => p.name === text) ? 'pod' : 'node'}`);
  const cn = lab.cluster?.nodes.find((n) => n.name === text);
  if (cn && req.port !== undefined && servicesAt(lab, cn.ip, req.port)) return toNodeColon(lab, from, text, String(req.port), req);
  if (node) return toNode(lab, from, text);
  if (svcs.length > 1) return fail(`TO ${JSON.stringify(text)}: a Service of that name is in ${svcs.length} namespaces`, `write namespace/name: ${svcs.map(serviceKey).join(', ')}`);
  if (svcs.length) return fromService(serviceTo(lab, svcs[0], 'cluster-ip', { port: req.port, proto: req.proto }));
  return undefined;
}

function unknownTo(lab: ResolvedLab, text: string): Fail {
  const c = lab.cluster;
  const names = [...nodeAndPodNames(lab), ...(c?.services.map(serviceKey) ?? [])];
  const what = c ? 'nodes, pods and Services' : 'nodes';
  const forms = c ? 'a node, a pod, node:iface, an address, a Service (name, ns/name, svc/name), ClusterIP:port or node:NODEPORT' : 'a node, node:iface, node:PORT or an address';
  return fail(`unknown TO ${JSON.stringify(text)}: lab ${lab.name} has no ${c ? 'node, pod or Service' : 'node'} of that name, and it is no address`, `${namesHint(text, what, names, [...lab.nodes.map((n) => n.name), ...(c?.services.map((s) => s.name) ?? [])])} (TO is ${forms})`);
}

function resolveTo(lab: ResolvedLab, from: string, req: FlowRequest): ToResult | Fail {
  const text = req.to;
  if (text.startsWith('svc/')) {
    if (!lab.cluster) return fail(`TO ${JSON.stringify(text)} names a Service, and lab ${lab.name} has no cluster`, 'trace to a node, node:iface or an address');
    const name = text.slice(4);
    const svcs = lab.cluster.services.filter((s) => (name.includes('/') ? serviceKey(s) === name : s.name === name));
    if (svcs.length === 1) return fromService(serviceTo(lab, svcs[0], 'cluster-ip', { port: req.port, proto: req.proto }));
    if (svcs.length > 1) return fail(`TO ${JSON.stringify(text)}: a Service of that name is in ${svcs.length} namespaces`, `write svc/namespace/name: ${svcs.map((s) => `svc/${serviceKey(s)}`).join(', ')}`);
    return fail(`unknown TO ${JSON.stringify(text)}: the cluster has no Service ${name}`, namesHint(name, 'Services', lab.cluster.services.map(serviceKey)));
  }
  const ap = splitAddressPort(text);
  if (ap) return toAddress(lab, ap.addr, ap.port, req);
  if (parseAddress(text)) return toAddress(lab, text, undefined, req);
  const colon = text.indexOf(':');
  if (colon > 0 && lab.nodes.some((n) => n.name === text.slice(0, colon))) return toNodeColon(lab, from, text.slice(0, colon), text.slice(colon + 1), req);
  return (text.includes('/') ? toSlashed(lab, from, text, req) : toName(lab, from, text, req)) ?? unknownTo(lab, text);
}

/** tcp, udp or icmp, and the port: checked against each other and against what TO implies. */
function protoAndPort(req: FlowRequest, to: ToResult): { proto: TraceProto; port?: number } | Fail {
  if (req.port !== undefined && to.port !== undefined && req.port !== to.port && to.target.kind !== 'service') {
    return fail(`TO ${req.to} names port ${to.port}, and --port says ${req.port}`, 'give the port once');
  }
  const port = to.port ?? req.port;
  const proto = to.proto ?? req.proto ?? (port !== undefined ? 'tcp' : 'icmp');
  if (proto === 'icmp' && port !== undefined) return fail(`port ${port} with icmp: ICMP has no ports`, 'leave the port out to trace a ping, or add --proto tcp (or udp)');
  if (proto !== 'icmp' && port === undefined) return fail(`--proto ${proto} needs a port`, `add --port N (e.g. --port ${proto === 'udp' ? 53 : 80}), or leave --proto out to trace a ping`);
  return { proto, ...(port !== undefined ? { port } : {}) };
}

/** The address FROM sends from when `dst` is on one of its subnets (else the kernel's choice, unknown here). */
function directSource(lab: ResolvedLab, from: string, dst: string): string | undefined {
  const d = parseAddress(dst);
  if (!d) return undefined;
  const own = ownInterfaces(lab, from).flatMap((i) => i.addresses);
  return own.find((a) => {
    const p = parsePrefix(a);
    return !!p && p.len < (p.family === 4 ? 32 : 128) && contains(network(p), d.family, d.addr);
  })?.split('/')[0];
}

export function resolveFlow(lab: ResolvedLab, req: FlowRequest): FlowResult {
  if (req.proto !== undefined && !PROTOS.includes(req.proto)) return fail(`unknown protocol ${JSON.stringify(req.proto)}: --proto is tcp, udp or icmp`, 'leave --proto out: icmp without a port, tcp with --port');
  if (req.port !== undefined && !(Number.isInteger(req.port) && req.port >= 1 && req.port <= 65535)) return fail(`port ${req.port} is out of range: a port is a whole number from 1 to 65535`, 'e.g. --port 80');
  if (req.proto === 'icmp' && req.port !== undefined) return fail(`--port ${req.port} with --proto icmp: ICMP has no ports`, 'leave --port out to trace a ping, or use --proto tcp (or udp)');
  const f = fromNode(lab, req.from);
  if (!f.ok) return f;
  const from = f.node;
  const to = resolveTo(lab, from, req);
  if (!to.ok) return to;
  if (to.port !== undefined && !(to.port >= 1 && to.port <= 65535)) return fail(`port ${to.port} in TO ${req.to} is out of range: a port is a whole number from 1 to 65535`);
  const pp = protoAndPort(req, to);
  if ('ok' in pp) return pp;
  const own = addressesOf(lab, from).map((a) => a.split('/')[0]);
  const loopback = /^127\./.test(to.dst) || to.dst === '::1';
  if (own.includes(to.dst) || loopback || (to.target.kind === 'node' && to.target.node === from && !to.target.iface)) {
    return fail(
      `TO ${req.to} is ${loopback ? 'a loopback address' : `${from}'s own address (${to.dst})`}: the packet would go over ${from}'s lo and never leave it, so there is no path to walk`,
      `trace from another node to ${from}, or to another node from ${from}`,
    );
  }
  const fromFamilies = new Set(ownInterfaces(lab, from).flatMap((i) => i.addresses).map((a) => (a.includes(':') ? 6 : 4)));
  if (!fromFamilies.has(to.family)) {
    return fail(`${from} has no IPv${to.family} address, and TO ${req.to} is IPv${to.family} (${to.dst})`, `trace to an IPv${to.family === 4 ? 6 : 4} address of it, or give ${from} an IPv${to.family} address`);
  }
  const src = directSource(lab, from, to.dst);
  const flow: TraceFlow = { from, ...(src ? { src } : {}), dst: to.dst, family: to.family, proto: pp.proto, ...(pp.port !== undefined ? { port: pp.port } : {}), toText: req.to, target: to.target };
  return { ok: true, flow };
}
