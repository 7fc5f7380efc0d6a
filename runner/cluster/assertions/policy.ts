/**
 * policy: the NetworkPolicy truth table, as Kubernetes' network-policy e2e tests state it. Every cell
 * (from pod × to pod, on one port) is probed once; the expected value is what the policies allow (the model's
 * answer, runner/cluster/policy.ts), unless `expect` says otherwise for that cell. The table is printed with `.`
 * for allowed and `X` for denied; a cell that differs from what was expected is marked `!`.
 */
import { probeArgv, type ProbeOptions } from '../../agent/probe.ts';
import type { Pod, Protocol, ResolvedCluster } from '../types.ts';
import { expectedAllowed } from '../policy.ts';
import { error, warning } from '../../config/diagnostics.ts';
import { excerpt, execFailure, fail, ParamReader, pass } from '../../../assertions/common.ts';
import { appPods, clusterOf, exerciseCommands, type ExerciseStep, mapLimit, namesHint, podAt, podKey, probeFrom, serves } from './k8s.ts';
import type { AssertionDef, Outcome } from '../../../assertions/types.ts';
import type { FlowRequest } from '../../model/trace.ts';
import schema from './policy.schema.json' with { type: 'json' };

export interface PolicyPod {
  readonly name: string;
  readonly namespace: string;
  readonly ip: string;
}

export interface PolicyParams {
  readonly port: number;
  readonly protocol: Protocol;
  readonly from: readonly PolicyPod[];
  readonly to: readonly PolicyPod[];
  /** expected[i][j]: from[i] reaches to[j]. */
  readonly expected: readonly (readonly boolean[])[];
  /** How many cells `expect` set differently from the policies' answer. */
  readonly overridden: number;
  /** The address family the cells are probed in (the pods' `ip` is of that family); absent: 4. */
  readonly family?: 4 | 6;
}

/** One side of an `expect` entry: every pod, a namespace's pods, or one pod. */
export type Side =
  | { readonly kind: 'any' }
  | { readonly kind: 'ns'; readonly ns: string }
  /** A glob over pods (`default/web-*`, `web-*`: the replicas of a Deployment), matched against namespace/name. */
  | { readonly kind: 'glob'; readonly re: RegExp }
  | { readonly kind: 'pod'; readonly key: string };

export interface CellRule {
  readonly allow: boolean;
  readonly from: Side;
  readonly to: Side;
  readonly text: string;
}

const SPECIFIC = { any: 0, ns: 1, glob: 1.5, pod: 2 } as const;

export function sideMatches(s: Side, pod: PolicyPod): boolean {
  if (s.kind === 'any') return true;
  if (s.kind === 'ns') return pod.namespace === s.ns;
  if (s.kind === 'glob') return s.re.test(podKey(pod));
  return s.key === podKey(pod);
}

/** The rule that decides a cell: the most specific matching one; on a tie, deny. */
export function decide(rules: readonly CellRule[], from: PolicyPod, to: PolicyPod): CellRule | undefined {
  let best: CellRule | undefined;
  let score = -1;
  for (const r of rules) {
    if (!sideMatches(r.from, from) || !sideMatches(r.to, to)) continue;
    const s = SPECIFIC[r.from.kind] + SPECIFIC[r.to.kind];
    if (s > score || (s === score && !r.allow)) {
      best = r;
      score = s;
    }
  }
  return best;
}

