/**
 * Validation of the handout's traces (`handout.traces`, issue 12): each flow's FROM is a node (or pod) of this lab
 * and its TO names something `lab trace` can walk to — a node or pod, `node:iface`, an address (with `:port`), a
 * Service (`name` or `namespace/name`, with `:port`), a NodePort (`node:PORT`). Checked once the rest of the lab is
 * valid (the names are those of the resolved lab). The same grammar as runner/trace/flow.ts `resolveFlow`; the
 * lead may make this call resolveFlow once it is there, so that the two cannot drift apart.
 */
import { didYouMean, error, type Diagnostic } from '../config/diagnostics.ts';
import type { LoadedFile } from '../config/load.ts';
import { parseAddress } from '../model/ip.ts';
import type { ResolvedLab } from '../model/types.ts';
import { readHandout, type HandoutTrace } from './handout-spec.ts';

const quote = (s: string): string => JSON.stringify(s);
const list = (xs: readonly string[], most = 12): string => (xs.length > most ? `${xs.slice(0, most).join(', ')}, …` : xs.join(', ')) || '(none)';

/** What a TO names, or why it names nothing. */
export type TraceTo = { readonly ok: true; readonly kind: 'node' | 'iface' | 'address' | 'service' | 'node-port' } | { readonly ok: false; readonly message: string; readonly hint?: string };

/** A TO's trailing `:PORT` (IPv4, a name) or `]:PORT` (IPv6). */
function splitPort(to: string): { base: string; port?: number } {
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(to);
  if (v6) return { base: v6[1], port: Number(v6[2]) };
  const m = /^([^:]+):(\d+)$/.exec(to);
  return m ? { base: m[1], port: Number(m[2]) } : { base: to };
}

/** The Services of the lab's cluster, as `namespace/name` and (in namespace default, or where unique) `name`. */
function serviceNames(lab: ResolvedLab): Map<string, string> {
  const out = new Map<string, string>();
  const svcs = lab.cluster?.services ?? [];
  for (const s of svcs) out.set(`${s.namespace}/${s.name}`, `${s.namespace}/${s.name}`);
  for (const s of svcs) {
    const same = svcs.filter((x) => x.name === s.name);
    if (s.namespace === 'default' || same.length === 1) out.set(s.name, `${s.namespace}/${s.name}`);
  }
  return out;
}

/** Interfaces of a node by name: its own (lo included) and the bridges inside it. */
function interfacesOf(lab: ResolvedLab, node: string): string[] {
  const n = lab.nodes.find((x) => x.name === node);
  return [...(n?.interfaces.map((i) => i.name) ?? []), ...lab.bridges.filter((b) => b.node === node).map((b) => b.name)];
}

/** What TO names in this lab. Pure. */
export function traceTarget(lab: ResolvedLab, to: string): TraceTo {
  const nodes = lab.nodes.map((n) => n.name);
  if (nodes.includes(to)) return { ok: true, kind: 'node' };
  if (parseAddress(to)) return { ok: true, kind: 'address' };
  const services = serviceNames(lab);
  if (services.has(to)) return { ok: true, kind: 'service' };
  const { base, port } = splitPort(to);
  if (port !== undefined) {
    if (port < 1 || port > 65535) return { ok: false, message: `port ${port} of ${quote(to)} is not a port`, hint: 'a port is 1 to 65535' };
    if (parseAddress(base)) return { ok: true, kind: 'address' };
    if (services.has(base)) return { ok: true, kind: 'service' };
    if (nodes.includes(base)) {
      const nodePorts = (lab.cluster?.services ?? []).flatMap((s) => s.ports.map((p) => p.nodePort)).filter((p): p is number => p !== undefined);
      if (nodePorts.includes(port)) return { ok: true, kind: 'node-port' };
      return { ok: false, message: `no Service of this lab has NodePort ${port}`, hint: nodePorts.length ? `NodePorts: ${list(nodePorts.map(String))}` : `to trace a port on ${base}, write to: ${base} and port: ${port}` };
    }
  }
  const colon = to.indexOf(':');
  if (colon > 0 && !to.includes('/')) {
    const node = to.slice(0, colon);
    const iface = to.slice(colon + 1);
    if (nodes.includes(node)) {
      const ifs = interfacesOf(lab, node);
      if (ifs.includes(iface)) return { ok: true, kind: 'iface' };
      const guess = didYouMean(iface, ifs);
      return { ok: false, message: `node ${node} has no interface ${quote(iface)}`, hint: guess ? `did you mean ${quote(`${node}:${guess}`)}?` : `its interfaces: ${list(ifs)}` };
    }
  }
  const head = colon > 0 && !to.includes('/') ? to.slice(0, colon) : base;
  const names = [...nodes, ...services.keys()];
  const guess = didYouMean(head, names);
  return {
    ok: false,
    message: `${quote(to)} names nothing in this lab`,
    hint: guess ? `did you mean ${quote(to.replace(head, guess))}?` : `TO is a node or pod (${list(nodes, 8)}), node:iface, an address${services.size ? `, a Service (${list([...services.keys()].filter((k) => k.includes('/')), 6)})` : ''}`,
  };
}

/** The problems of one trace, in the order of its keys. */
function traceProblems(lab: ResolvedLab, t: HandoutTrace, at: (key: string) => ReturnType<LoadedFile['at']>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const n = t.index + 1;
  const nodes = lab.nodes.map((x) => x.name);
  if (!nodes.includes(t.from)) {
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
