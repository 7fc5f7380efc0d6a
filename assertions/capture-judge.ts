/**
 * What a capture expects (its params, in words) and how what tcpdump saw is judged against it.
 */
import { compileRegex } from './command.ts';
import { excerpt, execFailure, fail, pass, targetText } from './common.ts';
import { FLAG_I, parsePackets, parseTcpdumpStats, type CapturedPacket } from './capture-tcpdump.ts';
import { parsePingStats } from './ping.ts';
import type { ExecResult, Outcome } from './types.ts';

export type DuringAction =
  | { readonly kind: 'run'; readonly node: string; readonly argv: readonly string[] }
  | {
      readonly kind: 'ping';
      readonly from: string;
      /** The target as written (h2, h2:eth0, 10.0.0.2). */
      readonly to: string;
      readonly address: string;
      readonly count: number;
    };

export interface CaptureParams {
  readonly node: string;
  readonly dev: string;
  /** A pcap filter expression, passed to tcpdump as one word after `--`. */
  readonly filter: string;
  readonly during: DuringAction;
  /** Fewest packets that must count (default 1; 0 when only `max: 0` is given). */
  readonly min: number;
  readonly max?: number;
  /** Only VXLAN packets with this VNI count. */
  readonly vni?: number;
  /** A regular expression; only packets with a decoded line it matches count. */
  readonly match?: string;
  /** The whole assertion, from starting tcpdump to removing its files. */
  readonly timeoutMs: number;
}

/** At most max + 50 packets (to see that max was passed), else 500: tcpdump never runs without a bound. */
export function packetLimit(p: Pick<CaptureParams, 'min' | 'max'>): number {
  return p.max !== undefined ? p.max + 50 : Math.max(500, p.min + 50);
}

export interface CaptureRun {
  /** tcpdump's packets. */
  readonly stdout: string;
  /** tcpdump's messages ("listening on …", errors, the final counts). */
  readonly stderr: string;
  /** tcpdump's command line, as a user could type it. */
  readonly tcpdumpCommand: string;
  /** The action's result; undefined when it did not run. */
  readonly during?: ExecResult;
  /** Why the action did not run. */
  readonly notRun?: string;
}

export function quoted(s: string): string {
  return `'${s}'`;
}

function countText(min: number, max: number | undefined): string {
  if (max === undefined) return min === 0 ? 'any number of' : `≥ ${min}`;
  if (max === 0) return 'no';
  if (min === max) return `exactly ${min}`;
  if (min === 0) return `≤ ${max}`;
  return `${min}–${max}`;
}

export function describeDuring(d: DuringAction): string {
  return d.kind === 'ping' ? `ping ${d.from} → ${targetText(d.to, d.address)}, ${d.count} packet${d.count === 1 ? '' : 's'}` : `${d.node}: ${d.argv.join(' ')}`;
}

