/** Loading a lab and what `lab up` needs before it builds: its path, its compile context, its checks, what is already up. */
import { accessSync, constants as fsConstants, existsSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { error, LabError, type Diagnostic } from '../config/diagnostics.ts';
import { readLabFile } from '../config/load.ts';
import { isLabName } from '../config/lab-name.ts';
import { labOfNetns, nodeNetns } from '../model/names.ts';
import { EXTENSIONS } from '../extensions.ts';
import type { ResolvedLab } from '../model/types.ts';
import { compile } from '../plan/compile.ts';
import { KINDS } from '../kinds/registry.ts';
import { checkFeatures, featuresRequired, featuresToProbe } from '../model/features.ts';
import type { HostFeatures } from '../model/host-features.ts';
import { checkImpairments, impairFeatures } from '../model/impair.ts';
import { detectFeatures } from '../exec/probes.ts';
import type { CompileContext } from '../plan/context.ts';
import type { Plan } from '../plan/ops.ts';
import { inheritedForwarding, labNetns } from '../exec/host.ts';
import { labDir, readState, type LabState } from '../exec/state.ts';
import { structureHash } from '../model/structure-hash.ts';
import { appliedPath } from '../exec/applied.ts';

export { compile, readLabFile };
export { resolveLab };
/** The shape of a lab file, generated from schema/lab.schema.json. */
export type { NslabLabFile as RawLab } from '../config/generated/lab-types.ts';

export { checkLab, labPathOf, loadLab, type Loaded } from '../resolve/load.ts';
import { labPathOf, type Loaded } from '../resolve/load.ts';
import { resolveLab } from '../resolve/resolve.ts';

/** The `lab` command itself, as argv, so nodes can run nslab's agents. */
export function selfArgv(): string[] {
  const here = fileURLToPath(import.meta.url);
  const cli = here.endsWith('.ts') ? join(here, '..', '..', 'cli', 'main.ts') : join(here, '..', '..', 'cli', 'main.js');
  return [process.execPath, cli];
}

/** The context for compiling on this machine; tests pass fixed values instead. */
export function compileContext(lab: string, self: readonly string[] = selfArgv(), inherited = inheritedForwarding()): CompileContext {
  return { labDir: labDir(lab), selfArgv: self, inherited };
}

const probed = new Map<string, Promise<HostFeatures>>();

/**
 * The host features this lab depends on (runner/model/features.ts), probed through exec (kernel features in a
 * scratch namespace): once per set of features per process. Labs that need none never wait for a probe.
 */
export function hostFeaturesFor(lab: ResolvedLab): Promise<HostFeatures> {
  const names = featuresToProbe(lab);
  if (!names.length) return Promise.resolve(new Map());
  const key = names.join(',');
  let p = probed.get(key);
  if (!p) probed.set(key, (p = detectFeatures(names)));
  return p;
}

/**
 * The context for compiling this lab on this machine (`lab up`), with the probed kernel features its link
 * impairments depend on (given, or probed now).
 */
export async function compileContextFor(lab: ResolvedLab, features?: HostFeatures): Promise<CompileContext> {
  const found = features ?? (await hostFeaturesFor(lab));
  return { ...compileContext(lab.name), ...impairFeatures(lab, found.get('netem')) };
}

/**
 * The context `lab plan` compiles with: nothing is probed (no process, the same text as root or not). The
 * features the lab cannot run without are assumed present, and the plan says which; an optional one (netem
 * for loss alone) is left unknown, which compiles to what works everywhere (the step's note says so).
 */
export function planContextFor(lab: ResolvedLab, ctx: CompileContext = compileContext(lab.name)): CompileContext {
  const assumed = featuresRequired(lab);
  return { ...ctx, ...(assumed.length ? { assumed } : {}) };
}

export function planOf(lab: ResolvedLab, ctx?: CompileContext): Plan {
  return compile(lab, ctx ?? compileContext(lab.name));
}

/**
 * Checks against this machine (kernel features, netem, kinds' verify such as `bird -p`): a LabError (exit 2)
 * before anything is built. `features` are the host's probed answers (probed now when not given).
 */
export async function verifyLab(loaded: Loaded, ctx: CompileContext = compileContext(loaded.lab.name), features?: HostFeatures): Promise<Diagnostic[]> {
  const found = features ?? (await hostFeaturesFor(loaded.lab));
  const diags: Diagnostic[] = [];
  // extensions' checks first (kube-proxy's ipvs mode), then the kernel features of interface types
  for (const ext of EXTENSIONS) diags.push(...((await ext.verify?.(loaded.lab, { features: async () => found, executable: isExecutable })) ?? []));
  diags.push(...checkFeatures(loaded.lab, found));
  // link impairments: delay and jitter need netem, and a kernel without it is refused here (runner/model/impair.ts)
  diags.push(...checkImpairments(loaded.lab, found.get('netem')));
  await Promise.all(
    loaded.lab.nodes.map(async (n) => {
      const v = KINDS.get(n.kind)?.verify;
      if (v) diags.push(...(await v(n, ctx)));
    }),
  );
  if (diags.some((d) => d.severity === 'error')) throw new LabError(diags, 2, loaded.sources);
  return diags;
}

export type UpCheck = { action: 'create' } | { action: 'already-up'; state: LabState; adopted?: boolean } | { action: 'clean-first'; reason: string } | { action: 'apply'; state: LabState };

/** What `lab up` must do about what is already on the machine under this lab's name. */
export function checkExisting(lab: ResolvedLab, recreate: boolean, selection?: { readonly nodes: readonly string[] }): UpCheck {
  const state = readState(lab.name);
  const present = labNetns(lab.name);
  if (state && resolvePath(state.file) !== resolvePath(lab.file) && present.length) {
    throw new LabError([
      error('lab.name-clash', `lab name ${JSON.stringify(lab.name)} is already used by a running lab from ${state.file}`, lab.namePos, `rename this lab, or take the other one down with \`lab down ${lab.name}\``),
    ]);
  }
  if (state && present.length) {
    // a node stopped on purpose (lab stop) is not missing: its namespace comes back with `lab start`
    const stoppedNs = new Set((state.stopped ?? []).map((n) => nodeNetns(lab.name, n)));
    const complete = state.status === 'up' && state.namespaces.every((n) => present.includes(n) || stoppedNs.has(n));
    // part of the lab (issue 15.4): another part (or the whole) is up: rebuilt only when asked to
    const was = state.selection?.nodes.join(',') ?? '';
    const now = selection?.nodes.join(',') ?? '';
    // another part (or the whole lab) from the running part: the difference applied in place (issue 15.1)
    if (complete && was !== now && !recreate && existsSync(appliedPath(lab.name))) return { action: 'apply', state };
    if (complete && was !== now && !recreate) {
      const said = (s: string): string => (s ? `part of it (${s.split(',').join(', ')})` : 'the whole lab');
      throw new LabError([error('lab.selection-changed', `lab ${lab.name} is up as ${said(was)}, not as ${said(now)}`, lab.namePos, `run \`lab up --recreate\` with the selection you want to take it down and bring that up, or \`lab down ${lab.name}\` first`)], 2);
    }
    if (complete && was !== now) return { action: 'clean-first', reason: `recreating it as ${now ? 'a different part' : 'the whole lab'}` };
    if (complete && state.hash === lab.hash) return { action: 'already-up', state };
    // only the tests (or texts) changed: the network is the same, so the lab stays up and adopts the new file
    if (complete && state.structure !== undefined && state.structure === structureHash(lab)) return { action: 'already-up', state, adopted: true };
    // the file changed: apply the difference in place (issue 15.1), when the plan the lab is up from is recorded
    if (complete && !recreate && existsSync(appliedPath(lab.name))) return { action: 'apply', state };
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

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}
