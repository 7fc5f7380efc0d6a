/** iperf3: measure throughput between two nodes; judge the median of N runs against absolute or relative thresholds. */
import { didYouMean } from '../runner/config/diagnostics.ts';
import { ambiguousRate, formatRate, parseRate } from '../runner/util/units.ts';
import { abnormalEnd, excerpt, fail, median, ParamReader, pass, sleep, targetText } from './common.ts';
import type { AssertionDef, Outcome, RunContext } from './types.ts';
import schema from './iperf3.schema.json' with { type: 'json' };

export type Threshold =
  | { readonly kind: 'rate'; readonly bps: number; readonly text: string }
  | { readonly kind: 'relative'; readonly factor: number; readonly ref: string; readonly text: string };

export interface Iperf3Params {
  readonly from: string;
  readonly to: string;
  /** The node the server runs in. */
  readonly server: string;
  readonly address: string;
  readonly family: 4 | 6;
  readonly protocol: 'tcp' | 'udp';
  readonly durationS: number;
  readonly streams: number;
  readonly bitrateBps?: number;
  readonly repeat: number;
  readonly min?: Threshold;
  readonly max?: Threshold;
  readonly maxLoss?: number;
  readonly maxRetransmits?: number;
  /** UDP: the largest receiver jitter accepted (RFC 3550 interarrival jitter, as iperf3 reports it), ms. */
  readonly maxJitterMs?: number;
}

/** One client run, as read from `iperf3 -J`. */
export interface Iperf3Run {
  readonly bps: number;
  readonly lostPercent?: number;
  readonly retransmits?: number;
  /** UDP: the receiver's jitter, ms. */
  readonly jitterMs?: number;
}

export const BASE_PORT = 5201;

export function parseThreshold(v: unknown): { ok: true; threshold: Threshold } | { ok: false; message: string } {
  const text = String(v);
  const bps = parseRate(v);
  if (bps !== undefined) return { ok: true, threshold: { kind: 'rate', bps, text } };
  if (typeof v === 'string') {
    const times = /^\s*(\d+(?:\.\d+)?)\s*[x×*]\s*(\S(?:.*\S)?)\s*$/i.exec(v);
    const pct = /^\s*(\d+(?:\.\d+)?)\s*%\s*of\s+(\S(?:.*\S)?)\s*$/i.exec(v);
    if (times) return { ok: true, threshold: { kind: 'relative', factor: Number(times[1]), ref: times[2], text } };
    if (pct) return { ok: true, threshold: { kind: 'relative', factor: Number(pct[1]) / 100, ref: pct[2], text } };
  }
  return { ok: false, message: ambiguousRate(v) ?? `${JSON.stringify(v)} is neither a rate nor a multiple of another measurement` };
}

export function portFor(index: number | undefined): number {
  return BASE_PORT + ((index ?? 0) % 2000);
}

export function serverArgv(port: number): string[] {
  return ['iperf3', '-s', '-1', '-p', String(port)];
}

/** How long the client waits for the server's control connection. */
export const CONNECT_TIMEOUT_MS = 3000;

export function clientArgv(p: Iperf3Params, port: number): string[] {
  // a server that cannot be reached fails in 3 s, not after the kernel's SYN retries (about 2 minutes)
  const argv = ['iperf3', '-c', p.address, '-p', String(port), '-J', '--connect-timeout', String(CONNECT_TIMEOUT_MS), '-t', String(p.durationS), '-P', String(p.streams)];
  if (p.protocol === 'udp') argv.push('-u');
  if (p.bitrateBps !== undefined) argv.push('-b', String(Math.round(p.bitrateBps)));
  return argv;
}

export function listeningArgv(port: number): string[] {
  return ['ss', '-H', '-l', '-t', '-n', 'sport', '=', `:${port}`];
}

interface IperfJson {
  error?: string;
  end?: {
    sum?: { bits_per_second?: number; lost_percent?: number; jitter_ms?: number };
    sum_sent?: { bits_per_second?: number; retransmits?: number };
    sum_received?: { bits_per_second?: number; lost_percent?: number; jitter_ms?: number };
  };
}

/**
 * Read one `iperf3 -J` client output. TCP: received rate and sender retransmits; UDP: received rate, loss and the
 * jitter the server measured (end.sum, the receiver's numbers sent back; sum_sent's jitter is always 0).
 */
