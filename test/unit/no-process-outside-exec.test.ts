/**
 * Only runner/exec starts processes or talks to Docker: no .ts file under runner/ or assertions/ outside
 * runner/exec imports execa, node:child_process (or child_process) or dockerode — static imports, re-exports,
 * type-only imports and dynamic import() alike. The detector is tested on samples first, so it can fail.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HOST_MODULES = /^(?:execa|dockerode|(?:node:)?child_process)(?:\/.*)?$/;

/** The modules a source text imports that only runner/exec may import. */
export function hostImports(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    // import x from 'm'; import { a } from "m"; import type T from 'm'; export { a } from 'm'; export * from 'm'
    /\b(?:import|export)\s[^'";]*?\bfrom\s*(['"])([^'"]+)\1/g,
    // import 'm' (side effects only)
    /\bimport\s*(['"])([^'"]+)\1/g,
    // import('m'), await import("m"), require('m')
    /\b(?:import|require)\s*\(\s*(['"`])([^'"`]+)\1\s*[,)]/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) if (HOST_MODULES.test(m[2])) found.push(m[2]);
  return [...new Set(found)];
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('no process outside runner/exec', () => {
  it('the detector finds every form of import of a host module', () => {
    const samples: [string, string[]][] = [
      [`import { execa } from 'execa';`, ['execa']],
      [`import Docker from "dockerode";`, ['dockerode']],
      [`import type Docker from 'dockerode';`, ['dockerode']],
      [`import {\n  spawn,\n  execFile,\n} from 'node:child_process';`, ['node:child_process']],
      [`import * as cp from 'child_process';`, ['child_process']],
      [`export { spawn } from 'node:child_process';`, ['node:child_process']],
      [`import 'node:child_process';`, ['node:child_process']],
      [`const { execa } = await import('execa');`, ['execa']],
      [`const m = await import ( "dockerode" );`, ['dockerode']],
      [`const cp = require('child_process');`, ['child_process']],
    ];
    for (const [text, want] of samples) assert.deepEqual(hostImports(text), want, text);
  });

  it('the detector leaves other modules and mere mentions alone', () => {
    for (const text of [
      `import { run } from './exec/process.ts';`,
      `import { readFileSync } from 'node:fs';`,
      `// execa and child_process are only named in this comment`,
      `const s = 'dockerode is loaded only by runner/exec';`,
      `import { x } from './execa-like.ts';`,
    ]) {
      assert.deepEqual(hostImports(text), [], text);
    }
  });

  it('no .ts file under runner/ or assertions/ outside runner/exec imports execa, child_process or dockerode', () => {
    const files = [...tsFiles(join(root, 'runner')), ...tsFiles(join(root, 'assertions'))];
    assert.ok(files.length > 100, `found only ${files.length} files`);
    const exec = join(root, 'runner', 'exec') + '/';
    const offenders = files.filter((f) => !f.startsWith(exec)).flatMap((f) => hostImports(readFileSync(f, 'utf8')).map((m) => `${relative(root, f)} imports ${m}`));
    assert.deepEqual(offenders, [], 'only runner/exec may start processes or talk to Docker: move the code into runner/exec and call it');
    // and runner/exec does use them (the check looks at the right files)
    assert.ok(files.filter((f) => f.startsWith(exec)).some((f) => hostImports(readFileSync(f, 'utf8')).includes('node:child_process')));
  });
});
