/**
 * What an extension is: a construct of the lab format that is more than a kind of node or a type of link (the
 * Kubernetes-style `cluster:`). It plugs into the pipeline at fixed points, each optional:
 *
 *   load              before the schema check: brings in what its section names in other files (the cluster's
 *                     Kubernetes manifests), so they are checked as if written in the lab file, at their own lines
 *   expand            before resolve: turns its section into ordinary lab parts (nodes, bridges, links) and
 *                     returns what it resolved for itself (its field of ResolvedLab, e.g. `cluster`)
 *   assertionContext  while tests resolve: what the tests may see of it (ResolveContext fields), and how an action
 *                     test (e.g. delete-pod) changes what later tests see
 *   steps             in compile: the plan steps it adds once the lab's network is built
 *   verify            before `lab up`: checks that need this machine's kernel features
 *
 * The registry (runner/extensions.ts) lists the extensions; resolve and compile loop over it.
 */
import type { Diagnostic } from './config/diagnostics.ts';
import type { LoadedFile } from './config/load.ts';
import type { ResolvedLab } from './model/types.ts';
import type { CompileContext } from './plan/context.ts';
import type { Step } from './plan/ops.ts';
import type { ResolveContext } from '../assertions/types.ts';

/** What extensions add to the resolved lab: each its own field. */
export type LabExtras = Partial<Pick<ResolvedLab, 'cluster'>>;

export interface Expansion {
  /** The lab file with the extension's section expanded into ordinary parts (positions point back into it). */
  readonly file: LoadedFile;
  readonly extras?: LabExtras;
  /** The section has errors of its own: resolve stops after reporting them (they would echo in the generated parts). */
  readonly failed?: boolean;
  readonly diagnostics: readonly Diagnostic[];
}

/** What tests see of an extension while they are resolved, in file order. */
export interface TestScope {
  /** Fields of ResolveContext this extension provides (the same object for every test: its functions see the latest state). */
  readonly context: Partial<Pick<ResolveContext, 'cluster'>>;
  /** A test resolved (its assertion type and parameters): an action may change what the tests after it see. */
  resolved(type: string, params: Readonly<Record<string, unknown>>): void;
}

/** A kernel feature as this machine has it (probed by the host layer, passed down as data). */
export interface FeatureProbe {
  readonly ok: boolean;
  readonly detail: string;
  readonly hint?: string;
}

export interface VerifyContext {
  /** Probe these kernel features on this machine. */
  features(names: readonly string[]): Promise<ReadonlyMap<string, FeatureProbe>>;
  /** Whether this machine has an executable at this path (a CNI plugin). */
  executable?(path: string): boolean;
}

/** What an extension's `load` made of the lab file: the file with the other files' content merged in. */
export interface Loaded {
  readonly file: LoadedFile;
  readonly diagnostics: readonly Diagnostic[];
  /** The other files read, by the name messages use, with their text (for the lines under an error). */
  readonly sources: ReadonlyMap<string, string>;
}

export interface Extension {
  readonly name: string;
  /** The top-level key of the lab file this extension expands (`cluster`). */
  readonly section: string;
  load?(source: LoadedFile): Loaded;
  expand?(source: LoadedFile): Expansion;
  assertionContext?(extras: LabExtras): TestScope | undefined;
  steps?(lab: ResolvedLab, ctx: CompileContext): Step[];
  verify?(lab: ResolvedLab, ctx: VerifyContext): Promise<Diagnostic[]>;
}
