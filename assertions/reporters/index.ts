/** Every report format, by the name `--reporter` takes. */
import type { TestResult } from '../runner.ts';
import { humanReport } from './human.ts';
import { jsonReport } from './json.ts';
import { junitReport } from './junit.ts';
import type { ReportMeta } from './meta.ts';
import { tapReport } from './tap.ts';

export type { ReportMeta } from './meta.ts';

export type ReportKind = 'human' | 'junit' | 'tap' | 'json';

export const REPORTERS: Readonly<Record<ReportKind, (results: readonly TestResult[], meta: ReportMeta) => string>> = {
  human: humanReport,
  junit: junitReport,
  tap: tapReport,
  json: jsonReport,
};

export function writeReport(kind: ReportKind, results: readonly TestResult[], meta: ReportMeta): string {
  return REPORTERS[kind](results, meta);
}

export { COMBINED, JSON_MULTI_FORMAT, runCounts, summaryTable, writeCombinedReport } from './combined.ts';
export type { CombinedKind, DownOutcome, LabRun, RunCounts, RunsMeta, UpOutcome } from './combined.ts';
