/**
 * path (issue 12): the walk one probe takes through the running lab, traced in the kernel as `lab trace` shows it,
 * judged on what the test names: the nodes and bridges it passes (in order; others may come between them), its
 * DNAT/SNAT, its tunnel, and how it ends (delivered, or dropped — by which lab object or chain).
 */
import { isIP } from 'node:net';
import { didYouMean } from '../runner/config/diagnostics.ts';
import type { FlowRequest, Hop, TraceProto, TraceReport, Walk } from '../runner/model/trace.ts';
import { commandLine } from '../runner/plan/netns-argv.ts';
import { findService } from '../runner/cluster/assertions/k8s.ts';
import { fail, ParamReader, pass } from './common.ts';
import { compactWalk, flowText, walkSentence } from './walk-text.ts';
import type { AssertionDef, Outcome, ResolveContext } from './types.ts';
import schema from './path.schema.json' with { type: 'json' };

/** A translation the packet must undergo: an address (glob), or the addresses of the nodes a name (glob) matches. */
export interface NatPattern {
  readonly text: string;
  /** Addresses of the nodes (pods) whose names the pattern matches. */
  readonly addresses: readonly string[];
}

export interface PathParams {
  readonly from: string;
  /** As written: `lab trace` resolves it (a node, pod, address, Service, NodePort, …). */
  readonly to: string;
  readonly proto?: TraceProto;
  readonly port?: number;
  readonly via?: readonly string[];
  readonly dnatTo?: NatPattern;
  readonly snatTo?: NatPattern;
  readonly encap?: 'vxlan' | 'tun' | 'none';
  readonly verdict: 'delivered' | 'dropped';
  readonly droppedBy?: string;
}

/** `*` matches any characters, `?` one; the whole text must match. */
export function globMatch(pattern: string, text: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(text);
}

const hasGlob = (s: string): boolean => /[*?]/.test(s);

/** An address, address:port or [v6]:port, possibly with * in it (10.244.*). */
function looksLikeAddress(s: string): boolean {
  const plain = s.replace(/^\[(.*)\](:[\d*]+)?$/, '$1').replace(/^([\d.*]+):[\d*]+$/, '$1');
  if (isIP(plain)) return true;
  return hasGlob(plain) && (/^[\d*]+(\.[\d*]+){0,3}$/.test(plain) || /^[0-9a-f*]*:[0-9a-f:*]*$/i.test(plain));
}

/** The address a NAT after-text names: `10.0.0.1:80` → 10.0.0.1, `[fd00::1]:80` → fd00::1. */
export function natAddress(after: string): string {
  const v6 = /^\[(.*)\](?::\d+)?$/.exec(after);
  if (v6) return v6[1];
  return /^[\d.]+:\d+$/.test(after) ? after.replace(/:\d+$/, '') : after;
}

function natPattern(r: ParamReader, key: 'dnat-to' | 'snat-to', text: string | undefined): NatPattern | undefined {
  if (text === undefined) return undefined;
  if (looksLikeAddress(text)) return { text, addresses: [] };
  const names = r.ctx.nodeNames.filter((n) => globMatch(text, n));
  if (!names.length) {
    const guess = hasGlob(text) ? undefined : didYouMean(text, r.ctx.nodeNames);
    r.diagnostics.push({
      severity: 'error',
      code: 'test.path',
      message: `path.nat.${key}: ${JSON.stringify(text)} is neither an address nor ${hasGlob(text) ? 'a pattern matching any node or pod' : 'a node or pod of the lab'}`,
      pos: r.ctx.at(['nat', key]),
      hint: guess ? `did you mean ${JSON.stringify(guess)}?` : 'write an address (10.244.1.5, 10.96.0.10:80, 10.244.*), or a node or pod name (web-* matches any characters)',
    });
    return undefined;
  }
  const addresses = names.flatMap((n) => {
    const t = r.ctx.target(n);
    return t.ok ? [t.address] : [];
  });
  return { text, addresses };
}

