/** The contract of a link type (L1): link modules import this, never the registry. */
import type { ResolvedLink } from '../model/types.ts';
import type { CompileContext } from '../plan/context.ts';
import type { Step } from '../plan/ops.ts';

export interface LinkTypeDef {
  readonly name: string;
  compile(link: ResolvedLink, index: number, ctx: CompileContext): Step[];
}
