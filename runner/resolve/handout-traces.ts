/**
 * Validation of the handout's traces (`handout.traces`, issue 12): each flow's FROM is a node (or pod) of this lab
 * and its TO names something `lab trace` can walk to (traceTarget). Checked once the rest of the lab is valid (the
 * names are those of the resolved lab). The grammar is that of runner/trace/flow.ts `resolveFlow` (helper "cli"),
 * which is a stub on this branch; once it is merged, traceProblems should ask `resolveFlow(lab, flowRequest(t))`
 * instead of traceTarget (it also checks Service ports and protocols), so that the two cannot drift apart.
 */
import { didYouMean, error, type Diagnostic } from '../config/diagnostics.ts';
import type { LoadedFile } from '../config/load.ts';
import { parseAddress } from '../model/ip.ts';
import type { ResolvedLab } from '../model/types.ts';
import { readHandout, type HandoutTrace } from './handout-spec.ts';

const quote = (s: string): string => JSON.stringify(s);
const list = (xs: readonly string[], most = 12): string => (xs.length > most ? `${xs.slice(0, most).join(', ')}, …` : xs.join(', ')) || '(none)';

/** What TO names, or why it names nothing. */
export type TraceTo = { readonly ok: true; readonly kind: 'node' | 'iface' | 'address' | 'service' | 'node-port' } | { readonly ok: false; readonly message: string; readonly hint?: string };

const ok = (kind: Extract<TraceTo, { ok: true }>['kind']): TraceTo => ({ ok: true, kind });
const keyOf = (s: { readonly namespace: string; readonly name: string }): string => `${s.namespace}/${s.name}`;

/** `10.0.0.1:80`, `[fd00::1]:80`: an address with a port. */
function isAddressPort(to: string): boolean {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(to) ?? /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(to);
  return !!m && !!parseAddress(m[1]) && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
}

/** Interfaces of a node by name: its own (lo included) and the bridges inside it. */
function interfacesOf(lab: ResolvedLab, node: string): string[] {
  const n = lab.nodes.find((x) => x.name === node);
  return [...(n?.interfaces.map((i) => i.name) ?? []), ...lab.bridges.filter((b) => b.node === node).map((b) => b.name)];
}

/** `node:iface`, or `node:PORT` (a NodePort on a cluster node, else that port on the node). */
function nodeColon(lab: ResolvedLab, node: string, right: string): TraceTo {
  if (/^\d+$/.test(right)) {
    const port = Number(right);
    if (port < 1 || port > 65535) return { ok: false, message: `port ${port} of ${quote(`${node}:${right}`)} is not a port`, hint: 'a port is 1 to 65535' };
    const c = lab.cluster;
    if (!c?.nodes.some((n) => n.name === node)) return ok('address');
    if (c.services.some((s) => s.ports.some((p) => p.nodePort === port))) return ok('node-port');
    if (port < c.nodePortRange[0] || port > c.nodePortRange[1]) return ok('address');
    const used = c.services.flatMap((s) => s.ports.filter((p) => p.nodePort !== undefined).map((p) => `${p.nodePort} (${keyOf(s)})`));
    return { ok: false, message: `no Service of this lab has NodePort ${port}`, hint: `NodePorts: ${list(used)}` };
  }
  const ifs = interfacesOf(lab, node);
  if (ifs.includes(right)) return ok('iface');
  const guess = didYouMean(right, ifs);
  return { ok: false, message: `node ${node} has no interface ${quote(right)}`, hint: guess ? `did you mean ${quote(`${node}:${guess}`)}?` : `its interfaces: ${list(ifs)}` };
}

/** `svc/name`, `svc/namespace/name`: a Service, named as one. */
function serviceByPrefix(lab: ResolvedLab, name: string): TraceTo {
  if (!lab.cluster) return { ok: false, message: `svc/${name} names a Service, and this lab has no cluster`, hint: 'trace to a node, node:iface, node:PORT or an address' };
  const services = lab.cluster?.services ?? [];
  const hits = services.filter((s) => (name.includes('/') ? keyOf(s) === name : s.name === name));
  if (hits.length === 1) return ok('service');
  if (hits.length > 1) return { ok: false, message: `a Service named ${name} is in ${hits.length} namespaces`, hint: `write ${hits.map((s) => `svc/${keyOf(s)}`).join(' or ')}` };
  const guess = didYouMean(name, services.map(keyOf));
  return { ok: false, message: `the lab has no Service ${quote(name)}`, hint: guess ? `did you mean ${quote(`svc/${guess}`)}?` : `Services: ${list(services.map(keyOf))}` };
}

