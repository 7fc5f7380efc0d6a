import { nodeOp, type NodeOp, type NodeOpReport } from '../../lab/node-ops.ts';
import { UsageError, type Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';

/** What was done, in one line. */
export function nodeOpMessage(r: NodeOpReport): string {
  const parts: string[] = [];
  if (r.stop) parts.push(`stopped in ${r.stop.ms} ms (${r.stop.killed.length} process(es) ended${r.stop.containers.length ? `, container ${r.stop.containers.join(', ')} stopped` : ''})`);
  if (r.start) {
    const daemons = r.start.daemons.map((d) => `${d.name} pid ${d.pid}`).join(', ');
    parts.push(`started in ${r.start.ms} ms (${r.start.units} command(s)${r.start.containers.length ? `, container ${r.start.containers.join(', ')}` : ''}${daemons ? `, ${daemons}` : ''})`);
  }
  return `lab ${r.lab}: node ${r.node} ${parts.join(', then ')}`;
}

/** lab stop|start|restart [LAB] NODE. */
export function nodeCmd(op: NodeOp) {
  return async (a: Args): Promise<number> => {
    const [first, second, extra] = a.positionals;
    if (first === undefined || extra !== undefined) throw new UsageError(`usage: lab ${op} [LAB] NODE`);
    const [labArg, node] = second === undefined ? [undefined, first] : [first, second];
    const r = await nodeOp(labArg, node, op);
    if (a.flags.has('json')) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else process.stderr.write(`${nodeOpMessage(r)}\n`);
    return EXIT.ok;
  };
}
