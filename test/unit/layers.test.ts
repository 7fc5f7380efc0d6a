/**
 * The layer rule (issue 10): .dependency-cruiser.cjs, run by `npm run deps` (and so by `npm test`), holds for the
 * repository — and it can fail: on a small tree with an upward import, an import circle and a process started
 * outside runner/exec, each rule fires.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const DEPCRUISE = join(ROOT, 'node_modules/.bin/depcruise');

function cruise(cwd: string): { status: number | null; out: string } {
  const r = spawnSync(DEPCRUISE, ['--config', '.dependency-cruiser.cjs', '--output-type', 'err', 'runner', 'assertions'], { cwd, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('the layer rule (dependency-cruiser)', function () {
  this.timeout(60000);

  it('holds for the repository: no upward import, no circle, no process outside runner/exec', () => {
    const r = cruise(ROOT);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /no dependency violations found/);
  });

  it('fails on an upward import, a circle and execa outside runner/exec', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-layers-'));
    try {
      copyFileSync(join(ROOT, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true } }));
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
      const files: Record<string, string> = {
        'runner/model/types.ts': "import type { Args } from '../cli/args.ts';\nexport type T = Args;\n",
        'runner/cli/args.ts': 'export interface Args { a: string }\n',
        'runner/util/p.ts': "import { q } from './q.ts';\nexport const p = (): number => q() + 1;\n",
        'runner/util/q.ts': "import { p } from './p.ts';\nexport const q = (): number => (Math.random() > 2 ? p() : 0);\n",
        'runner/graph/svg.ts': "import { execa } from 'execa';\nexport const run = (): unknown => execa('dot', []);\n",
        'assertions/ping.ts': "import { spawn } from 'node:child_process';\nexport const s = spawn;\n",
        'runner/exec/process.ts': "import { spawn } from 'node:child_process';\nexport const s = spawn;\n",
      };
      for (const [f, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, f)), { recursive: true });
        writeFileSync(join(dir, f), text);
      }
      const r = cruise(dir);
      assert.notEqual(r.status, 0, r.out);
      assert.match(r.out, /core-imports-only-downward: runner\/model\/types\.ts → runner\/cli\/args\.ts/);
      assert.match(r.out, /no-circular: runner\/util\/(p|q)\.ts/);
      assert.match(r.out, /only-exec-starts-processes: runner\/graph\/svg\.ts → \S*node_modules\/execa\//);
      assert.match(r.out, /only-exec-starts-processes: assertions\/ping\.ts → (node:)?child_process/);
      assert.doesNotMatch(r.out, /runner\/exec\/process\.ts →/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
