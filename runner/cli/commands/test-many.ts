/** lab test DIR | 'GLOB' | LAB… [--parallel N] [--keep] [--quiet] [--reporter junit|json|tap] [--output FILE] */
import { extname } from 'node:path';
import { summaryTable, writeCombinedReport, type CombinedKind } from '../../../assertions/reporters/index.ts';
import { exitCodeOf, testMany } from '../../lab/test-many.ts';
import { UsageError, type Args } from '../args.ts';
import { cliUi, interruptible } from '../lab-ui.ts';
import { color, say } from '../output.ts';
import { checkWritable, writeReportFile } from '../report-file.ts';
import { outputOf, reporterOf } from '../test-report.ts';

export function reportKindOf(a: Args, out: string | undefined): CombinedKind | undefined {
  const r = reporterOf(a);
  if (r) return r as CombinedKind;
  if (!out) return undefined;
  const byExt: Record<string, CombinedKind> = { '.xml': 'junit', '.json': 'json', '.tap': 'tap' };
  const k = byExt[extname(out).toLowerCase()];
  if (!k) throw new UsageError(`--output ${out}: say which report with --reporter junit|json|tap (or name the file .xml, .json or .tap)`, a.command);
  return k;
}

export function parallelOf(a: Args): number {
  const v = a.options.get('parallel');
  if (v === undefined) return 1;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--parallel takes a number of labs ≥ 1, not ${JSON.stringify(v)}`, a.command);
  return Number(v);
}

export async function testManyCmd(a: Args): Promise<number> {
  const out = outputOf(a);
  const kind = reportKindOf(a, out);
  const parallel = parallelOf(a);
  if (out) checkWritable(out, `${kind} report`); // before any lab is brought up
  // the combined report on standard output: everything for people goes to standard error
  const human = kind && !out ? process.stderr : process.stdout;
  const paint = color() && !!(human as NodeJS.WriteStream).isTTY;
  const { signal, stop } = interruptible({
    onSignal: (sig, count) => {
      if (count > 1) {
        say(`lab test: ${sig} again: stopping now; labs this run brought up may be left (\`lab status\` lists them)`);
        process.exit(130);
      }
      say(`lab test: ${sig}: no further labs are started; the running ones stop and are taken down`);
    },
  });
  let report;
  try {
    report = await testMany(a.positionals, { parallel, keep: a.flags.has('keep'), quiet: a.flags.has('quiet'), signal }, cliUi({ human, color: paint }));
  } finally {
    stop();
  }
  const { runs } = report;
  const meta = { name: 'nslab', started: report.started, durationMs: report.durationMs };
  human.write(`\n${summaryTable(runs, { ...meta, color: paint })}`);
  if (kind) {
    const text = writeCombinedReport(kind, runs, meta);
    if (out) {
      writeReportFile(out, text, `${kind} report`);
      say(`${kind} report for ${runs.length} lab(s) written to ${out}`);
    } else process.stdout.write(text);
  }
  return exitCodeOf(runs);
}
