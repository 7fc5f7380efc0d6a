/** The diagnostics of a lab file, each mistake once. */
import type { Diagnostic } from '../config/diagnostics.ts';

/**
 * Each mistake once: a value the schema finds malformed and resolve explains better is reported once, by resolve;
 * the same message at the same place once.
 */
export function dedupe(ds: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const semantic = ds.filter((d) => !d.code.startsWith('schema.'));
  ds = ds.filter((d) => !(d.code.startsWith('schema.pattern') || d.code === 'schema.shape' || d.code === 'schema.range') || !semantic.some((o) => o.pos && d.pos && o.pos.line === d.pos.line && Math.abs(o.pos.col - d.pos.col) <= 2));
  return ds.filter((d) => {
    const k = `${d.pos?.line}:${d.pos?.col}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
