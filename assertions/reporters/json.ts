/** A stable, machine-readable report: the same keys in the same order every time. */
import type { TestResult } from '../runner.ts';
import type { Explanation } from '../explain.ts';
import { counts, type ReportMeta } from './meta.ts';

export const JSON_FORMAT = 'nslab-test-report/1';

export function jsonReport(results: readonly TestResult[], meta: ReportMeta): string {
  const report = {
    format: JSON_FORMAT,
    lab: meta.lab,
    file: meta.file ?? null,
    started: meta.started.toISOString(),
    durationMs: Math.round(meta.durationMs),
    counts: counts(results),
    tests: results.map(jsonTest),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** One test, as the JSON reports show it. */
export function jsonTest(r: TestResult): Record<string, unknown> {
  return {
    index: r.test.index,
    name: r.test.name,
    type: r.test.type,
    ok: r.ok,
    skipped: r.skipped ?? null,
    attempts: r.attempts,
    durationMs: Math.round(r.durationMs),
    startedAt: r.startedAt.toISOString(),
    file: r.test.pos.file,
    line: r.test.pos.line,
    col: r.test.pos.col,
    expected: r.outcome.expected,
    seen: r.outcome.seen,
    command: r.outcome.command,
    measurement: r.outcome.measurement ?? null,
    convergeMs: r.outcome.convergeMs ?? null,
    note: r.outcome.note ?? null,
    details: r.outcome.details ?? null,
    explanation: r.explanation ? jsonExplanation(r.explanation) : null,
  };
}

/** A failure's explanation: the flow traced, the verdict (or why there is none), the walk, and the whole trace. */
function jsonExplanation(e: Explanation): Record<string, unknown> {
  return { flow: e.flow, verdict: e.verdict ?? null, walk: e.walk ?? null, differences: e.differences, note: e.note ?? null, trace: e.trace ?? null };
}
