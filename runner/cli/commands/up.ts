import { up } from '../../lab/up.ts';
import type { Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { cliUi, interruptible } from '../lab-ui.ts';
import { printTestReport, reportRequest } from '../test-report.ts';

/** lab up [LAB] [--test] [--recreate] [--quiet]: build the lab; on any failure (or Ctrl-C), remove what was built. */
export async function upCmd(a: Args): Promise<number> {
  const want = a.flags.has('test') ? reportRequest(a) : undefined;
  const { signal, stop } = interruptible({ once: true });
  try {
    const r = await up(a.positionals[0], { recreate: a.flags.has('recreate'), quiet: a.flags.has('quiet'), test: want && { runEmpty: !!want.reporter, signal }, signal }, cliUi());
    return r.test && want ? printTestReport(r.test, want) : EXIT.ok;
  } finally {
    stop();
  }
}
