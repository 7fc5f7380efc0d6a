/**
 * Link impairments declared on a link end: `nodes.<n>.interfaces.<if>.impair: { rate, burst, loss, delay, jitter }`.
 * An impairment applies to the packets that LEAVE that end (its egress); the other direction is impaired by
 * declaring `impair` on the other end. Parsed and checked here (pure); compiled in runner/plan/impair.ts;
 * `delay`/`jitter` need the kernel's netem: the lab layer probes it (runner/exec/probes.ts) before anything is
 * built and passes the answer in here as data.
 */
import { error, warning, type Diagnostic } from '../config/diagnostics.ts';
import type { LoadedFile, PathSeg } from '../config/load.ts';
import { ambiguousRate, parsePercent, parseRate } from '../util/units.ts';
import { untested, type FeatureProbe } from './host-features.ts';
import type { Impairment } from './impairment.ts';
import type { ResolvedLab } from './types.ts';
import { isObj, type Obj } from '../util/obj.ts';

export type { Impairment } from './impairment.ts';

/** What each key accepts, shown in every hint (and in the schema's descriptions). */
export const IMPAIR_FORMS = {
  rate: 'a number and a unit: 10 mbit, 10mbit, 1.5 gbit, 100kbit (bit, kbit, mbit, gbit, tbit; also 20 Mbit/s, or bytes written out: 5 MB/s)',
  burst: 'a size with a unit: 32kbit, 64 kbit (bits), or 4000b, 16kb, 16kib, 1mb (bytes; kb = 1000, kib = 1024)',
  loss: 'a percentage from 0 to 100: 5%, 5, 0.5%',
  delay: 'a duration with a unit: 20ms, 1s, 500us',
  jitter: 'a duration with a unit: 5ms, 500us (needs delay)',
} as const;

/** tbf needs a bucket of at least this long at the rate: smaller ones lose throughput to timer slack (measured: 1 gbit with 0.1 ms of bucket gives 0.91 gbit, with 4 ms 0.93–0.96). */
export const BURST_MS = 4;

/**
 * The default tbf bucket: 4 ms of traffic at the rate, and at least two full-size frames (so a frame always
 * fits). 100 mbit → 50000 bytes, 1 gbit → 500000 bytes, 1 mbit → 3028 bytes (MTU 1500). Measured here with
 * iperf3: 1 mbit → 0.96, 10 → 9.5, 100 → 95.6, 1000 → 928, 5000 → 4681 Mbit/s. A much larger bucket lets
 * an idle link send that much at line speed, which inflates short measurements at low rates.
 */
export function defaultBurst(rateBps: number, mtu = 1500): number {
  return Math.max(Math.ceil((rateBps * BURST_MS) / 1000 / 8), 2 * frameBytes(mtu));
}

/** The largest frame tbf sees on the interface: MTU plus the Ethernet header. */
export function frameBytes(mtu = 1500): number {
  return mtu + 14;
}

const RATE_UNIT = /^\s*\d+(?:\.\d+)?\s*[a-zA-Z]+(?:\/s)?\s*$/;

/** "10 mbit" → 10e6; a bare number (no unit) is refused: 100 could mean bits, kbit or Mbit per second. */
export function parseImpairRate(v: unknown): number | undefined {
  if (typeof v !== 'string' || !RATE_UNIT.test(v)) return undefined;
  const r = parseRate(v);
  return r !== undefined && r >= 1 ? Math.round(r) : undefined;
}

const SIZE_UNITS: Record<string, number> = {
  bit: 1 / 8,
  kbit: 1e3 / 8,
  mbit: 1e6 / 8,
  gbit: 1e9 / 8,
  b: 1,
  byte: 1,
  bytes: 1,
  kb: 1e3,
  kib: 1024,
  mb: 1e6,
  mib: 1024 * 1024,
};

/** A bucket size in bytes: "32kbit" → 4000, "16kib" → 16384. A bare number is refused (bits or bytes?). */
export function parseSize(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$/.exec(v);
  if (!m) return undefined;
  const mult = SIZE_UNITS[m[2].toLowerCase()];
  if (mult === undefined) return undefined;
  const bytes = Math.ceil(Number(m[1]) * mult);
  return bytes >= 1 ? bytes : undefined;
}

