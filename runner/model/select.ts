/**
 * Part of a lab (issue 15.4): which nodes `lab up --nodes …` / `--exclude …` selects. Pure. Names may be globs
 * (`h*`, `r?`); a name that is no node (and a glob that matches none) is refused with a did-you-mean hint, and so is
 * a selection that leaves nothing. What a selected node cannot run without comes along and is said: a pod brings its
 * cluster node, a node living in another node's network namespace brings that node. What an excluded node carries
 * goes with it: the pods of an excluded cluster node.
 */
import { didYouMean } from '../config/diagnostics.ts';
import type { ResolvedLab } from './types.ts';

export interface SelectRequest {
  /** --nodes: the names (or globs) to build; undefined: every node. */
  readonly nodes?: readonly string[];
  /** --exclude: the names (or globs) to leave out. */
  readonly exclude?: readonly string[];
}

export interface Selection {
  /** The nodes to build, in the lab's order. */
  readonly nodes: readonly string[];
  /** How many nodes the whole lab has. */
  readonly of: number;
  /** What came along or went with something, in words ("pod web-1 needs its node node-1: node-1 is added"). */
  readonly said: readonly string[];
}

export type SelectResult = { readonly ok: true; readonly selection: Selection } | { readonly ok: false; readonly message: string; readonly hint: string };

const isGlob = (s: string): boolean => /[*?[]/.test(s);

/** A glob (`*`, `?`, `[abc]`) as a regular expression over a whole name. */
export function globRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const j = glob.indexOf(']', i + 1);
      if (j < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, j).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = j;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The words of `--nodes r1,r2 --nodes h*`: split on commas, blanks dropped. */
export function splitNames(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}

/** The nodes each name or glob matches; the first one that matches nothing is the error. */
function matchAll(names: readonly string[], all: readonly string[], option: string, lab: string): { ok: true; nodes: Set<string> } | { ok: false; message: string; hint: string } {
  const out = new Set<string>();
  for (const n of names) {
    if (isGlob(n)) {
      const re = globRegex(n);
      const hit = all.filter((x) => re.test(x));
      if (!hit.length) return { ok: false, message: `${option} ${n}: the pattern matches no node of lab ${lab}`, hint: `nodes: ${all.join(', ')}` };
      hit.forEach((x) => out.add(x));
      continue;
    }
    if (!all.includes(n)) {
      const guess = didYouMean(n, all);
      return { ok: false, message: `${option} names ${n}, which is not a node of lab ${lab}`, hint: guess ? `did you mean ${guess}? nodes: ${all.join(', ')}` : `nodes: ${all.join(', ')}` };
    }
    out.add(n);
  }
  return { ok: true, nodes: out };
}

/** The selection a request makes of a lab; undefined request parts mean "every node" and "none". */
export function selectNodes(lab: ResolvedLab, req: SelectRequest): SelectResult {
  const all = lab.nodes.map((n) => n.name);
  const said: string[] = [];
  let chosen: Set<string>;
  if (req.nodes) {
    const m = matchAll(req.nodes, all, '--nodes', lab.name);
    if (!m.ok) return m;
    chosen = m.nodes;
  } else chosen = new Set(all);
  const excluded = new Set<string>();
  if (req.exclude) {
    const m = matchAll(req.exclude, all, '--exclude', lab.name);
    if (!m.ok) return m;
    m.nodes.forEach((x) => excluded.add(x));
  }
  const podNode = new Map((lab.cluster?.pods ?? []).map((p) => [p.name, p.node]));
  const shares = new Map(lab.nodes.filter((n) => n.sharesNetnsOf).map((n) => [n.name, n.sharesNetnsOf!]));
  // what goes with an excluded node: its pods, and nodes in its namespace
  for (;;) {
    const more = all.filter((n) => !excluded.has(n) && (excluded.has(podNode.get(n) ?? '') || excluded.has(shares.get(n) ?? '')));
    if (!more.length) break;
    for (const n of more) {
      excluded.add(n);
      if (chosen.has(n) && req.nodes) {
        const host = podNode.get(n) ?? shares.get(n)!;
        const what = podNode.has(n) ? `pod ${n} runs on node ${host}` : `node ${n} lives in the network namespace of ${host}`;
        return { ok: false, message: `--nodes selects ${n}, but ${what}, which --exclude leaves out`, hint: `select ${host} too (and do not exclude it), or leave ${n} out` };
      }
      if (podNode.has(n)) said.push(`pod ${n} runs on node ${podNode.get(n)}, which is left out: ${n} is left out too`);
      else said.push(`node ${n} lives in the network namespace of ${shares.get(n)}, which is left out: ${n} is left out too`);
    }
  }
  for (const n of excluded) chosen.delete(n);
  // what a selected node needs: its cluster node (a pod), the node whose namespace it lives in
  for (;;) {
    const need = [...chosen].flatMap((n) => [podNode.get(n), shares.get(n)].filter((x): x is string => !!x && !chosen.has(x)).map((x) => [n, x] as const));
    if (!need.length) break;
    for (const [n, x] of need) {
      if (chosen.has(x)) continue;
      chosen.add(x);
      said.push(podNode.get(n) === x ? `pod ${n} needs its node ${x}: ${x} is added` : `node ${n} lives in the network namespace of ${x}: ${x} is added`);
    }
  }
  if (!chosen.size) {
    const what = [req.nodes ? `--nodes ${req.nodes.join(',')}` : '', req.exclude ? `--exclude ${req.exclude.join(',')}` : ''].filter(Boolean).join(' and ');
    return { ok: false, message: `${what} leave${what.includes(' and ') ? '' : 's'} no node of lab ${lab.name} to build`, hint: `nodes: ${all.join(', ')}` };
  }
  return { ok: true, selection: { nodes: all.filter((n) => chosen.has(n)), of: all.length, said } };
}