/**
 * What TO names in this lab, in the grammar of `lab trace` (runner/trace/flow.ts): a node or pod (a pod also as
 * namespace/name), `node:iface`, `node:PORT`, an address or `address:port`, a Service (`name`, `ns/name`, `svc/name`,
 * `svc/ns/name`). A plain name that is both a node (or pod) and a Service is ambiguous, as in `lab trace`. Pure.
 */
export function traceTarget(lab: ResolvedLab, to: string): TraceTo {
  const nodes = lab.nodes.map((n) => n.name);
  const pods = lab.cluster?.pods ?? [];
  const services = lab.cluster?.services ?? [];
  if (parseAddress(to) || isAddressPort(to)) return ok('address');
  if (to.startsWith('svc/')) return serviceByPrefix(lab, to.slice(4));
  const colon = to.indexOf(':');
  if (colon > 0 && nodes.includes(to.slice(0, colon))) return nodeColon(lab, to.slice(0, colon), to.slice(colon + 1));
  const slashed = to.includes('/');
  const node = slashed ? pods.find((p) => keyOf(p) === to)?.name : nodes.find((n) => n === to);
  const svcs = services.filter((s) => (slashed ? keyOf(s) === to : s.name === to));
  if (node && svcs.length) {
    const what = pods.some((p) => p.name === node) ? 'pod' : 'node';
    return { ok: false, message: `${quote(to)} names both the ${what} ${node} and the Service ${keyOf(svcs[0])}`, hint: `write svc/${to} for the Service, or ${node}:eth0 for the ${what}` };
  }
  if (node) return ok('node');
  if (svcs.length === 1) return ok('service');
  if (svcs.length > 1) return { ok: false, message: `a Service named ${to} is in ${svcs.length} namespaces`, hint: `write namespace/name: ${svcs.map(keyOf).join(', ')}` };
  const head = colon > 0 ? to.slice(0, colon) : to;
  const guess = didYouMean(head, [...nodes, ...services.map((s) => s.name)]);
  return {
    ok: false,
    message: `${quote(to)} names nothing in this lab`,
    hint: guess ? `did you mean ${quote(to.replace(head, guess))}?` : `TO is a node or pod (${list(nodes, 8)}), node:iface, node:PORT, an address${services.length ? `, a Service (${list(services.map(keyOf), 6)})` : ''}`,
  };
}

/** The problems of one trace, in the order of its keys. */
function traceProblems(lab: ResolvedLab, t: HandoutTrace, at: (key: string) => ReturnType<LoadedFile['at']>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const n = t.index + 1;
  const nodes = lab.nodes.map((x) => x.name);
  if (!nodes.includes(t.from) && !(lab.cluster?.pods ?? []).some((p) => keyOf(p) === t.from)) {
    const guess = didYouMean(t.from, nodes);
    const isBridge = lab.bridges.some((b) => b.name === t.from);
    out.push(
      error(
        'handout.trace-from',
        `handout trace ${n}: unknown node ${quote(t.from)}`,
        at('from'),
        isBridge ? `${t.from} is a bridge: a probe starts in a node or pod` : guess ? `did you mean ${quote(guess)}? nodes: ${list(nodes)}` : `nodes and pods in this lab: ${list(nodes)}`,
      ),
    );
  }
  const target = traceTarget(lab, t.to);
  if (!target.ok) out.push(error('handout.trace-to', `handout trace ${n}: ${target.message}`, at('to'), target.hint));
  if (t.port !== undefined && t.proto === 'icmp') out.push(error('handout.trace-port', `handout trace ${n}: a port with proto icmp`, at('port'), 'icmp has no ports: leave the port out, or say proto: tcp or udp'));
  return out;
}

/**
 * @param lab the lab as resolved so far
 * @param broken whether the rest of the lab has errors (then the traces are not checked: its names may be missing)
 */
export function checkTraces(file: Pick<LoadedFile, 'data' | 'at'>, lab: ResolvedLab, broken: boolean): Diagnostic[] {
  const spec = readHandout(file);
  if (!spec?.traces.length || broken) return [];
  return spec.traces.flatMap((t) => traceProblems(lab, t, (key) => file.at(['handout', 'traces', t.index, key])));
}
