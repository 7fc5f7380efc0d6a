/**
 * k8s-network-model: the three rules of the Kubernetes network model, each checked in both directions, with the
 * address each side saw:
 *   1. pods reach all pods without NAT: every pod pair, and the server saw the client pod's real address;
 *   2. the agents on a node (kubelet, system daemons) reach the pods without NAT, and the pods reach them:
 *      every node → every pod, the pod saw one of the node's own addresses (its eth0, cni0 or tunnel address:
 *      whichever the route chose, untranslated); and every pod → its own node's address on the kubelet's port
 *      (10250; the assertion runs nslab's test server there while it probes), the node saw the pod's own IP.
 *      Pod → *another* node is not part of the rule: flannel's ip-masq and Calico's natOutgoing masquerade it;
 *   3. the address a pod sees itself with is the one others see: its eth0 address is the pod IP of the model,
 *      and the address its peers and its node saw.
 * Pairs a NetworkPolicy denies are skipped (and counted). In a dual-stack cluster (issue 14.1) every rule is checked
 * in both families: the same pairs again over the pods' and nodes' IPv6 addresses, and the result line says so.
 */
import { expectedAllowed } from '../policy.ts';
import { probeArgv, type ProbeLine, type ProbeOptions } from '../../agent/probe.ts';
import { error } from '../../config/diagnostics.ts';
import { excerpt, execFailure, fail, ParamReader, pass } from '../../../assertions/common.ts';
import { appPods, clusterOf, exerciseCommands, type ExerciseStep, mapLimit, parseAddrs, probeFrom, type ProbeRun, selfArgvOf, serves } from './k8s.ts';
import type { AssertionDef, Background, ExecResult, Outcome, RunContext } from '../../../assertions/types.ts';
import type { FlowRequest } from '../../model/trace.ts';
import schema from './k8s-network-model.schema.json' with { type: 'json' };

export interface ModelSource {
  readonly name: string;
  readonly kind: 'pod' | 'node';
  /** Its address in the model (the pod IP, or the node's underlay address). */
  readonly ip: string;
  /** The pods it probes (names), those a NetworkPolicy does not deny. */
  readonly targets: readonly string[];
  /** A pod: the node it runs on, and that node's address, which it probes on nodePort (rule 2, pod → node). */
  readonly node?: { readonly name: string; readonly ip: string; readonly ip6?: string };
  /** Dual-stack: its IPv6 address (pod or node). */
  readonly ip6?: string;
  /** Dual-stack: the pods it probes over IPv6, where they differ from `targets` (an ipBlock is of one family). */
  readonly targets6?: readonly string[];
}

export interface ModelParams {
  readonly port: number;
  readonly sources: readonly ModelSource[];
  /** Every pod that serves the port: name → address. */
  readonly podIPs: Readonly<Record<string, string>>;
  /** Pairs left out because a NetworkPolicy denies them. */
  readonly skipped: number;
  /** The port the nodes answer on while the test runs (pod → node): the kubelet's, 10250. */
  readonly nodePort: number;
  /** Dual-stack: every serving pod's IPv6 address; present means the rules are checked in both families. */
  readonly podIPs6?: Readonly<Record<string, string>>;
  /** The family this (projected) parameter set is for; absent: 4. */
  readonly family?: 4 | 6;
}

/** The IPv6 side of a dual-stack check: the same sources and pairs, over the IPv6 addresses. */
export function projectV6(p: ModelParams): ModelParams {
  return {
    ...p,
    family: 6,
    podIPs: p.podIPs6 ?? {},
    podIPs6: undefined,
    sources: p.sources.map(({ targets6, ...s }) => ({ ...s, ip: s.ip6 ?? '', ...(targets6 ? { targets: targets6 } : {}), ...(s.node ? { node: { name: s.node.name, ip: s.node.ip6 ?? '' } } : {}) })),
  };
}

