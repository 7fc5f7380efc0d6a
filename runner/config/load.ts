/** Load a lab file: YAML with source positions, so every later error can name file:line:col. */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument, type Document, type Node } from 'yaml';
import { error, LabError, type Diagnostic, type SourcePos } from './diagnostics.ts';

export type PathSeg = string | number;

export interface LoadedFile {
  /** The path as shown in messages: relative to the working directory when it is below it. */
  readonly file: string;
  /** The absolute path. */
  readonly path: string;
  readonly text: string;
  readonly hash: string;
  readonly data: unknown;
  /** Position of the value at `path`, or of its key when `key` is true; falls back to the nearest parent. */
  at(path: readonly PathSeg[], key?: boolean): SourcePos;
  /**
   * What the running lab of this name has handed out (issue 15.1): its pods' nodes and addresses, its Services'
   * ClusterIPs and NodePorts. A changed file keeps them for what it still has, as Kubernetes keeps a pod's address and
   * a Service's ClusterIP; only what is new is allocated. Absent when the lab is not up.
   */
  readonly placement?: Placement;
}

/** Allocations of a running cluster, kept across a change of its lab file (issue 15.1). */
export interface Placement {
  readonly pods: Readonly<Record<string, { readonly node: string; readonly ip: string; readonly ip6?: string }>>;
  /** By namespace/name: the ClusterIPs (primary first) and each port's NodePort, by `name|port/protocol`. */
  readonly services: Readonly<Record<string, { readonly clusterIPs: readonly string[]; readonly nodePorts: Readonly<Record<string, number>> }>>;
}

export function readLabFile(file: string): LoadedFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    throw new LabError([error('file', `cannot read lab file ${file}: ${why}`, undefined, 'pass the path of a lab.yaml, e.g. `lab up labs/netns-veth/lab.yaml`')]);
  }
  return parseLabText(file, text);
}

export function displayPath(p: string): string {
  const abs = resolve(p);
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/**
 * The document as plain data, within YAML's resource limits: an alias bomb ("Excessive alias count") or nesting so
 * deep it overflows the stack is the user's file, so a located error (exit 2), never an internal error (issue 17).
 */
function toData(doc: Document, where: () => SourcePos, sources: ReadonlyMap<string, string>): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (e) {
    const m = (e as Error).message;
    const deep = e instanceof RangeError || /call stack/i.test(m);
    throw new LabError([error('yaml.limits', deep ? 'the YAML is nested too deeply to read' : /alias/i.test(m) ? 'the YAML expands its aliases (*name) too many times to read' : `the YAML cannot be read: ${m.split('\n')[0]}`, where(), deep ? 'a lab file needs no more than a few levels of nesting' : 'expand the aliases (*name) by hand; nslab reads at most 100 of them')], 2, sources);
  }
}

export function parseLabText(path: string, text: string): LoadedFile {
  const file = displayPath(path);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, strict: true });
  const diags: Diagnostic[] = [];
  const posOf = (offset: number, end?: number): SourcePos => {
    const p = lc.linePos(offset);
    const e = end !== undefined ? lc.linePos(end) : undefined;
    return { file, line: p.line, col: p.col, endCol: e && e.line === p.line ? e.col : undefined };
  };
  for (const e of doc.errors) {
    const [start, end] = e.pos;
    if (e.code === 'DUPLICATE_KEY') {
      const key = (/^\s*("[^"]*"|'[^']*'|[^:\n]*?)\s*:/.exec(text.slice(start))?.[1] ?? text.slice(start, end)).replace(/^["']|["']$/g, '').trim();
      const keyEnd = start + (text.slice(start).indexOf(key) + key.length);
      const parent = duplicateParent(doc, start);
      const what = parent === 'nodes' ? 'node name' : parent === 'bridges' ? 'bridge name' : parent === 'interfaces' ? 'interface name' : 'key';
      const first = firstKeyLine(text, start, key);
      diags.push(
        error('yaml.duplicate-key', `duplicate ${what} ${JSON.stringify(key)}`, posOf(start, keyEnd), `${first ? `${key} is already defined at line ${first}; ` : ''}each ${what} may appear only once: rename or merge the two`),
      );
    } else if (/call stack/i.test(e.message)) {
      if (diags.some((x) => x.code === 'yaml.limits')) continue; // the parser may say so more than once
      // where the parser ran out of stack depends on the stack's size: point at the line, not the column
      const line = lc.linePos(start).line;
      const lineStart = lc.lineStarts[line - 1] ?? 0;
      const indent = /^\s*/.exec(text.slice(lineStart))?.[0].length ?? 0;
      diags.push(error('yaml.limits', 'the YAML is nested too deeply to read', posOf(lineStart + indent), 'a lab file needs no more than a few levels of nesting'));
    } else {
      const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      diags.push(error('yaml.syntax', `YAML syntax error: ${msg}`, posOf(start, end), 'check indentation, colons and quoting on this line or the one before'));
    }
  }
  if (diags.length) throw new LabError(diags, 2, new Map([[file, text]]));
  const data = toData(doc, () => posOf(doc.range[0]), new Map([[file, text]]));
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const at = (path: readonly PathSeg[], key = false): SourcePos => {
    for (let n = path.length; n >= 0; n--) {
      const r = rangeAt(doc, path.slice(0, n), key && n === path.length);
      if (r) return posOf(r[0], r[1]);
    }
    return { file, line: 1, col: 1 };
  };
  return { file, path: resolve(path), text, hash, data, at };
}

