/**
 * What a running lab is built from, as one hash: the resolved lab without its tests, its texts and its YAML
 * positions. Two versions of a lab file with the same structure hash build the same network, so a change to the
 * tests (or the handout, or comments) needs no rebuild (issue 18: it asked for `lab up --recreate`).
 */
import { createHash } from 'node:crypto';
import type { ResolvedLab } from './types.ts';

/** Keys that say where something was written or what the lab is called in prose, not what is built. */
const IGNORED = new Set(['tests', 'hash', 'file', 'description', 'pos', 'namePos', 'firewallPos', 'kubeProxyPos', 'source', 'sources', 'asnPos']);

function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [k, stable(x)]);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) if (!IGNORED.has(k)) out[k] = stable((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export function structureHash(lab: ResolvedLab): string {
  return createHash('sha256').update(JSON.stringify(stable(lab))).digest('hex').slice(0, 16);
}