export function parseIperf3(stdout: string, protocol: 'tcp' | 'udp'): { ok: true; run: Iperf3Run } | { ok: false; message: string } {
  let j: IperfJson;
  try {
    j = JSON.parse(stdout) as IperfJson;
  } catch {
    return { ok: false, message: stdout.trim() ? `iperf3 printed no JSON: ${excerpt(stdout, 2)}` : 'iperf3 printed nothing' };
  }
  if (j.error) return { ok: false, message: `iperf3: ${j.error}` };
  const end = j.end ?? {};
  if (protocol === 'udp') {
    const bps = end.sum_received?.bits_per_second ?? end.sum?.bits_per_second;
    if (bps === undefined) return { ok: false, message: 'iperf3 reported no UDP result (end.sum)' };
    return { ok: true, run: { bps, lostPercent: end.sum?.lost_percent ?? end.sum_received?.lost_percent, jitterMs: end.sum?.jitter_ms ?? end.sum_received?.jitter_ms } };
  }
  const bps = end.sum_received?.bits_per_second;
  if (bps === undefined) return { ok: false, message: 'iperf3 reported no TCP result (end.sum_received)' };
  return { ok: true, run: { bps, retransmits: end.sum_sent?.retransmits } };
}

function bound(t: Threshold, measurement: (name: string) => number | undefined): { bps?: number; text: string; missing?: string } {
  if (t.kind === 'rate') return { bps: t.bps, text: formatRate(t.bps) };
  const ref = measurement(t.ref);
  const how = `${t.factor} × ${t.ref}`;
  if (ref === undefined) return { text: how, missing: t.ref };
  const bps = t.factor * ref;
  return { bps, text: `${formatRate(bps)} (${how} = ${formatRate(ref)})` };
}

export function expectedText(p: Iperf3Params, measurement: (name: string) => number | undefined): string {
  const parts: string[] = [];
  if (p.min) parts.push(`≥ ${bound(p.min, measurement).text}`);
  if (p.max) parts.push(`≤ ${bound(p.max, measurement).text}`);
  if (p.maxLoss !== undefined) parts.push(`loss ≤ ${p.maxLoss}%`);
  if (p.maxRetransmits !== undefined) parts.push(`retransmits ≤ ${p.maxRetransmits}`);
  if (p.maxJitterMs !== undefined) parts.push(`jitter ≤ ${formatJitter(p.maxJitterMs)}`);
  const what = `${p.protocol.toUpperCase()} ${p.from} → ${p.to}`;
  return parts.length ? `${what}: ${parts.join(', ')}` : `${what}: a throughput measurement`;
}

/** Jitter is often well under a millisecond: three significant digits. */
export function formatJitter(ms: number): string {
  return `${Number(ms.toPrecision(3))} ms`;
}

/** Judge the median of the runs. `measurement` gives earlier named results (bits/s). */
export function judgeIperf3(p: Iperf3Params, runs: readonly Iperf3Run[], measurement: (name: string) => number | undefined, command: string): Outcome {
  const expected = expectedText(p, measurement);
  const rates = runs.map((r) => r.bps);
  const med = median(rates);
  const loss = runs.every((r) => r.lostPercent !== undefined) ? median(runs.map((r) => r.lostPercent!)) : undefined;
  const retr = runs.every((r) => r.retransmits !== undefined) ? median(runs.map((r) => r.retransmits!)) : undefined;
  const jitter = p.maxJitterMs !== undefined && runs.every((r) => r.jitterMs !== undefined) ? median(runs.map((r) => r.jitterMs!)) : undefined;
  let seen = formatRate(med);
  if (runs.length > 1) seen += ` (median of ${runs.length}: ${rates.map(formatRate).join(', ')})`;
  if (loss !== undefined) seen += `, loss ${Number(loss.toFixed(3))}%`;
  if (retr !== undefined) seen += `, ${retr} retransmits`;
  if (jitter !== undefined) seen += `, jitter ${formatJitter(jitter)}`;
  else if (p.maxJitterMs !== undefined) seen += ', no jitter reported';
  const extra = { measurement: med, details: { runs, medianBps: med } };
  let ok = true;
  const notes: string[] = [];
  for (const [t, within] of [
    [p.min, (x: number, b: number) => x >= b],
    [p.max, (x: number, b: number) => x <= b],
  ] as const) {
    if (!t) continue;
    const b = bound(t, measurement);
    if (b.missing !== undefined) notes.push(`${b.missing} has no measurement to compare with (it did not run or measured nothing)`);
    if (b.bps === undefined || !within(med, b.bps)) ok = false;
  }
  if (p.maxLoss !== undefined && (loss === undefined || loss > p.maxLoss)) ok = false;
  if (p.maxRetransmits !== undefined && (retr === undefined || retr > p.maxRetransmits)) ok = false;
  if (p.maxJitterMs !== undefined && (jitter === undefined || jitter > p.maxJitterMs)) ok = false;
  if (ok) return pass(expected, seen, command, extra);
  return fail(expected, [seen, ...notes].join('; '), command, extra);
}

