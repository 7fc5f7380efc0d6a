/** How a handout compiles its lab: the same compiler as `lab plan`, with a context that does not depend on this machine. */
import { labDir } from '../exec/state.ts';
import type { ResolvedLab } from '../model/types.ts';
import type { CompileContext } from '../plan/context.ts';
import { compile } from '../plan/compile.ts';
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
 * Every step id the lab's plan can have on any machine, and the phase names. A few steps exist only on some
 * machines (a sysctl a new namespace already inherits is left out; loss is netem where the kernel has it), so
 * the plan is compiled for each kind of machine and the ids are joined.
 */
export function stepIds(lab: ResolvedLab): Set<string> {
  const ids = new Set<string>();
  const impaired = lab.nodes.some((n) => n.interfaces.some((i) => i.impair));
  const contexts: CompileContext[] = [handoutContext(lab), ...(impaired ? [handoutContext(lab, { netem: true }), handoutContext(lab, { netem: false })] : [])];
  for (const ctx of contexts) for (const s of compile(lab, ctx).steps) ids.add(s.id);
  return ids;
}

export const PHASE_NAMES: readonly string[] = PHASES;
