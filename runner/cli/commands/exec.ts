import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { birdSocket } from '../../kinds/bird/index.ts';
import { labNameOf, loadLab } from '../../lab/load.ts';
import { labNetns, allLabsOnHost } from '../../exec/host.ts';
import { execAttached } from '../../exec/node-exec.ts';
import { labDamage } from '../../exec/lab-damage.ts';
import { readState } from '../../exec/state.ts';
import { nodeNetns } from '../../model/names.ts';
import { LabError, didYouMean } from '../../config/diagnostics.ts';
import { UsageError, type Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { requireRoot } from '../output.ts';

/**
 * `birdc` typed in a BGP router finds BIRD's control socket by itself (issue 18: `lab exec r1 -- birdc show
 * protocols` failed without `-s`): nslab's BIRD listens on the lab's own socket, not on birdc's default one.
 */
export function withBirdSocket(lab: string, node: string, argv: readonly string[]): string[] {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || basename(cmd) !== 'birdc' || rest.some((x) => x === '-s' || x.startsWith('-s'))) return [...argv];
  const socket = birdSocket(lab, node);
  return existsSync(socket) ? [cmd, '-s', socket, ...rest] : [...argv];
}

/**
 * The namespace of a node that has none of its own (a cluster's hostNetwork pod, a container in another's
 * namespace), from the lab file the lab was brought up from; undefined when it cannot be read.
 */
function sharedNetns(lab: string, node: string): string | undefined {
  const file = readState(lab)?.file;
  if (!file || !existsSync(file)) return undefined;
  try {
    const n = loadLab(file).lab.nodes.find((x) => x.name === node);
    return n?.sharesNetnsOf ? n.netns : undefined;
  } catch {
    return undefined;
  }
}

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
  else if (existsSync('lab.yaml') || existsSync('lab.yml')) lab = labNameOf(undefined).name; // the lab of this directory, as other commands take it
  else {
    const up = allLabsOnHost();
    if (up.length !== 1) throw new UsageError(up.length ? `${up.length} labs are up (${up.join(', ')}); name one: lab exec LAB ${node} -- …` : 'no lab is up');
    lab = up[0];
  }
  const present = labNetns(lab);
  const ns = present.includes(nodeNetns(lab, node)) ? nodeNetns(lab, node) : (sharedNetns(lab, node) ?? nodeNetns(lab, node));
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
  return execAttached(ns, withBirdSocket(lab, node, a.rest));
}
