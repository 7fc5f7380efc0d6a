/**
 * Wait until a lab is ready (issue 11): poll every readiness probe (runner/model/ready.ts) until all its items hold,
 * each probe on its own, all in parallel, within one deadline. A probe that holds is not asked again. At the
 * deadline the report lists what is still not ready, with what was seen — the same detail a failing assertion gives.
 */
import { READY_POLL_MS, type ReadyItem, type ReadyOutput, type ReadyProbe } from '../model/ready.ts';

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