function readSide(r: ParamReader, cluster: ResolvedCluster, text: string, path: (string | number)[]): Side | undefined {
  if (text === '*') return { kind: 'any' };
  const ns = /^([a-z0-9-]+)\/\*$/.exec(text);
  if (ns) {
    const known = [...new Set([...Object.keys(cluster.namespaces), ...cluster.pods.map((p) => p.namespace)])];
    if (known.includes(ns[1])) return { kind: 'ns', ns: ns[1] };
    r.diagnostics.push(error('test.policy', `policy.${path.join('.')}: no namespace ${JSON.stringify(ns[1])} in the cluster`, r.ctx.at(path), namesHint(ns[1], 'namespaces', known)));
    return undefined;
  }
  if (text.includes('*')) {
    // a glob over pods: without a namespace it means the default one, as a pod name does
    const full = text.includes('/') ? text : `default/${text}`;
    const re = new RegExp(`^${full.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
    if (cluster.pods.some((p) => re.test(podKey(p)))) return { kind: 'glob', re };
    r.diagnostics.push(error('test.policy', `policy.${path.join('.')}: ${JSON.stringify(text)} matches no pod of the cluster`, r.ctx.at(path), namesHint(text.split('/').pop() ?? text, 'pods', cluster.pods.map(podKey))));
    return undefined;
  }
  const pod = podAt(r, cluster, text, path);
  return pod ? { kind: 'pod', key: podKey(pod) } : undefined;
}

function readRules(r: ParamReader, cluster: ResolvedCluster): CellRule[] {
  const raw = r.raw.expect;
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw)) return r.shape('expect', 'must be a mapping with allow and deny') ?? [];
  const rules: CellRule[] = [];
  for (const which of ['allow', 'deny'] as const) {
    const list = (raw as Record<string, unknown>)[which];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      r.shape(`expect.${which}`, 'must be a list');
      continue;
    }
    list.forEach((entry, i) => {
      const path = ['expect', which, i];
      const m = typeof entry === 'string' ? /^\s*(\S+)\s*(?:->|→)\s*(\S+)\s*$/.exec(entry) : null;
      if (!m) {
        r.diagnostics.push(error('test.policy', `policy.expect.${which}[${i}]: ${JSON.stringify(entry)} is not "FROM -> TO"`, r.ctx.at(path), 'write e.g. "a -> b", "prod/* -> db", "* -> default/web-*" (pod, namespace/pod, namespace/*, a glob over pods, or *)'));
        return;
      }
      const from = readSide(r, cluster, m[1], path);
      const to = readSide(r, cluster, m[2], path);
      if (from && to) rules.push({ allow: which === 'allow', from, to, text: `${m[1]} -> ${m[2]}` });
    });
  }
  return rules;
}

function readPods(r: ParamReader, cluster: ResolvedCluster, key: 'from' | 'to', dflt: Pod[]): Pod[] | undefined {
  const raw = r.raw[key];
  if (raw === undefined || raw === null) return dflt;
  if (!Array.isArray(raw)) return r.shape(key, 'must be a list of pods');
  const pods: Pod[] = [];
  raw.forEach((v, i) => {
    if (typeof v !== 'string') return void r.shape(key, 'must be a list of pod names');
    const p = podAt(r, cluster, v, [key, i]);
    if (p && !pods.includes(p)) pods.push(p);
  });
  return pods;
}

const asPolicyPod = (p: Pod, family: 4 | 6 = 4): PolicyPod => ({ name: p.name, namespace: p.namespace, ip: family === 6 ? (p.ip6 ?? p.ip) : p.ip });

export const policy: AssertionDef<PolicyParams> = {
  type: 'policy',
  schema,
  flows: (p) => p.from.flatMap((f) => p.to.map((t) => policyFlow(p, f, t))),
  nodes: (p) => [...p.from, ...p.to].map((x) => x.name),
  describe: (p) => `policy truth table ${p.protocol}/${p.port}${p.family === 6 ? ' over IPv6' : ''} (${p.from.length}×${p.to.length})`,
  resolve(raw, ctx) {
    const r = new ParamReader('policy', raw, ctx);
    const cluster = clusterOf(r);
    const port = r.integer('port', undefined, 1, 65535);
    if (port === undefined && !r.has('port')) r.shape('port', 'a port is required');
    const protocol = r.oneOf('protocol', ['TCP', 'UDP'] as const, 'TCP');
    const family = r.has('family') ? (r.raw.family === 4 || r.raw.family === 6 ? r.raw.family : r.shape('family', 'must be 4 or 6')) : 4;
    if (!cluster || port === undefined || family === undefined) return r.result(undefined);
    if (family === 6 && !cluster.podCIDR6) return r.result(r.fail('family', 'policy.family: 6, but the cluster is not dual-stack: its pods have no IPv6 address', 'give the cluster an IPv6 pod and service range (pod-cidr: [v4, v6], service-cidr: [v4, v6]), or leave family out'));
    if (cluster.inertPolicies?.length) {
      // the same rule as the rules compiled: under flannel without policy: canal, nothing enforces them (issue 16.3)
      r.diagnostics.push(warning('test.policy', `policy: the cluster's NetworkPolicies are not enforced (cni ${cluster.cni}): every cell is expected allowed`, ctx.at([], true), 'flannel enforces no NetworkPolicy: add `policy: canal` under cluster: to enforce them (Canal: flannel + Calico\'s policy engine)'));
    }
    const pods = appPods(cluster);
    const from = readPods(r, cluster, 'from', pods);
    const to = readPods(r, cluster, 'to', pods.filter((p) => serves(p, port, protocol)));
    if (to && r.has('to')) {
      (r.raw.to as unknown[]).forEach((v, i) => {
        const p = to.find((x) => x.name === v || podKey(x) === v);
        if (p && !serves(p, port, protocol)) {
          const has = p.ports.map((c) => `${c.port}/${c.protocol}`).join(', ') || 'none';
          r.diagnostics.push(error('test.policy', `policy.to[${i}]: pod ${p.name} does not serve ${protocol} ${port} (its ports: ${has})`, ctx.at(['to', i]), 'its cells would read as denied: list pods that serve the port, or pick a port they all serve'));
        }
      });
    }
    if (to && to.length === 0) r.fail(r.has('to') ? 'to' : 'port', `policy: no pod to probe: none serves ${protocol} ${port}`, 'pods serve the ports in their ports: list (default [80])');
    if (from && from.length === 0) r.fail('from', 'policy: no pod to probe from', 'list at least one pod');
    const rules = readRules(r, cluster);
    if (!from || !to || !from.length || !to.length) return r.result(undefined);
    const fp = from.map((x) => asPolicyPod(x, family));
    const tp = to.map((x) => asPolicyPod(x, family));
    let overridden = 0;
    const used = new Set<CellRule>();
    let expected: boolean[][];
    try {
      expected = from.map((f, i) =>
        to.map((t, j) => {
          const model = expectedAllowed(cluster, f, t, port, protocol, family);
          const rule = decide(rules, fp[i], tp[j]);
          if (!rule) return model;
          used.add(rule);
          if (rule.allow !== model) overridden++;
          return rule.allow;
        }),
      );
    } catch (e) {
      r.diagnostics.push(error('test.policy', `policy: the cluster's NetworkPolicies cannot be judged: ${e instanceof Error ? e.message : String(e)}`, ctx.at([]), 'fix the network-policies: section'));
      return r.result(undefined);
    }
    for (const rule of rules) {
      if (!used.has(rule)) r.diagnostics.push(warning('test.policy', `policy.expect: "${rule.text}" decides no cell of the table`, ctx.at(['expect'], true), 'its pods are not in from/to, or a more specific entry decides every cell it matches'));
    }
    return r.result<PolicyParams>({ port, protocol, from: fp, to: tp, expected, overridden, ...(family === 6 ? { family } : {}) });
  },
  async run(p, ctx) {
    const runs = await mapLimit(p.from, 4, (f) => probeFrom(ctx, f.name, policyProbe(p)));
    const problems: string[] = [];
    const observed = runs.map((run, i) => {
      if (run.lines.length === 0) problems.push(`${p.from[i].name}: ${execFailure(run.result) ?? `the probe printed nothing (exit code ${run.result.exitCode}) ${excerpt(run.result.stderr)}`.trim()}`);
      return p.to.map((t) => {
        const l = run.lines.find((x) => x.to === t.ip);
        return l === undefined ? undefined : l.ok && l.node === t.name;
      });
    });
    return judgePolicy(p, observed, runs.map((r) => r.result.command).join('\n'), problems);
  },
  exercise(p, ctx) {
    return { doThis: `From every pod of the table's rows, try port ${p.port}/${p.protocol} of every pod of its columns.`, commands: exerciseCommands(policyCommands(p), ctx), expect: policyExpectedText(p), hint: 'ok: true is an allowed cell (.), ok: false a denied one (X)' };
  },
};

