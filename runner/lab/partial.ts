/**
 * Part of a lab (issue 15.4) at the lab layer: `--nodes`/`--exclude` turned into the lab's part (a LabError, exit 64,
 * naming the bad name with a hint, before anything is built), and the part a running lab was brought up as (its
 * state records the selection), for `lab test` and `lab status`.
 */
import { LabError } from '../config/diagnostics.ts';
import { EXIT } from '../config/exit-codes.ts';
import { readState, type LabState } from '../exec/state.ts';
import { selectNodes, splitNames, type SelectRequest, type Selection } from '../model/select.ts';
import { subsetLab } from '../model/subset.ts';
import type { Loaded } from '../resolve/load.ts';

export type { SelectRequest, Selection };

/** A loaded lab cut down to a part: `lab` is the part; `part` says which, and what was left out. */
export interface LoadedPart extends Loaded {
  readonly part?: { readonly selection: Selection; readonly notes: readonly string[] };
}

/** The request `--nodes A,B --exclude 'h*'` makes; undefined when neither is given. */
export function selectRequest(nodes: string | undefined, exclude: string | undefined): SelectRequest | undefined {
  if (nodes === undefined && exclude === undefined) return undefined;
  return { ...(nodes !== undefined ? { nodes: splitNames([nodes]) } : {}), ...(exclude !== undefined ? { exclude: splitNames([exclude]) } : {}) };
}

/** The part of a loaded lab a request selects; a LabError (exit 64) for a name that is no node or an empty selection. */
export function partOf(loaded: Loaded, req: SelectRequest | undefined): LoadedPart {
  if (!req) return loaded;
  if (req.nodes && !req.nodes.length) throw new LabError([{ severity: 'error', code: 'select.empty', message: '--nodes names no node', hint: `name the nodes to build, e.g. --nodes ${loaded.lab.nodes.slice(0, 2).map((n) => n.name).join(',')}` }], EXIT.usage);
  const r = selectNodes(loaded.lab, req);
  if (!r.ok) throw new LabError([{ severity: 'error', code: 'select.bad', message: r.message, hint: r.hint }], EXIT.usage);
  if (r.selection.nodes.length === r.selection.of) return loaded; // every node: the whole lab
  const { lab, notes } = subsetLab(loaded.lab, r.selection);
  return { ...loaded, lab, part: { selection: r.selection, notes: [...r.selection.said, ...notes] } };
}

/** The selection a state records, as a Selection (undefined: the whole lab is up). */
export function stateSelection(state: LabState | undefined): Selection | undefined {
  const s = state?.selection;
  return s ? { nodes: s.nodes, of: s.of, said: [] } : undefined;
}

/** The part of the lab that is up (the whole lab when it was brought up whole, or is not up). */
export function runningPart(loaded: Loaded, state: LabState | undefined = readState(loaded.lab.name)): LoadedPart {
  const selection = stateSelection(state);
  if (!selection) return loaded;
  const { lab, notes } = subsetLab(loaded.lab, selection);
  return { ...loaded, lab, part: { selection, notes } };
}

/** "part of the lab: 4 of 6 nodes (r1, r2, h1, h2)". */
export function partText(sel: { readonly nodes: readonly string[]; readonly of: number }): string {
  return `part of the lab: ${sel.nodes.length} of ${sel.of} nodes (${sel.nodes.join(', ')})`;
}
