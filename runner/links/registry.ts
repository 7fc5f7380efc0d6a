/** Link types. Each type compiles a resolved link into steps; the core never names a type. */
import type { ResolvedLink } from '../model/types.ts';
import type { CompileContext } from '../plan/context.ts';
import type { Step } from '../plan/ops.ts';
import { vethLink } from './veth.ts';

export interface LinkTypeDef {
  readonly name: string;
  compile(link: ResolvedLink, index: number, ctx: CompileContext): Step[];
}

export const LINK_TYPES: ReadonlyMap<string, LinkTypeDef> = new Map<string, LinkTypeDef>([[vethLink.name, vethLink]]);
