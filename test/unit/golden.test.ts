/** test/unit/golden.ts can fail: a missing or different golden file fails; only update mode writes. */
import { strict as assert, AssertionError } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectGolden, expectNoStrayGoldens, firstDifference, UPDATE_COMMAND, UPDATE_ENV, updatingGoldens } from './golden.ts';

describe('golden files (test/unit/golden.ts)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nslab-golden-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const fails = (f: () => void, message: RegExp): void =>
    assert.throws(f, (e: unknown) => {
      assert.ok(e instanceof AssertionError, `an AssertionError, not ${String(e)}`);
      assert.match(e.message, message);
      return true;
    });

  it('a missing golden file fails, naming the file and the command that writes goldens, and writes nothing', () => {
    const file = join(dir, 'sub', 'x.plan.sh');
    fails(() => expectGolden(file, 'text\n', { update: false }), new RegExp(`golden file ${file} is missing: write it with \`${UPDATE_COMMAND}\``));
    assert.equal(existsSync(file), false);
  });

  it('a different golden file fails with where it differs, the diff material, and leaves the file alone', () => {
    const file = join(dir, 'x.mmd');
    writeFileSync(file, 'a\nb\nc\n');
    assert.throws(
      () => expectGolden(file, 'a\nB\nc\n', { update: false }),
      (e: unknown) => {
        assert.ok(e instanceof AssertionError);
        assert.match(e.message, /x\.mmd differs from the output \(line 2: golden "b", actual "B"\)/);
        assert.match(e.message, new RegExp(`run \`${UPDATE_COMMAND}\``));
        assert.deepEqual([e.expected, e.actual], ['a\nb\nc\n', 'a\nB\nc\n'], 'mocha shows the diff from these');
        return true;
      },
    );
    assert.equal(readFileSync(file, 'utf8'), 'a\nb\nc\n');
    fails(() => expectGolden(file, 'a\nb\nc', { update: false }), /line 4: golden "", actual \(end of text\)/);
  });

  it('an equal golden file passes', () => {
    const file = join(dir, 'x.rules');
    writeFileSync(file, 'same\n');
    expectGolden(file, 'same\n', { update: false });
  });

  it('update mode writes a missing or different file (creating its directory) and passes', () => {
    const file = join(dir, 'new', 'deeper', 'x.conf');
    expectGolden(file, 'first\n', { update: true });
    assert.equal(readFileSync(file, 'utf8'), 'first\n');
    expectGolden(file, 'second\n', { update: true });
    assert.equal(readFileSync(file, 'utf8'), 'second\n');
    expectGolden(file, 'second\n', { update: false });
  });

  it(`update mode is ${UPDATE_ENV}=1, nothing else`, () => {
    assert.equal(updatingGoldens({ [UPDATE_ENV]: '1' }), true);
    for (const env of [{}, { [UPDATE_ENV]: '' }, { [UPDATE_ENV]: '0' }, { [UPDATE_ENV]: 'yes' }, { UPDATE_GOLDEN: '1' }]) assert.equal(updatingGoldens(env), false, JSON.stringify(env));
  });

  it('a golden file no test produces fails; update mode removes it; other suffixes are left alone', () => {
    for (const f of ['a.plan.sh', 'b.plan.sh', 'old.plan.sh', 'notes.txt']) writeFileSync(join(dir, f), '');
    fails(() => expectNoStrayGoldens(dir, '.plan.sh', ['a.plan.sh', 'b.plan.sh'], { update: false }), /golden files in .* that no test produces: old\.plan\.sh;/);
    assert.ok(existsSync(join(dir, 'old.plan.sh')));
    expectNoStrayGoldens(dir, '.plan.sh', ['a.plan.sh', 'b.plan.sh'], { update: true });
    assert.deepEqual(['a.plan.sh', 'b.plan.sh', 'old.plan.sh', 'notes.txt'].map((f) => existsSync(join(dir, f))), [true, true, false, true]);
    expectNoStrayGoldens(dir, '.plan.sh', ['a.plan.sh', 'b.plan.sh'], { update: false });
  });

  it('firstDifference names the first differing line', () => {
    assert.equal(firstDifference('x\ny', 'x\nz'), 'line 2: golden "y", actual "z"');
    assert.equal(firstDifference('x', 'x\nmore'), 'line 2: golden (end of text), actual "more"');
    assert.equal(firstDifference('same', 'same'), 'the texts are equal');
  });
});
