/** `lab test DIR`: many labs in one run, each brought up, tested and taken down; one combined report. */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertSameHost, hostSnapshot, lab, labLeftovers, tempDir } from './helpers.ts';

// names of this run only: other people's labs on the machine are never touched
const tag = `tm${process.pid % 100000}`;
const PASS = `${tag}-pass`;
const FAIL = `${tag}-fail`;
const BROKEN = `${tag}-broken`;

const labText = (name: string, extraTests = '', node = '{}'): string =>
  [`name: ${name}`, 'nodes:', `  h1: ${node}`, '  h2: {}', 'links:', '  - [h1:eth0, h2:eth0]', 'tests:', '  - name: h1 reaches h2', '    ping: { from: h1, to: h2, count: 1 }', extraTests].join('\n');

function writeLab(dir: string, sub: string, text: string): string {
  mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, sub, 'lab.yaml'), text);
  return join(dir, sub, 'lab.yaml');
}

interface Suite {
  name: string;
  tests: number;
  failures: number;
  cases: { name: string; failed: boolean }[];
}

/** The suites of a JUnit document, with their testcases (enough structure for these checks). */
function suites(xml: string): Suite[] {
  assert.equal((xml.match(/<testsuites[ >]/g) ?? []).length, 1, 'one <testsuites>');
  return [...xml.matchAll(/<testsuite name="([^"]*)" tests="(\d+)" failures="(\d+)"[^>]*>([\s\S]*?)<\/testsuite>/g)].map((m) => ({
    name: m[1],
    tests: Number(m[2]),
    failures: Number(m[3]),
    cases: [...m[4].matchAll(/<testcase name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)].map((c) => ({ name: c[1], failed: (c[3] ?? '').includes('<failure') })),
  }));
}

describe('lab test over many labs', function () {
  let dir: string;
  before(() => {
    assert.equal(process.getuid?.(), 0, 'integration tests need root');
    dir = tempDir();
    writeLab(join(dir, 'labs'), 'a-pass', labText(PASS));
    writeLab(join(dir, 'labs'), 'b-fail', labText(FAIL, ['  - name: always fails', '    command: { node: h1, run: "false" }'].join('\n')));
    writeLab(join(dir, 'more'), 'broken', labText(BROKEN, '', '{ exec: ["false"] }'));
  });
  after(async () => {
    // only the labs of this file, whatever a failed test left
    for (const name of [PASS, FAIL, BROKEN]) if (labLeftovers(name).length) await lab(['down', name]);
  });

  it('two labs, one with a failing test: exit 1, one JUnit document with a suite per lab, both labs down afterwards', async () => {
    const before = await hostSnapshot();
    const report = join(dir, 'all.xml');
    const r = await lab(['test', join(dir, 'labs'), '--reporter', 'junit', '--output', report]);
    assert.equal(r.exitCode, 1, `exit ${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    const s = suites(readFileSync(report, 'utf8'));
    assert.deepEqual(
      s.map((x) => [x.name, x.tests, x.failures]),
      [
        [PASS, 1, 0],
        [FAIL, 2, 1],
      ],
    );
    assert.deepEqual(s[1].cases, [
      { name: 'h1 reaches h2', failed: false },
      { name: 'always fails', failed: true },
    ]);
    // the summary table: a row per lab
    assert.match(r.stdout, new RegExp(`^${PASS}\\s+ok\\s+1\\s+0\\s+\\S+\\s+ok$`, 'm'));
    assert.match(r.stdout, new RegExp(`^${FAIL}\\s+ok\\s+1\\s+1\\s+\\S+\\s+ok$`, 'm'));
    assert.deepEqual([...labLeftovers(PASS), ...labLeftovers(FAIL)], []);
    // namespaces of other labs on this machine may come and go meanwhile: those of this run are checked above
    const after = await hostSnapshot();
    assertSameHost({ ...before, netns: '' }, { ...after, netns: '' });
  });

  it('--parallel, JSON, a lab that is up already (tested, left up) and one that cannot come up: exit 3', async () => {
    const up = await lab(['up', join(dir, 'labs', 'a-pass')]);
    assert.equal(up.exitCode, 0, up.stderr);
    try {
      const report = join(dir, 'all.json');
      const r = await lab(['test', `${dir}/labs/a-*`, join(dir, 'more'), '--parallel', '2', '--output', report]);
      assert.equal(r.exitCode, 3, `exit ${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
      const j = JSON.parse(readFileSync(report, 'utf8')) as { labs: { lab: string; up: string; down: string; upError: string | null; counts: { passed: number; failed: number } }[] };
      assert.deepEqual(
        j.labs.map((l) => [l.lab, l.up, l.down, l.counts.passed, l.counts.failed]),
        [
          [PASS, 'already-up', 'left-up', 1, 0],
          [BROKEN, 'failed', 'none', 0, 0],
        ],
      );
      assert.match(j.labs[1].upError!, /exec/);
      assert.ok(existsSync(`/run/netns/nsl.${PASS}.h1`), 'the lab that was up is still up');
      assert.deepEqual(labLeftovers(BROKEN), []);
    } finally {
      await lab(['down', PASS]);
    }
    assert.deepEqual(labLeftovers(PASS), []);
  });

  it('a glob that matches nothing: exit 2, naming the pattern', async () => {
    const r = await lab(['test', `${dir}/labs/*-nothing`]);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /the glob ".*\/labs\/\*-nothing" matches no lab/);
  });

  it('an output file in a directory that cannot be written: exit 4, and no lab is brought up', async () => {
    const r = await lab(['test', join(dir, 'labs'), '--reporter', 'junit', '--output', join(dir, 'no-such-dir', 'all.xml')]);
    assert.equal(r.exitCode, 4, r.stderr);
    assert.match(r.stderr, /cannot write the junit report/);
    assert.doesNotMatch(r.stderr, /is up/);
    assert.deepEqual([...labLeftovers(PASS), ...labLeftovers(FAIL)], []);
  });
});
