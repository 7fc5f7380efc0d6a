/** Node kinds. Each kind lives in its own folder and is listed here; the core never names a kind. */
import type { Diagnostic, SourcePos } from '../config/diagnostics.ts';
import type { PathSeg } from '../config/load.ts';
import type { ResolvedNode } from '../model/types.ts';
import type { Step } from '../plan/ops.ts';
import type { CompileContext } from '../plan/context.ts';
import { netnsKind } from './netns/index.ts';

export interface KindCheckContext {
  at(path: readonly PathSeg[], key?: boolean): SourcePos;
  readonly labName: string;
}

export interface KindDef {
  readonly name: string;
  /** Checks of the kind's own keys, beyond the schema. */
  check?(node: string, raw: Readonly<Record<string, unknown>>, ctx: KindCheckContext): Diagnostic[];
  /** Steps that make the node's network namespace exist (phase `namespaces`). */
  createNamespace(node: ResolvedNode, ctx: CompileContext): Step[];
}

export const KINDS: ReadonlyMap<string, KindDef> = new Map<string, KindDef>([[netnsKind.name, netnsKind]]);