/** "20ms" → 20000 µs, "1s", "500us". A bare number is refused (seconds or milliseconds?). */
export function parseDelayUs(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s)\s*$/.exec(v);
  if (!m) return undefined;
  const mult = m[2] === 's' ? 1e6 : m[2] === 'ms' ? 1e3 : 1;
  return Math.round(Number(m[1]) * mult);
}

/** 20 (or "20%", "20") → 20; at most three decimals (0.001 %), rounded. */
export function parseLoss(v: unknown): number | undefined {
  const p = parsePercent(v);
  return p === undefined ? undefined : Math.round(p * 1000) / 1000;
}

/**
 * The impairment of one interface, as a spread for its ResolvedInterface: `{ impair }` or `{}`.
 * Every mistake becomes a diagnostic at the offending value, with the accepted forms in the hint.
 */
export function resolveImpair(node: string, ifname: string, raw: Readonly<Obj>, at: LoadedFile['at'], diags: Diagnostic[]): { impair?: Impairment } {
  const im = raw.impair;
  if (!isObj(im) || !Object.keys(im).length) return {};
  const base: PathSeg[] = ['nodes', node, 'interfaces', ifname, 'impair'];
  const pos = at(base, true);
  const where = `${node}:${ifname}`;
  if (ifname === 'lo') {
    diags.push(error('impair.loopback', `${where}: the loopback interface has no link to impair`, pos, 'put impair on an interface that a link names, e.g. eth0'));
    return {};
  }
  const before = diags.length;
  const bad = (key: keyof typeof IMPAIR_FORMS, why: string): void => {
    diags.push(error(`impair.${key}`, `${where} impair.${key}: ${why}`, at([...base, key]), `write ${IMPAIR_FORMS[key]}`));
  };
  const shown = (v: unknown): string => JSON.stringify(v);

  let rateBps: number | undefined;
  if (im.rate !== undefined) {
    rateBps = parseImpairRate(im.rate);
    if (rateBps === undefined) bad('rate', typeof im.rate === 'number' ? `${im.rate} has no unit` : (ambiguousRate(im.rate) ?? `${shown(im.rate)} is not a rate`));
  }
  const mtu = typeof raw.mtu === 'number' ? raw.mtu : undefined;
  let burstBytes: number | undefined;
  if (im.burst !== undefined) {
    burstBytes = parseSize(im.burst);
    if (burstBytes === undefined) bad('burst', typeof im.burst === 'number' ? `${im.burst} has no unit (bits or bytes?)` : `${shown(im.burst)} is not a size`);
    else if (im.rate === undefined) {
      diags.push(error('impair.burst', `${where} impair.burst: burst is the bucket of a rate limit, and there is no rate`, at([...base, 'burst']), 'add `rate:` (e.g. rate: 10 mbit), or remove burst'));
    } else if (burstBytes < frameBytes(mtu)) {
      diags.push(
        error(
          'impair.burst',
          `${where} impair.burst: ${shown(im.burst)} is ${burstBytes} bytes, smaller than one full-size frame (${frameBytes(mtu)} bytes at MTU ${mtu ?? 1500}); tbf would drop every such frame`,
          at([...base, 'burst']),
          `use at least ${frameBytes(mtu)} bytes (${Math.ceil((frameBytes(mtu) * 8) / 1000)}kbit), or omit burst for the default (4 ms of traffic at the rate)`,
        ),
      );
    }
  }
  let lossPct: number | undefined;
  if (im.loss !== undefined) {
    lossPct = parseLoss(im.loss);
    if (lossPct === undefined) bad('loss', `${shown(im.loss)} is not a percentage from 0 to 100`);
  }
  let delayUs: number | undefined;
  if (im.delay !== undefined) {
    delayUs = parseDelayUs(im.delay);
    if (delayUs === undefined) bad('delay', typeof im.delay === 'number' ? `${im.delay} has no unit` : `${shown(im.delay)} is not a duration`);
  }
  let jitterUs: number | undefined;
  if (im.jitter !== undefined) {
    jitterUs = parseDelayUs(im.jitter);
    if (jitterUs === undefined) bad('jitter', typeof im.jitter === 'number' ? `${im.jitter} has no unit` : `${shown(im.jitter)} is not a duration`);
    else if (im.delay === undefined) {
      diags.push(error('impair.jitter', `${where} impair.jitter: jitter varies a delay, and there is no delay`, at([...base, 'jitter']), `add delay (e.g. delay: 20ms, jitter: ${shown(im.jitter).replace(/"/g, '')}), or remove jitter`));
    }
  }
  if (diags.length > before) return {};
  const netemPos = im.delay !== undefined ? at([...base, 'delay'], true) : im.jitter !== undefined ? at([...base, 'jitter'], true) : undefined;
  const impair: Impairment = {
    ...(rateBps !== undefined ? { rateBps, burstBytes: burstBytes ?? defaultBurst(rateBps, mtu) } : {}),
    ...(lossPct !== undefined ? { lossPct } : {}),
    ...(delayUs !== undefined ? { delayUs } : {}),
    ...(jitterUs !== undefined ? { jitterUs } : {}),
    pos,
    ...(netemPos ? { netemPos } : {}),
  };
  return { impair };
}

