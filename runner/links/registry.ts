/** Link types. Each type compiles a resolved link into steps; the core never names a type. */
import type { LinkTypeDef } from './types.ts';
import { vethLink } from './veth.ts';

export type { LinkTypeDef } from './types.ts';

export const LINK_TYPES: ReadonlyMap<string, LinkTypeDef> = new Map<string, LinkTypeDef>([[vethLink.name, vethLink]]);