/** Wait until something listens on the port in the server's node (at most ~2 s). */
async function waitListening(ctx: RunContext, node: string, port: number): Promise<void> {
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline && !ctx.signal?.aborted) {
    const r = await ctx.exec(node, listeningArgv(port), { timeoutMs: 2000 });
    if (r.exitCode !== 0) return; // no ss: the client retries instead
    if (r.stdout.trim()) return;
    await sleep(50, ctx.signal);
  }
}

async function runOnce(p: Iperf3Params, ctx: RunContext, port: number): Promise<{ run?: Iperf3Run; error?: string; command: string }> {
  const server = await ctx.background(p.server, serverArgv(port));
  let command = server.command;
  let error: string | undefined;
  let run: Iperf3Run | undefined;
  try {
    await waitListening(ctx, p.server, port);
    const timeoutMs = p.durationS * 1000 + 10_000;
    for (let attempt = 0; attempt < 5; attempt++) {
      const r = await ctx.exec(p.from, clientArgv(p, port), { timeoutMs });
      command = `${server.command}\n${r.command}`;
      const bad = abnormalEnd(r, timeoutMs);
      if (bad) {
        error = bad;
        break;
      }
      const parsed = parseIperf3(r.stdout, p.protocol);
      if (parsed.ok) {
        run = parsed.run;
        error = undefined;
        break;
      }
      error = parsed.message + (r.stderr.trim() ? `; ${excerpt(r.stderr, 2)}` : '');
      if (!/connection refused/i.test(parsed.message) || ctx.signal?.aborted) break;
      await sleep(300, ctx.signal);
    }
  } finally {
    const out = await server.stop();
    if (error && out.stderr.trim()) error += `; server: ${excerpt(out.stderr, 2)}`;
  }
  return { run, error, command };
}

/** max-jitter: UDP only (TCP has no jitter in iperf3's report: an error, not a test that could never fail). */
function readMaxJitter(r: ParamReader, protocol: 'tcp' | 'udp'): number | undefined {
  const ms = r.durationMs('max-jitter', undefined);
  if (ms === undefined) return undefined;
  if (protocol !== 'udp') return r.fail('max-jitter', `iperf3.max-jitter needs protocol: udp (${r.has('protocol') ? 'this test is tcp' : 'the default is tcp'})`, 'iperf3 measures jitter on UDP only: add protocol: udp');
  if (typeof r.raw['max-jitter'] === 'number') r.warn('max-jitter', `iperf3.max-jitter: ${r.raw['max-jitter']} is read as seconds (${formatJitter(ms)})`, `write the unit: max-jitter: ${r.raw['max-jitter']}ms`);
  return ms;
}

