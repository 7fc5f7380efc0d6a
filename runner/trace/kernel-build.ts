/**
 * The kernel's walk from its planned steps (runner/trace/kernel-walk.ts) and the answers the running lab gave
 * after the trace: hops with routes, rules (and the lab objects behind them), NAT, tunnels; and each direction's
 * verdict. Follows the walk conventions of the trace plan (the model's prediction has the same shape). Pure.
 */
import type { ResolvedLab } from '../model/types.ts';
import type { Hop, NatStep, RuleHit, TraceFlow, TunnelStep, Verdict, Walk, WalkDirection } from '../model/trace.ts';
import { endpoint, parseConntrack, parseTraceLines, segmentsOf, type ConntrackEntry, type Segment, type TracePacket } from './kernel-parse.ts';
import { answersFrom, planWalk, queryKey, topologyOf, walkQueries, type Step, type Topology, type WalkAnswers, type WalkInput, type WalkPlan, type WalkQuery } from './kernel-walk.ts';
import { objectIndex, type ObjectIndex } from './objects.ts';

interface Ctx {
  readonly lab: ResolvedLab;
  readonly input: WalkInput;
  readonly topo: Topology;
  readonly answers: WalkAnswers;
  readonly objects: ObjectIndex;
  readonly nat: ReadonlyMap<string, ConntrackEntry>;
  /** The lab node a namespace stands for in this walk (FROM and TO by their own names where they share one). */
  readonly nodeOf: (ns: string) => string | undefined;
}

function what(p: TracePacket): string | undefined {
  if (p.icmpType) return `${p.proto === 'ipv6-icmp' ? 'icmpv6' : 'icmp'} ${p.icmpType}${p.icmpType.includes('unreachable') && p.icmpCode ? ` (${p.icmpCode})` : ''}`;
  if (p.proto === 'tcp') return `tcp${p.tcpFlags ? ` ${p.tcpFlags}` : ''}`;
  return p.proto;
}

function packetOf(p: TracePacket | undefined): Hop['packet'] {
  if (!p?.src || !p.dst) return undefined;
  const w = what(p);
  return { src: p.src, dst: p.dst, ...(p.sport !== undefined ? { sport: p.sport } : {}), ...(p.dport !== undefined ? { dport: p.dport } : {}), ...(p.ttl !== undefined ? { ttl: p.ttl } : {}), ...(w ? { what: w } : {}) };
}

function withObject(ctx: Ctx, node: string | undefined, hit: RuleHit, seen?: TracePacket): RuleHit {
  // the packet as it entered names the Service behind kube-proxy's nftables verdict maps (no endpoints)
  const packet = seen?.dst ? { dst: seen.dst, ...(seen.dport !== undefined ? { dport: seen.dport } : {}), proto: seen.proto ?? '' } : undefined;
  const object = node ? ctx.objects.ruleObject(node, hit, packet) : undefined;
  return object ? { ...hit, object } : hit;
}

/** The translations conntrack recorded in this namespace, as the forward packet saw them or as the reply saw them undone. */
function natSteps(e: ConntrackEntry, dir: 'forward' | 'reply', rules: readonly RuleHit[]): NatStep[] {
  const out: NatStep[] = [];
  const obj = (re: RegExp): Pick<NatStep, 'object'> => {
    const o = rules.find((r) => re.test(`${r.rule ?? ''} ${r.verdict}`) && r.object)?.object;
    return o ? { object: o } : {};
  };
  const dnat = e.reply.src !== e.orig.dst || (e.reply.sport !== undefined && e.reply.sport !== e.orig.dport);
  const snat = e.reply.dst !== e.orig.src || (e.reply.dport !== undefined && e.reply.dport !== e.orig.sport);
  const origDst = endpoint(e.orig.dst, e.orig.dport);
  const newDst = endpoint(e.reply.src, e.reply.sport);
  const origSrc = endpoint(e.orig.src, e.orig.sport);
  const newSrc = endpoint(e.reply.dst, e.reply.dport);
  if (dnat) out.push({ type: 'dnat', ...(dir === 'forward' ? { before: origDst, after: newDst } : { before: newDst, after: origDst }), ...obj(/dnat|DNAT|KUBE-SEP|redirect/) });
  if (snat) out.push({ type: 'snat', ...(dir === 'forward' ? { before: origSrc, after: newSrc } : { before: newSrc, after: origSrc }), ...obj(/snat|masquerade|SNAT|MASQUERADE/) });
  return out;
}

