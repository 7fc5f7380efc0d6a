/**
 * k8s-network-model: the three rules of the Kubernetes network model, checked over every pod pair and every
 * node → pod:
 *   1. pods reach all pods without NAT: the server saw the client pod's real address;
 *   2. nodes reach all pods;
 *   3. the address a pod sees itself with is the one others see: its eth0 address is the pod IP of the model
 *      (and, by 1, the address its peers saw).
 * Pairs a NetworkPolicy denies are skipped (and counted).
 */
import { expectedAllowed } from '../policy.ts';
import { probeArgv, type ProbeLine, type ProbeOptions } from '../../agent/probe.ts';
import { error } from '../../config/diagnostics.ts';
import { excerpt, execFailure, fail, ParamReader, pass } from '../../../assertions/common.ts';
import { appPods, clusterOf, exerciseCommands, type ExerciseStep, mapLimit, parseAddrs, probeFrom, serves } from './k8s.ts';
import type { AssertionDef, Outcome } from '../../../assertions/types.ts';
import type { FlowRequest } from '../../model/trace.ts';
import schema from './k8s-network-model.schema.json' with { type: 'json' };

export interface ModelSource {
  readonly name: string;
  readonly kind: 'pod' | 'node';
  /** Its address in the model (the pod IP, or the node's underlay address). */
  readonly ip: string;
  /** The pods it probes (names), those a NetworkPolicy does not deny. */
  readonly targets: readonly string[];
}

export interface ModelParams {
  readonly port: number;
  readonly sources: readonly ModelSource[];
  /** Every pod that serves the port: name → address. */
  readonly podIPs: Readonly<Record<string, string>>;
  /** Pairs left out because a NetworkPolicy denies them. */
  readonly skipped: number;
}

export interface ModelObservations {
  /** Per pod source: the addresses on its eth0, or why they could not be read. */
  readonly ownAddrs: Readonly<Record<string, readonly string[] | { readonly error: string }>>;
  /** Per source: the probe's answers (by target address), or why the probe did not run. */
  readonly probes: Readonly<Record<string, readonly ProbeLine[] | { readonly error: string }>>;
}

export const k8sNetworkModel: AssertionDef<ModelParams> = {
  type: 'k8s-network-model',
  schema,
  flows: (p) => p.sources.flatMap((s) => s.targets.map((t) => ({ from: s.name, to: p.podIPs[t], proto: 'tcp' as const, port: p.port }))),
  describe: (p) => `k8s network model (${p.sources.filter((s) => s.kind === 'pod').length} pods, port ${p.port})`,
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
        sources.push({ name: p.name, kind: 'pod', ip: p.ip, targets: targets.map((t) => t.name) });
      }
      for (const n of cluster.nodes) {
        const targets = servers.filter((t) => expectedAllowed(cluster, { ip: n.ip, node: n.name }, t, port, 'TCP') || (skipped++, false));
        sources.push({ name: n.name, kind: 'node', ip: n.ip, targets: targets.map((t) => t.name) });
      }
    } catch (e) {
      r.diagnostics.push(error('test.k8s-network-model', `k8s-network-model: the cluster's NetworkPolicies cannot be judged: ${e instanceof Error ? e.message : String(e)}`, ctx.at([]), 'fix the network-policies: section'));
      return r.result(undefined);
    }
    return r.result<ModelParams>({ port, sources, podIPs: Object.fromEntries(servers.map((s) => [s.name, s.ip])), skipped });
  },
  async run(p, ctx) {
    const ownAddrs: Record<string, string[] | { error: string }> = {};
    const probes: Record<string, ProbeLine[] | { error: string }> = {};
    const commands: string[] = [];
    await mapLimit(p.sources, 4, async (s) => {
      if (s.kind === 'pod') {
        const a = await ctx.exec(s.name, OWN_ADDR_ARGV, { timeoutMs: 10000 });
        ownAddrs[s.name] = a.exitCode === 0 ? parseAddrs(a.stdout) : { error: execFailure(a) ?? (excerpt(a.stderr) || `exit code ${a.exitCode}`) };
        if (commands.length < 2) commands.push(a.command);
      }
      if (s.targets.length === 0) return;
      const run = await probeFrom(ctx, s.name, modelProbe(p, s));
      probes[s.name] = run.lines.length ? run.lines : { error: execFailure(run.result) ?? `the probe printed nothing (exit code ${run.result.exitCode})${run.result.stderr ? `: ${excerpt(run.result.stderr)}` : ''}` };
      if (commands.length < 3) commands.push(run.result.command);
    });
    return judgeNetworkModel(p, { ownAddrs, probes }, `${commands.join('\n')}${p.sources.length > 2 ? '\n… (the same for every pod and node)' : ''}`);
  },
  exercise(p, ctx) {
    return { doThis: 'Check the three rules of the Kubernetes network model over every pod pair and every node.', commands: exerciseCommands(modelCommands(p), ctx), expect: modelExpectedText(p) };
  },
};

