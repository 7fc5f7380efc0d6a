import { up } from '../../lab/up.ts';
import { UsageError, type Args } from '../args.ts';
import { parseDurationMs } from '../../util/units.ts';
import { EXIT } from '../exit-codes.ts';
import { cliUi } from '../lab-ui.ts';
import { printTestReport, reportRequest } from '../test-report.ts';
import { selectRequest } from '../../lab/partial.ts';

/** --wait DURATION (60s, 2m, 1500ms; at most an hour) or --no-wait: how long `lab up` waits for the lab to be ready. */
export function waitOption(a: Args, command = 'up'): number | false | undefined {
  const w = a.options.get('wait');
  if (a.flags.has('no-wait')) {
    if (w !== undefined) throw new UsageError('--wait and --no-wait contradict each other: give one', command);
    return false;
  }
  if (w === undefined) return undefined;
  const ms = parseDurationMs(w);
  if (ms === undefined || ms > 3_600_000) throw new UsageError(`--wait ${JSON.stringify(w)} is not a duration up to an hour: write e.g. --wait 90s, --wait 2m or --wait 500ms`, command);
  return ms;
}

/** lab up [LAB] [--test] [--recreate] [--wait D | --no-wait] [--nodes N,… | --exclude N,…] [--quiet]: build the lab; on any failure (or Ctrl-C), remove what was built. */
export async function upCmd(a: Args): Promise<number> {
  const want = a.flags.has('test') ? reportRequest(a) : undefined;
  const r = await up(a.positionals[0], { recreate: a.flags.has('recreate'), quiet: a.flags.has('quiet'), wait: waitOption(a), select: selectRequest(a.options.get('nodes'), a.options.get('exclude')), test: want && { runEmpty: !!want.reporter } }, cliUi());
  return r.test && want ? printTestReport(r.test, want) : EXIT.ok;
}