/** A tunnel step; `local` is this namespace's end of the outer packet, `remote` the other VTEP's. */
function tunnel(ctx: Ctx, ns: string, dev: string, outer: TracePacket | undefined, side: 'encap' | 'decap'): TunnelStep {
  const d = ctx.answers.devices.get(queryKey({ kind: 'device', ns, dev }));
  const type = d?.kind === 'vxlan' || outer ? 'vxlan' : 'tun';
  const local = (side === 'encap' ? outer?.src : outer?.dst) ?? d?.local;
  const remote = side === 'encap' ? outer?.dst : outer?.src;
  const port = outer?.dport ?? d?.port;
  return { type, dev, ...(d?.vni !== undefined ? { vni: d.vni } : {}), ...(local ? { local } : {}), ...(remote ? { remote } : {}), ...(port ? { port } : {}) };
}

function routeOf(ctx: Ctx, s: Step): Hop['route'] {
  const dst = s.sum.last?.dst;
  if (!dst || s.seg.family !== 'inet') return undefined;
  const received = s.seg.start === 'pre';
  const key = queryKey({ kind: 'route', ns: s.seg.ns, dst, src: s.sum.first?.src, ...(received && s.sum.iif ? { iif: s.sum.iif } : {}), family: ctx.input.flow.family });
  return ctx.answers.routes.get(key)?.route;
}

function hopOf(ctx: Ctx, s: Step, dir: 'forward' | 'reply', seenNs: Set<string>, first: boolean, last: boolean): Hop {
  const ns = s.seg.ns;
  const bridge = s.seg.family === 'bridge';
  const node = ctx.nodeOf(ns);
  const at = bridge ? (ctx.topo.bridgeOfPort(ns, s.sum.iif ?? '') ?? ctx.topo.bridgeOfPort(ns, s.sum.oif ?? '') ?? ns) : (node ?? ns);
  const rules = s.sum.rules.map((r) => withObject(ctx, node, r, s.sum.first));
  // a bridge with br_netfilter: its namespace's NAT rules translate what it switches (a ClusterIP to a pod on the same node)
  const ct = !bridge || s.nf ? ctx.nat.get(ns) : undefined;
  const nat = ct && !seenNs.has(ns) ? natSteps(ct, dir, rules) : [];
  if (!bridge || nat.length) seenNs.add(ns);
  // a bridge of this node is the L3 interface; the tunnel device (or the pod's veth) is its port
  const inIf = s.inPort ? s.sum.iif : (s.decapDev ?? s.sum.iif);
  const outIf = s.outPort ? s.sum.oif : (s.encapDev ?? s.sum.oif);
  const route = bridge ? undefined : routeOf(ctx, s);
  return {
    at,
    type: bridge ? 'bridge' : 'node',
    netns: ns,
    ...(inIf && !first ? { in: inIf } : {}),
    ...(outIf && !last ? { out: outIf } : {}),
    ...(s.inPort && !first ? { inPort: s.inPort } : {}),
    ...(s.outPort && !last ? { outPort: s.outPort } : {}),
    packet: packetOf(s.nf?.first ?? s.sum.first),
    ...(route ? { route } : {}),
    rules,
    nat,
    ...(s.encapDev && !last ? { encap: tunnel(ctx, ns, s.encapDev, s.outer, 'encap') } : {}),
    ...(s.decapDev ? { decap: tunnel(ctx, ns, s.decapDev, s.outerIn, 'decap') } : {}),
  };
}

function hopsOf(ctx: Ctx, steps: readonly Step[], dir: 'forward' | 'reply'): Hop[] {
  const shown = steps.filter((s) => s.role === 'hop');
  const seen = new Set<string>();
  return shown.map((s, i) => hopOf(ctx, s, dir, seen, i === 0, i === shown.length - 1));
}

const atOf = (ctx: Ctx, s: Step | undefined): string => (s ? (ctx.nodeOf(s.seg.ns) ?? ctx.topo.bridgeOfPort(s.seg.ns, s.sum.iif ?? '') ?? s.seg.ns) : ctx.input.flow.from);

