/** The contract of a node kind (L1): what a kind folder exports and what it is given. Kinds import this, never the registry. */
import type { Diagnostic, SourcePos } from '../config/diagnostics.ts';
import type { PathSeg } from '../config/load.ts';
import type { ContainerSpec, ResolvedNode } from '../model/types.ts';
import type { Step } from '../plan/ops.ts';
import type { CompileContext } from '../plan/context.ts';

export interface KindSchema {
  readonly description: string;
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly $defs?: Readonly<Record<string, unknown>>;
}

export interface KindCheckContext {
  at(path: readonly PathSeg[], key?: boolean): SourcePos;
  readonly labName: string;
  /** Every node's raw mapping, by name (a kind may refer to other nodes). */
  readonly rawNodes: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** Whether a link names this node. */
  isLinked(node: string): boolean;
  /** A node's interfaces (bridges inside it included) with their resolved addresses. */
  interfaces(node: string): readonly { readonly name: string; readonly addresses: readonly string[] }[];
}

export interface KindResolution {
  readonly diagnostics: Diagnostic[];
  readonly sharesNetnsOf?: string;
  readonly containers?: readonly ContainerSpec[];
  readonly kindData?: unknown;
}

export interface KindDef {
  readonly name: string;
  /** Node keys that belong to this kind (and maybe others): using one on a node of another kind is an error. */
  readonly keys?: readonly string[];
  /**
   * The kind's part of schema/lab.schema.json (kept in <name>.schema.json next to it): `description`, its words
   * in the description of `kind:`; `properties`, the node keys it brings; `$defs`, schemas those refer to.
   */
  readonly schema?: KindSchema;
  /** Checks of the kind's own keys, beyond the schema. */
  check?(node: string, raw: Readonly<Record<string, unknown>>, ctx: KindCheckContext): Diagnostic[];
  /** Resolve the kind's own keys (containers, shared namespaces). */
  resolve?(node: string, raw: Readonly<Record<string, unknown>>, ctx: KindCheckContext): KindResolution;
  /** Steps of later phases the kind adds (e.g. starting its daemon once the node is wired). */
  extraSteps?(node: ResolvedNode, ctx: CompileContext): Step[];
  /** Checks that need a program (e.g. `bird -p` on a generated config), run before anything is built. */
  verify?(node: ResolvedNode, ctx: CompileContext): Promise<Diagnostic[]>;
  /** Remove what the kind made outside the lab's namespaces (containers), found by the lab's label. */
  teardown?(lab: string): Promise<string[]>;
  /** Steps that make the node's network namespace exist (phase `namespaces`). */
  createNamespace(node: ResolvedNode, ctx: CompileContext): Step[];
}
