/** Node kinds. Each kind lives in its own folder and is listed here; the core never names a kind. */
import { birdKind } from './bird/index.ts';
import { containerKind, podKind } from './container/index.ts';
import { netnsKind } from './netns/index.ts';
import type { KindDef } from './types.ts';

export type { KindCheckContext, KindDef, KindResolution } from './types.ts';

export const KINDS: ReadonlyMap<string, KindDef> = new Map<string, KindDef>([
  [netnsKind.name, netnsKind],
  [containerKind.name, containerKind],
  [podKind.name, podKind],
  [birdKind.name, birdKind],
]);

/** Keys that belong to some kinds only, with the kinds they belong to (from each kind's `keys`): using one on another kind is an error. */
export const KIND_KEYS: Readonly<Record<string, readonly string[]>> = kindKeys(KINDS.values());

function kindKeys(kinds: Iterable<KindDef>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const k of kinds) for (const key of k.keys ?? []) (out[key] ??= []).push(k.name);
  return out;
}
