/** How a handout compiles its lab: the same compiler as `lab plan`, with a context that does not depend on this machine. */
import { labDir } from '../exec/state.ts';
import type { ResolvedLab } from '../model/types.ts';
import type { CompileContext } from '../plan/context.ts';
import { compile } from '../plan/compile.ts';
import { impairSteps } from '../plan/impair.ts';
import { PHASES, type Plan } from '../plan/ops.ts';

/**
 * A handout is read on other machines than the one it was made on, so its plan assumes nothing about this one:
 * every node gets all its sysctls (what a new namespace inherits is not known), link loss is an nftables drop
 * (works with or without netem), and nslab's own agents are run as `lab` (on PATH after scripts/setup.sh).
 */
export function handoutContext(lab: ResolvedLab, features?: CompileContext['features']): CompileContext {
  return { labDir: labDir(lab.name), selfArgv: ['lab'], inherited: undefined, ...(features ? { features } : {}) };
}

export function handoutPlan(lab: ResolvedLab): Plan {
  return compile(lab, handoutContext(lab));
}

/**
 * Every step id the lab's plan can have on any machine, and the phase names. The handout's context gives every
 * node all its sysctls (none is left out as inherited); loss is netem where the kernel has it and an nftables
 * drop where not, so the impairment steps of the other choice are added. The plan is compiled once.
 */
export function stepIds(lab: ResolvedLab): Set<string> {
  const ctx = handoutContext(lab);
  const ids = new Set(compile(lab, ctx).steps.map((s) => s.id));
  for (const s of impairSteps(lab, { ...ctx, features: { netem: true } })) ids.add(s.id);
  return ids;
}

export const PHASE_NAMES: readonly string[] = PHASES;
