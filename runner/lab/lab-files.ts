/**
 * The labs that arguments stand for (`lab test labs/`, `lab test 'labs/*-overlay'`, `lab test a b c`): lab files,
 * directories of labs, globs nslab expands itself, names of labs that are up; loaded, each under a unique name.
 */
import { existsSync, globSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { formatDiagnostics, LabError, type Diagnostic } from '../config/diagnostics.ts';
import { EXIT } from '../config/exit-codes.ts';
import { displayPath, readLabFile } from '../config/load.ts';
import { ExecError } from '../exec/executor.ts';
import { readState } from '../exec/state.ts';
import { isLabName } from '../config/lab-name.ts';
import { loadLab, type Loaded } from './load.ts';

const LAB_FILES = ['lab.yaml', 'lab.yml'];

export const hasGlobMagic = (s: string): boolean => /[*?[\]{}]/.test(s);

/** The lab file a directory holds itself, if any. */
function ownLabFile(dir: string): string | undefined {
  for (const f of LAB_FILES) if (existsSync(join(dir, f)) && statSync(join(dir, f)).isFile()) return join(dir, f);
  return undefined;
}

/** The lab files one level below a directory: DIR/*\/lab.yaml (or lab.yml), sorted by directory name. */
function subLabFiles(dir: string): string[] {
  const out: string[] = [];
  for (const f of LAB_FILES) for (const m of globSync(`*/${f}`, { cwd: dir })) out.push(join(dir, m));
  const byDir = new Map<string, string>();
  for (const f of out.sort()) if (!byDir.has(dirname(f))) byDir.set(dirname(f), f); // lab.yaml before lab.yml
  return [...byDir.values()].filter((f) => statSync(f).isFile());
}

/** A directory's labs: its own lab.yaml first, then every DIR/*\/lab.yaml. */
export function labsInDir(dir: string): string[] {
  const own = ownLabFile(dir);
  return [...(own ? [own] : []), ...subLabFiles(dir)];
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Does this argument stand for a set of labs rather than one? A directory that holds labs one level below it,
 * or a glob (nslab expands it itself) that is not the name of an existing path.
 */
export function isCollectionArg(p: string): boolean {
  if (existsSync(p)) return isDir(p) && !(ownLabFile(p) && !subLabFiles(p).length);
  return hasGlobMagic(p);
}

export interface ResolveOptions {
  /** Where relative paths and globs start (default: the working directory). */
  readonly cwd?: string;
  /** The lab file of a lab that is up, by name (default: from its state); undefined when it is not up. */
  readonly runningLabFile?: (name: string) => string | undefined;
}

/**
 * The lab files the arguments of `lab test` stand for, in argument order, each once (absolute paths):
 * a lab file; a directory (its lab.yaml and every DIR/*\/lab.yaml); a glob (lab files and directories that hold
 * a lab.yaml among its matches); the name of a lab that is up. Anything that stands for no lab is an error
 * (exit 2) that names what was searched; all of them are reported together.
 */
export function resolveLabArgs(args: readonly string[], opts: ResolveOptions = {}): string[] {
  const cwd = opts.cwd ?? process.cwd();
  const running = opts.runningLabFile ?? ((name: string) => readState(name)?.file);
  const files: string[] = [];
  const seen = new Set<string>();
  const diags: Diagnostic[] = [];
  const add = (f: string): void => {
    let key = resolve(cwd, f);
    try {
      key = realpathSync(key);
    } catch {
      /* a file that vanished: keep the path as given */
    }
    if (!seen.has(key)) {
      seen.add(key);
      files.push(resolve(cwd, f));
    }
  };
  const fail = (code: string, message: string, hint: string): void => {
    diags.push({ severity: 'error', code, message, hint });
  };
  for (const arg of args) {
    const p = resolve(cwd, arg);
    if (existsSync(p)) {
      if (isDir(p)) {
        const found = labsInDir(p);
        if (!found.length) fail('test.no-labs', `no labs in the directory ${arg}: searched ${join(arg, 'lab.yaml')} and ${join(arg, '*', 'lab.yaml')}`, 'give a directory whose subdirectories each hold a lab.yaml, a glob, or lab files');
        found.forEach(add);
      } else add(p);
      continue;
    }
    if (hasGlobMagic(arg)) {
      const matches = globSync(arg, { cwd }).sort();
      const found: string[] = [];
      for (const m of matches) {
        const mp = resolve(cwd, m);
        if (isDir(mp)) {
          const own = ownLabFile(mp);
          if (own) found.push(own);
        } else if (/\.ya?ml$/.test(mp)) found.push(mp);
      }
      if (!found.length) {
        const what = matches.length ? `${matches.length} path(s) match it, but none is a lab file or a directory with a lab.yaml` : 'nothing matches it';
        fail('test.no-labs', `the glob ${JSON.stringify(arg)} matches no lab (searched from ${cwd}: ${what})`, 'check the pattern; lab files are DIR/lab.yaml, and the glob may name the directories (labs/*-overlay) or the files (labs/*/lab.yaml)');
      }
      found.forEach(add);
      continue;
    }
    const file = isLabName(arg) ? running(arg) : undefined;
    if (file) {
      add(file);
      continue;
    }
    fail('test.no-labs', `${JSON.stringify(arg)} is no lab file, directory or glob${isLabName(arg) ? ', and no lab of that name is up' : ''} (searched from ${cwd})`, 'give lab files, directories of labs (labs/), globs in quotes (\'labs/*-overlay\') or names of labs that are up');
  }
  if (diags.length) throw new LabError(diags, EXIT.invalidLab);
  return files;
}

/** A lab of the run: loaded, or the reason it could not be (shown as a lab that failed to come up). */
export interface Entry {
  readonly file: string;
  readonly name: string;
  readonly loaded?: Loaded;
  readonly error?: string;
}

/** The lab's name from the file, as far as it can be read; else its directory's (or the file's) name. */
function nameFallback(file: string): string {
  try {
    const n = (readLabFile(file).data as { name?: unknown } | null)?.name;
    if (typeof n === 'string' && n) return n;
  } catch {
    /* unreadable: named by its place */
  }
  return LAB_FILES.includes(basename(file)) ? basename(dirname(file)) : basename(file, extname(file));
}

/** How `lab up` would have shown the failure, without colour: for the reports. */
export function describeError(e: unknown, colour = false): string {
  if (e instanceof LabError) return formatDiagnostics(e.diagnostics, { sources: e.sources, color: colour });
  if (e instanceof ExecError) return e.describe();
  return (e as Error)?.message ?? String(e);
}

export function loadEntries(files: readonly string[]): Entry[] {
  const entries = files.map((file): Entry => {
    try {
      const loaded = loadLab(file);
      return { file, name: loaded.lab.name, loaded };
    } catch (e) {
      return { file, name: nameFallback(file), error: describeError(e) };
    }
  });
  // two files of one name would clash (in parallel) and make two suites of one name: refuse before anything runs
  const byName = new Map<string, string[]>();
  for (const e of entries) byName.set(e.name, [...(byName.get(e.name) ?? []), e.file]);
  const dups = [...byName].filter(([, fs]) => fs.length > 1);
  if (dups.length) {
    throw new LabError(
      dups.map(([name, fs]) => ({ severity: 'error' as const, code: 'test.same-name', message: `${fs.length} lab files name the lab ${JSON.stringify(name)}: ${fs.map(displayPath).join(', ')}`, hint: 'lab names must be unique in one run: rename one, or test them separately' })),
      EXIT.invalidLab,
    );
  }
  return entries;
}
