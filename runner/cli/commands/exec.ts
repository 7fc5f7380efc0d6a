import { labNameOf } from '../../lab/load.ts';
import { labNetns, allLabsOnHost } from '../../exec/host.ts';
import { execAttached } from '../../exec/node-exec.ts';
import { labDamage } from '../../exec/lab-damage.ts';
import { readState } from '../../exec/state.ts';
import { nodeNetns } from '../../model/names.ts';
import { LabError, didYouMean } from '../../config/diagnostics.ts';
import { UsageError, type Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { requireRoot } from '../output.ts';

/** lab exec [LAB] NODE -- CMD…: run a command inside a node, with the terminal attached. */
export async function execCmd(a: Args): Promise<number> {
  requireRoot('exec');
  if (!a.rest.length) throw new UsageError('usage: lab exec [LAB] NODE -- COMMAND [ARGS…]');
  let labArg: string | undefined;
  let node: string | undefined;
  if (a.positionals.length >= 2) [labArg, node] = a.positionals;
  else node = a.positionals[0];
  if (!node) throw new UsageError('name the node: lab exec [LAB] NODE -- COMMAND');
  let lab: string;
  if (labArg) lab = labNameOf(labArg).name;
  else {
    const up = allLabsOnHost();
    if (up.length !== 1) throw new UsageError(up.length ? `${up.length} labs are up (${up.join(', ')}); name one: lab exec LAB ${node} -- …` : 'no lab is up');
    lab = up[0];
  }
  const ns = nodeNetns(lab, node);
  const present = labNetns(lab);
  if (!present.includes(ns)) {
    const nodes = present.map((n) => n.split('.').slice(2).join('.')).filter(Boolean);
    const guess = didYouMean(node, nodes);
    throw new LabError([{ severity: 'error', code: 'exec.node', message: `lab ${lab} has no node ${node} up`, hint: guess ? `did you mean ${guess}?` : `its nodes: ${nodes.join(', ') || '(none; is the lab up?)'}` }], EXIT.environment);
  }
  // the node's container (or a daemon it needs) removed behind nslab's back: say so, not iproute2's symptom
  const state = readState(lab);
  const gone = state ? (await labDamage(state)).filter((d) => d.node === node && d.kind !== 'daemon') : [];
  if (gone.length) {
    throw new LabError([{ severity: 'error', code: 'exec.damaged', message: gone.map((d) => d.text).join('; '), hint: `run \`lab up ${state?.file ?? lab}\` to rebuild the lab` }], EXIT.environment);
  }
  return execAttached(ns, a.rest);
}
