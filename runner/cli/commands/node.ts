import { nodeOp, nodeOpText, type NodeOp } from '../../lab/node-ops.ts';
import { UsageError, type Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { waitOption } from './up.ts';
import { cliUi } from '../lab-ui.ts';
import { DEFAULT_READY_TIMEOUT_MS } from '../../model/ready.ts';

/** lab stop|start|restart [LAB] NODE. */
export function nodeCmd(op: NodeOp) {
  return async (a: Args): Promise<number> => {
    const [first, second, extra] = a.positionals;
    if (first === undefined || extra !== undefined) throw new UsageError(`usage: lab ${op} [LAB] NODE`);
    const [labArg, node] = second === undefined ? [undefined, first] : [first, second];
    // start and restart return once the lab is ready again, as `lab up` does (--wait D, --no-wait)
    const r = await nodeOp(labArg, node, op, op === 'stop' ? undefined : { wait: waitOption(a, op) ?? DEFAULT_READY_TIMEOUT_MS, ui: cliUi() });
    if (a.flags.has('json')) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else process.stderr.write(`lab ${r.lab}: ${nodeOpText(r)}\n`);
    return EXIT.ok;
  };
}