function rangeAt(doc: Document, path: readonly PathSeg[], key: boolean): [number, number] | undefined {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  for (const seg of path) {
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return undefined;
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else {
      return undefined;
    }
  }
  const target = (key && keyNode ? keyNode : node ?? keyNode) as Node | undefined;
  const range = target?.range;
  if (!range) return undefined;
  return [range[0], range[1]];
}

function duplicateParent(doc: Document, offset: number): string | undefined {
  const root = doc.contents;
  if (!isMap(root)) return undefined;
  for (const pair of root.items) {
    const v = pair.value as Node | null;
    if (v?.range && offset >= v.range[0] && offset <= v.range[2] && isScalar(pair.key)) {
      const top = String(pair.key.value);
      if (top !== 'nodes') return top;
      // inside nodes: a key directly under nodes is a node name; deeper, interfaces
      if (isMap(v)) {
        for (const np of v.items) {
          const nv = np.value as Node | null;
          if (nv?.range && offset >= nv.range[0] && offset <= nv.range[2] && isMap(nv)) {
            for (const ip of nv.items) {
              const iv = ip.value as Node | null;
              if (iv?.range && offset >= iv.range[0] && offset <= iv.range[2] && isScalar(ip.key)) return String(ip.key.value);
            }
            return 'node';
          }
        }
      }
      return 'nodes';
    }
  }
  return undefined;
}

/** The line of an earlier key with the same name and indentation, for "already defined at line N". */
function firstKeyLine(text: string, offset: number, key: string): number | undefined {
  const lines = text.slice(0, offset).split('\n');
  const cur = text.slice(text.lastIndexOf('\n', offset - 1) + 1, offset);
  const indent = /^\s*/.exec(cur)?.[0].length ?? 0;
  for (let i = lines.length - 2; i >= 0; i--) {
    const m = /^(\s*)("?)([^":\n]+)\2\s*:/.exec(lines[i]);
    if (m && m[1].length === indent && m[3].trim() === key) return i + 1;
    if (m && m[1].length < indent) break;
  }
  return undefined;
}

/** One YAML document of a multi-document file, with positions like a lab file's. */
export interface LoadedDocument {
  readonly file: string;
  readonly index: number;
  readonly data: unknown;
  at(path: readonly PathSeg[], key?: boolean): SourcePos;
}

/**
 * A multi-document YAML file (Kubernetes manifests): every document with its own position lookup. Syntax errors and
 * duplicate keys are diagnostics, not exceptions, so one bad manifest does not hide the others' errors.
 */
export function parseYamlDocuments(path: string, text: string): { docs: LoadedDocument[]; diagnostics: Diagnostic[] } {
  const file = displayPath(path);
  const lc = new LineCounter();
  const posOf = (offset: number, end?: number): SourcePos => {
    const p = lc.linePos(offset);
    const e = end !== undefined ? lc.linePos(end) : undefined;
    return { file, line: p.line, col: p.col, endCol: e && e.line === p.line ? e.col : undefined };
  };
  const diagnostics: Diagnostic[] = [];
  const docs: LoadedDocument[] = [];
  parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, strict: true }).forEach((doc, index) => {
    for (const e of doc.errors) {
      const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      diagnostics.push(error(e.code === 'DUPLICATE_KEY' ? 'yaml.duplicate-key' : 'yaml.syntax', `YAML syntax error: ${msg}`, posOf(e.pos[0], e.pos[1]), 'check indentation, colons and quoting on this line or the one before'));
    }
    if (doc.errors.length || doc.contents === null) return;
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      diagnostics.push(error('yaml.aliases', `YAML document cannot be read: ${(e as Error).message}`, posOf(doc.range[0]), 'expand the aliases by hand'));
      return;
    }
    const at = (p: readonly PathSeg[], key = false): SourcePos => {
      for (let n = p.length; n >= 0; n--) {
        const r = rangeAt(doc, p.slice(0, n), key && n === p.length);
        if (r) return posOf(r[0], r[1]);
      }
      return posOf(doc.range[0]);
    };
    docs.push({ file, index, data, at });
  });
  return { docs, diagnostics };
}
