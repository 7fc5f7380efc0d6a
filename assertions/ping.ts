/** ping: is a target reachable from a node, with how much loss and how long a round trip. */
import { formatMs } from '../runner/util/units.ts';
import { times } from './exercise-kit.ts';
import { countNeeded, MISS_RISK, missRisk, yardstickLoss } from './loss-sampling.ts';
import { abnormalEnd, excerpt, fail, ParamReader, pass, seconds, targetText } from './common.ts';
import type { AssertionDef, ExecResult, Outcome } from './types.ts';
import schema from './ping.schema.json' with { type: 'json' };

export interface PingParams {
  readonly from: string;
  /** The target as written (h2, h2:eth0, 10.0.0.2). */
  readonly to: string;
  readonly address: string;
  readonly family: 4 | 6;
  readonly count: number;
  readonly intervalMs: number;
  readonly size?: number;
  readonly dontFragment: boolean;
  readonly expect: 'reachable' | 'unreachable';
  /** Largest loss accepted, percent (reachable only): 0 by default, 100 when only min-loss is given. */
  readonly maxLoss: number;
  /** Smallest loss accepted, percent (reachable only): an impaired link must show it. */
  readonly minLoss?: number;
  readonly maxRttMs?: number;
}

export interface PingStats {
  readonly transmitted: number;
  readonly received: number;
  readonly errors: number;
  readonly lossPercent: number;
  readonly rtt?: { readonly min: number; readonly avg: number; readonly max: number; readonly mdev: number };
}

const WAIT_S = 1;

export function pingArgv(p: PingParams): string[] {
  const argv = ['ping', '-n', '-c', String(p.count), '-i', seconds(p.intervalMs), '-W', String(WAIT_S)];
  if (p.size !== undefined) argv.push('-s', String(p.size));
  if (p.dontFragment) argv.push('-M', 'do');
  argv.push(p.address);
  return argv;
}

export function pingTimeoutMs(p: PingParams): number {
  // generous: a loaded machine stretches the intervals, and lost ARP requests hold packets back a second
  return Math.ceil(p.count * p.intervalMs * 1.5) + WAIT_S * 1000 + 5000;
}

/** The summary iputils ping prints at the end. */
export function parsePingStats(stdout: string): PingStats | undefined {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received(.*?), ([\d.]+)% packet loss/.exec(stdout);
  if (!m) return undefined;
  const errs = /\+(\d+) errors/.exec(m[3]);
  const r = /(?:rtt|round-trip) min\/avg\/max\/(?:mdev|stddev) = ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(stdout);
  return {
    transmitted: Number(m[1]),
    received: Number(m[2]),
    errors: errs ? Number(errs[1]) : 0,
    lossPercent: Number(m[4]),
    rtt: r ? { min: Number(r[1]), avg: Number(r[2]), max: Number(r[3]), mdev: Number(r[4]) } : undefined,
  };
}

function describeStats(s: PingStats): string {
  const rtt = s.rtt ? `, average rtt ${s.rtt.avg} ms` : '';
  const errs = s.errors ? `, ${s.errors} errors` : '';
  return `${s.received}/${s.transmitted} replies (${s.lossPercent}% loss${errs})${rtt}`;
}

export function expectedText(p: PingParams): string {
  if (p.expect === 'unreachable') return `${targetText(p.to, p.address)} unreachable from ${p.from}: no replies`;
  const rtt = p.maxRttMs !== undefined ? `, average rtt ≤ ${formatMs(p.maxRttMs)}` : '';
  const loss = p.minLoss === undefined ? `loss ≤ ${p.maxLoss}%` : p.maxLoss < 100 ? `loss ${p.minLoss}–${p.maxLoss}%` : `loss ≥ ${p.minLoss}%`;
  return `${targetText(p.to, p.address)} reachable from ${p.from}: ${loss}${rtt}`;
}

const UNREACHABLE = /unreachable|no route to host|prohibited/i;

export function judgePing(p: PingParams, r: ExecResult): Outcome {
  const expected = expectedText(p);
  const stats = parsePingStats(r.stdout);
  const errText = excerpt(r.stderr, 2);
  const withErr = (s: string): string => (errText ? `${s}; ${errText}` : s);
  const details = stats ? { ...stats } : undefined;
  if (!stats) {
    const bad = abnormalEnd(r, pingTimeoutMs(p));
    if (bad) return fail(expected, bad, r.command);
    // ping gives up before sending anything: "connect: Network is unreachable" (exit 2)
    const refused = r.exitCode !== 0 && UNREACHABLE.test(r.stderr);
    const seen = refused ? `no packet sent: ${errText}` : `ping printed no summary (exit code ${r.exitCode})${errText ? `: ${errText}` : ''}`;
    return p.expect === 'unreachable' && refused ? pass(expected, seen, r.command) : fail(expected, seen, r.command);
  }
  const seen = withErr(describeStats(stats));
  if (p.expect === 'unreachable') {
    return stats.received === 0 ? pass(expected, seen, r.command, { details }) : fail(expected, seen, r.command, { details });
  }
  if (stats.received === 0 || stats.lossPercent > p.maxLoss) return fail(expected, seen, r.command, { details });
  if (p.minLoss !== undefined && stats.lossPercent < p.minLoss) return fail(expected, seen, r.command, { details });
  if (p.maxRttMs !== undefined && stats.rtt && stats.rtt.avg > p.maxRttMs) return fail(expected, seen, r.command, { details });
  return pass(expected, seen, r.command, { details });
}

