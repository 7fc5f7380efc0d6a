/**
 * Reports over many labs (`lab test labs/`): one document for the whole run. JUnit has one <testsuite> per lab,
 * JSON one entry per lab in `labs`, TAP one numbered line per test (and per lab that did not come up). The
 * summary table is what a person reads at the end.
 */
import type { TestResult } from '../runner.ts';
import { jsonTest } from './json.ts';
import { junitDocument, junitSuite, type ExtraCase } from './junit.ts';
import { counts, type Counts } from './meta.ts';
import { explanationYaml } from './tap.ts';

export const JSON_MULTI_FORMAT = 'nslab-test-reports/1';

/** What became of bringing a lab up: brought up by this run, found up already, or failed (also: not tried). */
export type UpOutcome = 'up' | 'already-up' | 'failed';
/** What became of it afterwards: taken down, failed to go down, kept up (--keep), left up (it was up before), or nothing to do. */
export type DownOutcome = 'down' | 'failed' | 'kept' | 'left-up' | 'none';

/** One lab of a run over many. */
export interface LabRun {
  readonly lab: string;
  readonly file?: string;
  readonly up: UpOutcome;
  /** Why it could not be brought up: the diagnostics or the failed step, as `lab up` prints them. */
  readonly upError?: string;
  readonly upMs: number;
  readonly down: DownOutcome;
  readonly downError?: string;
  readonly downMs: number;
  readonly results: readonly TestResult[];
  readonly started: Date;
  /** Tests alone. */
  readonly testMs: number;
  /** Up, tests and down. */
  readonly durationMs: number;
}

export interface RunsMeta {
  /** The JUnit <testsuites> name. */
  readonly name?: string;
  readonly started: Date;
  readonly durationMs: number;
  /** Summary only: ANSI colours. */
  readonly color?: boolean;
}

export type CombinedKind = 'junit' | 'json' | 'tap';

export interface RunCounts extends Counts {
  readonly labs: number;
  /** Labs that came up (or were up) and whose tests all passed, and that went down where they had to. */
  readonly labsPassed: number;
  readonly labsFailedTests: number;
  readonly labsFailedUp: number;
  readonly labsFailedDown: number;
}

export function runCounts(runs: readonly LabRun[]): RunCounts {
  const c = counts(runs.flatMap((r) => r.results));
  const failedTests = (r: LabRun): boolean => r.results.some((t) => !t.ok && t.skipped === undefined);
  return {
    ...c,
    labs: runs.length,
    labsPassed: runs.filter((r) => r.up !== 'failed' && r.down !== 'failed' && !failedTests(r)).length,
    labsFailedTests: runs.filter(failedTests).length,
    labsFailedUp: runs.filter((r) => r.up === 'failed').length,
    labsFailedDown: runs.filter((r) => r.down === 'failed').length,
  };
}

function firstLine(s: string | undefined): string | undefined {
  return s?.split('\n').find((l) => l.trim())?.trim();
}

/** The `lab up` / `lab down` testcases of a lab's suite: there only when they failed. */
function extras(r: LabRun): { before: ExtraCase[]; after: ExtraCase[] } {
  const before: ExtraCase[] = r.up === 'failed' ? [{ name: 'lab up', ok: false, type: 'lab.up', message: firstLine(r.upError) ?? 'lab up failed', body: r.upError, durationMs: r.upMs }] : [];
  const after: ExtraCase[] = r.down === 'failed' ? [{ name: 'lab down', ok: false, type: 'lab.down', message: firstLine(r.downError) ?? 'lab down failed', body: r.downError, durationMs: r.downMs }] : [];
  return { before, after };
}

export function junitCombined(runs: readonly LabRun[], meta: RunsMeta): string {
  const suites = runs.map((r) =>
    junitSuite(r.results, { lab: r.lab, file: r.file, started: r.started, durationMs: r.durationMs }, { properties: [['lab.up', r.up], ['lab.down', r.down]], ...extras(r) }),
  );
  return junitDocument(meta.name ?? 'nslab', suites, meta.started, meta.durationMs);
}

