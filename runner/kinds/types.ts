/** The contract of a node kind (L1): what a kind folder exports and what it is given. Kinds import this, never the registry. */
import type { Diagnostic, SourcePos } from '../config/diagnostics.ts';
import type { PathSeg } from '../config/load.ts';
import type { ContainerSpec, ResolvedLab, ResolvedNode } from '../model/types.ts';
import type { ReadyProbe } from '../model/ready.ts';
import type { Step } from '../plan/ops.ts';
import type { CompileContext } from '../plan/context.ts';

/** The box styles graphs know; a kind picks one. */
export type KindBoxStyle = 'netns' | 'container' | 'pod' | 'bird';

/** A BGP session of a node, as graphs draw it (an edge to the peer). */
export interface KindPeering {
  /** The peer node, when the peer is one; else the edge goes to a box for the address. */
  readonly peerNode?: string;
  readonly address: string;
  readonly asn: number;
  readonly family: 4 | 6;
  readonly ibgp: boolean;
  readonly rrClient: boolean;
}

/** How the views (`lab graph`, `lab handout`) show a node of a kind. Every part has a default. */
export interface KindView {
  /** The style of the node's box in a graph (default: a neutral one). */
  readonly box?: KindBoxStyle;
  /** Words after the node's name in its box (`bird AS 65001`, `container nginx`); default the kind's name. */
  label?(node: ResolvedNode): string;
  /** More lines in its box, after the interfaces. */
  lines?(node: ResolvedNode): string[];
  /** Its containers after the first are apps: drawn as boxes of their own, grouped with the node as `pod <name>`. */
  readonly apps?: boolean;
  /** Its BGP sessions, drawn as edges. */
  peerings?(node: ResolvedNode): readonly KindPeering[];
  /** The kind as the handout's badge shows it (default: the kind's name). */
  badge?(node: ResolvedNode): string;
  /** Rows of the handout's node table after its containers (e.g. BGP: AS, neighbors, announcements). */
  rows?(node: ResolvedNode): [string, string][];
  /** Long-running processes the kind starts in the node, for the handout's `processes` row. */
  processes?(node: ResolvedNode): string[];
}

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
  /** How graphs and handouts show its nodes. */
  readonly view?: KindView;
  /** Checks of the kind's own keys, beyond the schema. */
  check?(node: string, raw: Readonly<Record<string, unknown>>, ctx: KindCheckContext): Diagnostic[];
  /** Resolve the kind's own keys (containers, shared namespaces). */
  resolve?(node: string, raw: Readonly<Record<string, unknown>>, ctx: KindCheckContext): KindResolution;
  /** Steps of later phases the kind adds (e.g. starting its daemon once the node is wired). */
  extraSteps?(node: ResolvedNode, ctx: CompileContext): Step[];
  /** Checks that need a program (e.g. `bird -p` on a generated config), run before anything is built. */
  verify?(node: ResolvedNode, ctx: CompileContext): Promise<Diagnostic[]>;
  /**
   * What must hold before `lab up` returns, for this kind's nodes of the lab (a BGP router: its sessions Established
   * and the routes it must learn installed): probes judged on commands run in the nodes (runner/model/ready.ts).
   */
  ready?(nodes: readonly ResolvedNode[], lab: ResolvedLab, ctx: { readonly labDir: string }): ReadyProbe[];
  /** Remove what the kind made outside the lab's namespaces (containers), found by the lab's label. */
  teardown?(lab: string): Promise<string[]>;
  /** Steps that make the node's network namespace exist (phase `namespaces`). */
  createNamespace(node: ResolvedNode, ctx: CompileContext): Step[];
}
