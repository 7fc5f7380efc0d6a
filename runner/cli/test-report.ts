/** What `lab test` and `lab up --test` print: the people-readable report, and the one asked for by --reporter. */
import { writeReport, type ReportKind } from '../../assertions/reporters/index.ts';
import type { TestReport } from '../lab/test.ts';
import { UsageError, type Args } from './args.ts';
import { EXIT } from './exit-codes.ts';
import { color } from './output.ts';
import { checkWritable, writeReportFile } from './report-file.ts';

export const KINDS: readonly ReportKind[] = ['junit', 'tap', 'json'];

/** --reporter (or -r), checked: undefined when no machine-readable report is wanted. */
export function reporterOf(a: Args): ReportKind | undefined {
  const reporter = a.options.get('reporter') ?? a.options.get('r');
  if (reporter && !KINDS.includes(reporter as ReportKind)) throw new UsageError(`--reporter must be one of ${KINDS.join(', ')}`, a.command);
  return reporter as ReportKind | undefined;
}

export function outputOf(a: Args): string | undefined {
  return a.options.get('output') ?? a.options.get('o');
}

export interface ReportRequest {
  readonly reporter?: ReportKind;
  readonly out?: string;
}

/** The report asked for, its file checked before anything runs. */
export function reportRequest(a: Args): ReportRequest {
  const reporter = reporterOf(a);
  const out = outputOf(a);
  if (reporter && out) checkWritable(out, `${reporter} report`);
  return { reporter, out };
}

/** Print a lab's test report (and write the machine-readable one); the exit code: 1 when a test failed, else 5 when some were skipped. */
export function printTestReport(r: TestReport, want: ReportRequest): number {
  const { reporter, out } = want;
  if (!r.ran) return EXIT.ok;
  const { lab, results, started, durationMs } = r;
  const meta = { lab: lab.name, file: lab.file, started, durationMs };
  const human = writeReport('human', results, { ...meta, color: color() });
  if (reporter) {
    const text = writeReport(reporter, results, meta);
    if (out) {
      writeReportFile(out, text, `${reporter} report`);
      process.stdout.write(human);
    } else {
      process.stderr.write(human);
      process.stdout.write(text);
    }
  } else process.stdout.write(human);
  // skipped tests (part of a lab is up) are neither passed nor failed: exit 5 says the lab was not all tested
  const failed = results.filter((x) => !x.ok && x.skipped === undefined).length;
  const skipped = results.filter((x) => x.skipped !== undefined).length;
  return failed ? EXIT.testsFailed : skipped ? EXIT.testsSkipped : EXIT.ok;
}