export interface ModelObservations {
  /** Per pod source: the addresses on its eth0, or why they could not be read. */
  readonly ownAddrs: Readonly<Record<string, readonly string[] | { readonly error: string }>>;
  /** Per source: the probe's answers (by target address), or why the probe did not run. */
  readonly probes: Readonly<Record<string, readonly ProbeLine[] | { readonly error: string }>>;
  /** Per node: all its IPv4 addresses (what a pod may see a node as, untranslated), or why they could not be read. */
  readonly nodeAddrs: Readonly<Record<string, readonly string[] | { readonly error: string }>>;
  /** Per pod: the probe of its own node's address on nodePort, or why it did not run. */
  readonly toNode: Readonly<Record<string, readonly ProbeLine[] | { readonly error: string }>>;
}

/** The kubelet's port: where the nodes answer (nslab's test server, started by the assertion) for pod → node. */
export const NODE_PORT = 10250;

const sameNames = (a: readonly { name: string }[], b: readonly { name: string }[]): boolean => a.length === b.length && a.every((x, i) => x.name === b[i].name);

export const k8sNetworkModel: AssertionDef<ModelParams> = {
  type: 'k8s-network-model',
  schema,
  flows: (p) => [
    ...(p.podIPs6 ? k8sNetworkModel.flows!(projectV6(p)) : []),
    ...p.sources.flatMap((s) => s.targets.map((t) => ({ from: s.name, to: p.podIPs[t], proto: 'tcp' as const, port: p.port }))),
    ...p.sources.flatMap((s) => (s.node ? [{ from: s.name, to: s.node.ip, proto: 'tcp' as const, port: p.nodePort }] : [])),
  ],
  nodes: (p) => [...p.sources.flatMap((s) => [s.name, s.node?.name]), ...Object.keys(p.podIPs)],
  describe: (p) => `k8s network model (${p.sources.filter((s) => s.kind === 'pod').length} pods, port ${p.port}${p.podIPs6 ? ', IPv4 and IPv6' : ''})`,
  resolve(raw, ctx) {
    const r = new ParamReader('k8s-network-model', raw, ctx);
    const cluster = clusterOf(r);
    const port = r.integer('port', 80, 1, 65535);
    if (!cluster) return r.result(undefined);
    const pods = appPods(cluster);
    const servers = pods.filter((p) => serves(p, port, 'TCP'));
    if (servers.length === 0) {
      r.diagnostics.push(error('test.k8s-network-model', `k8s-network-model: no pod serves TCP port ${port}`, ctx.at(r.has('port') ? ['port'] : []), 'pick a port the pods serve (their ports: list, default [80])'));
      return r.result(undefined);
    }
    let skipped = 0;
    const sources: ModelSource[] = [];
    try {
      for (const p of pods) {
        const targets = servers.filter((t) => t !== p && (expectedAllowed(cluster, p, t, port, 'TCP') || (skipped++, false)));
        // IPv6 pairs judged in IPv6: an ipBlock applies to its own family only (issue 14.1)
        const targets6 = cluster.podCIDR6 ? servers.filter((t) => t !== p && expectedAllowed(cluster, p, t, port, 'TCP', 6)) : targets;
        const own = cluster.nodes.find((n) => n.name === p.node);
        const toNode = own && (expectedAllowed(cluster, p, { ip: own.ip, node: own.name }, NODE_PORT, 'TCP') || (skipped++, false));
        sources.push({ name: p.name, kind: 'pod', ip: p.ip, ...(p.ip6 ? { ip6: p.ip6 } : {}), targets: targets.map((t) => t.name), ...(sameNames(targets, targets6) ? {} : { targets6: targets6.map((t) => t.name) }), ...(own && toNode ? { node: { name: own.name, ip: own.ip, ...(own.ip6 ? { ip6: own.ip6 } : {}) } } : {}) });
      }
      for (const n of cluster.nodes) {
        const targets = servers.filter((t) => expectedAllowed(cluster, { ip: n.ip, node: n.name }, t, port, 'TCP') || (skipped++, false));
        const targets6 = n.ip6 ? servers.filter((t) => expectedAllowed(cluster, { ip: n.ip6!, node: n.name }, t, port, 'TCP', 6)) : targets;
        sources.push({ name: n.name, kind: 'node', ip: n.ip, ...(n.ip6 ? { ip6: n.ip6 } : {}), targets: targets.map((t) => t.name), ...(sameNames(targets, targets6) ? {} : { targets6: targets6.map((t) => t.name) }) });
      }
    } catch (e) {
      r.diagnostics.push(error('test.k8s-network-model', `k8s-network-model: the cluster's NetworkPolicies cannot be judged: ${e instanceof Error ? e.message : String(e)}`, ctx.at([]), 'fix the network-policies: section'));
      return r.result(undefined);
    }
    // dual-stack: the pairs again over IPv6 (each judged in IPv6: selectors name pods, but an ipBlock is of one family)
    const dual = !!cluster.podCIDR6 && servers.every((s) => s.ip6);
    return r.result<ModelParams>({ port, sources, podIPs: Object.fromEntries(servers.map((s) => [s.name, s.ip])), skipped, nodePort: NODE_PORT, ...(dual ? { podIPs6: Object.fromEntries(servers.map((s) => [s.name, s.ip6!])) } : {}) });
  },
  async run(p, ctx) {
    if (!p.podIPs6) return observeAndJudge(p, ctx);
    const v4 = await observeAndJudge(p, ctx);
    const v6 = await observeAndJudge(projectV6(p), ctx);
    return bothFamilies(p, v4, v6);
  },
  exercise(p, ctx) {
    const cmds = p.podIPs6 ? [...modelCommands(p), ...modelCommands(projectV6(p))] : modelCommands(p);
    return { doThis: `Check the three rules of the Kubernetes network model over every pod pair and every node${p.podIPs6 ? ', in IPv4 and again in IPv6' : ''}.`, commands: exerciseCommands(cmds, ctx), expect: modelExpectedText(p) };
  },
};