export function jsonCombined(runs: readonly LabRun[], meta: RunsMeta): string {
  const report = {
    format: JSON_MULTI_FORMAT,
    started: meta.started.toISOString(),
    durationMs: Math.round(meta.durationMs),
    counts: runCounts(runs),
    labs: runs.map((r) => ({
      lab: r.lab,
      file: r.file ?? null,
      started: r.started.toISOString(),
      durationMs: Math.round(r.durationMs),
      up: r.up,
      upMs: Math.round(r.upMs),
      upError: r.upError ?? null,
      testMs: Math.round(r.testMs),
      down: r.down,
      downMs: Math.round(r.downMs),
      downError: r.downError ?? null,
      counts: counts(r.results),
      tests: r.results.map(jsonTest),
    })),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** A TAP description may not hold `#` (it starts a directive) nor a line break. */
function description(name: string): string {
  return name.replace(/\\/g, '\\\\').replace(/#/g, '\\#').replace(/[\r\n]+/g, ' ');
}

export function tapCombined(runs: readonly LabRun[], _meta: RunsMeta): string {
  const points: string[][] = [];
  const block = (fields: Record<string, string | number | undefined>): string[] => {
    const lines = ['  ---'];
    for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== '') lines.push(`  ${k}: ${JSON.stringify(v)}`);
    return [...lines, '  ...'];
  };
  for (const r of runs) {
    for (const c of [...extras(r).before]) points.push([`not ok N - ${description(`${r.lab}: ${c.name}`)}`, ...block({ type: c.type, error: c.body })]);
    for (const t of r.results) {
      const name = description(`${r.lab}: ${t.test.name}`);
      if (t.skipped !== undefined) points.push([`ok N - ${name} # SKIP ${description(t.skipped)}`]);
      else if (t.ok) points.push([`ok N - ${name} # time=${Math.round(t.durationMs)}ms`]);
      else points.push([`not ok N - ${name}`, ...block({ type: t.test.type, expected: t.outcome.expected, seen: t.outcome.seen, command: t.outcome.command, at: `${t.test.pos.file}:${t.test.pos.line}`, attempts: t.attempts, ...explanationYaml(t) })]);
    }
    for (const c of extras(r).after) points.push([`not ok N - ${description(`${r.lab}: ${c.name}`)}`, ...block({ type: c.type, error: c.body })]);
  }
  const out = ['TAP version 13', points.length ? `1..${points.length}` : '1..0 # SKIP no tests'];
  points.forEach((p, i) => out.push(p[0].replace(/^(not ok|ok) N /, `$1 ${i + 1} `), ...p.slice(1)));
  const c = runCounts(runs);
  out.push(`# ${c.labs} lab(s): ${c.passed} of ${c.total} tests passed; ${c.labsFailedUp} could not be brought up`);
  return `${out.join('\n')}\n`;
}

export const COMBINED: Readonly<Record<CombinedKind, (runs: readonly LabRun[], meta: RunsMeta) => string>> = {
  junit: junitCombined,
  json: jsonCombined,
  tap: tapCombined,
};

export function writeCombinedReport(kind: CombinedKind, runs: readonly LabRun[], meta: RunsMeta): string {
  return COMBINED[kind](runs, meta);
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

const UP_WORD: Record<UpOutcome, string> = { up: 'ok', 'already-up': 'already up', failed: 'FAILED' };
const DOWN_WORD: Record<DownOutcome, string> = { down: 'ok', failed: 'FAILED', kept: 'kept up', 'left-up': 'left up', none: '–' };

/** The table at the end of a run: one row per lab, then one line for the whole run. */
export function summaryTable(runs: readonly LabRun[], meta: RunsMeta): string {
  const paint = (code: string, s: string): string => (meta.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const head = ['lab', 'up', 'passed', 'failed', 'time', 'down'];
  const rows = runs.map((r) => {
    const ran = r.up !== 'failed';
    const c = counts(r.results);
    return [r.lab, UP_WORD[r.up], ran ? `${c.passed}${c.skipped ? ` (+${c.skipped} skipped)` : ''}` : '–', ran ? String(c.failed) : '–', duration(r.durationMs), DOWN_WORD[r.down]];
  });
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((row) => [...row[i]].length)));
  const right = new Set([2, 3, 4]);
  const cell = (s: string, i: number): string => (right.has(i) ? s.padStart(width[i]) : s.padEnd(width[i]));
  const lines = [paint('1', head.map(cell).join('  ').trimEnd())];
  rows.forEach((row, k) => {
    const r = runs[k];
    const cells = row.map(cell);
    if (r.up === 'failed') cells[1] = paint('31;1', cells[1]);
    if (Number(row[3]) > 0) cells[3] = paint('31;1', cells[3]);
    if (r.down === 'failed') cells[5] = paint('31;1', cells[5]);
    lines.push(cells.join('  ').trimEnd());
  });
  const c = runCounts(runs);
  const parts = [`${c.labs} lab${c.labs === 1 ? '' : 's'}: ${c.labsPassed} passed`];
  if (c.labsFailedTests) parts.push(`${c.labsFailedTests} with failed tests`);
  if (c.labsFailedUp) parts.push(`${c.labsFailedUp} could not be brought up`);
  if (c.labsFailedDown) parts.push(`${c.labsFailedDown} could not be taken down`);
  const bad = c.labsPassed < c.labs;
  const total = `${parts.join(', ')} · ${c.passed} test${c.passed === 1 ? '' : 's'} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped (nodes not up)` : ''}`;
  lines.push('', `${bad ? paint('31;1', total) : paint('32', total)} ${paint('2', `(${duration(meta.durationMs)})`)}`);
  return `${lines.join('\n')}\n`;
}
