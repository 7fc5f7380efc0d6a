/** Helpers shared by the cluster-aware assertions (service, dns, policy, k8s-network-model). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseProbeOutput, probeArgv, probeRunTimeoutMs, type ProbeLine, type ProbeOptions } from '../../agent/probe.ts';
import type { ClusterNode, LabelSelector, Pod, ResolvedCluster, Service } from '../types.ts';
import { didYouMean, error } from '../../config/diagnostics.ts';
import type { ParamReader } from '../../../assertions/common.ts';
import type { ExecResult, ExerciseCommand, ExerciseContext, RunContext } from '../../../assertions/types.ts';

/** One command a person types to do what a test does (for handouts): run `argv` inside `node`. */
export interface ExerciseStep {
  readonly node: string;
  readonly argv: readonly string[];
  readonly label?: string;
  /** Started in the background (`… &`): a server the next steps talk to. */
  readonly background?: boolean;
}

/** Exercise steps as command lines a learner types. */
export function exerciseCommands(list: readonly ExerciseStep[], ctx: ExerciseContext): ExerciseCommand[] {
  return list.map((c) => {
    const cmd = ctx.inNode(c.node, c.argv, c.label);
    return c.background ? { ...cmd, text: `${cmd.text} &` } : cmd;
  });
}

/** The lab's cluster, or a diagnostic at the assertion saying there is none. */
/** The commands an action ran, and its failures (each with what it was, the exit and the message): `check` records one. */
export function commandLog(): { commands: string[]; failures: string[]; check: (r: ExecResult, what: string) => void } {
  const commands: string[] = [];
  const failures: string[] = [];
  const check = (r: ExecResult, what: string): void => {
    commands.push(r.command);
    if (r.exitCode !== 0) failures.push(`${what}: exit ${r.exitCode}${r.timedOut ? ' (timed out)' : ''}: ${r.stderr.trim() || r.stdout.trim()}`);
  };
  return { commands, failures, check };
}

export function clusterOf(r: ParamReader): ResolvedCluster | undefined {
  const c = r.ctx.cluster?.();
  if (!c) {
    r.diagnostics.push(
      error(
        `test.${r.type}`,
        `the ${r.type} assertion needs a cluster, and this lab has no cluster: section`,
        r.ctx.at([]),
        'add a cluster: section (nodes, pods, services), or test plain nodes with tcp, ping or command',
      ),
    );
  }
  return c;
}

/** "did you mean"/"there are" hint over some names. */
export function namesHint(word: string, what: string, names: readonly string[]): string {
  const guess = didYouMean(word, names);
  const list = names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', ');
  return guess ? `did you mean ${JSON.stringify(guess)}? ${what}: ${list}` : `${what}: ${list || '(none)'}`;
}

export const podKey = (p: Pick<Pod, 'namespace' | 'name'>): string => `${p.namespace}/${p.name}`;

/** A pod by its name (a lab node's name) or namespace/name. */
export function findPod(cluster: ResolvedCluster, text: string): Pod | undefined {
  return cluster.pods.find((p) => p.name === text || podKey(p) === text);
}

/** A pod named at `key` (a plain value), or a diagnostic with the pods there are. */
export function podAt(r: ParamReader, cluster: ResolvedCluster, text: string, path: readonly (string | number)[]): Pod | undefined {
  const pod = findPod(cluster, text);
  if (!pod) {
    const names = cluster.pods.map((p) => p.name);
    const where = path.join('.');
    r.diagnostics.push(error(`test.${r.type}`, `${r.type}.${where}: no pod ${JSON.stringify(text)} in the cluster`, r.ctx.at(path), namesHint(text.split('/').pop() ?? text, 'pods', names)));
  }
  return pod;
}

export function findNode(cluster: ResolvedCluster, name: string): ClusterNode | undefined {
  return cluster.nodes.find((n) => n.name === name);
}

