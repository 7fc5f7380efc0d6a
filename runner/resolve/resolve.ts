/**
 * Resolve a loaded lab: defaults, references, addresses, routes, tests. Pure; collects every error of the file.
 * The schema check first, then the extensions' expansions (a `cluster:` becomes nodes, bridges and links), then the
 * resolve passes in order (runner/resolve/passes.ts) over one draft.
 */
import { error, type Diagnostic } from '../config/diagnostics.ts';
import type { LoadedFile } from '../config/load.ts';
import { checkSchema } from '../config/schema-check.ts';
import { EXTENSIONS } from '../extensions.ts';
import type { LabExtras } from '../extensions-types.ts';
import { fabricNetns } from '../model/names.ts';
import type { ResolvedLab } from '../model/types.ts';
import { asObj, isObj } from '../util/obj.ts';
import { dedupe } from './dedupe.ts';
import { newDraft, type ResolveDraft } from './draft.ts';
import { runPasses } from './passes.ts';

export { dedupe };

export interface ResolveResult {
  readonly lab?: ResolvedLab;
  readonly diagnostics: readonly Diagnostic[];
  /**
   * The lab as far as it resolved, also when there are errors, and the file it was resolved from (a cluster
   * expanded into nodes): for the checks that run after resolve (the handout's notes, runner/api.ts). Left out
   * when resolve stopped before it had a lab.
   */
  readonly draft?: { readonly lab: ResolvedLab; readonly file: LoadedFile };
  /** Other files the lab brought in (Kubernetes manifests), with their text: messages may point into them. */
  readonly sources?: ReadonlyMap<string, string>;
}

const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === 'error');

export function resolveLab(input: LoadedFile): ResolveResult {
  const { source, diagnostics, sources } = load(input);
  const diags: Diagnostic[] = [...diagnostics, ...checkSchema(source)];
  const expanded = expand(source, diags);
  if (!expanded) return { diagnostics: dedupe(diags), sources };
  const { file, extras } = expanded;
  const raw = asObj(file.data);
  if (!Object.keys(asObj(raw.nodes)).length && !isObj(raw.cluster) && !hasErrors(diags)) diags.push(error('lab.no-nodes', 'the lab has no nodes', file.at(['nodes'], true), 'declare at least one node under `nodes:` (or a `cluster:`)'));
  const d = newDraft(file, extras, diags);
  runPasses(d);
  const lab = labOf(d);
  const draft = { lab, file };
  if (hasErrors(diags)) return { diagnostics: dedupe(diags), draft, sources };
  return { lab, diagnostics: dedupe(diags), draft, sources };
}

/** The extensions' `load`: other files a section names (a cluster's manifests), merged in before the schema check. */
function load(input: LoadedFile): { source: LoadedFile; diagnostics: Diagnostic[]; sources: Map<string, string> } {
  let source = input;
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  for (const ext of EXTENSIONS) {
    const l = ext.load?.(source);
    if (!l) continue;
    source = l.file;
    diagnostics.push(...l.diagnostics);
    for (const [k, v] of l.sources) sources.set(k, v);
  }
  return { source, diagnostics, sources };
}

/**
 * The extensions' sections expanded into ordinary lab parts, only once the file's shape is right. Undefined when a
 * section could not be expanded (the schema refused the file) or had errors of its own: the passes would only echo
 * them, e.g. as "unknown node" for every pod a test names.
 */
function expand(source: LoadedFile, diags: Diagnostic[]): { file: LoadedFile; extras: LabExtras } | undefined {
  // an error inside a section stops its expansion (the generated parts would echo it); one elsewhere (a test's bad
  // value) does not: the section expands, and the rest of the file is checked against it
  const data = asObj(source.data);
  const blocked = EXTENSIONS.some((ext) => data[ext.section] !== undefined && diags.some((d) => d.severity === 'error' && inSection(source, ext.section, d)));
  if (blocked) return undefined;
  let file = source;
  let extras: LabExtras = {};
  for (const ext of EXTENSIONS) {
    const e = ext.expand?.(file);
    if (!e) continue;
    diags.push(...e.diagnostics);
    if (e.failed) return undefined;
    file = e.file;
    extras = { ...extras, ...e.extras };
  }
  return { file, extras };
}

/**
 * Whether a diagnostic points into a top-level section of the lab file (from its key's line to the next top-level
 * key), or into another file that section brought in (a manifest).
 */
function inSection(file: LoadedFile, section: string, d: Diagnostic): boolean {
  if (!d.pos) return false;
  if (d.pos.file !== file.file) return true;
  const start = file.at([section], true).line;
  const lines = file.text.split('\n');
  let end = lines.length;
  for (let i = start; i < lines.length; i++) if (/^[^\s#-]/.test(lines[i])) { end = i; break; }
  return d.pos.line >= start && d.pos.line <= end;
}

function labOf(d: ResolveDraft): ResolvedLab {
  return {
    name: d.labName,
    description: typeof d.raw.description === 'string' ? d.raw.description : '',
    file: d.file.path,
    hash: d.file.hash,
    namePos: d.at(['name']),
    fabricNs: d.needFabric ? fabricNetns(d.labName) : undefined,
    nodes: d.nodes,
    bridges: d.resolvedBridges,
    links: d.resolvedLinks,
    tests: d.tests,
    ...(d.ready.length ? { ready: d.ready } : {}),
    ...d.extras,
  };
}
