/**
 * The http assertion's many requests (issue 13.3): `requests: N` sends N requests with one curl (URL globbing,
 * a new connection each, as the test server closes every one), and `split: { v1: 90%, v2: 10% }` judges the share
 * of the answers each version gave (the `version` label nslab's test server reports), within a tolerance.
 *
 * The tolerance is binomial-sound, as assertions/loss-sampling.ts reasons about ping's loss: a version that really
 * gets p of the requests answers binomial(N, p) of N. The default tolerance is the smallest band around N·p that a
 * true split leaves, for all versions together, at most once in a thousand runs (SPLIT_RISK); a tolerance written
 * in the lab that a true split would leave more often than once in a hundred (SPLIT_WARN) is a warning, with the
 * request count that would do.
 */
import { binomialBelow } from './loss-sampling.ts';

/** The fields of curl's `%{json}` judged here (a part of http.ts's CurlSummary). */
export interface CurlSummary {
  readonly exitcode: number;
  readonly errormsg: string | null;
  readonly response_code: number;
}

/** The chance that a true split fails the default tolerance (all versions together). */
export const SPLIT_RISK = 0.001;
/** Above this chance of failing a true split, a written tolerance is warned about. */
export const SPLIT_WARN = 0.01;
/** The default request count when a split is judged. */
export const SPLIT_REQUESTS = 400;
export const MAX_REQUESTS = 2000;

export interface SplitShare {
  /** The value of the version label. */
  readonly version: string;
  /** Its expected share, 0–1. */
  readonly share: number;
}

/** P(|binomial(n, p) − n·p| > d): the chance that a true share lands outside ±d requests. */
export function outsideBand(n: number, p: number, d: number): number {
  const mean = n * p;
  const lo = Math.ceil(mean - d - 1e-9); // X < lo is outside
  const hi = Math.floor(mean + d + 1e-9); // X > hi is outside
  const below = lo > 0 ? binomialBelow(n, p, lo) : 0;
  // P(X > hi) = P(n − X < n − hi) for n − X ~ binomial(n, 1 − p)
  const above = hi < n ? binomialBelow(n, 1 - p, n - hi) : 0;
  return below + above;
}

/** The chance that a true split of n requests leaves ±tolerance (a fraction) for some version (union bound over the versions). */
export function splitRisk(n: number, shares: readonly SplitShare[], tolerance: number): number {
  // two versions: one's count is n minus the other's, so both miss together — count it once
  const judged = shares.length === 2 ? shares.slice(0, 1) : shares;
  return Math.min(1, judged.reduce((a, s) => a + outsideBand(n, s.share, tolerance * n), 0));
}

/** The smallest tolerance (a fraction, in steps of 0.1 point) a true split of n requests leaves at most `risk` of the time. */
export function defaultTolerance(n: number, shares: readonly SplitShare[], risk = SPLIT_RISK): number {
  for (let t = 1; t <= 1000; t++) if (splitRisk(n, shares, t / 1000) <= risk) return t / 1000;
  return 1;
}

/** The smallest request count (in steps of 50, up to MAX_REQUESTS) at which `tolerance` is sound, or undefined. */
export function requestsForTolerance(shares: readonly SplitShare[], tolerance: number, risk = SPLIT_WARN): number | undefined {
  for (let n = 50; n <= MAX_REQUESTS; n += 50) if (splitRisk(n, shares, tolerance) <= risk) return n;
  return undefined;
}

/** The URL curl fetches N times: a glob range in the query (`?n=[1-N]`), which the server ignores. */
export function globbedUrl(url: string, requests: number): string {
  if (requests <= 1) return url;
  const u = new URL(url);
  return `${u.origin}${u.pathname}${u.search ? `${u.search}&` : '?'}n=[1-${requests}]${u.hash}`;
}

export interface SplitAnswer {
  readonly summary: CurlSummary;
  /** The version label the answer carried, if any. */
  readonly version?: string;
  /** The pod that answered (the test server's `node`). */
  readonly pod?: string;
  readonly body: string;
}

/** curl's output for many transfers, each `BODY\n{json summary}\n`: one answer per summary line. */
export function parseManyCurl(stdout: string): SplitAnswer[] {
  const out: SplitAnswer[] = [];
  let body: string[] = [];
  for (const line of stdout.split('\n')) {
    let summary: CurlSummary | undefined;
    if (line.startsWith('{') && line.includes('"exitcode"')) {
      try {
        summary = JSON.parse(line) as CurlSummary;
      } catch {
        summary = undefined;
      }
    }
    if (!summary) {
      body.push(line);
      continue;
    }
    const text = body.join('\n').trim();
    let version: string | undefined;
    let pod: string | undefined;
    try {
      const j = JSON.parse(text) as { version?: unknown; node?: unknown };
      version = typeof j.version === 'string' ? j.version : undefined;
      pod = typeof j.node === 'string' ? j.node : undefined;
    } catch {
      /* not the test server's answer */
    }
    out.push({ summary, body: text, ...(version !== undefined ? { version } : {}), ...(pod !== undefined ? { pod } : {}) });
    body = [];
  }
  return out;
}

const pct = (x: number): string => `${(Math.round(x * 1000) / 10).toString()}%`;

/** `v1 90% (180), v2 10% (20)` — the measured split, in the order of the expected one, then the rest. */
export function splitText(counts: ReadonlyMap<string, number>, n: number, order: readonly string[]): string {
  const keys = [...order.filter((k) => counts.has(k)), ...[...counts.keys()].filter((k) => !order.includes(k)).sort()];
  return keys.map((k) => `${k} ${pct((counts.get(k) ?? 0) / Math.max(1, n))} (${counts.get(k)})`).join(', ') || 'no answers';
}

export interface SplitVerdict {
  readonly ok: boolean;
  /** The measured split, with the answers that carried no version counted as `(no version)`. */
  readonly measured: string;
  readonly problems: readonly string[];
  readonly counts: Readonly<Record<string, number>>;
}

/** Judge the answers (all 2xx/expected status already checked by the caller) against the expected split. */
export function judgeSplit(answers: readonly SplitAnswer[], shares: readonly SplitShare[], tolerance: number): SplitVerdict {
  const counts = new Map<string, number>();
  for (const a of answers) {
    const k = a.version ?? '(no version)';
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const n = answers.length;
  const problems: string[] = [];
  for (const s of shares) {
    const got = (counts.get(s.version) ?? 0) / Math.max(1, n);
    if (Math.abs(got - s.share) > tolerance + 1e-9) problems.push(`${s.version} got ${pct(got)}, not ${pct(s.share)} ± ${pct(tolerance)}`);
  }
  for (const [k, c] of counts) if (!shares.some((s) => s.version === k)) problems.push(`${c} answer${c === 1 ? '' : 's'} from ${k === '(no version)' ? 'a server with no version label' : `version ${k}`}, which the split does not name`);
  return { ok: problems.length === 0, measured: splitText(counts, n, shares.map((s) => s.version)), problems, counts: Object.fromEntries(counts) };
}
