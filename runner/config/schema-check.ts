/** JSON Schema (2020-12) validation of a loaded lab file, with ajv errors turned into file:line:col diagnostics. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { validate as precompiled } from './generated/lab-validator.js';
import { didYouMean, error, type Diagnostic } from './diagnostics.ts';
import type { LoadedFile, PathSeg } from './load.ts';
import { explainLabName } from './lab-name.ts';


let compiled: ValidateFunction | undefined;

export function labSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(schemaFile(), 'utf8')) as Record<string, unknown>;
}

function schemaFile(): string {
  // works from the sources (runner/config) and from the build (dist/runner/config)
  for (const rel of ['../../schema/lab.schema.json', '../../../schema/lab.schema.json']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    try {
      readFileSync(p);
      return p;
    } catch {
      /* try the next */
    }
  }
  throw new Error('schema/lab.schema.json not found next to the nslab sources');
}

/** The validator precompiled from the schema by scripts/gen-validator.ts (a unit test keeps it in step). */
function validator(): ValidateFunction {
  compiled ??= precompiled as ValidateFunction;
  return compiled;
}

export function checkSchema(file: LoadedFile): Diagnostic[] {
  const validate = validator();
  if (validate(file.data)) return [];
  let errs = pruneAnyOf(validate.errors ?? []);
  // `node:` for `nodes:` is one mistake: drop "missing nodes" when an unknown key there is its misspelling
  errs = errs.filter(
    (e) =>
      e.keyword !== 'required' ||
      !errs.some((o) => {
        if (o.keyword !== 'additionalProperties' || o.instancePath !== e.instancePath) return false;
        const extra = (o.params as { additionalProperty: string }).additionalProperty;
        return didYouMean(extra, [(e.params as { missingProperty: string }).missingProperty]) !== undefined;
      }),
  );
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errs) {
    const d = toDiagnostic(file, e);
    const key = `${d.pos?.line}:${d.pos?.col}:${d.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(d);
    }
  }
  return out;
}

function pointerToPath(ptr: string): PathSeg[] {
  if (!ptr) return [];
  return ptr
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** For anyOf, keep only the errors of the branches whose type matches the value; drop the anyOf summary when a branch explains itself. */
function pruneAnyOf(errors: readonly ErrorObject[]): ErrorObject[] {
  let list = [...errors];
  const under = (e: ErrorObject, a: ErrorObject): boolean =>
    e.schemaPath.startsWith(`${a.schemaPath}/`) && (e.instancePath === a.instancePath || e.instancePath.startsWith(`${a.instancePath}/`));
  for (const a of list.filter((e) => e.keyword === 'anyOf')) {
    const prefix = `${a.schemaPath}/`;
    const branchOf = (e: ErrorObject): string => e.schemaPath.slice(prefix.length).split('/')[0];
    const byBranch = new Map<string, ErrorObject[]>();
    for (const e of list.filter((x) => under(x, a))) byBranch.set(branchOf(e), [...(byBranch.get(branchOf(e)) ?? []), e]);
    const mismatched = new Set<string>();
    for (const [b, es] of byBranch) {
      if (es.some((e) => e.keyword === 'type' && e.instancePath === a.instancePath && e.schemaPath === `${prefix}${b}/type`)) mismatched.add(b);
    }
    const relevant = [...byBranch.keys()].filter((b) => !mismatched.has(b));
    if (relevant.length === 1) {
      // the value has the shape of exactly one branch: that branch's errors say what is wrong
      list = list.filter((e) => e !== a && !(under(e, a) && branchOf(e) !== relevant[0]));
    } else {
      list = list.filter((e) => !under(e, a));
      // errors found inside a $ref'd branch carry that definition's schemaPath: they explain the value, the summary does not
      const deeper = list.some((e) => e !== a && e.keyword !== 'anyOf' && (e.instancePath === a.instancePath || e.instancePath.startsWith(`${a.instancePath}/`)));
      if (deeper) list = list.filter((e) => e !== a);
    }
  }
  return list;
}

function describeSchema(s: unknown): string | undefined {
  const o = s as { description?: string } | undefined;
  return o?.description;
}

function toDiagnostic(file: LoadedFile, e: ErrorObject): Diagnostic {
  const path = pointerToPath(e.instancePath);
  const where = path.length ? path.join('.') : 'the lab';
  const parent = e.parentSchema as Record<string, unknown> | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((parent?.properties as Record<string, unknown>) ?? {});
      const guess = didYouMean(extra, allowed);
      return error(
        'schema.unknown-key',
        `unknown key ${JSON.stringify(extra)} in ${where}`,
        file.at([...path, extra], true),
        guess ? `did you mean ${JSON.stringify(guess)}?` : `allowed here: ${allowed.join(', ')}`,
      );
    }
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return error('schema.required', `${where} is missing the required key ${JSON.stringify(missing)}`, file.at(path, true), describeSchema((parent?.properties as Record<string, unknown>)?.[missing]));
    }
    case 'type': {
      const want = (e.params as { type: string | string[] }).type;
      const wants = (Array.isArray(want) ? want : String(want).split(',')).filter((t) => t !== 'null');
      return error('schema.type', `${where} must be ${wants.map(article).join(' or ')}`, file.at(path), describeSchema(parent));
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      const guess = typeof e.data === 'string' ? didYouMean(e.data, allowed.map(String)) : undefined;
      return error(
        'schema.enum',
        `${where} is ${JSON.stringify(e.data)}, which is not one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`,
        file.at(path),
        guess ? `did you mean ${JSON.stringify(guess)}?` : describeSchema(parent),
      );
    }
    case 'pattern': {
      if (e.propertyName !== undefined) return badName(file, path, e.propertyName, parent);
      if (path[0] === 'links' && typeof e.data === 'string') {
        const [node, ifname] = e.data.includes(':') ? e.data.split(/:(.*)/s) : [undefined, e.data];
        const bad = node !== undefined && !/^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(node) ? explainName(node, 'node name') : explainName(ifname ?? '', 'interface name');
        return error('schema.endpoint', `link end ${JSON.stringify(e.data)} cannot be used: ${bad}`, file.at(path), 'a link end is node:interface (an interface name has at most 15 characters) or a bridge name');
      }
      if (path.length === 1 && path[0] === 'name' && typeof e.data === 'string') {
        return error('schema.name', `lab name ${JSON.stringify(e.data)} cannot be used: ${explainLabName(e.data)}`, file.at(path), describeSchema(parent));
      }
      return error('schema.pattern', `${where} is ${JSON.stringify(e.data)}, which is not valid here`, file.at(path), describeSchema(parent) ?? `it must match ${(e.params as { pattern: string }).pattern}`);
    }
    case 'propertyNames': {
      const name = (e.params as { propertyName: string }).propertyName;
      return badName(file, path, name, (parent?.propertyNames as Record<string, unknown>) ?? parent);
    }
    case 'not': {
      if (e.propertyName !== undefined) return badName(file, path, e.propertyName, parent);
      return error('schema.not', `${where} is not allowed to be ${JSON.stringify(e.data)}`, file.at(path));
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const lo = parent?.minimum as number | undefined;
      const hi = parent?.maximum as number | undefined;
      const range = lo !== undefined && hi !== undefined ? `${lo}–${hi}` : lo !== undefined ? `at least ${lo}` : `at most ${hi}`;
      // an item of a list is named by its list and place (whoami[0]), not by its bare index ("0 0 is too small")
      const tail = path[path.length - 1];
      const last = typeof tail === 'number' || /^\d+$/.test(String(tail ?? '')) ? `${String(path[path.length - 2] ?? 'item')}[${String(tail)}] =` : String(tail ?? 'value');
      return error('schema.range', `${last} ${JSON.stringify(e.data)} is too ${e.keyword.includes('in') ? 'small' : 'large'}: it must be ${range}`, file.at(path), describeSchema(parent) ?? `use a value of ${range}`);
    }
    case 'uniqueItems': {
      const { i, j } = e.params as { i: number; j: number };
      const dup = Array.isArray(e.data) ? e.data[j] : undefined;
      const [first, second] = [Math.min(i, j), Math.max(i, j)];
      return error('schema.unique', `${where} lists ${JSON.stringify(dup)} twice (items ${first + 1} and ${second + 1})`, file.at([...path, second]), 'give each value once');
    }
    case 'minItems':
    case 'maxItems': {
      return error('schema.items', `${where} ${e.message}`, file.at(path), describeSchema(parent));
    }
    case 'minProperties':
    case 'maxProperties': {
      return error('schema.properties', `${where} ${e.message}`, file.at(path), describeSchema(parent));
    }
    case 'anyOf': {
      return error('schema.shape', `${where} has the wrong shape`, file.at(path), describeSchema(parent));
    }
    default:
      return error(`schema.${e.keyword}`, `${where} ${e.message ?? 'is invalid'}`, file.at(path), describeSchema(parent));
  }
}

function badName(file: LoadedFile, path: PathSeg[], name: string, schema: Record<string, unknown> | undefined): Diagnostic {
  const what = path.length ? String(path[path.length - 1]) : 'key';
  const kind = what === 'nodes' ? 'node name' : what === 'bridges' ? 'bridge name' : what === 'interfaces' ? 'interface name' : what === 'sysctls' ? 'sysctl' : 'name';
  const reason = explainName(name, kind);
  const hint = kind === 'sysctl' ? 'remove it: only net.* sysctls can be set per namespace' : (describeSchema(schema) ?? describeSchema(schema?.['$ref']));
  return error('schema.name', `${kind} ${JSON.stringify(name)} cannot be used: ${reason}`, file.at([...path, name], true), hint);
}

function explainName(name: string, kind: string): string {
  if (kind === 'sysctl') return 'only network sysctls (net.…) can be set inside a namespace; others would change the host';
  if (kind === 'interface name' && name.length > 15) return `it is ${name.length} characters long and Linux allows at most 15`;
  if (kind === 'node name' && name.length > 32) return `it is ${name.length} characters long (at most 32)`;
  if (/\s/.test(name)) return 'it contains white space';
  if (name.includes('/')) return "it contains '/'";
  if (/[;&|$`<>(){}'"\\*?!#~]/.test(name)) return 'it contains a shell metacharacter';
  if (name.includes(':')) return "it contains ':'";
  if (kind === 'node name' && !/^[A-Za-z]/.test(name)) return 'it must start with a letter';
  return 'it has characters that are not allowed';
}

function article(t: string): string {
  if (t === 'integer') return 'an integer';
  if (t === 'object') return 'a mapping';
  if (t === 'array') return 'a list';
  return `a ${t}`;
}