export const iperf3: AssertionDef<Iperf3Params> = {
  type: 'iperf3',
  schema,
  exclusive: true,
  dependsOn: (p) => [p.min, p.max].flatMap((t) => (t?.kind === 'relative' ? [t.ref] : [])),
  nodes: (p, n) => [p.from, p.server, n.nodeOf(p.to)],
  describe: (p) => `iperf3 ${p.protocol} ${p.from} → ${p.to}`,
  resolve(raw, ctx) {
    const r = new ParamReader('iperf3', raw, ctx);
    const from = r.node('from');
    const to = r.target('to', from);
    if (to && to.node === undefined) r.fail('to', `iperf3.to must name a node (the iperf3 server runs there), not only an address: ${to.text}`, 'write the node, or node:interface');
    const protocol = r.oneOf('protocol', ['tcp', 'udp'] as const, 'tcp');
    const durationMs = r.durationMs('duration', 3000);
    if (durationMs < 1000) r.fail('duration', 'iperf3.duration must be at least 1s', 'iperf3 measures whole seconds; the default is 3s');
    else if (durationMs % 1000 !== 0) r.warn('duration', `iperf3 runs whole seconds: ${durationMs / 1000}s becomes ${Math.round(durationMs / 1000)}s`, 'write a whole number of seconds');
    const streams = r.integer('streams', 1, 1, 128);
    const repeat = r.integer('repeat', 1, 1, 20);
    let bitrateBps: number | undefined;
    if (r.has('bitrate')) {
      bitrateBps = parseRate(raw.bitrate);
      if (bitrateBps === undefined || bitrateBps <= 0) r.fail('bitrate', `iperf3.bitrate: ${ambiguousRate(raw.bitrate) ?? `${JSON.stringify(raw.bitrate)} is not a rate`}`, 'write e.g. 100M, 1.5 gbit or "20 Mbit/s"');
    }
    const threshold = (key: 'min' | 'max'): Threshold | undefined => {
      if (!r.has(key)) return undefined;
      const t = parseThreshold(raw[key]);
      if (!t.ok) return r.fail(key, `iperf3.${key}: ${t.message}`, 'write a rate (900 mbit, 1.5 gbit) or a multiple of a named measurement (0.7 x underlay, 70% of underlay)', 'test.threshold');
      const th = t.threshold;
      if (th.kind === 'relative') {
        if (ctx.testName !== undefined && th.ref === ctx.testName) return r.fail(key, `iperf3.${key} refers to this test itself (${th.ref})`, 'compare with another named test, e.g. min: 0.7 x underlay', 'test.threshold');
        if (!ctx.testNames.includes(th.ref)) {
          const guess = didYouMean(th.ref, ctx.testNames);
          const hint = guess ? `did you mean ${JSON.stringify(guess)}?` : ctx.testNames.length ? `named tests: ${ctx.testNames.join(', ')}` : 'give the test to compare with a name: name: underlay';
          return r.fail(key, `iperf3.${key} refers to ${JSON.stringify(th.ref)}, which is not the name of a test`, hint, 'test.threshold');
        }
      }
      return th;
    };
    const min = threshold('min');
    const max = threshold('max');
    if (min?.kind === 'rate' && max?.kind === 'rate' && min.bps > max.bps) r.fail('min', `iperf3.min (${formatRate(min.bps)}) is above iperf3.max (${formatRate(max.bps)})`, 'no throughput could pass; swap them or widen the range');
    const maxLoss = r.percent('max-loss', undefined);
    if (maxLoss !== undefined && protocol !== 'udp') r.warn('max-loss', 'max-loss applies to UDP only; TCP retransmits lost packets', 'use max-retransmits for TCP, or protocol: udp');
    const maxRetransmits = r.integer('max-retransmits', undefined, 0, Number.MAX_SAFE_INTEGER);
    if (maxRetransmits !== undefined && protocol !== 'tcp') r.warn('max-retransmits', 'max-retransmits applies to TCP only', 'use max-loss for UDP');
    const maxJitterMs = readMaxJitter(r, protocol);
    if (!from || !to || to.node === undefined) return r.result(undefined);
    return r.result<Iperf3Params>({
      from,
      to: to.text,
      server: to.node,
      address: to.address,
      family: to.family,
      protocol,
      durationS: Math.max(1, Math.round(durationMs / 1000)),
      streams,
      bitrateBps,
      repeat,
      min,
      max,
      maxLoss: protocol === 'udp' ? maxLoss : undefined,
      maxRetransmits: protocol === 'tcp' ? maxRetransmits : undefined,
      maxJitterMs,
    });
  },
  async run(p, ctx) {
    const port = portFor(ctx.test?.index);
    const runs: Iperf3Run[] = [];
    let command = '';
    for (let i = 0; i < p.repeat; i++) {
      const one = await runOnce(p, ctx, port);
      command = one.command;
      if (!one.run) {
        const which = p.repeat > 1 ? ` (run ${i + 1} of ${p.repeat})` : '';
        return fail(expectedText(p, (n) => ctx.measurement(n)), `no measurement${which}: ${one.error ?? 'unknown error'}`, command);
      }
      runs.push(one.run);
      if (ctx.signal?.aborted) break;
    }
    return judgeIperf3(p, runs, (n) => ctx.measurement(n), command);
  },
  exercise(p, ctx) {
    const port = portFor(ctx.test.index);
    // -J (JSON) is for the test's parser; without it iperf3 prints a table people read
    const client = clientArgv(p, port).filter((w) => w !== '-J');
    const server = ctx.inNode(p.server, serverArgv(port), `on ${p.server}: a one-off iperf3 server (leave it running)`);
    return {
      doThis: `Measure ${p.protocol.toUpperCase()} throughput from ${p.from} to ${targetText(p.to, p.address)} for ${p.durationS} s${p.streams > 1 ? ` with ${p.streams} streams` : ''}${p.bitrateBps ? ` at ${formatRate(p.bitrateBps)}` : ''}${p.repeat > 1 ? `, ${p.repeat} times (the test takes the median)` : ''}.`,
      commands: [{ ...server, text: `${server.text} &` }, ctx.inNode(p.from, client, `on ${p.from}: the client`)],
      expect: expectedText(p, (name) => ctx.measurement(name)),
      hint: `Read the receiver's line at the end: its Bitrate is what the test judges${p.maxJitterMs !== undefined ? ', and its Jitter' : ''}`,
    };
  },
  measurementBounds(p, measured) {
    const bound = (t: Iperf3Params['min']): number | undefined => {
      if (!t) return undefined;
      if (t.kind === 'rate') return t.bps;
      const ref = measured(t.ref);
      return ref === undefined ? undefined : t.factor * ref;
    };
    return { minBps: bound(p.min), maxBps: bound(p.max) };
  },
};
