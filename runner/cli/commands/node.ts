import { nodeOp, nodeOpText, type NodeOp } from '../../lab/node-ops.ts';
import { UsageError, type Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';

/** lab stop|start|restart [LAB] NODE. */
export function nodeCmd(op: NodeOp) {
  return async (a: Args): Promise<number> => {
    const [first, second, extra] = a.positionals;
    if (first === undefined || extra !== undefined) throw new UsageError(`usage: lab ${op} [LAB] NODE`);
    const [labArg, node] = second === undefined ? [undefined, first] : [first, second];
    const r = await nodeOp(labArg, node, op);
    if (a.flags.has('json')) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else process.stderr.write(`lab ${r.lab}: ${nodeOpText(r)}\n`);
    return EXIT.ok;
  };
}
