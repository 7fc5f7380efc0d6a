/**
 * Loading a lab file: read it (YAML with positions), resolve it, and check what refers to the resolved lab (the
 * handout's notes). The pipeline's entry point; pure apart from reading the file. A LabError (exit 2) when invalid.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { LabError, type Diagnostic } from '../config/diagnostics.ts';
import { readLabFile, type LoadedFile } from '../config/load.ts';
import type { ResolvedLab } from '../model/types.ts';
import { runningPlacement } from '../exec/applied.ts';
import { checkHandout } from './handout-check.ts';
import { checkTraces } from './handout-traces.ts';
import { dedupe, resolveLab, type ResolveResult } from './resolve.ts';

/** A lab argument: a lab.yaml, a directory holding one, or the name of a lab that is up. */
export function labPathOf(arg: string | undefined): string {
  const p = arg ?? 'lab.yaml';
  if (existsSync(p) && statSync(p).isDirectory()) {
    for (const f of ['lab.yaml', 'lab.yml']) if (existsSync(join(p, f))) return resolvePath(p, f);
  }
  return resolvePath(p);
}

export interface Loaded {
  readonly lab: ResolvedLab;
  readonly warnings: readonly Diagnostic[];
  readonly sources: Map<string, string>;
}

/**
 * Resolve a lab file, then check what refers to the resolved lab: the handout's notes name nodes, tests and plan
 * steps of this lab (plan steps only once the rest is valid), its traces' FROM and TO name things of it. What `lab validate`, `lab plan` and `lab up` report.
 */
export function checkLab(file: LoadedFile): ResolveResult {
  const r = resolveLab(file);
  if (!r.draft) return r;
  const broken = r.diagnostics.some((d) => d.severity === 'error');
  const diagnostics = dedupe([...r.diagnostics, ...checkHandout(r.draft.file, r.draft.lab, broken), ...checkTraces(r.draft.file, r.draft.lab, broken)]);
  return { ...r, lab: diagnostics.some((d) => d.severity === 'error') ? undefined : r.lab, diagnostics };
}

export interface LoadOptions {
  /** Allocate a cluster's addresses afresh, not as the running lab of the same name holds them (`lab up --recreate`). */
  readonly fresh?: boolean;
}

/**
 * Read and resolve a lab file. When a lab of its name is up, its pods and Services keep the addresses it handed out
 * (issue 15.1): every command sees the lab as it runs, and a changed file allocates only what is new.
 */
export function loadLab(path: string, opts: LoadOptions = {}): Loaded {
  const read = readLabFile(path);
  const name = (read.data as { name?: unknown } | null)?.name;
  const placement = !opts.fresh && typeof name === 'string' && /^[a-z0-9][a-z0-9-]*$/.test(name) ? runningPlacement(name) : undefined;
  const file = placement ? { ...read, placement } : read;
  const sources = new Map([[file.file, file.text]]);
  const r = checkLab(file);
  for (const [k, v] of r.sources ?? []) sources.set(k, v);
  if (!r.lab) throw new LabError(r.diagnostics, 2, sources);
  return { lab: r.lab, warnings: r.diagnostics.filter((d) => d.severity === 'warning'), sources };
}

