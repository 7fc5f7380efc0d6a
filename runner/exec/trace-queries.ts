/**
 * What the kernel walk asks a running lab after its trace (issue 12): the route a namespace takes for an address
 * (`ip -d -j route get fibmatch`), a tunnel device's kind and VNI (`ip -d -j link show`), the process listening on
 * a port (`ss -l -p`). All at once, each bounded.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { nsenterArgv } from '../plan/netns-argv.ts';
import { runProcess, type ProcessResult } from './process.ts';

export type LabQuery =
  | { readonly kind: 'route'; readonly ns: string; readonly dst: string; readonly src?: string; readonly iif?: string; readonly family: 4 | 6 }
  | { readonly kind: 'device'; readonly ns: string; readonly dev: string }
  | { readonly kind: 'listener'; readonly ns: string; readonly proto: 'tcp' | 'udp'; readonly port: number };

const QUERY_MS = 2000;

export function queryArgv(q: LabQuery): string[] {
  const ns = nsenterArgv(q.ns);
  switch (q.kind) {
    case 'route':
      return [...ns, 'ip', '-d', '-j', ...(q.family === 6 ? ['-6'] : []), 'route', 'get', 'fibmatch', q.dst, ...(q.src ? ['from', q.src] : []), ...(q.iif ? ['iif', q.iif] : [])];
    case 'device':
      return [...ns, 'ip', '-d', '-j', 'link', 'show', 'dev', q.dev];
    case 'listener':
      return [...ns, 'ss', '-H', '-l', '-n', '-p', q.proto === 'tcp' ? '-t' : '-u', 'sport', '=', `:${q.port}`];
  }
}

/** Run every query side by side: the results in the same order. */
export function runQueries(queries: readonly LabQuery[], signal?: AbortSignal): Promise<ProcessResult[]> {
  return Promise.all(queries.map((q) => runProcess(queryArgv(q), { timeoutMs: QUERY_MS, killGraceMs: 200, ...(signal ? { signal } : {}) })));
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
