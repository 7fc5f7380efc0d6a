/**
 * Golden error tests: every file in bad-labs/ is a lab with one mistake (the several-* files have more),
 * and its .expected.txt is exactly what `formatDiagnostics` prints for it (no colour).
 *
 * Each bad lab marks its mistakes with a trailing comment on the offending line:
 *   `# error: CODE` — a diagnostic with this code must point at this line;
 *   `# error: A|B` — either code will do (schema check or resolver, whichever reports it);
 *   `# error: A, B` — both codes must be reported on this line;
 *   `# error: CODE ~ TEXT` — and its message must contain TEXT.
 * The markers are checked independently of the golden text, so a wrong golden cannot hide a lost error.
 *
 * Run from the repository root (shown paths are relative to the working directory).
 * `npm run goldens` rewrites the .expected.txt files (test/unit/golden.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLab } from '../../runner/api.ts';
import { formatDiagnostics, LabError, type Diagnostic } from '../../runner/config/diagnostics.ts';
import { expectGolden, UPDATE_COMMAND, updatingGoldens } from './golden.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const badDir = join(here, 'bad-labs');
const UPDATE = updatingGoldens();
const SUFFIX = '.lab.yaml';

const badLabFiles: readonly string[] = readdirSync(badDir)
  .filter((f) => f.endsWith(SUFFIX))
  .sort();

interface Outcome {
  readonly error?: LabError;
  readonly other?: unknown;
  readonly sources?: ReadonlyMap<string, string>;
}

/** Load a bad lab the way the CLI does and capture what it throws. */
function loadBad(file: string): Outcome {
  try {
    loadLab(join(badDir, file));
    return {};
  } catch (e) {
    if (e instanceof LabError) return { error: e, sources: (e as LabError & { sources?: ReadonlyMap<string, string> }).sources };
    return { other: e };
  }
}

interface Marker {
  readonly line: number;
  /** Each entry: the codes that satisfy it (alternatives). */
  readonly wanted: readonly (readonly string[])[];
  readonly text?: string;
}

function markersOf(text: string): Marker[] {
  const out: Marker[] = [];
  text.split('\n').forEach((l, i) => {
    const m = /#\s*error:\s*(.+?)\s*$/.exec(l);
    if (!m) return;
    const [codes, msg] = m[1].split(/\s+~\s+/);
    out.push({ line: i + 1, wanted: codes.split(',').map((c) => c.trim().split('|')), text: msg });
  });
  return out;
}

function describeDiag(d: Diagnostic): string {
  return `${d.code} at ${d.pos ? `${d.pos.line}:${d.pos.col}` : '(no position)'}: ${d.message}`;
}

describe('golden errors (test/unit/bad-labs)', () => {
  before(() => {
    assert.equal(resolve(process.cwd()), root, `run the unit tests from the repository root (${root}): the golden files show paths relative to it`);
  });

  it('has at least 26 bad labs, each with an .expected.txt and at least one `# error:` marker', () => {
    assert.ok(badLabFiles.length >= 26, `only ${badLabFiles.length} bad labs`);
    for (const f of badLabFiles) {
      assert.ok(markersOf(readFileSync(join(badDir, f), 'utf8')).length > 0, `${f} marks no mistake with "# error: <code>"`);
      if (!UPDATE) assert.ok(existsSync(join(badDir, f.replace(SUFFIX, '.expected.txt'))), `${f} has no .expected.txt (\`${UPDATE_COMMAND}\` writes it)`);
    }
    const orphans = readdirSync(badDir).filter((f) => f.endsWith('.expected.txt') && !badLabFiles.includes(f.replace('.expected.txt', SUFFIX)));
    assert.deepEqual(orphans, [], 'expected files without a lab');
  });

  for (const file of badLabFiles) {
    const name = file.slice(0, -SUFFIX.length);
    const expectedPath = join(badDir, `${name}.expected.txt`);

    describe(name, () => {
      let outcome: Outcome;
      before(() => {
        outcome = loadBad(file);
      });

      const mustFail = (): LabError => {
        assert.equal(outcome.other, undefined, `loadLab threw something other than a LabError: ${String(outcome.other)}`);
        assert.ok(outcome.error, `loadLab accepted ${file}, which has a mistake`);
        assert.ok(outcome.error.diagnostics.some((d) => d.severity === 'error'), 'a LabError without any error diagnostic');
        return outcome.error;
      };

      it('prints exactly the .expected.txt', () => {
        const err = mustFail();
        expectGolden(expectedPath, `${formatDiagnostics(err.diagnostics, { sources: outcome.sources })}\n`);
      });

      it('reports each marked mistake on its line', () => {
        const err = mustFail();
        const text = readFileSync(join(badDir, file), 'utf8');
        const missing: string[] = [];
        for (const m of markersOf(text)) {
          const onLine = err.diagnostics.filter((d) => d.pos?.line === m.line);
          for (const alts of m.wanted) {
            const hits = onLine.filter((d) => alts.includes(d.code));
            if (!hits.length) missing.push(`line ${m.line}: no ${alts.join(' or ')}`);
            else if (m.text !== undefined && !hits.some((d) => d.message.includes(m.text!))) {
              missing.push(`line ${m.line}: ${alts.join('|')} does not say ${JSON.stringify(m.text)} (it says: ${hits.map((d) => JSON.stringify(d.message)).join('; ')})`);
            }
          }
        }
        assert.deepEqual(missing, [], `reported instead:\n  ${err.diagnostics.map(describeDiag).join('\n  ')}`);
      });

      it('gives every diagnostic a position (file, line, column) and a hint', () => {
        const err = mustFail();
        const lines = readFileSync(join(badDir, file), 'utf8').split('\n').length;
        const bad: string[] = [];
        for (const d of err.diagnostics) {
          if (!d.pos) bad.push(`no position: ${describeDiag(d)}`);
          else {
            if (d.pos.file !== `test/unit/bad-labs/${file}`) bad.push(`position names file ${d.pos.file}: ${describeDiag(d)}`);
            if (!(Number.isInteger(d.pos.line) && d.pos.line >= 1 && d.pos.line <= lines)) bad.push(`line out of range: ${describeDiag(d)}`);
            if (!(Number.isInteger(d.pos.col) && d.pos.col >= 1)) bad.push(`column out of range: ${describeDiag(d)}`);
          }
          if (!d.hint?.trim()) bad.push(`no hint: ${describeDiag(d)}`);
        }
        assert.deepEqual(bad, []);
      });

      it('carries the file text in LabError.sources, so the offending line is shown', () => {
        mustFail();
        assert.ok(outcome.sources, 'the LabError has no .sources: the formatter cannot show the offending line');
        assert.equal(outcome.sources.get(`test/unit/bad-labs/${file}`), readFileSync(join(badDir, file), 'utf8'));
      });
    });
  }
});