/** FROM: a node, or a pod by namespace/name. */
function fromOf(r: ParamReader): string | undefined {
  const v = r.raw.from;
  if (typeof v !== 'string' || v === '') return r.shape('from', 'a node name is required');
  if (r.ctx.hasNode(v)) return v;
  const pod = v.includes('/') ? r.ctx.cluster?.()?.pods.find((p) => `${p.namespace}/${p.name}` === v) : undefined;
  if (pod) return pod.name;
  r.diagnostics.push(r.ctx.unknownNode(v.split('/').pop() ?? v, ['from']));
  return undefined;
}

/** TO, checked as far as the lab file tells (the trace resolves it against the running lab). */
function toOf(r: ParamReader, from: string | undefined): string | undefined {
  const v = r.raw.to;
  if (typeof v !== 'string' || v === '') return r.shape('to', 'a target is required');
  const t = r.ctx.target(v, from);
  if (t.ok) return v;
  const cluster = r.ctx.cluster?.();
  if (cluster && findService(cluster, v.replace(/^svc\//, '')).svc) return v;
  const m = /^(.*):(\d+)$/.exec(v);
  if (m && (isIP(m[1].replace(/^\[(.*)\]$/, '$1')) || r.ctx.hasNode(m[1]))) return v;
  const also = cluster ? ', a Service (name or namespace/name)' : '';
  return r.fail('to', `path.to: ${t.message}`, t.hint ?? `write a node, node:interface, an address, address:port${also}, or node:PORT`, 'test.target');
}

function viaOf(r: ParamReader): string[] | undefined {
  const raw = r.raw.via;
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string' || x === '')) return r.shape('via', 'must be a list of node or bridge names');
  const known = [...r.ctx.nodeNames, ...(r.ctx.bridgeNames ?? [])];
  (raw as string[]).forEach((name, i) => {
    if (known.some((k) => globMatch(name, k))) return;
    const guess = hasGlob(name) ? undefined : didYouMean(name, known);
    r.diagnostics.push({
      severity: 'error',
      code: 'test.path',
      message: `path.via[${i}]: no node or bridge ${hasGlob(name) ? 'matches ' : ''}${JSON.stringify(name)} in the lab`,
      pos: r.ctx.at(['via', i]),
      hint: guess ? `did you mean ${JSON.stringify(guess)}?` : `nodes and bridges: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}`,
    });
  });
  return raw as string[];
}

function resolvePath(raw: Record<string, unknown>, ctx: ResolveContext): { params?: PathParams; diagnostics: import('../runner/config/diagnostics.ts').Diagnostic[] } {
  const r = new ParamReader('path', raw, ctx);
  const from = fromOf(r);
  const to = toOf(r, from);
  const port = r.integer('port', undefined, 1, 65535);
  const proto = r.has('proto') ? r.oneOf('proto', ['icmp', 'tcp', 'udp'] as const, 'icmp') : undefined;
  if (port !== undefined && proto === 'icmp') r.fail('port', 'path.port: icmp has no ports', 'give proto: tcp or udp with a port, or leave the port out');
  const via = viaOf(r);
  const nat = raw.nat && typeof raw.nat === 'object' ? (raw.nat as Record<string, unknown>) : {};
  const text = (k: string): string | undefined => (typeof nat[k] === 'string' && nat[k] !== '' ? (nat[k] as string) : undefined);
  const dnatTo = natPattern(r, 'dnat-to', text('dnat-to'));
  const snatTo = natPattern(r, 'snat-to', text('snat-to'));
  const encap = r.has('encap') ? r.oneOf('encap', ['vxlan', 'tun', 'none'] as const, 'none') : undefined;
  const droppedBy = r.string('dropped-by');
  const written = r.has('verdict') ? r.oneOf('verdict', ['delivered', 'dropped'] as const, 'delivered') : undefined;
  if (droppedBy !== undefined && written === 'delivered') r.fail('dropped-by', 'path.dropped-by: a packet that is delivered is dropped by nothing', 'write verdict: dropped (or leave it out: dropped-by implies it), or leave dropped-by out');
  const verdict = written ?? (droppedBy !== undefined ? 'dropped' : 'delivered');
  if (!from || !to) return r.result(undefined);
  return r.result<PathParams>({
    from,
    to,
    ...(proto ? { proto } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(via ? { via } : {}),
    ...(dnatTo ? { dnatTo } : {}),
    ...(snatTo ? { snatTo } : {}),
    ...(encap ? { encap } : {}),
    verdict,
    ...(droppedBy !== undefined ? { droppedBy } : {}),
  });
}

/** The flow the trace is asked for. */
export function pathFlow(p: PathParams): FlowRequest {
  return { from: p.from, to: p.to, ...(p.proto ? { proto: p.proto } : {}), ...(p.port !== undefined ? { port: p.port } : {}) };
}

export function pathExpectedText(p: PathParams): string {
  const parts: string[] = [];
  if (p.via) parts.push(`via ${p.via.join(', ')}`);
  if (p.dnatTo) parts.push(`DNAT to ${p.dnatTo.text}`);
  if (p.snatTo) parts.push(`SNAT to ${p.snatTo.text}`);
  if (p.encap) parts.push(p.encap === 'none' ? 'no tunnel' : `in a ${p.encap} tunnel`);
  parts.push(p.droppedBy ? `dropped by ${p.droppedBy}` : p.verdict);
  return `the walk ${flowText(pathFlow(p))}: ${parts.join(', ')}`;
}

/** Whether `wanted` appear among `seen` in this order (other names may come between them). */
export function inOrder(wanted: readonly string[], seen: readonly string[]): { ok: true } | { ok: false; missing: string; after?: string } {
  let at = 0;
  for (let i = 0; i < wanted.length; i++) {
    const k = seen.findIndex((s, j) => j >= at && globMatch(wanted[i], s));
    if (k < 0) return { ok: false, missing: wanted[i], ...(i > 0 ? { after: wanted[i - 1] } : {}) };
    at = k + 1;
  }
  return { ok: true };
}

function natMatches(pattern: NatPattern, after: string): boolean {
  const addr = natAddress(after);
  return globMatch(pattern.text, after) || globMatch(pattern.text, addr) || pattern.addresses.includes(addr);
}

function natProblem(p: NatPattern, type: 'dnat' | 'snat', hops: readonly Hop[]): string | undefined {
  const steps = hops.flatMap((h) => h.nat.filter((n) => n.type === type).map((n) => ({ at: h.at, ...n })));
  if (steps.some((n) => natMatches(p, n.after))) return undefined;
  if (!steps.length) return `no ${type.toUpperCase()} on the way`;
  return `${type.toUpperCase()} to ${steps.map((n) => `${n.after} in ${n.at}`).join(', ')}, not ${p.text}`;
}

/** Whether the drop was by `pattern`: the lab object behind it, or the rule's chain. */
function droppedByMatches(pattern: string, w: Walk): boolean {
  const v = w.forward.verdict;
  if (v.kind !== 'dropped') return false;
  const object = v.object ?? v.rule?.object;
  const names = [object?.name, v.rule?.chain, v.rule ? `${v.rule.table} ${v.rule.chain}` : undefined, v.by].filter((x): x is string => !!x);
  return names.some((n) => globMatch(pattern, n));
}

/** Judge the kernel's walk of the flow. */
export function judgePath(p: PathParams, report: TraceReport, command: string): Outcome {
  const expected = pathExpectedText(p);
  const details = { trace: report };
  const w = report.kernel;
  if (!w) return fail(expected, 'the trace has no kernel walk (nothing was sent)', command, { details });
  const hops = w.forward.hops;
  const problems: string[] = [];
  if (p.via) {
    const o = inOrder(p.via, hops.map((h) => h.at));
    if (!o.ok) problems.push(o.after ? `did not pass ${o.missing} after ${o.after}` : `did not pass ${o.missing}`);
  }
  const dnat = p.dnatTo && natProblem(p.dnatTo, 'dnat', hops);
  if (dnat) problems.push(dnat);
  const snat = p.snatTo && natProblem(p.snatTo, 'snat', hops);
  if (snat) problems.push(snat);
  if (p.encap) {
    const types = [...new Set(hops.flatMap((h) => (h.encap ? [h.encap.type] : [])))];
    if (p.encap === 'none' ? types.length > 0 : !types.includes(p.encap)) problems.push(types.length ? `wrapped in ${types.join(', ')}` : 'in no tunnel');
  }
  const v = w.forward.verdict;
  if (v.kind !== p.verdict) problems.push(v.kind === 'dropped' ? 'dropped' : `not dropped: ${v.kind}`);
  else if (p.droppedBy && !droppedByMatches(p.droppedBy, w)) {
    const by = v.kind === 'dropped' ? (v.object ?? v.rule?.object)?.name ?? (v.rule ? `${v.rule.table} ${v.rule.chain}` : v.by) : '';
    problems.push(`dropped by ${by}, not ${p.droppedBy}`);
  }
  const walk = `${compactWalk(w)} — ${walkSentence(w)}`;
  return problems.length ? fail(expected, `${problems.join('; ')} — ${walk}`, command, { details }) : pass(expected, walk, command, { details });
}

/** How long a path test's trace may take before the test fails (a trace takes well under 2 s). */
export const PATH_TRACE_TIMEOUT_MS = 15_000;

/** `p`, or a rejection once `bound` aborts (a trace that does not stop when told must not hold the test). */
function withBound<T>(p: Promise<T>, bound: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const late = (): void => reject(new Error(`the trace took longer than ${PATH_TRACE_TIMEOUT_MS / 1000} s`));
    if (bound.aborted) return late();
    bound.addEventListener('abort', late, { once: true });
    p.then(resolve, reject).finally(() => bound.removeEventListener('abort', late));
  });
}

/** `lab trace LAB FROM TO --proto P --port N`, as a learner types it on the host. */
export function traceArgv(p: PathParams, lab: string | undefined): string[] {
  return ['lab', 'trace', ...(lab ? [lab] : []), p.from, p.to, ...(p.proto ? ['--proto', p.proto] : []), ...(p.port !== undefined ? ['--port', String(p.port)] : [])];
}

export const path: AssertionDef<PathParams> = {
  type: 'path',
  schema,
  nodes: (p, n) => [p.from, n.nodeOf(p.to), ...(p.via ?? [])],
  describe: (p) => `path ${flowText(pathFlow(p))}${p.verdict === 'dropped' ? ' (dropped)' : ''}`,
  resolve: resolvePath,
  async run(p, ctx) {
    const expected = pathExpectedText(p);
    const command = commandLine(traceArgv(p, undefined));
    if (!ctx.trace) return fail(expected, 'no trace: the path assertion traces the running lab, and this run has none (the lab must be up: run it with `lab test` or `lab up --test`)', command);
    let report: TraceReport;
    const bound = AbortSignal.timeout(PATH_TRACE_TIMEOUT_MS);
    try {
      report = await withBound(ctx.trace(pathFlow(p), { predict: false, signal: ctx.signal ? AbortSignal.any([ctx.signal, bound]) : bound }), bound);
    } catch (e) {
      const hint = e instanceof Error && 'hint' in e && typeof e.hint === 'string' ? ` (${e.hint})` : '';
      return fail(expected, `the trace failed: ${e instanceof Error ? e.message : String(e)}${hint}`, command);
    }
    return judgePath(p, report, command);
  },
  exercise(p, ctx) {
    return {
      doThis: `Trace one packet from ${p.from} to ${p.to}${p.port !== undefined ? ` port ${p.port}` : ''} and follow its walk, hop by hop.`,
      commands: [{ node: p.from, host: true, text: commandLine(traceArgv(p, ctx.lab)), label: 'on the host, as root' }],
      // lab trace ends with exit code 1 for a packet that is dropped (README: exit codes)
      expect: p.verdict === 'dropped' ? `the command ends with exit code 1, as for every dropped packet — ${pathExpectedText(p)}` : pathExpectedText(p),
      hint: 'Each hop names the node or bridge, the interfaces in and out, the rules the packet hit and any NAT or tunnel; the last line says where it ended',
    };
  },
};