/** A dual-stack cluster's outcome: both families must hold; the result line gives each. */
export function bothFamilies(p: ModelParams, v4: Outcome, v6: Outcome): Outcome {
  const seen = `IPv4: ${v4.seen}. IPv6: ${v6.seen}`;
  const command = `${v4.command ?? ''}\n${v6.command ?? ''}`.trim();
  const details = { ipv4: v4.details, ipv6: v6.details };
  const note = v4.note;
  const extra = { details, ...(note ? { note } : {}) };
  return v4.ok && v6.ok ? pass(modelExpectedText(p), seen, command, extra) : fail(modelExpectedText(p), seen, command, extra);
}

async function observeAndJudge(p: ModelParams, ctx: RunContext): Promise<Outcome> {
  const ownAddrs: Record<string, string[] | { error: string }> = {};
  const probes: Record<string, ProbeLine[] | { error: string }> = {};
  const nodeAddrs: Record<string, string[] | { error: string }> = {};
  const toNode: Record<string, ProbeLine[] | { error: string }> = {};
  const commands: string[] = [];
  const failed = (a: ExecResult): { error: string } => ({ error: execFailure(a) ?? (excerpt(a.stderr) || `exit code ${a.exitCode}`) });
  const probeLines = (run: ProbeRun): ProbeLine[] | { error: string } =>
    run.lines.length ? run.lines : { error: execFailure(run.result) ?? `the probe printed nothing (exit code ${run.result.exitCode})${run.result.stderr ? `: ${excerpt(run.result.stderr)}` : ''}` };
  // the nodes answer on the kubelet's port while the pods probe them (rule 2, pod → node)
  const nodes = p.sources.filter((s) => s.kind === 'node');
  const wanted = new Set(p.sources.flatMap((s) => (s.node ? [s.node.name] : [])));
  const servers: Background[] = [];
  try {
    for (const n of nodes.filter((x) => wanted.has(x.name))) servers.push(await ctx.background(n.name, [...selfArgvOf(ctx), 'agent', 'whoami', '--name', n.name, '--port', String(p.nodePort)]));
    if (servers.length) commands.push(servers[0].command);
    await Promise.all(nodes.filter((x) => wanted.has(x.name)).map((n) => waitAnswering(ctx, n.name, n.ip, p.nodePort)));
    await mapLimit(p.sources, 4, async (s) => {
      if (s.kind === 'pod') {
        const a = await ctx.exec(s.name, ownAddrArgv(p), { timeoutMs: 10000 });
        ownAddrs[s.name] = a.exitCode === 0 ? parseAddrs(a.stdout) : failed(a);
        if (commands.length < 3) commands.push(a.command);
        if (s.node) {
          const run = await probeFrom(ctx, s.name, nodeProbe(p, s));
          toNode[s.name] = probeLines(run);
          if (commands.length < 4) commands.push(run.result.command);
        }
      } else {
        const a = await ctx.exec(s.name, nodeAddrArgv(p), { timeoutMs: 10000 });
        nodeAddrs[s.name] = a.exitCode === 0 ? parseAddrs(a.stdout).filter((x) => x.includes(':') === (p.family === 6)) : failed(a);
      }
      if (s.targets.length === 0) return;
      const run = await probeFrom(ctx, s.name, modelProbe(p, s));
      probes[s.name] = probeLines(run);
      if (commands.length < 5) commands.push(run.result.command);
    });
  } finally {
    await Promise.all(servers.map((b) => b.stop().catch(() => undefined)));
  }
  return judgeNetworkModel(p, { ownAddrs, probes, nodeAddrs, toNode }, `${commands.join('\n')}${p.sources.length > 2 ? '\n… (the same for every pod and node)' : ''}`);
}

