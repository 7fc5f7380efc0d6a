/**
 * Resolve as an ordered list of named passes over one draft (runner/resolve/draft.ts). Each pass reads what the
 * passes before it made. Errors are counted per pass: a pass that lists earlier passes in `skipAfterErrorsIn` is
 * not run when they reported errors, because it would only repeat them in other words.
 */
import type { ResolveDraft } from './draft.ts';
import { bridges } from './bridges.ts';
import { declaredInterfaces, interfaceTypes } from './interfaces.ts';
import { links } from './links.ts';
import { nat } from './nat.ts';
import { nodes } from './nodes.ts';
import { segments } from './segments.ts';
import { targets } from './targets.ts';
import { tests } from './tests.ts';
import { ready } from './ready.ts';
import { virtualInterfaces } from './virtual.ts';
import { wiring } from './wiring.ts';

export interface Pass {
  readonly name: string;
  run(d: ResolveDraft): void;
  /** Earlier passes whose errors make this one pointless. */
  readonly skipAfterErrorsIn?: readonly string[];
}

export const PASSES: readonly Pass[] = [
  { name: 'interfaces', run: declaredInterfaces },
  { name: 'bridges', run: bridges },
  { name: 'links', run: links },
  { name: 'interface-types', run: interfaceTypes },
  { name: 'segments', run: segments },
  { name: 'wiring', run: wiring },
  { name: 'nodes', run: nodes },
  { name: 'targets', run: targets },
  { name: 'virtual-interfaces', run: virtualInterfaces },
  { name: 'nat', run: nat },
  { name: 'tests', run: tests },
  { name: 'ready', run: ready },
];

/** Run the passes in order; returns the number of errors each reported. */
export function runPasses(d: ResolveDraft, passes: readonly Pass[] = PASSES): Map<string, number> {
  const errors = new Map<string, number>();
  const count = (): number => d.diags.filter((x) => x.severity === 'error').length;
  for (const p of passes) {
    if (p.skipAfterErrorsIn?.some((q) => (errors.get(q) ?? 0) > 0)) continue;
    const before = count();
    p.run(d);
    errors.set(p.name, count() - before);
  }
  return errors;
}