/** Whether an impairment needs netem whatever the machine (delay and jitter exist nowhere else). */
export function needsNetem(i: Impairment): boolean {
  return i.delayUs !== undefined || i.jitterUs !== undefined;
}

// ───────────────────────── what this machine can do (run before anything is built) ─────────────────────────

/** What the host's `netem` probe says (runner/exec/probes.ts). */
export type NetemProbe = FeatureProbe;

/** Whether the compiled plan depends on netem being there: loss without delay (with delay, netem is used anyway). */
export function planDependsOnNetem(lab: ResolvedLab): boolean {
  return lab.nodes.some((n) => n.interfaces.some((i) => i.impair?.lossPct && !needsNetem(i.impair)));
}

/**
 * The kernel facts the compiled impairments depend on, for CompileContext.features: only for labs whose plan
 * depends on them (loss without delay), and only when the probe could tell.
 */
export function impairFeatures(lab: ResolvedLab, netem: NetemProbe | undefined): { features?: { netem: boolean } } {
  if (!planDependsOnNetem(lab) || !netem || untested(netem)) return {};
  return { features: { netem: netem.ok } };
}

/**
 * delay and jitter exist only as netem: on a kernel without it, one error per interface that asks for them, at
 * the YAML line, naming the kernel option and what still works. Not root (untested): a warning.
 */
export function netemDiagnostics(lab: ResolvedLab, p: NetemProbe): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (p.ok) return out;
  for (const n of lab.nodes) {
    for (const i of n.interfaces) {
      if (!i.impair || !needsNetem(i.impair)) continue;
      const what = i.impair.delayUs !== undefined ? (i.impair.jitterUs !== undefined ? 'delay and jitter' : 'delay') : 'jitter';
      const pos = i.impair.netemPos ?? i.impair.pos;
      if (untested(p)) {
        out.push(warning('impair.netem-unchecked', `${n.name}:${i.name} impair: ${what} ${what === 'jitter' || what === 'delay' ? 'needs' : 'need'} the kernel's netem qdisc (CONFIG_NET_SCH_NETEM), which could not be checked: ${p.detail}`, pos, 'run as root (`sudo lab validate`) to check; `lab up` refuses the lab if netem is missing'));
        continue;
      }
      out.push(
        error(
          'impair.netem-missing',
          `${n.name}:${i.name} impair: ${what} ${what === 'jitter' || what === 'delay' ? 'needs' : 'need'} the kernel's netem qdisc (CONFIG_NET_SCH_NETEM, module sch_netem), and this kernel has none (doctor's probe: ${p.detail})`,
          pos,
          'rate (tc tbf) and loss (an nftables drop) still work on this kernel: remove delay and jitter to keep them, or run the lab on a kernel built with CONFIG_NET_SCH_NETEM; nothing was built',
        ),
      );
    }
  }
  return out;
}

/** verifyLab's check of the impairments, from the netem probe's answer (none given: not tested). */
export function checkImpairments(lab: ResolvedLab, netem: NetemProbe | undefined): Diagnostic[] {
  if (!lab.nodes.some((n) => n.interfaces.some((i) => i.impair && needsNetem(i.impair)))) return [];
  return netemDiagnostics(lab, netem ?? { ok: false, detail: 'not tested: no netem probe' });
}
