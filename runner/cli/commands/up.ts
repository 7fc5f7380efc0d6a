import { up } from '../../lab/up.ts';
import type { Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { cliUi } from '../lab-ui.ts';
import { printTestReport, reportRequest } from '../test-report.ts';

/** lab up [LAB] [--test] [--recreate] [--quiet]: build the lab; on any failure (or Ctrl-C), remove what was built. */
export async function upCmd(a: Args): Promise<number> {
  const want = a.flags.has('test') ? reportRequest(a) : undefined;
  const r = await up(a.positionals[0], { recreate: a.flags.has('recreate'), quiet: a.flags.has('quiet'), test: want && { runEmpty: !!want.reporter } }, cliUi());
  return r.test && want ? printTestReport(r.test, want) : EXIT.ok;
}