/** A min-loss the count cannot judge reliably (assertions/loss-sampling.ts) is a warning at the count. */
function warnFewPings(r: ParamReader, count: number, minLoss: number): void {
  const risk = missRisk(count, minLoss);
  if (minLoss <= 0 || risk <= MISS_RISK) return;
  const need = countNeeded(minLoss);
  const yard = yardstickLoss(minLoss);
  const chance = `${Math.round(risk * 100)}%`;
  const message = `ping.count ${count} is too few for min-loss ${minLoss}%: a link that loses ${yard}% still shows less than ${minLoss}% in ${count} pings ${chance === '100%' ? 'almost always' : `${chance} of the time`}`;
  const hint = need !== undefined ? `use count: ${need} or more (with interval: 20ms it takes ${formatMs(need * 20)})` : `no count up to 1000 is enough for so small a loss; ask for a larger min-loss`;
  r.warn(r.has('count') ? 'count' : 'min-loss', message, hint);
}

export const ping: AssertionDef<PingParams> = {
  type: 'ping',
  schema,
  flows: (p) => [{ from: p.from, to: p.address, proto: 'icmp' }],
  nodes: (p, n) => [p.from, n.nodeOf(p.to), n.nodeOf(p.address)],
  describe: (p) => `ping ${p.from} → ${p.to}${p.expect === 'unreachable' ? ' (unreachable)' : ''}`,
  resolve(raw, ctx) {
    const r = new ParamReader('ping', raw, ctx);
    const from = r.node('from');
    const to = r.target('to', from);
    const count = r.integer('count', 3, 1, 1000);
    const intervalMs = r.durationMs('interval', 200);
    const size = r.integer('size', undefined, 0, 65507);
    const dontFragment = r.boolean('dont-fragment', false);
    const expect = r.oneOf('expect', ['reachable', 'unreachable'] as const, 'reachable');
    const minLoss = r.percent('min-loss', undefined);
    const maxLoss = r.percent('max-loss', minLoss === undefined ? 0 : 100) ?? 0;
    const maxRttMs = r.durationMs('max-rtt', undefined);
    if (expect === 'unreachable') {
      if (r.has('max-loss')) r.warn('max-loss', 'max-loss has no meaning with expect: unreachable', 'expect: unreachable wants every packet lost; leave max-loss out');
      if (r.has('max-rtt')) r.warn('max-rtt', 'max-rtt has no meaning with expect: unreachable', 'leave max-rtt out');
      if (r.has('min-loss')) r.warn('min-loss', 'min-loss has no meaning with expect: unreachable', 'expect: unreachable wants every packet lost; leave min-loss out');
    } else if (minLoss !== undefined) {
      if (minLoss > maxLoss) r.fail('min-loss', `ping.min-loss (${minLoss}%) is above ping.max-loss (${maxLoss}%)`, 'no run could pass; swap them or widen the range');
      else warnFewPings(r, count, minLoss);
    }
    if (intervalMs < 2) r.fail('interval', `ping.interval must be at least 2ms, not ${formatMs(intervalMs)}`, 'the default is 0.2s');
    if (!from || !to) return r.result(undefined);
    return r.result<PingParams>({ from, to: to.text, address: to.address, family: to.family, count, intervalMs, size, dontFragment, expect, maxLoss, minLoss: expect === 'reachable' ? minLoss : undefined, maxRttMs });
  },
  async run(p, ctx) {
    const r = await ctx.exec(p.from, pingArgv(p), { timeoutMs: pingTimeoutMs(p) });
    return judgePing(p, r);
  },
  exercise(p, ctx) {
    const size = p.size !== undefined ? ` of ${p.size} bytes${p.dontFragment ? ", with don't-fragment set" : ''}` : '';
    return {
      doThis: p.expect === 'unreachable' ? `From ${p.from}, try to ping ${targetText(p.to, p.address)}: it must not answer.` : `From ${p.from}, ping ${targetText(p.to, p.address)} ${times(p.count)}${size}.`,
      commands: [ctx.inNode(p.from, pingArgv(p))],
      expect: expectedText(p),
      hint: p.expect === 'unreachable' ? 'Look at the summary line: 0 received, 100% packet loss (or "Network is unreachable")' : 'Look at the summary line: packets received, % packet loss and the average rtt',
    };
  },
};
