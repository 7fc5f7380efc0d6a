/** Helpers shared by the assertion definitions: reading parameters into diagnostics, and shaping outcomes. */
import { error, warning, type Diagnostic } from '../runner/config/diagnostics.ts';
import { durationTooLong, formatMs, parseDurationMs, parsePercent } from '../runner/util/units.ts';
import type { ExecResult, Outcome, ResolveContext } from './types.ts';

export type Raw = Record<string, unknown>;

/** The code of a shape mistake an assertion found (kept only where the schema check did not report the same test). */
export const SHAPE_CODE = 'test.shape';

/**
 * Reads the keys of one assertion mapping, collecting diagnostics.
 *
 * The schema check (runner/config/schema-check.ts) already reports every shape mistake (a missing key, a wrong
 * type, a number out of range, a word not in an enum), so those are only noted here (`shape`) and make the test
 * unusable, without a second diagnostic for the same mistake. The checks of shape here must never be stricter than
 * the schema's; everything the schema cannot see (unknown nodes, bad prefixes, regexes, rates) is a diagnostic.
 */
export class ParamReader {
  readonly diagnostics: Diagnostic[] = [];
  /** Shape mistakes the schema reports. */
  readonly shapeProblems: string[] = [];
  readonly raw: Raw;
  readonly ctx: ResolveContext;
  readonly type: string;

  constructor(type: string, raw: Raw, ctx: ResolveContext) {
    this.type = type;
    this.raw = raw;
    this.ctx = ctx;
  }

  fail(key: string, message: string, hint: string, code = `test.${this.type}`): undefined {
    this.diagnostics.push(error(code, message, this.ctx.at([key]), hint));
    return undefined;
  }

  warn(key: string, message: string, hint: string): void {
    this.diagnostics.push(warning(`test.${this.type}`, message, this.ctx.at([key], true), hint));
  }

  shape(key: string, problem: string): undefined {
    this.shapeProblems.push(`${this.type}.${key}: ${problem}`);
    // an error of its own, which the tests pass drops where the schema check already reported one in this test
    // (issue 17: a shape the schema let through must never make the test silently disappear)
    this.diagnostics.push(error(SHAPE_CODE, `${this.type}.${key}: ${problem}`, this.ctx.at([key]), `see the ${this.type} assertion in the README`));
    return undefined;
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  /** A required node name that must exist in the lab. */
  node(key: string): string | undefined {
    const v = this.raw[key];
    if (typeof v !== 'string' || v === '') return this.shape(key, 'a node name is required');
    if (!this.ctx.hasNode(v)) {
      this.diagnostics.push(this.ctx.unknownNode(v, [key]));
      return undefined;
    }
    return v;
  }

  /** A required target (node, node:interface, address), resolved as seen from `from`. */
  target(key: string, from: string | undefined): { text: string; address: string; family: 4 | 6; node?: string } | undefined {
    const v = this.raw[key];
    if (typeof v !== 'string' || v === '') return this.shape(key, 'a target is required');
    // `family: 6` (issue 14.1): the target's IPv6 address (a dual-stack pod's or node's second one)
    const fam = this.raw.family === 4 || this.raw.family === 6 ? this.raw.family : undefined;
    const t = this.ctx.target(v, from, fam);
    if (!t.ok) return this.fail(key, `${this.type}.${key}: ${t.message}`, t.hint ?? 'write a node, node:interface or an address', 'test.target');
    return { text: v, address: t.address, family: t.family, node: t.node };
  }

  string(key: string): string | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') return this.shape(key, 'must be a string');
    return v;
  }

  integer(key: string, dflt: number, min: number, max: number): number;
  integer(key: string, dflt: undefined, min: number, max: number): number | undefined;
  integer(key: string, dflt: number | undefined, min: number, max: number): number | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.shape(key, `must be a whole number from ${min} to ${max}`);
      return dflt;
    }
    return v;
  }

  boolean(key: string, dflt: boolean): boolean {
    const v = this.raw[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') {
      this.shape(key, 'must be true or false');
      return dflt;
    }
    return v;
  }

  oneOf<T extends string>(key: string, choices: readonly T[], dflt: T): T {
    const v = this.raw[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
      this.shape(key, `must be one of ${choices.join(', ')}`);
      return dflt;
    }
    return v as T;
  }

  durationMs(key: string, dflt: number): number;
  durationMs(key: string, dflt: undefined): number | undefined;
  durationMs(key: string, dflt: number | undefined): number | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return dflt;
    const ms = parseDurationMs(v);
    if (ms === undefined) {
      this.shape(key, 'must be a duration');
      return dflt;
    }
    const long = typeof v === 'string' ? durationTooLong(ms) : undefined; // a number beyond it: the schema's maximum says so
    if (long) {
      this.fail(key, `${this.type}.${key}: ${JSON.stringify(v)}: ${long}`, 'write a shorter duration, e.g. 30s or 5m');
      return dflt;
    }
    return ms;
  }

  /** Percentages are not checked by the schema (any number or string): a diagnostic. */
  percent(key: string, dflt: number | undefined): number | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return dflt;
    const p = parsePercent(v);
    if (p === undefined) {
      this.fail(key, `${this.type}.${key}: ${JSON.stringify(v)} is not a percentage from 0 to 100`, 'write e.g. 5 or "5%"');
      return dflt;
    }
    return p;
  }

  result<P>(params: P | undefined): { params?: P; diagnostics: Diagnostic[] } {
    const failed = this.shapeProblems.length > 0 || this.diagnostics.some((d) => d.severity === 'error');
    return failed || params === undefined ? { diagnostics: this.diagnostics } : { params, diagnostics: this.diagnostics };
  }
}

export function pass(expected: string, seen: string, command: string, extra: Partial<Outcome> = {}): Outcome {
  return { ok: true, expected, seen, command, ...extra };
}

export function fail(expected: string, seen: string, command: string, extra: Partial<Outcome> = {}): Outcome {
  return { ok: false, expected, seen, command, ...extra };
}

/** The first few non-empty lines of some output, for a `seen:` line. */
export function excerpt(text: string, maxLines = 3, maxChars = 300): string {
  const lines = text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
  let out = lines.slice(0, maxLines).join(' / ');
  if (lines.length > maxLines) out += ` / … (${lines.length - maxLines} more lines)`;
  return out.length > maxChars ? `${out.slice(0, maxChars - 1)}…` : out;
}

/** `ip netns exec` reports a missing program with exit code 1 and this message. */
export function execFailure(r: ExecResult): string | undefined {
  const m = /^exec of "([^"]*)" failed: (.*)$/m.exec(r.stderr);
  if (m) return `could not run ${m[1]}: ${m[2]}`;
  if (r.exitCode === 127 || r.exitCode === -1) return `could not run the command: ${excerpt(r.stderr) || `exit code ${r.exitCode}`}`;
  return undefined;
}

/** Why a run ended badly, in words, when it did not end by itself. */
export function abnormalEnd(r: ExecResult, timeoutMs: number | undefined): string | undefined {
  if (r.timedOut) return `no answer: the command was stopped after ${timeoutMs === undefined ? 'its timeout' : formatMs(timeoutMs)}`;
  return execFailure(r);
}

/** `h2 (10.0.0.2)`, or just the address when that is what was written. */
export function targetText(to: string, address: string): string {
  return to === address ? to : `${to} (${address})`;
}

export function seconds(ms: number): string {
  return String(Number((ms / 1000).toFixed(3)));
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