export function expectedText(p: CaptureParams): string {
  const what = [`${countText(p.min, p.max)} packet${p.max === 1 || (p.max === undefined && p.min === 1) ? '' : 's'} on ${p.node}:${p.dev} matching ${quoted(p.filter)}`];
  if (p.vni !== undefined) what.push(`with VNI ${p.vni}`);
  if (p.match !== undefined) what.push(`${p.vni !== undefined ? 'and ' : ''}a decoded line matching /${p.match}/`);
  return `${what.join(' ')}, during ${describeDuring(p.during)}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function duringSummary(p: CaptureParams, r: ExecResult): string {
  const stopped = r.timedOut ? ' (stopped: the capture’s timeout ran out)' : '';
  if (p.during.kind === 'ping') {
    const s = parsePingStats(r.stdout);
    const what = s ? `${s.received}/${s.transmitted} replies` : `no ping summary (exit code ${r.exitCode}${r.stderr.trim() ? `: ${excerpt(r.stderr, 1, 120)}` : ''})`;
    return `the ping got ${what}${stopped}`;
  }
  return `the command ended with exit code ${r.exitCode}${stopped}`;
}

/** A few packets as tcpdump printed them, one per line (long lines cut). */
export function showPackets(packets: readonly CapturedPacket[], most = 2): string {
  return packets
    .slice(0, most)
    .flatMap((pk) => pk.lines.slice(0, 4))
    .map((l) => (l.length > 200 ? `${l.slice(0, 199)}…` : l))
    .join('\n');
}

function oneLine(pk: CapturedPacket): string {
  return excerpt(pk.lines.map((l) => l.trim()).join('\n'), 4, 600);
}

/** Why tcpdump never began to capture, in words. */
function startFailure(p: CaptureParams, run: CaptureRun): string {
  const msg = excerpt(run.stderr, 3) || 'no message';
  if (/exec: tcpdump: not found|tcpdump: (?:command )?not found|exec of "tcpdump" failed/.test(run.stderr)) return `tcpdump is not installed on this machine (${msg}); apt-get install tcpdump`;
  if (/can't parse filter expression|syntax error|illegal|unknown host|not a valid/i.test(run.stderr) && !/No such device/.test(run.stderr)) {
    return `tcpdump rejected the filter ${quoted(p.filter)}: ${msg}`;
  }
  if (/No such device|doesn't exist|no suitable device/i.test(run.stderr)) return `${p.node} has no interface ${p.dev}: ${msg}`;
  return `${run.notRun ?? 'tcpdump did not begin to capture'}: ${msg}`;
}

export function judgeCapture(p: CaptureParams, run: CaptureRun): Outcome {
  const expected = expectedText(p);
  const command = [run.tcpdumpCommand, run.during?.command].filter(Boolean).join('\n');
  if (!run.during) return fail(expected, startFailure(p, run), command);
  const cannot = execFailure(run.during);
  if (cannot) return fail(expected, `the action did not run: ${cannot}`, command);

  const packets = parsePackets(run.stdout);
  const re = p.match !== undefined ? compileRegex(p.match) : undefined;
  const hasVni = (pk: CapturedPacket): boolean => pk.vxlan !== undefined && pk.vxlan.vni === p.vni && (pk.vxlan.flags & FLAG_I) !== 0;
  const matches = (pk: CapturedPacket): boolean => !re?.ok || pk.lines.some((l) => re.re.test(l));
  const counted = packets.filter((pk) => (p.vni === undefined || hasVni(pk)) && (re === undefined || matches(pk)));
  const ok = counted.length >= p.min && (p.max === undefined || counted.length <= p.max);

  // what the count is made of
  const parts: string[] = [];
  if (p.vni !== undefined) {
    const others = new Map<number, number>();
    let notVxlan = 0;
    let noI = 0;
    for (const pk of packets) {
      if (!pk.vxlan) notVxlan++;
      else if ((pk.vxlan.flags & FLAG_I) === 0) noI++;
      else if (pk.vxlan.vni !== p.vni) others.set(pk.vxlan.vni, (others.get(pk.vxlan.vni) ?? 0) + 1);
    }
    parts.push(`${packets.filter(hasVni).length} with VNI ${p.vni}`);
    for (const [vni, n] of [...others].sort((a, b) => a[0] - b[0])) parts.push(`${n} with VNI ${vni}`);
    if (noI) parts.push(`${noI} VXLAN without the I flag (no valid VNI)`);
    if (notVxlan) parts.push(`${notVxlan} not decoded as VXLAN`);
  }
  if (re !== undefined) parts.push(`${packets.filter(matches).length} matching /${p.match}/`);
  const what = p.vni !== undefined || re !== undefined ? `${plural(counted.length, 'packet')} that count` : plural(counted.length, 'packet');
  let seen = parts.length ? `${what} (tcpdump caught ${packets.length}: ${parts.join(', ')})` : what;

  const notes: string[] = [duringSummary(p, run.during)];
  const stats = parseTcpdumpStats(run.stderr);
  if (stats?.droppedByKernel) notes.push(`the kernel dropped ${plural(stats.droppedByKernel, 'packet')} before tcpdump saw them`);
  const limit = packetLimit(p);
  if (packets.length >= limit || stats?.captured === limit) notes.push(`tcpdump stopped at its limit of ${limit} packets`);
  if (!ok && p.vni !== undefined && packets.length > 0 && packets.every((pk) => !pk.vxlan)) {
    notes.push('tcpdump decodes VXLAN only on UDP port 4789 (and 8472, which it shows as OTV)');
  }
  if (!ok && packets.length === 0 && p.during.kind === 'ping') {
    const s = parsePingStats(run.during.stdout);
    if (s && s.received > 0) notes.push(`the ping was answered, so its packets did not pass ${p.node}:${p.dev} as the filter describes them`);
  }
  seen += `; ${notes.join('; ')}`;
  const details = {
    captured: packets.length,
    counted: counted.length,
    vnis: Object.fromEntries([...new Set(packets.flatMap((pk) => (pk.vxlan ? [pk.vxlan.vni] : [])))].map((v) => [v, packets.filter((pk) => pk.vxlan?.vni === v).length])),
    packets: packets.slice(0, 20).map((pk) => pk.lines.join('\n')),
    ...(stats ? { stats } : {}),
  };
  if (ok) return pass(expected, counted.length ? `${seen}; the first that counts: ${oneLine(counted[0])}` : seen, command, { details });
  const shown = showPackets(counted.length && p.max !== undefined && counted.length > p.max ? counted : packets);
  return fail(expected, shown ? `${seen}; the first lines:\n${shown}` : `${seen}; tcpdump caught nothing`, command, { details });
}
