/**
 * What the kernel walk asks a running lab after its trace (issue 12): the route a namespace takes for an address
 * (`ip -d -j route get fibmatch`), a tunnel device's kind and VNI (`ip -d -j link show`), the process listening on
 * a port (`ss -l -p`), the trace's connection where a namespace translated it (`conntrack -L --mark`). One `ip -batch` per namespace, all at once, each bounded.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { nsenterArgv } from '../plan/netns-argv.ts';
import { runProcess } from './process.ts';

export type LabQuery =
  | { readonly kind: 'route'; readonly ns: string; readonly dst: string; readonly src?: string; readonly iif?: string; readonly family: 4 | 6 }
  | { readonly kind: 'device'; readonly ns: string; readonly dev: string }
  | { readonly kind: 'listener'; readonly ns: string; readonly proto: 'tcp' | 'udp'; readonly port: number }
  | { readonly kind: 'conntrack'; readonly ns: string; readonly mark: number; readonly family: 4 | 6 };

const QUERY_MS = 2000;

type IpQuery = Extract<LabQuery, { kind: 'route' | 'device' }>;

/** The `ip` command of a route or device query, as one line of `ip -batch`. */
export function ipBatchLine(q: IpQuery): string {
  if (q.kind === 'device') return `link show dev ${q.dev}`;
    // (the family follows from the address: a batch line takes no global options)
  return `route get fibmatch ${q.dst}${q.src ? ` from ${q.src}` : ''}${q.iif ? ` iif ${q.iif}` : ''}`;
}

/** What one query printed. */
export interface QueryAnswer {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `ip -d -j -force -batch -` output → one answer per line of the batch: a line that worked prints one JSON array;
 * one that failed prints its error and `Command failed -:N` on stderr instead.
 */
export function splitBatch(count: number, stdout: string, stderr: string): QueryAnswer[] {
  const failed = new Map<number, string>();
  let pending: string[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^Command failed -:(\d+)/.exec(line);
    if (m) {
      failed.set(Number(m[1]), pending.join('\n'));
      pending = [];
    } else if (line.trim()) pending.push(line);
  }
  const outs = stdout.split('\n').filter((l) => l.trim());
  const answers: QueryAnswer[] = [];
  for (let i = 1; i <= count; i++) answers.push(failed.has(i) ? { stdout: '', stderr: failed.get(i)! } : { stdout: outs.shift() ?? '', stderr: '' });
  return answers;
}

/** The argv of a query that is not an `ip` batch line: `ss` for a listener, `conntrack -L` for the trace's connection. */
export function queryArgv(q: Exclude<LabQuery, IpQuery>): string[] {
  if (q.kind === 'conntrack') return [...nsenterArgv(q.ns), 'conntrack', '-L', '-f', q.family === 6 ? 'ipv6' : 'ipv4', '--mark', String(q.mark)];
  return [...nsenterArgv(q.ns), 'ss', '-H', '-l', '-n', '-p', q.proto === 'tcp' ? '-t' : '-u', 'sport', '=', `:${q.port}`];
}

const isIp = (q: LabQuery): q is IpQuery => q.kind === 'route' || q.kind === 'device';

/** Run every query: one `ip -batch` per namespace, side by side; the answers in the queries' order. */
export async function runQueries(queries: readonly LabQuery[], signal?: AbortSignal): Promise<QueryAnswer[]> {
  const answers: QueryAnswer[] = queries.map(() => ({ stdout: '', stderr: '' }));
  const byNs = new Map<string, number[]>();
  queries.forEach((q, i) => {
    if (isIp(q)) byNs.set(q.ns, [...(byNs.get(q.ns) ?? []), i]);
  });
  const opts = { timeoutMs: QUERY_MS, killGraceMs: 200, ...(signal ? { signal } : {}) };
  await Promise.all([
    ...[...byNs].map(async ([ns, idx]) => {
      const input = `${idx.map((i) => ipBatchLine(queries[i] as IpQuery)).join('\n')}\n`;
      const r = await runProcess([...nsenterArgv(ns), 'ip', '-d', '-j', '-force', '-batch', '-'], { ...opts, input });
      splitBatch(idx.length, r.stdout, r.stderr).forEach((a, k) => (answers[idx[k]] = a));
    }),
    ...queries.map(async (q, i) => {
      if (!isIp(q)) answers[i] = await runProcess(queryArgv(q), opts);
    }),
  ]);
  return answers;
}

/** How a user would name process `pid`: its command line's first words (`node main.ts agent whoami`), or undefined. */
export function processCommand(pid: number): string | undefined {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const words = argv.slice(0, 4).map((w, i) => (i < 2 ? basename(w) : w));
    return words.length ? words.join(' ') : undefined;
  } catch {
    return undefined;
  }
}