/** A service by name (unique over namespaces) or namespace/name: the service, or why not. */
export function findService(cluster: ResolvedCluster, text: string): { svc?: Service; message?: string; hint?: string } {
  const [ns, name] = text.includes('/') ? text.split('/', 2) : [undefined, text];
  const hits = cluster.services.filter((s) => s.name === name && (ns === undefined || s.namespace === ns));
  if (hits.length === 1) return { svc: hits[0] };
  const all = cluster.services.map((s) => `${s.namespace}/${s.name}`);
  if (hits.length > 1) return { message: `service ${JSON.stringify(text)} exists in ${hits.length} namespaces`, hint: `write namespace/name: ${hits.map((s) => `${s.namespace}/${s.name}`).join(', ')}` };
  const guess = didYouMean(text, [...all, ...cluster.services.map((s) => s.name)]);
  return {
    message: `no service ${JSON.stringify(text)} in the cluster`,
    hint: guess ? `did you mean ${JSON.stringify(guess)}? services: ${all.join(', ')}` : `services: ${all.join(', ') || '(none)'}`,
  };
}

export const svcKey = (s: Pick<Service, 'namespace' | 'name'>): string => `${s.namespace}/${s.name}`;

/** `app=web,tier=front` (what kubectl prints for a selector). */
export function selectorText(sel: Readonly<Record<string, string>> | LabelSelector | undefined): string {
  if (!sel) return '(none)';
  const labels = 'matchLabels' in sel || 'matchExpressions' in sel ? ((sel as LabelSelector).matchLabels ?? {}) : (sel as Record<string, string>);
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  for (const e of (sel as LabelSelector).matchExpressions ?? []) parts.push(`${e.key} ${e.operator}${e.values ? ` (${e.values.join(',')})` : ''}`);
  return parts.join(',') || '(everything)';
}

/** The pods that can run nslab's probe and serve whoami: all but the cluster DNS pod, the ingress controller (and hostNetwork pods, which are their node). */
export function appPods(cluster: ResolvedCluster): Pod[] {
  return cluster.pods.filter((p) => p.name !== cluster.dns?.pod && p.name !== cluster.ingress?.pod && !p.hostNetwork);
}

/** Whether a pod's test server answers on port/protocol. */
export function serves(pod: Pod, port: number, protocol: 'TCP' | 'UDP'): boolean {
  return pod.ports.some((c) => c.port === port && c.protocol === protocol);
}

/** `lab` itself, as argv, for running its agents inside a node: the context's, else this installation's. */
export function selfArgvOf(ctx: Pick<RunContext, 'selfArgv'>): readonly string[] {
  if (ctx.selfArgv && ctx.selfArgv.length > 0) return ctx.selfArgv;
  const here = fileURLToPath(import.meta.url);
  const ext = here.endsWith('.ts') ? 'ts' : 'js';
  return [process.execPath, join(dirname(here), '..', '..', 'cli', `main.${ext}`)];
}

export interface ProbeRun {
  readonly lines: ProbeLine[];
  readonly result: ExecResult;
}

/** Run nslab's probe inside `node`. */
export async function probeFrom(ctx: RunContext, node: string, o: ProbeOptions): Promise<ProbeRun> {
  const result = await ctx.exec(node, [...selfArgvOf(ctx), ...probeArgv(o)], { timeoutMs: probeRunTimeoutMs(o) });
  return { lines: parseProbeOutput(result.stdout), result };
}

/** Map with at most `limit` calls running at once, results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}

/** The IPv4/IPv6 addresses `ip -o addr show` lists. */
export function parseAddrs(stdout: string): string[] {
  const out: string[] = [];
  for (const m of stdout.matchAll(/\binet6?\s+([0-9a-fA-F.:]+)\/\d+/g)) out.push(m[1]);
  return out;
}

/** How many of each word, most first: "web-1 21, web-2 19". */
export function tally(words: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of words) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}
