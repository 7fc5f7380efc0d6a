import { down } from '../../lab/down.ts';
import type { Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { cliUi } from '../lab-ui.ts';

/** lab down [LAB | --all]: remove everything a lab made, with or without its state. */
export async function downCmd(a: Args): Promise<number> {
  const reports = await down(a.flags.has('all') ? { all: true } : { lab: a.positionals[0] }, cliUi());
  return reports.some((r) => r.leftovers.length) ? EXIT.execFailed : EXIT.ok;
}