const OWN_ADDR_ARGV = ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'];

/** One probe per source: one connection to every pod it may reach. */
export function modelProbe(p: ModelParams, s: ModelSource): ProbeOptions {
  return { to: s.targets.map((t) => p.podIPs[t]), port: p.port, proto: 'tcp', count: 1, timeoutMs: 2000 };
}

/** The commands a person types to do what this test does (for handouts). */
export function modelCommands(p: ModelParams, self: readonly string[] = ['lab']): ExerciseStep[] {
  return p.sources.flatMap((s) => [
    ...(s.kind === 'pod' ? [{ node: s.name, argv: OWN_ADDR_ARGV, label: `${s.name}'s own address: ${s.ip} in the model` }] : []),
    ...(s.targets.length ? [{ node: s.name, argv: [...self, ...probeArgv(modelProbe(p, s))], label: s.kind === 'pod' ? `from ${s.name}: every answer's client must be ${s.ip}` : `from node ${s.name}: every pod answers` }] : []),
  ]);
}

export function modelExpectedText(p: ModelParams): string {
  const nodes = p.sources.filter((s) => s.kind === 'node').length;
  return `every pod reaches every pod on TCP ${p.port} and sees the client's own pod IP (no NAT); all ${nodes} nodes reach every pod; every pod's eth0 address is its pod IP`;
}

export function judgeNetworkModel(p: ModelParams, obs: ModelObservations, command: string): Outcome {
  const pods = p.sources.filter((s) => s.kind === 'pod');
  const failures: string[] = [];
  const count = { podPairs: 0, podOk: 0, nodePairs: 0, nodeOk: 0, own: 0, ownOk: 0 };

  for (const s of pods) {
    const a = obs.ownAddrs[s.name];
    count.own++;
    if (a === undefined) failures.push(`${s.name}: its own address was not read`);
    else if ('error' in a) failures.push(`${s.name}: cannot read its eth0 address: ${a.error}`);
    else if (!a.includes(s.ip)) failures.push(`${s.name} sees itself as ${a.join(', ') || 'no IPv4 address'} on eth0, not its pod IP ${s.ip}`);
    else count.ownOk++;
  }
  let flow: FlowRequest | undefined;
  for (const s of p.sources) {
    const lines = obs.probes[s.name];
    for (const t of s.targets) {
      const before = failures.length;
      const isPod = s.kind === 'pod';
      if (isPod) count.podPairs++;
      else count.nodePairs++;
      const pair = `${s.name} → ${t}`;
      if (lines === undefined) {
        failures.push(`${pair}: not probed`);
        continue;
      }
      if ('error' in lines) {
        failures.push(`${pair}: ${lines.error}`);
        continue;
      }
      const l = lines.find((x) => x.to === p.podIPs[t]);
      if (!l) failures.push(`${pair}: no answer recorded`);
      else if (!l.ok) failures.push(`${pair} (${p.podIPs[t]}:${p.port}): ${l.error}`);
      else if (l.node !== t) failures.push(`${pair}: answered by ${l.node}, not ${t}`);
      else if (isPod && l.client !== s.ip) failures.push(`${pair}: ${t} saw ${l.client}, not ${s.name}'s pod IP ${s.ip} (NAT between pods)`);
      else if (isPod) count.podOk++;
      else count.nodeOk++;
      // the first pair that failed is the flow a failure's explanation traces
      if (failures.length > before) flow ??= { from: s.name, to: p.podIPs[t], proto: 'tcp', port: p.port };
    }
  }
  const summary = [
    `pod → pod ${count.podOk}/${count.podPairs} without NAT`,
    `node → pod ${count.nodeOk}/${count.nodePairs}`,
    `own address ${count.ownOk}/${count.own}`,
    ...(p.skipped ? [`${p.skipped} pair${p.skipped === 1 ? '' : 's'} skipped (a NetworkPolicy denies ${p.skipped === 1 ? 'it' : 'them'})`] : []),
  ].join('; ');
  const expected = modelExpectedText(p);
  const details = { ...count, skipped: p.skipped, failures, ...(flow ? { flow } : {}) };
  // the skipped pairs belong in the result line, not only in "seen" (issue 18)
  const note = p.skipped ? `${p.skipped} pair${p.skipped === 1 ? '' : 's'} skipped: a NetworkPolicy denies ${p.skipped === 1 ? 'it' : 'them'}` : undefined;
  const extra = { details, ...(note ? { note } : {}) };
  if (failures.length === 0) return pass(expected, summary, command, extra);
  const first = failures.slice(0, 5).join('; ');
  return fail(expected, `${summary}. ${failures.length} failure${failures.length === 1 ? '' : 's'}: ${first}${failures.length > 5 ? `; … (${failures.length - 5} more)` : ''}`, command, extra);
}
