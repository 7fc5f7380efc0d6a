/**
 * The lab file's parts as resolve reads them. resolve runs on files the schema refused too (it reports every
 * mistake of the file at once), so a value is not yet known to have its schema type: these views have the
 * generated types' keys (runner/config/generated/lab-types.ts, so a misspelt key does not compile) with values
 * still to be checked.
 */
import type { Bridge, Interface, Link, Node, NslabLabFile, Test } from '../config/generated/lab-types.ts';
import { asObj, isObj } from '../util/obj.ts';

/** A mapping of the file with the keys of T, its values unchecked. */
export type Unchecked<T> = { readonly [K in keyof NonNullable<T>]?: unknown };

export type RawLab = Unchecked<NslabLabFile>;
export type RawNode = Unchecked<Node>;
export type RawInterface = Unchecked<Interface>;
/** A bridge; `ifname` is set only by an extension's expansion (a cluster's cni0@<node> bridges are cni0). */
export type RawBridge = Unchecked<Bridge> & { readonly ifname?: unknown };
/** A link written as a mapping; `port` and `hairpin` are set only by an extension's expansion (a cluster's CNI). */
export type RawLinkObject = Unchecked<Exclude<Link, unknown[]>> & { readonly port?: unknown; readonly hairpin?: unknown };
export type RawTest = Unchecked<Test> & Readonly<Record<string, unknown>>;

/** The entries of a mapping, each value read as the view V (anything but a mapping reads as an empty one). */
export function entriesOf<V extends object>(v: unknown): [string, V][] {
  return Object.entries(asObj(v)).map(([k, x]) => [k, asObj(x) as V]);
}

export const rawLab = (data: unknown): RawLab => asObj(data) as RawLab;

/** A value that is a mapping (a `{ endpoints: […] }` link, a test), read as the view V; undefined for anything else. */
export function mappingOf<V extends object>(v: unknown): V | undefined {
  return isObj(v) ? (v as V) : undefined;
}