/** One cell of the table as a flow: from the row's pod to the column's pod address. */
export function policyFlow(p: Pick<PolicyParams, 'port' | 'protocol'>, from: PolicyPod, to: PolicyPod): FlowRequest {
  return { from: from.name, to: to.ip, proto: p.protocol === 'UDP' ? 'udp' : 'tcp', port: p.port };
}

/** One probe per source pod: one request to every pod of the row at once. */
export function policyProbe(p: PolicyParams): ProbeOptions {
  return { to: p.to.map((t) => t.ip), port: p.port, proto: p.protocol === 'UDP' ? 'udp' : 'tcp', count: 1, timeoutMs: 1000 };
}

/** The commands a person types to do what this test does (for handouts): one row of the table each. */
export function policyCommands(p: PolicyParams, self: readonly string[] = ['lab']): ExerciseStep[] {
  return p.from.map((f) => ({ node: f.name, argv: [...self, ...probeArgv(policyProbe(p))], label: `row ${f.name}: ok true = allowed (.), ok false = denied (X)` }));
}

export function policyExpectedText(p: PolicyParams): string {
  const cells = p.from.length * p.to.length;
  const allowed = p.expected.flat().filter(Boolean).length;
  const how = p.overridden ? `, ${p.overridden} cell${p.overridden === 1 ? '' : 's'} as written in expect rather than as the policies say` : ', as the policies say';
  return `NetworkPolicy truth table on ${p.protocol} port ${p.port}${p.family === 6 ? ' over IPv6' : ''}, ${p.from.length} × ${p.to.length} pods: ${allowed} allowed (.), ${cells - allowed} denied (X)${how}\n${formatMatrix(p, p.expected)}`;
}