function dropVerdict(ctx: Ctx, s: Step): Verdict {
  const at = atOf(ctx, s);
  const rule = withObject(ctx, ctx.nodeOf(s.seg.ns), s.sum.drop!, s.sum.first);
  const why = rule.object ? `: ${rule.object.name}` : rule.rule ? `: ${rule.rule}` : '';
  return { kind: 'dropped', at, by: 'rule', rule, ...(rule.object ? { object: rule.object } : {}), reason: `dropped in ${at}, ${rule.family} ${rule.table} ${rule.chain} (${rule.verdict})${why}` };
}

/** How a direction ended, from its last step (and, for the forward direction, what came back). */
function endOf(ctx: Ctx, steps: readonly Step[], dir: 'forward' | 'reply', reply: readonly Step[] | undefined): Verdict {
  const { flow } = ctx.input;
  const last = steps.at(-1);
  if (!last) {
    const r = ctx.answers.routes.get(queryKey({ kind: 'route', ns: ctx.input.sourceNs, dst: flow.dst, src: flow.src, family: flow.family }));
    if (r?.error) return { kind: 'dropped', at: flow.from, by: 'route', reason: `${flow.from} has no route to ${flow.dst}: ${r.error}` };
    return { kind: 'dropped', at: flow.from, by: 'unknown', reason: `the probe was never seen leaving ${flow.from}` };
  }
  const at = atOf(ctx, last);
  if (last.sum.end === 'dropped') return dropVerdict(ctx, last);
  if (dir === 'reply') {
    if (last.sum.end === 'local' && last.seg.ns === ctx.input.sourceNs) return { kind: 'returned', at: flow.from };
    return lost(ctx, last, at, 'the reply');
  }
  const answer = reply?.[0]?.sum.first;
  const answeredBy = atOf(ctx, reply?.[0]);
  if (answer?.icmpType === 'time-exceeded') return { kind: 'dropped', at: answeredBy, by: 'ttl', reason: `the TTL ran out in ${answeredBy} (it answered with ICMP time exceeded)` };
  if (answer?.icmpType === 'destination-unreachable' && answer.icmpCode !== 'port-unreachable') {
    const by = /admin|prohibited/.test(answer.icmpCode ?? '') ? 'rule' : 'route';
    return { kind: 'dropped', at: answeredBy, by, reason: `${answeredBy} answered ICMP destination unreachable (${answer.icmpCode ?? '?'})` };
  }
  if (last.sum.end === 'local') {
    const address = last.sum.last?.dst ?? flow.dst;
    const port = last.sum.last?.dport;
    if (answer?.icmpCode === 'port-unreachable' || (answer?.proto === 'tcp' && /rst/.test(answer.tcpFlags ?? ''))) {
      return { kind: 'dropped', at, by: 'no-listener', reason: `nothing listens on ${flow.proto} port ${port ?? flow.port} in ${at} (it answered with ${answer.proto === 'tcp' ? 'a TCP RST' : 'ICMP port unreachable'})` };
    }
    const l = port !== undefined && flow.proto !== 'icmp' ? ctx.answers.listeners.get(queryKey({ kind: 'listener', ns: last.seg.ns, proto: flow.proto, port })) : undefined;
    return { kind: 'delivered', at, address, ...(port !== undefined ? { port } : {}), ...(l?.process ? { process: l.process } : {}) };
  }
  return lost(ctx, last, at, 'the packet');
}

function lost(ctx: Ctx, last: Step, at: string, what: string): Verdict {
  if (last.sum.end === 'vanished' && last.seg.family === 'inet') {
    const dst = last.sum.last?.dst;
    const r = dst ? ctx.answers.routes.get(queryKey({ kind: 'route', ns: last.seg.ns, dst, src: last.sum.first?.src, ...(last.seg.start === 'pre' && last.sum.iif ? { iif: last.sum.iif } : {}), family: ctx.input.flow.family })) : undefined;
    if (r?.error && /cross-device/i.test(r.error)) return { kind: 'dropped', at, by: 'rp-filter', reason: `${at} dropped it by reverse-path filtering: ${last.sum.first?.src ?? 'the source'} is not routed back by ${last.sum.iif ?? 'the interface it came in by'} (${r.error})` };
    if (r?.error) return { kind: 'dropped', at, by: 'route', reason: `${at} has no route to ${dst}: ${r.error}` };
    if (r?.route?.type && r.route.type !== 'local') return { kind: 'dropped', at, by: 'route', reason: `${at} routes ${dst} to a ${r.route.type} route (${r.route.dst})` };
  }
  const by = last.sum.oif ? ` leaving by ${last.sum.oif}` : last.sum.iif ? ` entering by ${last.sum.iif}` : '';
  return { kind: 'dropped', at, by: 'unknown', reason: `${what} was last seen in ${at}${by}` };
}

