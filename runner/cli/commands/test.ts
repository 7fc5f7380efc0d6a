import { isCollectionArg } from '../../lab/lab-files.ts';
import { test } from '../../lab/test.ts';
import type { Args } from '../args.ts';
import { cliUi } from '../lab-ui.ts';
import { printTestReport, reportRequest } from '../test-report.ts';

/** Whether `lab test` runs over many labs (bringing each up and down) rather than testing one running lab. */
export function isManyRequest(a: Args): boolean {
  return a.positionals.length > 1 || a.flags.has('keep') || a.options.has('parallel') || (a.positionals.length === 1 && isCollectionArg(a.positionals[0]));
}

/**
 * lab test [LAB] [--reporter junit|tap|json] [--output FILE]: run the lab's assertions against the running lab.
 * A directory of labs, a glob, several labs, --keep or --parallel: every lab is brought up, tested and taken
 * down (test-many.ts).
 */
export async function testCmd(a: Args): Promise<number> {
  if (isManyRequest(a)) return (await import('./test-many.ts')).testManyCmd(a);
  const want = reportRequest(a);
  return printTestReport(await test(a.positionals[0], { runEmpty: !!want.reporter }, cliUi()), want);
}