const OWN_ADDR_ARGV = ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'];
/** All of a node's IPv4 addresses: a pod may see it as any of them (the route picks the source), never as another. */
const NODE_ADDR_ARGV = ['ip', '-4', '-o', 'addr', 'show'];
/** The same in IPv6, global addresses only (a link-local one is never a source toward another subnet). */
const ownAddrArgv = (p: ModelParams): string[] => (p.family === 6 ? ['ip', '-6', '-o', 'addr', 'show', 'dev', 'eth0', 'scope', 'global'] : OWN_ADDR_ARGV);
const nodeAddrArgv = (p: ModelParams): string[] => (p.family === 6 ? ['ip', '-6', '-o', 'addr', 'show', 'scope', 'global'] : NODE_ADDR_ARGV);

/** Until the node's test server answers on its own address (a second at most; the probes report what follows). */
async function waitAnswering(ctx: RunContext, node: string, ip: string, port: number): Promise<void> {
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && !ctx.signal?.aborted) {
    const run = await probeFrom(ctx, node, { to: [ip], port, proto: 'tcp', count: 1, timeoutMs: 500 });
    if (run.lines.some((l) => l.ok)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A pod's probe of its own node, on the kubelet's port. */
export function nodeProbe(p: ModelParams, s: ModelSource): ProbeOptions {
  return { to: s.node ? [s.node.ip] : [], port: p.nodePort, proto: 'tcp', count: 1, timeoutMs: 2000 };
}

/** One probe per source: one connection to every pod it may reach. */
export function modelProbe(p: ModelParams, s: ModelSource): ProbeOptions {
  return { to: s.targets.map((t) => p.podIPs[t]), port: p.port, proto: 'tcp', count: 1, timeoutMs: 2000 };
}

/** The commands a person types to do what this test does (for handouts). */
export function modelCommands(p: ModelParams, self: readonly string[] = ['lab']): ExerciseStep[] {
  // the node's server runs in the background for the one probe after it (then stops), as the test starts and stops its
  // own; --foreground keeps it in the shell's process group, so stopping the shell's jobs stops it
  const server = (n: string): ExerciseStep => ({ node: n, argv: ['timeout', '--foreground', '60', ...self, 'agent', 'whoami', '--name', n, '--port', String(p.nodePort)], label: `node ${n} answers on the kubelet's port ${p.nodePort}, in the background`, background: true });
  return p.sources.flatMap((s) => [
    ...(s.kind === 'pod' ? [{ node: s.name, argv: ownAddrArgv(p), label: `${s.name}'s own address: ${s.ip} in the model` }] : [{ node: s.name, argv: nodeAddrArgv(p), label: `node ${s.name}'s own addresses: the pods must see it as one of them` }]),
    ...(s.targets.length ? [{ node: s.name, argv: [...self, ...probeArgv(modelProbe(p, s))], label: s.kind === 'pod' ? `from ${s.name}: every answer's client must be ${s.ip}` : `from node ${s.name}: every pod answers, and its client is one of ${s.name}'s own addresses` }] : []),
    ...(s.node ? [server(s.node.name), { node: s.name, argv: [...self, ...probeArgv(nodeProbe(p, s))], label: `from ${s.name} to its node ${s.node.name}: the client the node saw must be ${s.ip}` }] : []),
  ]);
}

export function modelExpectedText(p: ModelParams): string {
  const nodes = p.sources.filter((s) => s.kind === 'node').length;
  const both = p.podIPs6 ? ', in IPv4 and in IPv6 (both of each pod\'s addresses, status.podIPs)' : '';
  return `every pod reaches every pod on TCP ${p.port} and sees the client's own pod IP (no NAT); all ${nodes} nodes reach every pod, which sees one of the node's own addresses (no NAT); every pod reaches its own node on TCP ${p.nodePort}, which sees the pod's own IP; every pod's eth0 address is its pod IP${both}`;
}

type Lines = readonly ProbeLine[] | { readonly error: string } | undefined;

export function judgeNetworkModel(p: ModelParams, obs: ModelObservations, command: string): Outcome {
  const pods = p.sources.filter((s) => s.kind === 'pod');
  const failures: string[] = [];
  const count = { podPairs: 0, podOk: 0, nodePairs: 0, nodeOk: 0, toNodePairs: 0, toNodeOk: 0, own: 0, ownOk: 0 };
  /** What each side saw of the other: "a → b" → the client address b saw. */
  const seenAs: Record<string, string> = {};
  let flow: FlowRequest | undefined;

  for (const s of pods) {
    const a = obs.ownAddrs[s.name];
    count.own++;
    if (a === undefined) failures.push(`${s.name}: its own address was not read`);
    else if ('error' in a) failures.push(`${s.name}: cannot read its eth0 address: ${a.error}`);
    else if (!a.includes(s.ip)) failures.push(`${s.name} sees itself as ${a.join(', ') || `no IPv${p.family ?? 4} address`} on eth0, not its pod IP ${s.ip}`);
    else count.ownOk++;
  }
  /** The answer of `to` (an address) in a source's probe, or the failure to record. */
  const answer = (lines: Lines, pair: string, to: string, port: number): ProbeLine | string => {
    if (lines === undefined) return `${pair}: not probed`;
    if ('error' in lines) return `${pair}: ${lines.error}`;
    const l = lines.find((x) => x.to === to);
    if (!l) return `${pair}: no answer recorded`;
    if (!l.ok) return `${pair} (${to}:${port}): ${l.error}`;
    return l;
  };
  for (const s of p.sources) {
    const isPod = s.kind === 'pod';
    const nodeAddrs = isPod ? undefined : obs.nodeAddrs[s.name];
    for (const t of s.targets) {
      const before = failures.length;
      if (isPod) count.podPairs++;
      else count.nodePairs++;
      const pair = `${s.name} → ${t}`;
      const l = answer(obs.probes[s.name], pair, p.podIPs[t], p.port);
      if (typeof l === 'string') failures.push(l);
      else {
        if (l.ok) seenAs[pair] = l.client;
        if (l.ok && l.node !== t) failures.push(`${pair}: answered by ${l.node}, not ${t}`);
        else if (l.ok && isPod && l.client !== s.ip) failures.push(`${pair}: ${t} saw ${l.client}, not ${s.name}'s pod IP ${s.ip} (NAT between pods)`);
        else if (l.ok && !isPod && (nodeAddrs === undefined || 'error' in nodeAddrs)) failures.push(`${pair}: ${t} saw ${l.client}, and ${s.name}'s own addresses ${nodeAddrs ? `could not be read: ${nodeAddrs.error}` : 'were not read'}`);
        else if (l.ok && !isPod && !(nodeAddrs as readonly string[]).includes(l.client)) failures.push(`${pair}: ${t} saw ${l.client}, which is not an address of ${s.name} (${(nodeAddrs as readonly string[]).join(', ')}): NAT between node and pod`);
        else if (isPod) count.podOk++;
        else count.nodeOk++;
      }
      // the first pair that failed is the flow a failure's explanation traces
      if (failures.length > before) flow ??= { from: s.name, to: p.podIPs[t], proto: 'tcp', port: p.port };
    }
    if (s.node) {
      const before = failures.length;
      count.toNodePairs++;
      const pair = `${s.name} → node ${s.node.name}`;
      const l = answer(obs.toNode[s.name], pair, s.node.ip, p.nodePort);
      if (typeof l === 'string') failures.push(l);
      else {
        if (l.ok) seenAs[`${s.name} → ${s.node.name}`] = l.client;
        if (l.ok && l.node !== s.node.name) failures.push(`${pair}: answered by ${l.node}, not ${s.node.name}`);
        else if (l.ok && l.client !== s.ip) failures.push(`${pair}: ${s.node.name} saw ${l.client}, not ${s.name}'s pod IP ${s.ip} (NAT between pod and node)`);
        else count.toNodeOk++;
      }
      if (failures.length > before) flow ??= { from: s.name, to: s.node.ip, proto: 'tcp', port: p.nodePort };
    }
  }
  // how the pods saw each node (rule 2 is about these addresses: the node's own, whichever the route chose)
  const asSeen = p.sources
    .filter((s) => s.kind === 'node')
    .map((n) => {
      const addrs = [...new Set(n.targets.map((t) => seenAs[`${n.name} → ${t}`]).filter((x): x is string => !!x))].sort();
      return addrs.length ? `${n.name} as ${addrs.join(', ')}` : undefined;
    })
    .filter((x): x is string => !!x);
  const summary = [
    `pod → pod ${count.podOk}/${count.podPairs} without NAT`,
    `node → pod ${count.nodeOk}/${count.nodePairs} without NAT${asSeen.length ? ` (pods saw ${asSeen.join('; ')})` : ''}`,
    `pod → own node ${count.toNodeOk}/${count.toNodePairs} without NAT${count.toNodePairs ? ' (each node saw the pod IP)' : ''}`,
    `own address ${count.ownOk}/${count.own}`,
    ...(p.skipped ? [`${p.skipped} pair${p.skipped === 1 ? '' : 's'} skipped (a NetworkPolicy denies ${p.skipped === 1 ? 'it' : 'them'})`] : []),
  ].join('; ');
  const expected = modelExpectedText(p);
  const details = { ...count, skipped: p.skipped, seenAs, failures, ...(flow ? { flow } : {}) };
  // the skipped pairs belong in the result line, not only in "seen" (issue 18)
  const note = p.skipped ? `${p.skipped} pair${p.skipped === 1 ? '' : 's'} skipped: a NetworkPolicy denies ${p.skipped === 1 ? 'it' : 'them'}` : undefined;
  const extra = { details, ...(note ? { note } : {}) };
  if (failures.length === 0) return pass(expected, summary, command, extra);
  const first = failures.slice(0, 5).join('; ');
  return fail(expected, `${summary}. ${failures.length} failure${failures.length === 1 ? '' : 's'}: ${first}${failures.length > 5 ? `; … (${failures.length - 5} more)` : ''}`, command, extra);
}
