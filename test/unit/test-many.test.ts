/** `lab test` over many labs: which lab files the arguments mean, and the combined reports. No root needed. */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCounts, summaryTable, writeCombinedReport, type LabRun } from '../../assertions/reporters/index.ts';
import type { TestResult } from '../../assertions/runner.ts';
import type { Outcome } from '../../assertions/types.ts';
import { LabError } from '../../runner/config/diagnostics.ts';
import type { Args } from '../../runner/cli/args.ts';
import { parallelOf, reportKindOf } from '../../runner/cli/commands/test-many.ts';
import { isManyRequest } from '../../runner/cli/commands/test.ts';
import { checkWritable } from '../../runner/cli/report-file.ts';
import { isCollectionArg, loadEntries, resolveLabArgs } from '../../runner/lab/lab-files.ts';
import { exitCodeOf } from '../../runner/lab/test-many.ts';
import type { ResolvedTest } from '../../runner/model/types.ts';
import { checkXml } from './xml-check.ts';

const LAB = (name: string): string => `name: ${name}\nnodes:\n  h1: {}\n  h2: {}\nlinks:\n  - [h1:eth0, h2:eth0]\ntests:\n  - ping: { from: h1, to: h2, count: 1 }\n`;

function args(positionals: string[], flags: string[] = [], options: Record<string, string> = {}): Args {
  return { command: 'test', positionals, flags: new Set(flags), options: new Map(Object.entries(options)), rest: [] };
}

/** Throws a LabError with exit code 2 whose messages match `re`. */
function throwsNoLabs(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof LabError, `a LabError, not ${String(e)}`);
    assert.equal(e.exitCode, 2);
    assert.match(e.diagnostics.map((d) => d.message).join('\n'), re);
    return true;
  });
}