export function buildWalk(lab: ResolvedLab, input: WalkInput, plan: WalkPlan, answers: WalkAnswers, topo: Topology): Walk {
  const nat = new Map<string, ConntrackEntry>();
  for (const [ns, text] of answers.conntrack) {
    const e = parseConntrack(text)[0];
    if (e) nat.set(ns, e);
  }
  const { flow: f } = input;
  // a node that shares another's namespace (Docker's container: and host: modes) is named as the flow names it
  const target = f.target.kind === 'node' ? lab.nodes.find((n) => n.name === (f.target as { node: string }).node) : undefined;
  const nodeOf = (ns: string): string | undefined => (ns === input.sourceNs ? f.from : target && target.netns === ns ? target.name : topo.nodeOf(ns));
  const ctx: Ctx = { lab, input, topo, answers, objects: objectIndex(lab), nat, nodeOf };
  const { flow } = input;
  let hops = hopsOf(ctx, plan.forward, 'forward');
  if (!hops.length) hops = [{ at: flow.from, type: 'node', netns: input.sourceNs, ...(flow.src ? { packet: { src: flow.src, dst: flow.dst, ...(flow.port !== undefined ? { dport: flow.port } : {}), what: flow.proto } } : {}), rules: [], nat: [] }];
  const forward: WalkDirection = { hops, verdict: endOf(ctx, plan.forward, 'forward', plan.reply) };
  const notes: string[] = [];
  const reply: WalkDirection | undefined = plan.reply?.length ? { hops: hopsOf(ctx, plan.reply, 'reply'), verdict: endOf(ctx, plan.reply, 'reply', undefined) } : undefined;
  return { source: 'kernel', flow, forward, ...(reply ? { reply } : {}), notes };
}

/** What one kernel trace recorded: enough to build its walk again without the kernel (unit tests' fixtures). */
export interface KernelRecord {
  readonly flow: TraceFlow;
  readonly sourceNs: string;
  /** The conntrack mark of the trace. */
  readonly mark: number;
  readonly tunnelPorts: readonly number[];
  /** `nft monitor trace` output by namespace. */
  readonly monitors: Readonly<Record<string, string>>;
  /** The questions asked after the trace, and what each printed. */
  readonly queries?: readonly WalkQuery[];
  readonly results?: readonly { readonly stdout: string; readonly stderr: string }[];
}

export interface PreparedWalk {
  readonly input: WalkInput;
  readonly topo: Topology;
  readonly plan: WalkPlan;
  readonly queries: WalkQuery[];
}

/** The monitors' output followed along the lab: the steps of the walk and the questions to ask the lab. */
export function prepareWalk(lab: ResolvedLab, rec: Omit<KernelRecord, 'queries' | 'results'>): PreparedWalk {
  const segments = new Map<string, Segment[]>();
  for (const ns of [rec.sourceNs, ...Object.keys(rec.monitors).filter((x) => x !== rec.sourceNs)]) segments.set(ns, segmentsOf(ns, parseTraceLines(rec.monitors[ns] ?? '')));
  const input: WalkInput = { flow: rec.flow, sourceNs: rec.sourceNs, segments, tunnelPorts: new Set(rec.tunnelPorts) };
  const topo = topologyOf(lab);
  const plan = planWalk(input, topo);
  return { input, topo, plan, queries: walkQueries(plan, input, rec.mark) };
}

/** The walk, once the questions are answered (`results` in the order of `prepared.queries`). */
export function finishWalk(lab: ResolvedLab, prepared: PreparedWalk, results: readonly { readonly stdout: string; readonly stderr: string }[], command?: (pid: number) => string | undefined): Walk {
  return buildWalk(lab, prepared.input, prepared.plan, answersFrom(prepared.queries, results, command), prepared.topo);
}