/** The table as the e2e tests print it: `.` allowed, `X` denied, `!` where it differs from `expected`, `?` not probed. */
export function formatMatrix(p: Pick<PolicyParams, 'from' | 'to'>, cells: readonly (readonly (boolean | undefined)[])[], expected?: readonly (readonly boolean[])[]): string {
  const multiNs = new Set([...p.from, ...p.to].map((x) => x.namespace)).size > 1;
  const label = (x: PolicyPod): string => (multiNs ? `${x.namespace}/${x.name}` : x.name);
  const rows = p.from.map(label);
  const cols = p.to.map(label);
  const cell = (i: number, j: number): string => {
    const v = cells[i][j];
    const mark = v === undefined ? '?' : v ? '.' : 'X';
    return expected && v !== undefined && v !== expected[i][j] ? `${mark}!` : mark;
  };
  const w0 = Math.max(1, ...rows.map((s) => s.length));
  const widths = cols.map((c, j) => Math.max(c.length, ...rows.map((_, i) => cell(i, j).length)));
  const line = (head: string, xs: string[]): string => [head.padEnd(w0), ...xs.map((x, j) => x.padEnd(widths[j]))].join('  ').trimEnd();
  return [line('-', cols), ...rows.map((r, i) => line(r, cols.map((_, j) => cell(i, j))))].join('\n');
}

/** Judge the probed table against the expected one. observed[i][j]: undefined where the probe gave no answer at all. */
export function judgePolicy(p: PolicyParams, observed: readonly (readonly (boolean | undefined)[])[], command: string, problems: readonly string[] = []): Outcome {
  const cells = p.from.length * p.to.length;
  const expected = policyExpectedText(p);
  const wrong: string[] = [];
  let unknown = 0;
  let flow: FlowRequest | undefined;
  p.from.forEach((f, i) =>
    p.to.forEach((t, j) => {
      const v = observed[i]?.[j];
      if (v === undefined) unknown++;
      else if (v !== p.expected[i][j]) {
        flow ??= policyFlow(p, f, t);
        wrong.push(`${f.name} → ${t.name} ${v ? 'allowed' : 'denied'} (expected ${p.expected[i][j] ? 'allowed' : 'denied'})`);
      }
    }),
  );
  const table = formatMatrix(p, p.from.map((_, i) => p.to.map((_, j) => observed[i]?.[j])), p.expected);
  const head = [
    wrong.length ? `${wrong.length} of ${cells} cells wrong: ${wrong.slice(0, 6).join(', ')}${wrong.length > 6 ? `, … (${wrong.length - 6} more)` : ''}` : '',
    unknown ? `${unknown} cell${unknown === 1 ? '' : 's'} not probed${problems.length ? ` (${problems.join('; ')})` : ''}` : '',
  ].filter(Boolean);
  const seen = `${head.length ? head.join('; ') : `all ${cells} cells as expected`}\n${table}`;
  // the first wrong cell is the flow a failure's explanation traces
  const details = { matrix: { from: p.from.map(podKey), to: p.to.map(podKey), expected: p.expected, observed }, ...(flow ? { flow } : {}) };
  return wrong.length === 0 && unknown === 0 ? pass(expected, seen, command, { details }) : fail(expected, seen, command, { details });
}
