/**
 * An nftables rule set changed the way kube-proxy's nftables mode syncs (issue 15.1): one transaction that touches
 * only what changed — new chains, sets and maps added; a changed chain flushed and refilled; set and map elements
 * deleted and added one by one; chains, sets and maps no longer there flushed and deleted last. Unchanged chains keep
 * their rules (and counters), and the table is never replaced. Pure.
 *
 * It reads rule sets written as flat commands (`add table`, `add chain`, `add rule`, `add set|map`, `add element`,
 * the `add table` + `delete table` reset before them), as kube-proxy and nslab's generators write them. Anything else
 * (block syntax, other commands, a changed chain or set declaration) gives undefined, and the caller replaces the
 * tables whole in one transaction instead.
 */

interface Chain {
  decl: string;
  rules: string[];
}
interface NftSet {
  decl: string;
  /** Each element's text (`10.96.0.11 . tcp . 80 : goto service-…`), by key (before ` : `). */
  elements: Map<string, string>;
}
interface NftTable {
  decl: string;
  chains: Map<string, Chain>;
  sets: Map<string, NftSet>;
}

/** The elements between the braces of an `add element` line, split at top-level commas. */
function elementsOf(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of body) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

const keyOf = (element: string): string => element.split(' : ')[0].trim();

/** The tables of a flat rule set, by `family name`; undefined when it is not one. */
export function parseFlat(text: string): Map<string, NftTable> | undefined {
  const tables = new Map<string, NftTable>();
  const resets = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const w = line.split(/\s+/);
    if (w.length < 4) return undefined;
    const t = `${w[2]} ${w[3]}`;
    if (w[1] === 'table') {
      if (w[0] === 'delete') {
        resets.add(t);
        continue;
      }
      if (w[0] !== 'add') return undefined;
      const cur = tables.get(t);
      // the reset's bare `add table` first, then the declaration with its comment
      if (!cur) tables.set(t, { decl: line, chains: new Map(), sets: new Map() });
      else if (line.length > cur.decl.length) cur.decl = line;
      continue;
    }
    if (w[0] !== 'add' || w.length < 5) return undefined;
    const tab = tables.get(t);
    if (!tab) return undefined;
    const name = w[4];
    if (w[1] === 'chain') {
      if (tab.chains.has(name)) return undefined;
      tab.chains.set(name, { decl: line, rules: [] });
    } else if (w[1] === 'rule') {
      const c = tab.chains.get(name);
      if (!c) return undefined;
      c.rules.push(line);
    } else if (w[1] === 'set' || w[1] === 'map') {
      if (tab.sets.has(name)) return undefined;
      tab.sets.set(name, { decl: line, elements: new Map() });
    } else if (w[1] === 'element') {
      const s = tab.sets.get(name);
      const open = line.indexOf('{');
      if (!s || open < 0 || !line.endsWith('}')) return undefined;
      for (const e of elementsOf(line.slice(open + 1, -1))) s.elements.set(keyOf(e), e);
    } else return undefined;
  }
  // every table is reset before it is written (else a run of the set on its own would not be what it says)
  for (const t of tables.keys()) if (!resets.has(t)) return undefined;
  return tables;
}

export interface IncrementalNft {
  /** The transaction (`nft -f -` input). */
  readonly input: string;
  /** What it changes, for people: `2 chains added, 1 refilled, 1 deleted; 3 elements added, 1 deleted`. */
  readonly summary: string;
}

/** The one transaction from rule set `old` to `next`, touching only what changed; undefined: replace whole instead. */
export function nftIncremental(old: string, next: string): IncrementalNft | undefined {
  const o = parseFlat(old);
  const n = parseFlat(next);
  if (!o || !n) return undefined;
  const addDecl: string[] = [];
  const delElements: string[] = [];
  const refill: string[] = [];
  const addElements: string[] = [];
  // chains that go: all flushed first (one may jump to another), then deleted
  const flushGone: string[] = [];
  const drop: string[] = [];
  let chainsAdded = 0;
  let chainsRefilled = 0;
  let chainsDeleted = 0;
  let elAdded = 0;
  let elDeleted = 0;
  for (const [t, nt] of n) {
    const ot = o.get(t);
    if (!ot) return undefined; // a new table: the whole set, as `lab up` loads it
    if (ot.decl !== nt.decl) return undefined;
    for (const [c, nc] of nt.chains) {
      const oc = ot.chains.get(c);
      if (oc && oc.decl !== nc.decl) return undefined; // a changed hook or priority: not done in place
      if (!oc) {
        addDecl.push(nc.decl);
        chainsAdded++;
        refill.push(...nc.rules);
      } else if (oc.rules.join('\n') !== nc.rules.join('\n')) {
        chainsRefilled++;
        refill.push(`flush chain ${t} ${c}`, ...nc.rules);
      }
    }
    for (const [s, ns] of nt.sets) {
      const os = ot.sets.get(s);
      if (os && os.decl !== ns.decl) return undefined;
      if (!os) addDecl.push(ns.decl);
      const gone = [...(os?.elements ?? new Map<string, string>()).entries()].filter(([k, e]) => ns.elements.get(k) !== e).map(([k]) => k);
      const added = [...ns.elements.entries()].filter(([k, e]) => os?.elements.get(k) !== e).map(([, e]) => e);
      if (gone.length) delElements.push(`delete element ${t} ${s} { ${gone.join(', ')} }`);
      if (added.length) addElements.push(`add element ${t} ${s} { ${added.join(', ')} }`);
      elDeleted += gone.length;
      elAdded += added.length;
    }
    for (const [c] of ot.chains) {
      if (nt.chains.has(c)) continue;
      chainsDeleted++;
      flushGone.push(`flush chain ${t} ${c}`);
      drop.push(`delete chain ${t} ${c}`);
    }
    for (const [s, os] of ot.sets) if (!nt.sets.has(s)) drop.push(`delete ${os.decl.split(/\s+/)[1]} ${t} ${s}`);
  }
  for (const t of o.keys()) if (!n.has(t)) drop.push(`delete table ${t}`);
  const lines = [...addDecl, ...delElements, ...refill, ...addElements, ...flushGone, ...drop];
  const parts = [
    chainsAdded && `${chainsAdded} chain${chainsAdded === 1 ? '' : 's'} added`,
    chainsRefilled && `${chainsRefilled} refilled`,
    chainsDeleted && `${chainsDeleted} deleted`,
    elAdded && `${elAdded} element${elAdded === 1 ? '' : 's'} added`,
    elDeleted && `${elDeleted} element${elDeleted === 1 ? '' : 's'} deleted`,
  ].filter(Boolean);
  return { input: lines.length ? `${lines.join('\n')}\n` : '', summary: parts.join(', ') || 'nothing changed' };
}
