/**
 * Golden files: the one place that compares output with a committed file, and the one place that writes them.
 *
 * A plain test run never writes a golden file: a missing one fails, naming the file and the command that writes
 * goldens; a different one fails with the first differing line (and mocha's diff). `npm run goldens` runs the unit
 * tests with NSLAB_UPDATE_GOLDENS=1, which writes every golden file that is missing or different (and removes
 * golden files no test produces any more); review the result with `git diff` before committing it.
 */
import { AssertionError } from 'node:assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const UPDATE_ENV = 'NSLAB_UPDATE_GOLDENS';
export const UPDATE_COMMAND = 'npm run goldens';

/** Whether this run writes golden files instead of checking them. */
export function updatingGoldens(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[UPDATE_ENV] === '1';
}

export interface GoldenOptions {
  /** Write instead of compare (default: NSLAB_UPDATE_GOLDENS=1 in the environment). */
  readonly update?: boolean;
}

/** Where two texts first differ: "line N: expected … / actual …" (lines shown as JSON strings). */
export function firstDifference(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) {
      const show = (l: string | undefined): string => (l === undefined ? '(end of text)' : JSON.stringify(l.length > 200 ? `${l.slice(0, 200)}…` : l));
      return `line ${i + 1}: golden ${show(e[i])}, actual ${show(a[i])}`;
    }
  }
  return 'the texts are equal';
}

/**
 * `actual` must be exactly the text of the golden file at `path`. In update mode the file is written (only when
 * missing or different) and the check passes.
 */
export function expectGolden(path: string, actual: string, opts: GoldenOptions = {}): void {
  const update = opts.update ?? updatingGoldens();
  const expected = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (update) {
    if (expected !== actual) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, actual);
    }
    return;
  }
  if (expected === undefined) {
    throw new AssertionError({ message: `golden file ${path} is missing: write it with \`${UPDATE_COMMAND}\` (${UPDATE_ENV}=1), review it and commit it` });
  }
  if (expected !== actual) {
    throw new AssertionError({
      message: `${path} differs from the output (${firstDifference(expected, actual)}); if the change is intended, run \`${UPDATE_COMMAND}\` and review the diff`,
      expected,
      actual,
      operator: 'strictEqual',
    });
  }
}

/**
 * The files in `dir` whose names end with `suffix` must be exactly `names` (the goldens some test produces): a golden
 * file left over from a removed lab or case fails. In update mode the strays are removed.
 */
export function expectNoStrayGoldens(dir: string, suffix: string, names: readonly string[], opts: GoldenOptions = {}): void {
  const wanted = new Set(names);
  const strays = (existsSync(dir) ? readdirSync(dir) : []).filter((f) => f.endsWith(suffix) && !wanted.has(f)).sort();
  if (!strays.length) return;
  if (opts.update ?? updatingGoldens()) {
    for (const f of strays) rmSync(join(dir, f));
    return;
  }
  throw new AssertionError({
    message: `golden files in ${dir} that no test produces: ${strays.join(', ')}; remove them (\`${UPDATE_COMMAND}\` does) or restore what produced them`,
  });
}
