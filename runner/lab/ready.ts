/**
 * Wait until a lab is ready (issue 11): poll every readiness probe (runner/model/ready.ts) until all its items hold,
 * each probe on its own, all in parallel, within one deadline. A probe that holds is not asked again. At the
 * deadline the report lists what is still not ready, with what was seen — the same detail a failing assertion gives.
 */
import { error, LabError } from '../config/diagnostics.ts';
import { EXIT } from '../config/exit-codes.ts';
import { clusterReadyProbes } from '../cluster/ready.ts';
import { KINDS } from '../kinds/registry.ts';
import { listenProbe, READY_POLL_MS, type ReadyItem, type ReadyOutput, type ReadyProbe } from '../model/ready.ts';
import type { ResolvedLab, ResolvedNode, ResolvedReady } from '../model/types.ts';

/** Runs one probe command in a node (the lab layer passes runner/exec's node runner). */
export type ReadyExec = (node: string, argv: readonly string[], opts: { readonly container?: string; readonly timeoutMs: number }) => Promise<ReadyOutput>;

export interface ReadyOptions {
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  /** Called when a probe first holds, and once per poll round with the count still pending. */
  onProgress?(done: number, total: number): void;
}

export interface ReadyReport {
  readonly ready: boolean;
  /** Time from the start of the wait until every probe held (or until the deadline). */
  readonly ms: number;
  /** Every item, as last judged. */
  readonly items: readonly ReadyItem[];
  /** The items that did not hold at the deadline (empty when ready). */
  readonly pending: readonly ReadyItem[];
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });

export async function waitReady(probes: readonly ReadyProbe[], exec: ReadyExec, opts: ReadyOptions): Promise<ReadyReport> {
  const t0 = performance.now();
  const deadline = t0 + opts.timeoutMs;
  const last = new Map<string, ReadyItem[]>();
  const done = new Set<string>();
  const pollMs = opts.pollMs ?? READY_POLL_MS;
  const pollOne = async (p: ReadyProbe): Promise<void> => {
    while (!opts.signal?.aborted) {
      const left = deadline - performance.now();
      const outputs: ReadyOutput[] = [];
      for (const c of p.commands) outputs.push(await exec(p.node, c.argv, { container: c.container, timeoutMs: Math.max(500, Math.min(5000, left)) }));
      const items = p.judge(outputs);
      last.set(p.id, items);
      if (items.every((i) => i.ok)) {
        done.add(p.id);
        opts.onProgress?.(done.size, probes.length);
        return;
      }
      if (performance.now() + pollMs >= deadline) return;
      await sleep(pollMs, opts.signal);
    }
  };
  await Promise.all(probes.map(pollOne));
  const items = probes.flatMap((p) => last.get(p.id) ?? [{ what: `${p.node}: ${p.id}`, ok: false, detail: 'not checked before the deadline' }]);
  const pending = items.filter((i) => !i.ok);
  return { ready: pending.length === 0, ms: Math.round(performance.now() - t0), items, pending };
}

/** "3 not ready after 60 s: r1: BGP session to_r2 … Established — Connect (…)", one item a line. */
export function formatPending(report: ReadyReport, timeoutMs: number): string {
  const lines = report.pending.map((i) => `  ✘ ${i.what}${i.detail ? ` — ${i.detail}` : ''}`);
  return [`${report.pending.length} of ${report.items.length} readiness check(s) did not hold within ${Math.round(timeoutMs / 100) / 10} s:`, ...lines].join('\n');
}

/**
 * What must hold before `lab up` returns, derived from the model: each kind's probes (BGP routers: sessions and
 * routes), nslab's test servers listening, and the cluster's (pod servers, DNS).
 */
export function readyProbes(lab: ResolvedLab, labDir: string): ReadyProbe[] {
  const probes: ReadyProbe[] = [];
  const byKind = new Map<string, ResolvedNode[]>();
  for (const n of lab.nodes) byKind.set(n.kind, [...(byKind.get(n.kind) ?? []), n]);
  for (const [kind, nodes] of byKind) probes.push(...(KINDS.get(kind)?.ready?.(nodes, lab, { labDir }) ?? []));
  for (const n of lab.nodes) if (n.whoami.length) probes.push(listenProbe(n.name, n.whoami.map((port) => ({ port, proto: 'tcp' as const, what: "nslab's test server" })), n.pos));
  if (lab.cluster) probes.push(...clusterReadyProbes(lab.cluster));
  (lab.ready ?? []).forEach((r, i) => probes.push(labReadyProbe(r, i)));
  return probes;
}

/** The items that did not hold, as errors at their lab-file place (exit 3: the lab is up, but not ready). */
export function notReadyError(lab: ResolvedLab, report: ReadyReport, timeoutMs: number, sources: ReadonlyMap<string, string>): LabError {
  const secs = `${Math.round(timeoutMs / 100) / 10} s`;
  const diags = report.pending.map((i, k) =>
    error('ready.timeout', `not ready after ${secs}: ${i.what}${i.detail ? ` — ${i.detail}` : ''}`, i.pos, k === 0 ? `the lab is left up to look at (\`lab status ${lab.name}\`, \`lab down ${lab.name}\` removes it); \`lab up --wait 2m\` waits longer, \`--no-wait\` not at all` : undefined),
  );
  const trailer = `lab ${lab.name} is up but ${report.pending.length} of ${report.items.length} readiness check(s) did not hold within ${secs}; it is left up.`;
  return new LabError(diags, EXIT.execFailed, sources, trailer);
}

/** One of the lab's own checks (`ready:`) as a probe. */
function labReadyProbe(r: ResolvedReady, i: number): ReadyProbe {
  if (r.kind === 'listen') return { ...listenProbe(r.node, r.ports.map((port) => ({ port, proto: r.proto, what: 'something (ready:)' })), r.pos), id: `ready:${i}` };
  const re = r.output !== undefined ? new RegExp(r.output) : undefined;
  const what = `${r.node}: \`${r.argv.join(' ')}\` succeeds${re ? ` and prints /${r.output}/` : ''} (ready:)`;
  return {
    id: `ready:${i}`,
    node: r.node,
    commands: [{ argv: r.argv }],
    judge([out]) {
      const ok = out !== undefined && out.exitCode === 0 && (!re || re.test(`${out.stdout}${out.stderr}`));
      const seen = out ? `exit ${out.exitCode}${(out.stdout || out.stderr).trim() ? `: ${(out.stdout || out.stderr).trim().split('\n')[0].slice(0, 120)}` : ''}` : 'not run';
      return [{ what, ok, detail: ok ? undefined : seen, pos: r.pos }];
    },
  };
}
