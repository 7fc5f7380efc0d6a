/** Reading loosely typed YAML data: plain objects and strings, or nothing. */
export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asObj = (v: unknown): Obj => (isObj(v) ? v : {});
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * A copy without the nulls YAML gives for a key written with no value (`matchLabels:`): Kubernetes reads those as
 * "not set", so they go, in mappings at any depth (and null items of lists).
 */
export function stripNulls<T>(v: T): T {
  if (Array.isArray(v)) return v.filter((x) => x !== null).map(stripNulls) as T;
  if (!isObj(v)) return v;
  return Object.fromEntries(Object.entries(v).flatMap(([k, x]) => (x === null ? [] : [[k, stripNulls(x)]]))) as T;
}
