/** What every report says about the run as a whole. */
import type { TestResult } from '../runner.ts';

export interface ReportMeta {
  /** The lab's name: the JUnit suite, the JSON `lab`. */
  readonly lab: string;
  /** The lab file, for file:line of each test. */
  readonly file?: string;
  readonly started: Date;
  readonly durationMs: number;
  /** Human report only: ANSI colours. */
  readonly color?: boolean;
}

export interface Counts {
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  /** Not run: they need nodes that are not up (part of a lab, issue 15.4); neither passed nor failed. */
  readonly skipped: number;
}

export function counts(results: readonly TestResult[]): Counts {
  const skipped = results.filter((r) => r.skipped !== undefined).length;
  const passed = results.filter((r) => r.ok && r.skipped === undefined).length;
  return { total: results.length, passed, failed: results.length - passed - skipped, skipped };
}

export function secs(ms: number, digits = 3): string {
  return (ms / 1000).toFixed(digits);
}

export function where(r: TestResult): string {
  const p = r.test.pos;
  return `${p.file}:${p.line}`;
}
