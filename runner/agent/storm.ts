/**
 * `lab agent storm`: open many TCP connections to one server at the same moment, from one node (issue 14.4: the
 * conntrack SNAT race). Each socket connects (optionally from a fixed local port, base + i, so that every pod uses
 * the same source ports and the node's masquerade must remap them at once), and closes as soon as it is connected.
 * One JSON line reports what happened: connected, connected only after a retransmitted SYN (≥ 900 ms: the first
 * SYN was dropped somewhere), timed out, reset, refused, other errors, and the connect times.
 */
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';

export interface StormOptions {
  readonly host: string;
  readonly port: number;
  readonly count: number;
  /** Local port of socket i: sportBase + i; absent: the kernel's ephemeral ports. */
  readonly sportBase?: number;
  readonly timeoutMs: number;
  /** Start at this wall-clock time (ms since the epoch), so that storms in several nodes start together. */
  readonly startAt?: number;
  /** UDP instead: each socket sends one datagram (no answer is awaited; `ok` counts datagrams the kernel took). */
  readonly udp?: boolean;
}

export interface StormResult {
  readonly count: number;
  readonly ok: number;
  /** Connected, but only after 900 ms or more: the first SYN (or its answer) was lost and TCP sent it again. */
  readonly slow: number;
  readonly timeouts: number;
  readonly resets: number;
  readonly refused: number;
  readonly other: number;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly errors: Readonly<Record<string, number>>;
}

export const STORM_USAGE = 'usage: lab agent storm --to HOST:PORT --count N [--sport-base PORT] [--timeout MS] [--start-at EPOCH_MS] [--udp]';

export function parseStormArgs(argv: readonly string[]): StormOptions {
  const get = (k: string): string | undefined => {
    const i = argv.indexOf(k);
    return i >= 0 ? argv[i + 1] : argv.find((w) => w.startsWith(`${k}=`))?.slice(k.length + 1);
  };
  const to = get('--to');
  const m = to ? /^(.+):(\d+)$/.exec(to) : null;
  if (!m) throw new Error(`--to HOST:PORT is needed\n${STORM_USAGE}`);
  const count = Number(get('--count') ?? '100');
  if (!Number.isInteger(count) || count < 1 || count > 20000) throw new Error('--count must be 1 … 20000');
  const sb = get('--sport-base');
  const sportBase = sb === undefined ? undefined : Number(sb);
  if (sportBase !== undefined && (!Number.isInteger(sportBase) || sportBase < 1024 || sportBase + count > 65536)) throw new Error('--sport-base must leave room for --count ports below 65536');
  const timeoutMs = Number(get('--timeout') ?? '5000');
  const sa = get('--start-at');
  return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]), count, sportBase, timeoutMs, startAt: sa === undefined ? undefined : Number(sa), ...(argv.includes('--udp') ? { udp: true } : {}) };
}

const median = (xs: number[]): number => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One datagram from its own socket (from sportBase + i when given); done when the kernel has sent it. */
function oneUdp(o: StormOptions, i: number): Promise<{ ms: number; error?: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const sock = createSocket(o.host.includes(':') ? 'udp6' : 'udp4');
    const finish = (error?: string): void => {
      try {
        sock.close();
      } catch {
        // already closed
      }
      resolve({ ms: performance.now() - t0, error });
    };
    sock.once('error', (e: NodeJS.ErrnoException) => finish(e.code ?? e.message));
    sock.bind(o.sportBase !== undefined ? o.sportBase + i : 0, () => sock.send(Buffer.from('nslab storm\n'), o.port, o.host, (e) => finish(e ? ((e as NodeJS.ErrnoException).code ?? e.message) : undefined)));
  });
}

function one(o: StormOptions, i: number): Promise<{ ms: number; error?: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let done = false;
    let sock: Socket | undefined;
    const finish = (error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock?.destroy();
      resolve({ ms: performance.now() - t0, error });
    };
    const timer = setTimeout(() => finish('ETIMEDOUT'), o.timeoutMs);
    sock = connect({ host: o.host, port: o.port, ...(o.sportBase !== undefined ? { localPort: o.sportBase + i } : {}) });
    sock.once('connect', () => finish());
    sock.once('error', (e: NodeJS.ErrnoException) => finish(e.code ?? e.message));
  });
}

export async function runStorm(o: StormOptions): Promise<StormResult> {
  if (o.startAt !== undefined) {
    const wait = o.startAt - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const results = await Promise.all(Array.from({ length: o.count }, (_, i) => (o.udp ? oneUdp(o, i) : one(o, i))));
  const ok = results.filter((r) => !r.error);
  const errors: Record<string, number> = {};
  for (const r of results) if (r.error) errors[r.error] = (errors[r.error] ?? 0) + 1;
  const n = (code: string): number => errors[code] ?? 0;
  return {
    count: o.count,
    ok: ok.length,
    slow: ok.filter((r) => r.ms >= 900).length,
    timeouts: n('ETIMEDOUT'),
    resets: n('ECONNRESET'),
    refused: n('ECONNREFUSED'),
    other: results.filter((r) => r.error && !['ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED'].includes(r.error)).length,
    medianMs: Math.round(median(ok.map((r) => r.ms)) * 10) / 10,
    maxMs: Math.round(Math.max(0, ...ok.map((r) => r.ms)) * 10) / 10,
    errors,
  };
}
