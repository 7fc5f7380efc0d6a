/** Lab files for the bird tests, read with real positions; their nodes and addresses as a BirdResolveContext. */
import { fileURLToPath } from 'node:url';
import { readLabFile, type LoadedFile } from '../../../runner/config/load.ts';
import { resolveBird } from '../../../runner/kinds/bird/resolve.ts';
import type { BirdNodeInfo, BirdResolveContext, BirdSpec } from '../../../runner/kinds/bird/types.ts';
import type { Diagnostic } from '../../../runner/config/diagnostics.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

export function labPath(name: string): string {
  return fileURLToPath(new URL(`./labs/${name}.yaml`, import.meta.url));
}

/** The context resolveLab gives: every node with its kind, interface addresses (written out in these labs) and asn. */
export function birdCtx(file: LoadedFile): BirdResolveContext {
  const nodes = new Map<string, BirdNodeInfo>();
  for (const [name, raw] of Object.entries(obj(obj(file.data).nodes))) {
    const n = obj(raw);
    const interfaces = Object.entries(obj(n.interfaces)).map(([ifn, i]) => ({ name: ifn, addresses: (obj(i).addresses as string[] | undefined) ?? [] }));
    nodes.set(name, { kind: typeof n.kind === 'string' ? n.kind : 'netns', interfaces, asn: n.asn, raw: n });
  }
  return { nodes, at: file.at };
}

export function load(name: string): LoadedFile {
  return readLabFile(labPath(name));
}

/** Resolve every bird node of a lab file. */
export function resolveAll(file: LoadedFile): { specs: BirdSpec[]; diagnostics: Diagnostic[] } {
  const ctx = birdCtx(file);
  const specs: BirdSpec[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const [name, raw] of Object.entries(obj(obj(file.data).nodes))) {
    if (obj(raw).kind !== 'bird') continue;
    const r = resolveBird(name, obj(raw), ctx);
    if (r.spec) specs.push(r.spec);
    diagnostics.push(...r.diagnostics);
  }
  return { specs, diagnostics };
}