describe('lab test over many labs', () => {
  let root: string;
  const rel = (files: string[]): string[] => files.map((f) => f.slice(root.length + 1));
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'nslab-tm-'));
    // labs/: a lab.yaml of its own, three labs one level below, a directory without a lab, a stray file,
    // and a lab two levels below (not found: one level only)
    for (const d of ['alpha', 'beta-overlay', 'gamma-overlay', 'empty', 'deep/er']) mkdirSync(join(root, 'labs', d), { recursive: true });
    writeFileSync(join(root, 'labs', 'lab.yaml'), LAB('top'));
    writeFileSync(join(root, 'labs', 'alpha', 'lab.yaml'), LAB('alpha'));
    writeFileSync(join(root, 'labs', 'beta-overlay', 'lab.yml'), LAB('beta'));
    writeFileSync(join(root, 'labs', 'gamma-overlay', 'lab.yaml'), LAB('gamma'));
    writeFileSync(join(root, 'labs', 'deep', 'er', 'lab.yaml'), LAB('deeper'));
    writeFileSync(join(root, 'labs', 'README.md'), '# labs\n');
    writeFileSync(join(root, 'labs', 'extra.yaml'), LAB('extra'));
    mkdirSync(join(root, 'nothing'));
    mkdirSync(join(root, 'one'));
    writeFileSync(join(root, 'one', 'lab.yaml'), LAB('one'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  describe('resolving arguments to lab files', () => {
    it('a directory: its own lab.yaml first, then every */lab.yaml (or lab.yml), one level, sorted', () => {
      assert.deepEqual(rel(resolveLabArgs(['labs'], { cwd: root })), ['labs/lab.yaml', 'labs/alpha/lab.yaml', 'labs/beta-overlay/lab.yml', 'labs/gamma-overlay/lab.yaml']);
    });

    it('a glob of directories takes the lab file each holds; nslab expands it itself', () => {
      assert.deepEqual(rel(resolveLabArgs(['labs/*-overlay'], { cwd: root })), ['labs/beta-overlay/lab.yml', 'labs/gamma-overlay/lab.yaml']);
    });

    it('a glob of files takes the YAML files; directories without a lab and other files are skipped', () => {
      assert.deepEqual(rel(resolveLabArgs(['labs/*/lab.yaml'], { cwd: root })), ['labs/alpha/lab.yaml', 'labs/gamma-overlay/lab.yaml']);
      assert.deepEqual(rel(resolveLabArgs(['labs/*'], { cwd: root })), ['labs/alpha/lab.yaml', 'labs/beta-overlay/lab.yml', 'labs/extra.yaml', 'labs/gamma-overlay/lab.yaml', 'labs/lab.yaml']);
    });

    it('several arguments: in their order, each lab file once, absolute', () => {
      const files = resolveLabArgs(['one', 'labs/alpha', join(root, 'labs/alpha/lab.yaml'), 'labs/*-overlay', 'labs/gamma-overlay/lab.yaml'], { cwd: root });
      assert.deepEqual(rel(files), ['one/lab.yaml', 'labs/alpha/lab.yaml', 'labs/beta-overlay/lab.yml', 'labs/gamma-overlay/lab.yaml']);
      assert.ok(files.every((f) => f.startsWith('/')));
    });

    it('the name of a lab that is up stands for its lab file', () => {
      const running = (n: string): string | undefined => (n === 'alpha' ? join(root, 'labs/alpha/lab.yaml') : undefined);
      assert.deepEqual(rel(resolveLabArgs(['alpha', 'one'], { cwd: root, runningLabFile: running })), ['labs/alpha/lab.yaml', 'one/lab.yaml']);
    });

    it('a glob that matches nothing: exit 2, naming the pattern and where it was searched', () => {
      throwsNoLabs(() => resolveLabArgs(['labs/*-underlay'], { cwd: root }), /the glob "labs\/\*-underlay" matches no lab \(searched from .*: nothing matches it\)/);
      throwsNoLabs(() => resolveLabArgs(['labs/*.md'], { cwd: root }), /1 path\(s\) match it, but none is a lab file/);
    });

    it('a directory with no labs: exit 2, naming what was searched', () => {
      throwsNoLabs(() => resolveLabArgs(['nothing'], { cwd: root }), /no labs in the directory nothing: searched nothing\/lab\.yaml and nothing\/\*\/lab\.yaml/);
    });

    it('something that is no file, directory, glob or running lab: exit 2; all such arguments at once', () => {
      assert.throws(
        () => resolveLabArgs(['nope', 'labs/*-x', 'labs'], { cwd: root, runningLabFile: () => undefined }),
        (e: unknown) => {
          assert.ok(e instanceof LabError);
          assert.equal(e.diagnostics.length, 2);
          assert.match(e.diagnostics[0].message, /"nope" is no lab file, directory or glob, and no lab of that name is up/);
          assert.match(e.diagnostics[1].message, /labs\/\*-x/);
          return true;
        },
      );
    });
  });

  describe('one lab or many', () => {
    it('a directory of labs, a glob, several labs, --keep or --parallel: many', () => {
      const at = (p: string): string => join(root, p);
      assert.equal(isCollectionArg(at('labs')), true);
      assert.equal(isCollectionArg(at('labs/*-overlay')), true);
      assert.equal(isCollectionArg(at('nothing')), true, 'a directory without labs: searched as a directory of labs (and reported as such)');
      assert.equal(isManyRequest(args([at('one'), at('labs/alpha')])), true);
      assert.equal(isManyRequest(args([at('one')], ['keep'])), true);
      assert.equal(isManyRequest(args([at('one')], [], { parallel: '2' })), true);
    });

    it('one lab file, a directory holding just its lab.yaml, a lab name, nothing: one running lab, as before', () => {
      assert.equal(isManyRequest(args([join(root, 'one')])), false);
      assert.equal(isManyRequest(args([join(root, 'one/lab.yaml')])), false);
      assert.equal(isManyRequest(args(['some-lab'])), false);
      assert.equal(isManyRequest(args([])), false);
    });
  });

  describe('options', () => {
    it('--parallel takes a positive number', () => {
      assert.equal(parallelOf(args([])), 1);
      assert.equal(parallelOf(args([], [], { parallel: '4' })), 4);
      for (const bad of ['0', '-1', 'two', '1.5']) assert.throws(() => parallelOf(args([], [], { parallel: bad })), /--parallel/);
    });

    it('the report kind: --reporter, else the extension of --output', () => {
      assert.equal(reportKindOf(args([], [], { reporter: 'json' }), 'x.xml'), 'json');
      assert.equal(reportKindOf(args([]), 'all.xml'), 'junit');
      assert.equal(reportKindOf(args([]), 'all.JSON'), 'json');
      assert.equal(reportKindOf(args([]), undefined), undefined);
      assert.throws(() => reportKindOf(args([]), 'all.txt'), /--reporter/);
      assert.throws(() => reportKindOf(args([], [], { reporter: 'html' }), undefined), /--reporter must be one of/);
    });

    it('an output file in a directory that cannot be written: exit 4 before anything runs', () => {
      const check = (p: string, re: RegExp): void =>
        assert.throws(
          () => checkWritable(p),
          (e: unknown) => e instanceof LabError && e.exitCode === 4 && re.test(e.message),
        );
      check(join(root, 'no-such-dir', 'all.xml'), /does not exist/);
      check(join(root, 'one', 'lab.yaml', 'all.xml'), /is not a directory/);
      check(join(root, 'labs'), /it is a directory/);
      checkWritable(join(root, 'all.xml'));
    });

    it('two lab files of one name: exit 2 before anything runs; an invalid file is a lab that cannot come up', () => {
      mkdirSync(join(root, 'dup/a'), { recursive: true });
      mkdirSync(join(root, 'dup/b'), { recursive: true });
      writeFileSync(join(root, 'dup/a/lab.yaml'), LAB('same'));
      writeFileSync(join(root, 'dup/b/lab.yaml'), LAB('same'));
      assert.throws(
        () => loadEntries(resolveLabArgs(['dup'], { cwd: root })),
        (e: unknown) => e instanceof LabError && e.exitCode === 2 && /2 lab files name the lab "same"/.test(e.message),
      );
      mkdirSync(join(root, 'bad/broken'), { recursive: true });
      writeFileSync(join(root, 'bad/broken/lab.yaml'), 'name: broken\nnodes:\n  h1: { kind: nope }\n');
      mkdirSync(join(root, 'bad/nameless'), { recursive: true });
      writeFileSync(join(root, 'bad/nameless/lab.yaml'), 'nodes: [\n');
      const entries = loadEntries(resolveLabArgs(['bad', 'one'], { cwd: root }));
      assert.deepEqual(
        entries.map((e) => [e.name, !!e.loaded, !!e.error]),
        [
          ['broken', false, true],
          ['nameless', false, true],
          ['one', true, false],
        ],
      );
      assert.match(entries[0].error!, /kind/);
    });
  });

  describe('the combined reports', () => {
    const started = new Date('2026-01-02T03:04:05.678Z');
    function res(lab: string, index: number, name: string, ok: boolean): TestResult {
      const test: ResolvedTest = { index, name, type: ok ? 'ping' : 'command', withinMs: 0, params: {}, pos: { file: `labs/${lab}/lab.yaml`, line: 10 + index, col: 5 } };
      const outcome: Outcome = ok ? { ok, expected: 'reachable', seen: '1/1 replies', command: 'ping' } : { ok, expected: 'exit code 0', seen: 'exit code 1 <&>', command: 'false' };
      return { test, ok, outcome, attempts: 1, durationMs: 100, startedAt: started };
    }
    const run = (lab: string, over: Partial<LabRun>): LabRun => ({
      lab,
      file: `labs/${lab}/lab.yaml`,
      up: 'up',
      upMs: 300,
      down: 'down',
      downMs: 50,
      results: [],
      started,
      testMs: 200,
      durationMs: 550,
      ...over,
    });
    const runs: LabRun[] = [
      run('alpha', { results: [res('alpha', 0, 'a1', true), res('alpha', 1, 'a2', true)] }),
      run('beta', { up: 'already-up', down: 'left-up', results: [res('beta', 0, 'b1', true), res('beta', 1, 'b2 fails', false), res('beta', 2, 'b3 fails', false)] }),
      run('gamma', { up: 'failed', upError: 'labs/gamma/lab.yaml:3:16: error: step h1.exec0 failed (exit 1)\n  command: ip netns exec nsl.gamma.h1 false', down: 'none', durationMs: 120 }),
      run('delta', { results: [res('delta', 0, 'd1', true)], down: 'failed', downError: 'could not remove netns nsl.delta.h1' }),
    ];
    const meta = { started, durationMs: 2500 };

    it('JUnit: one well-formed <testsuites> with one <testsuite> per lab, counts right', () => {
      const xml = writeCombinedReport('junit', runs, meta);
      const els = checkXml(xml);
      assert.equal(els.filter((e) => e.name === 'testsuites').length, 1);
      const top = els[0];
      assert.equal(top.name, 'testsuites');
      const suites = els.filter((e) => e.name === 'testsuite');
      assert.deepEqual(suites.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures, s.attrs.errors]), [
        ['alpha', '2', '0', '0'],
        ['beta', '3', '2', '0'],
        ['gamma', '1', '1', '0'],
        ['delta', '2', '1', '0'],
      ]);
      assert.equal(top.attrs.tests, '8');
      assert.equal(top.attrs.failures, '4');
      assert.equal(top.attrs.time, '2.500');
      // within each suite, the testcases are its own and their count is its tests attribute
      const cases = els.filter((e) => e.name === 'testcase');
      assert.equal(cases.length, 8);
      for (const s of suites) assert.equal(cases.filter((c) => c.attrs.classname === s.attrs.name).length, Number(s.attrs.tests));
    });

    it('JUnit: a lab that failed to come up is a suite with one failing testcase "lab up" carrying the error', () => {
      const els = checkXml(writeCombinedReport('junit', runs, meta));
      const gamma = els.filter((e) => e.name === 'testcase' && e.attrs.classname === 'gamma');
      assert.deepEqual(gamma.map((c) => c.attrs.name), ['lab up']);
      const failures = els.filter((e) => e.name === 'failure' && e.attrs.type === 'lab.up');
      assert.equal(failures.length, 1);
      assert.equal(failures[0].attrs.message, 'labs/gamma/lab.yaml:3:16: error: step h1.exec0 failed (exit 1)');
      assert.match(failures[0].text, /command: ip netns exec nsl\.gamma\.h1 false/);
      const down = els.filter((e) => e.name === 'failure' && e.attrs.type === 'lab.down');
      assert.deepEqual(down.map((f) => f.attrs.message), ['could not remove netns nsl.delta.h1']);
      const props = els.filter((e) => e.name === 'property' && e.attrs.name === 'lab.up').map((p) => p.attrs.value);
      assert.deepEqual(props, ['up', 'already-up', 'failed', 'up']);
    });

    it('JUnit: a run of no labs is still a valid document', () => {
      const els = checkXml(writeCombinedReport('junit', [], meta));
      assert.equal(els[0].attrs.tests, '0');
      assert.equal(els.length, 1);
    });

    it('JSON: one document with a labs array; counts per lab and for the run', () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const j: any = JSON.parse(writeCombinedReport('json', runs, meta));
      assert.equal(j.format, 'nslab-test-reports/1');
      assert.equal(j.started, '2026-01-02T03:04:05.678Z');
      assert.deepEqual(j.labs.map((l: { lab: string }) => l.lab), ['alpha', 'beta', 'gamma', 'delta']);
      assert.deepEqual(j.counts, { total: 6, passed: 4, failed: 2, skipped: 0, labs: 4, labsPassed: 1, labsFailedTests: 1, labsFailedUp: 1, labsFailedDown: 1 });
      assert.deepEqual(Object.keys(j.labs[0]), ['lab', 'file', 'started', 'durationMs', 'up', 'upMs', 'upError', 'testMs', 'down', 'downMs', 'downError', 'counts', 'tests']);
      assert.deepEqual(j.labs[1].counts, { total: 3, passed: 1, failed: 2, skipped: 0 });
      assert.equal(j.labs[1].up, 'already-up');
      assert.equal(j.labs[2].up, 'failed');
      assert.match(j.labs[2].upError, /step h1\.exec0 failed/);
      assert.deepEqual(j.labs[2].tests, []);
      assert.equal(j.labs[1].tests[1].name, 'b2 fails');
      assert.equal(j.labs[1].tests[1].ok, false);
      assert.equal(j.labs[3].downError, 'could not remove netns nsl.delta.h1');
    });

    it('TAP: one numbered line per test, per lab that did not come up and per lab that did not go down', () => {
      const lines = writeCombinedReport('tap', runs, meta).split('\n');
      assert.equal(lines[1], '1..8');
      const points = lines.filter((l) => /^(not )?ok /.test(l));
      assert.equal(points.length, 8);
      assert.deepEqual(points.map((l) => Number(/ok (\d+) /.exec(l)![1])), [1, 2, 3, 4, 5, 6, 7, 8]);
      assert.equal(points[5], 'not ok 6 - gamma: lab up');
      assert.equal(points[7], 'not ok 8 - delta: lab down');
    });

    it('the summary table: a row per lab, and what the run came to', () => {
      const t = summaryTable(runs, meta).split('\n');
      assert.match(t[0], /^lab\s+up\s+passed\s+failed\s+time\s+down$/);
      assert.match(t[1], /^alpha\s+ok\s+2\s+0\s+550ms\s+ok$/);
      assert.match(t[2], /^beta\s+already up\s+1\s+2\s+550ms\s+left up$/);
      assert.match(t[3], /^gamma\s+FAILED\s+–\s+–\s+120ms\s+–$/);
      assert.match(t[4], /^delta\s+ok\s+1\s+0\s+550ms\s+FAILED$/);
      assert.match(t[6], /^4 labs: 1 passed, 1 with failed tests, 1 could not be brought up, 1 could not be taken down · 4 tests passed, 2 failed \(2\.5s\)$/);
    });

    it('exit codes: 3 when a lab could not come up (or go down), else 1 when a test failed, else 0', () => {
      assert.equal(exitCodeOf(runs), 3);
      assert.equal(exitCodeOf([runs[0], runs[1]]), 1);
      assert.equal(exitCodeOf([runs[0]]), 0);
      assert.equal(exitCodeOf([runs[0], runs[3]]), 3);
      assert.equal(runCounts([]).labs, 0);
    });
  });
});

