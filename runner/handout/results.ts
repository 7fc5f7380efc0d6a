/**
 * The latest test results of each lab: `lab test` saves its JSON report (assertions/reporters/json.ts) as
 * /var/lib/nslab/results/<lab>.json, and `lab handout` shows it. Kept under /var/lib (not /run, where the lab's
 * state lives): results outlive the lab and a reboot. NSLAB_RESULTS_DIR moves the directory (tests use it).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isLabName } from '../config/lab-name.ts';
import { JSON_FORMAT } from '../../assertions/reporters/json.ts';

export const DEFAULT_RESULTS_DIR = '/var/lib/nslab/results';

export function resultsDir(): string {
  return process.env.NSLAB_RESULTS_DIR || DEFAULT_RESULTS_DIR;
}

export function resultsPath(lab: string): string {
  if (!isLabName(lab)) throw new Error(`not a lab name: ${JSON.stringify(lab)}`);
  return join(resultsDir(), `${lab}.json`);
}

/** How a saved test's result reads in the handout: passed, failed, or skipped (part of a lab, issue 15.4). */
export function resultWord(t: { readonly ok: boolean; readonly skipped?: string | null }): { readonly word: string; readonly cls: 'ok' | 'fail' | 'skip' } {
  if (typeof t.skipped === 'string') return { word: '– skipped', cls: 'skip' };
  return t.ok ? { word: '✔ passed', cls: 'ok' } : { word: '✘ failed', cls: 'fail' };
}

/** One test of the report, as `jsonReport` writes it (the keys the handout reads). */
export interface SavedTest {
  readonly index: number;
  readonly name: string;
  readonly type: string;
  readonly ok: boolean;
  /** Not run, and why: it needs nodes that are not up (part of a lab, issue 15.4); neither passed nor failed. */
  readonly skipped?: string | null;
  readonly attempts: number;
  readonly durationMs: number;
  readonly expected: string;
  readonly seen: string;
  readonly command: string;
  /** bits/s, for throughput tests. */
  readonly measurement: number | null;
  /** A converge test's measured time (ms; issue 15.3). */
  readonly convergeMs?: number | null;
  readonly line?: number;
}

export interface SavedResults {
  readonly format: string;
  readonly lab: string;
  readonly file: string | null;
  readonly started: string;
  readonly durationMs: number;
  readonly counts: { readonly total: number; readonly passed: number; readonly failed: number };
  readonly tests: readonly SavedTest[];
}

/**
 * Save the JSON report of a `lab test` run as the lab's latest results. Written to a temporary file and renamed,
 * so a reader never sees half a report. Throws when the text is not a JSON report of this lab.
 */
export function saveResults(lab: string, jsonReportText: string): string {
  const parsed = parseResults(jsonReportText);
  if (!parsed.ok) throw new Error(`not saving the results of ${lab}: ${parsed.message}`);
  if (parsed.results.lab !== lab) throw new Error(`not saving the results of ${lab}: the report is of lab ${parsed.results.lab}`);
  const path = resultsPath(lab);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, jsonReportText.endsWith('\n') ? jsonReportText : `${jsonReportText}\n`);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return path;
}

export type ReadResults = { readonly state: 'none' } | { readonly state: 'ok'; readonly path: string; readonly results: SavedResults } | { readonly state: 'unreadable'; readonly path: string; readonly message: string };

/** The lab's latest results, if `lab test` has saved any. */
export function readResults(lab: string): ReadResults {
  const path = resultsPath(lab);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'none' };
    return { state: 'unreadable', path, message: (e as Error).message };
  }
  const r = parseResults(text);
  if (!r.ok) return { state: 'unreadable', path, message: r.message };
  return { state: 'ok', path, results: r.results };
}

export function parseResults(text: string): { ok: true; results: SavedResults } | { ok: false; message: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `not JSON (${(e as Error).message})` };
  }
  const o = v as Partial<SavedResults> | null;
  if (!o || typeof o !== 'object') return { ok: false, message: 'not a JSON object' };
  if (o.format !== JSON_FORMAT) return { ok: false, message: `format is ${JSON.stringify(o.format)}, not ${JSON_FORMAT}` };
  if (typeof o.lab !== 'string' || !Array.isArray(o.tests) || typeof o.started !== 'string') return { ok: false, message: 'lab, started or tests is missing' };
  const tests = o.tests.filter((t): t is SavedTest => !!t && typeof t === 'object' && typeof (t as SavedTest).name === 'string' && typeof (t as SavedTest).ok === 'boolean');
  const passed = tests.filter((t) => t.ok).length;
  return {
    ok: true,
    results: {
      format: o.format,
      lab: o.lab,
      file: typeof o.file === 'string' ? o.file : null,
      started: o.started,
      durationMs: typeof o.durationMs === 'number' ? o.durationMs : 0,
      counts: o.counts && typeof o.counts.total === 'number' ? o.counts : { total: tests.length, passed, failed: tests.length - passed },
      tests,
    },
  };
}
