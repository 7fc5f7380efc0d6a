/**
 * Issue 17: a seeded fuzz of the lab format. The shipped labs, mutated — a value replaced by a boundary value, a
 * metacharacter, a wrong type or a YAML trick; a key removed; a list item doubled — must each either validate and
 * compile to a plan, or be refused with located errors (file:line:col) and exit 2. Never an internal error, never a
 * hang. The seed is fixed so a failure is reproducible; `NSLAB_FUZZ_SEED` and `NSLAB_FUZZ_CASES` change it.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileContext, loadLab, planOf } from '../../runner/api.ts';
import { LabError } from '../../runner/config/diagnostics.ts';
import { mutate, rng } from './fuzz-mutate.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SEED = Number(process.env.NSLAB_FUZZ_SEED ?? 20261204);
const CASES = Number(process.env.NSLAB_FUZZ_CASES ?? 300);

function shippedLabs(): { name: string; text: string }[] {
  const dir = join(ROOT, 'labs');
  return readdirSync(dir)
    .sort()
    .map((name) => ({ name, text: readFileSync(join(dir, name, 'lab.yaml'), 'utf8') }));
}

describe(`fuzz: ${CASES} mutated lab files (seed ${SEED})`, function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nsl-fuzz-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('each validates and compiles, or is refused with located errors; none is an internal error', () => {
    const rand = rng(SEED);
    const labs = shippedLabs();
    const failures: string[] = [];
    let refused = 0;
    let accepted = 0;
    for (let i = 0; i < CASES; i++) {
      const base = labs[i % labs.length];
      const text = mutate(base.text, rand);
      if (text === undefined) continue;
      const file = join(dir, `case-${i}.lab.yaml`);
      writeFileSync(file, text);
      try {
        const { lab } = loadLab(file);
        planOf(lab, compileContext(lab.name, ['lab'], { 'net.ipv4.ip_forward': '0', 'net.ipv6.conf.all.forwarding': '0' }));
        accepted++;
      } catch (e) {
        if (!(e instanceof LabError)) {
          failures.push(`case ${i} (${base.name}): internal error ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
          continue;
        }
        refused++;
        if (e.exitCode !== 2) failures.push(`case ${i} (${base.name}): exit ${e.exitCode}, not 2: ${e.message.slice(0, 200)}`);
        const unlocated = e.diagnostics.filter((d) => d.severity === 'error' && (!d.pos || !d.pos.file || d.pos.line < 1 || d.pos.col < 1));
        if (unlocated.length) failures.push(`case ${i} (${base.name}): error without a place: ${unlocated[0].message}`);
        const garbled = e.diagnostics.filter((d) => /\[object Object\]|undefined|NaN/.test(d.message));
        if (garbled.length) failures.push(`case ${i} (${base.name}): garbled message: ${garbled[0].message}`);
      }
      // kept on failure only, to reproduce it
      if (!failures.length || !failures[failures.length - 1].startsWith(`case ${i} `)) rmSync(file);
    }
    assert.deepEqual(failures, [], `${failures.length} of ${CASES} cases (files kept in ${dir})`);
    // the fuzz must exercise both outcomes, or it tests nothing
    assert.ok(refused > CASES / 10, `only ${refused} refused`);
    assert.ok(accepted > 5, `only ${accepted} accepted`);
  });
});
