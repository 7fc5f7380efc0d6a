/** nslab's library surface: the CLI is a thin layer over these functions. */
import { existsSync, statSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { error, LabError, type Diagnostic } from './config/diagnostics.ts';
import { readLabFile, type LoadedFile } from './config/load.ts';
import { isLabName } from './config/lab-name.ts';
import { labOfNetns } from './model/names.ts';
import { dedupe, resolveLab, type ResolveResult } from './resolve/resolve.ts';
import { checkHandout } from './handout/check.ts';
import type { ResolvedLab } from './model/types.ts';
import { compile } from './plan/compile.ts';
import { KINDS } from './kinds/registry.ts';
import { checkFeatures, probeFeatures } from './model/features.ts';
import { EXTENSIONS } from './extensions.ts';
import { checkImpairments, impairFeatures } from './model/impair.ts';
import type { CompileContext } from './plan/context.ts';
import type { Plan } from './plan/ops.ts';
import { inheritedForwarding, labNetns } from './exec/host.ts';
import { labDir, readState, type LabState } from './exec/state.ts';

export { compile, resolveLab, readLabFile };
/** The shape of a lab file, generated from schema/lab.schema.json. */
export type { NslabLabFile as RawLab } from './config/generated/lab-types.ts';

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
 * steps of this lab (plan steps only once the rest is valid). What `lab validate`, `lab plan` and `lab up` report.
 */
export function checkLab(file: LoadedFile): ResolveResult {
  const r = resolveLab(file);
  if (!r.draft) return r;
  const broken = r.diagnostics.some((d) => d.severity === 'error');
  const diagnostics = dedupe([...r.diagnostics, ...checkHandout(r.draft.file, r.draft.lab, broken)]);
  return { ...r, lab: diagnostics.some((d) => d.severity === 'error') ? undefined : r.lab, diagnostics };
}

export function loadLab(path: string): Loaded {
  const file = readLabFile(path);
  const sources = new Map([[file.file, file.text]]);
  const r = checkLab(file);
  if (!r.lab) throw new LabError(r.diagnostics, 2, sources);
  return { lab: r.lab, warnings: r.diagnostics.filter((d) => d.severity === 'warning'), sources };
}

/** The `lab` command itself, as argv, so nodes can run nslab's agents. */
export function selfArgv(): string[] {
  const here = fileURLToPath(import.meta.url);
  const cli = here.endsWith('.ts') ? join(here, '..', 'cli', 'main.ts') : join(here, '..', 'cli', 'main.js');
  return [process.execPath, cli];
}

/** The context for compiling on this machine; tests pass fixed values instead. */
export function compileContext(lab: string, self: readonly string[] = selfArgv(), inherited = inheritedForwarding()): CompileContext {
  return { labDir: labDir(lab), selfArgv: self, inherited };
}

/**
 * The context for compiling this lab on this machine, with the kernel features its link impairments depend on
 * (netem: probed in a scratch namespace, once per process, and only for labs that declare impairments).
 * `lab plan` and `lab up` both use it, so the printed plan is what runs.
 */
export async function compileContextFor(lab: ResolvedLab): Promise<CompileContext> {
  return { ...compileContext(lab.name), ...(await impairFeatures(lab)) };
}

export function planOf(lab: ResolvedLab, ctx?: CompileContext): Plan {
  return compile(lab, ctx ?? compileContext(lab.name));
}

/** Checks that need programs (kinds' verify, e.g. `bird -p`): a LabError (exit 2) before anything is built. */
export async function verifyLab(loaded: Loaded, ctx: CompileContext = compileContext(loaded.lab.name)): Promise<Diagnostic[]> {
  const diags: Diagnostic[] = [];
  // extensions' checks first (kube-proxy's ipvs mode), then the kernel features of interface types
  for (const ext of EXTENSIONS) diags.push(...((await ext.verify?.(loaded.lab, { features: probeFeatures })) ?? []));
  diags.push(...(await checkFeatures(loaded.lab)));
  // link impairments: delay and jitter need netem, and a kernel without it is refused here (runner/model/impair.ts)
  diags.push(...(await checkImpairments(loaded.lab)));
  await Promise.all(
    loaded.lab.nodes.map(async (n) => {
      const v = KINDS.get(n.kind)?.verify;
      if (v) diags.push(...(await v(n, ctx)));
    }),
  );
  if (diags.some((d) => d.severity === 'error')) throw new LabError(diags, 2, loaded.sources);
  return diags;
}

export type UpCheck = { action: 'create' } | { action: 'already-up'; state: LabState } | { action: 'clean-first'; reason: string };

/** What `lab up` must do about what is already on the machine under this lab's name. */
export function checkExisting(lab: ResolvedLab, recreate: boolean): UpCheck {
  const state = readState(lab.name);
  const present = labNetns(lab.name);
  if (state && resolvePath(state.file) !== resolvePath(lab.file) && present.length) {
    throw new LabError([
      error('lab.name-clash', `lab name ${JSON.stringify(lab.name)} is already used by a running lab from ${state.file}`, lab.namePos, `rename this lab, or take the other one down with \`lab down ${lab.name}\``),
    ]);
  }
  if (state && present.length) {
    const complete = state.status === 'up' && state.namespaces.every((n) => present.includes(n));
    if (complete && state.hash === lab.hash) return { action: 'already-up', state };
    if (complete && !recreate) {
      throw new LabError(
        [error('lab.changed', `lab ${lab.name} is up, but ${lab.file} has changed since`, lab.namePos, 'run `lab up --recreate` to take it down and bring the new version up, or `lab down` first')],
        2,
      );
    }
    return { action: 'clean-first', reason: complete ? 'recreating it from the changed file' : `it was left half-built (status ${state.status})` };
  }
  if (present.length || state) return { action: 'clean-first', reason: present.length ? `found ${present.length} namespace(s) of it with no state (a crashed run?)` : 'a stale state file' };
  return { action: 'create' };
}

/** Which lab a command that takes a lab name or file means. */
export function labNameOf(arg: string | undefined): { name: string; file?: string } {
  if (arg && !existsSync(arg) && isLabName(arg)) return { name: arg, file: readState(arg)?.file };
  const path = labPathOf(arg);
  const file = readLabFile(path);
  const name = (file.data as { name?: unknown } | null)?.name;
  if (typeof name !== 'string') {
    const r = resolveLab(file);
    throw new LabError(r.diagnostics.length ? r.diagnostics : [error('lab.name', 'the lab has no name', file.at(['name']))]);
  }
  return { name, file: path };
}

export { labOfNetns };
