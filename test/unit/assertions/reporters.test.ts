import { strict as assert } from 'node:assert';
import { parse as parseYaml } from 'yaml';
import { writeReport, type ReportMeta } from '../../../assertions/reporters/index.ts';
import { xmlAttr, xmlText } from '../../../assertions/reporters/junit.ts';
import type { TestResult } from '../../../assertions/runner.ts';
import type { Outcome } from '../../../assertions/types.ts';
import type { ResolvedTest } from '../../../runner/model/types.ts';
import { checkXml } from '../xml-check.ts';
import { writeCombinedReport } from '../../../assertions/reporters/index.ts';
import type { Explanation } from '../../../assertions/explain.ts';
import { policyWalk, reportOf } from './walks.ts';

const meta: ReportMeta = { lab: 'demo', file: 'labs/demo.yaml', started: new Date('2026-01-02T03:04:05.678Z'), durationMs: 4321 };

function res(index: number, name: string, type: string, outcome: Outcome, over: Partial<TestResult> = {}): TestResult {
  const test: ResolvedTest = { index, name, type, withinMs: 0, params: {}, pos: { file: 'labs/demo.yaml', line: 20 + index, col: 5 } };
  return { test, ok: outcome.ok, outcome, attempts: 1, durationMs: 412, startedAt: new Date('2026-01-02T03:04:06.000Z'), ...over };
}

const nasty = `a <b> & "c" 'd'`;
const results: TestResult[] = [
  res(0, 'ping h1 → h2', 'ping', { ok: true, expected: 'h2 reachable', seen: '3/3 replies', command: 'ip netns exec nsl.demo.h1 ping -c 3 10.0.0.2' }),
  res(
    1,
    `web #1 ${nasty}`,
    'command',
    { ok: false, expected: `output matching /<title>&amp;/`, seen: `exit code 1; output: ${nasty}\u0007`, command: 'ip netns exec nsl.demo.h2 iperf3 -s -1 -p 5202\nip netns exec nsl.demo.h1 curl "http://x/?a=1&b=2"' },
    { attempts: 3, durationMs: 2100 },
  ),
  res(2, 'underlay', 'iperf3', { ok: true, expected: 'a throughput measurement', seen: '18.90 Gbit/s', command: 'iperf3 …', measurement: 18.9e9 }),
];


describe('reporters', () => {
  describe('a converge test (issue 15.3): the measured time in every format', () => {
    const conv = [
      res(0, 'flap', 'converge', { ok: true, expected: 'route … within 3s', seen: 'converged in 42ms (3 probes): …', command: 'ip -j -4 route show', convergeMs: 42 }),
      res(1, 'slow', 'converge', { ok: false, expected: 'ping … within 1s', seen: 'converged in 2.5s, over the 1s allowed', command: 'ping …', convergeMs: 2500 }),
    ];
    it('human: on the result line', () => {
      const text = writeReport('human', conv, meta);
      assert.match(text, /✔ flap {2}converged in 42ms/);
      assert.match(text, /✘ slow {2}converged in 2\.5s/);
    });
    it('JSON: convergeMs', () => {
      const j = JSON.parse(writeReport('json', conv, meta)) as { tests: { convergeMs: number | null }[] };
      assert.deepEqual(j.tests.map((t) => t.convergeMs), [42, 2500]);
    });
    it('JUnit: a property per test, and in the output of a passed one', () => {
      const xml = writeReport('junit', conv, meta);
      const props = checkXml(xml).filter((e) => e.name === 'property').map((p) => [p.attrs.name, p.attrs.value]);
      assert.deepEqual(props.slice(1), [['convergeMs.flap', '42'], ['convergeMs.slow', '2500']]);
      assert.match(xml, /converged in: 42 ms/);
    });
    it('TAP: on the result line', () => {
      assert.match(writeReport('tap', conv, meta), /^ok 1 - flap # time=412ms converged=42ms$/m);
    });
  });

  describe('junit', () => {
    let xml: string;
    let els: ReturnType<typeof checkXml>;
    before(() => {
      xml = writeReport('junit', results, meta);
      els = checkXml(xml);
    });
    it('parses as XML', () => assert.ok(els.length > 0));

    it('is well-formed, with suites and counts right', () => {
      const suites = els.find((e) => e.name === 'testsuites')!;
      const suite = els.find((e) => e.name === 'testsuite')!;
      for (const s of [suites, suite]) {
        assert.equal(s.attrs.name, 'demo');
        assert.equal(s.attrs.tests, '3');
        assert.equal(s.attrs.failures, '1');
        assert.equal(s.attrs.errors, '0');
        assert.equal(s.attrs.time, '4.321');
        assert.equal(s.attrs.timestamp, '2026-01-02T03:04:05');
      }
    });

    it('one testcase per test: classname is the lab, time in seconds, name escaped and intact', () => {
      const cases = els.filter((e) => e.name === 'testcase');
      assert.deepEqual(cases.map((c) => c.attrs.name), results.map((r) => r.test.name));
      assert.ok(cases.every((c) => c.attrs.classname === 'demo'));
      assert.deepEqual(cases.map((c) => c.attrs.time), ['0.412', '2.100', '0.412']);
      assert.equal(cases[1].attrs.line, '21');
    });

    it('a failure carries message, type, and expected/seen/command in its body; control characters are replaced', () => {
      const failures = els.filter((e) => e.name === 'failure');
      assert.equal(failures.length, 1);
      const f = failures[0];
      assert.equal(f.attrs.type, 'command');
      assert.match(f.attrs.message, /^expected output matching \/<title>&amp;\/; saw exit code 1; output: a <b> & "c" 'd'/);
      assert.match(f.text, /^expected: output matching \/<title>&amp;\/\nseen: exit code 1; output: a <b> & "c" 'd'\uFFFD\ncommand: ip netns exec nsl\.demo\.h2 iperf3 -s -1 -p 5202\nip netns exec nsl\.demo\.h1 curl "http:\/\/x\/\?a=1&b=2"\nat: labs\/demo\.yaml:21\nattempts: 3$/);
      assert.ok(!xml.includes('\u0007'));
    });

    it('measurements are properties', () => {
      const props = els.filter((e) => e.name === 'property');
      assert.deepEqual(props.map((p) => [p.attrs.name, p.attrs.value]), [['lab.file', 'labs/demo.yaml'], ['measurement.underlay', '18900000000']]);
    });

    it('escapes each of < & " \' > and keeps newlines in attributes', () => {
      assert.equal(xmlText(`<&>"'`), `&lt;&amp;&gt;"'`);
      assert.equal(xmlAttr(`<&>"'\n`), '&lt;&amp;&gt;&quot;&apos;&#10;');
    });

    it('an empty run is still a valid report', () => {
      const e = checkXml(writeReport('junit', [], meta));
      assert.equal(e.find((x) => x.name === 'testsuite')!.attrs.tests, '0');
    });
  });

  describe('tap', () => {
    let lines: string[];
    before(() => {
      lines = writeReport('tap', results, meta).split('\n');
    });

    it('starts with the version and the plan', () => {
      assert.equal(lines[0], 'TAP version 13');
      assert.equal(lines[1], '1..3');
      assert.equal(writeReport('tap', [], meta).split('\n')[1], '1..0 # SKIP no tests');
    });

    it('one numbered line per test; # in a name is escaped', () => {
      const points = lines.filter((l) => /^(not )?ok /.test(l));
      assert.deepEqual(points.map((l) => l.replace(/ - .*/, '')), ['ok 1', 'not ok 2', 'ok 3']);
      assert.equal(points[1], `not ok 2 - web \\#1 ${nasty}`);
    });

    it('a failure has a YAML block that parses back to what was seen', () => {
      const start = lines.indexOf('  ---');
      const end = lines.indexOf('  ...');
      assert.ok(start > lines.findIndex((l) => l.startsWith('not ok 2')) && end > start);
      const doc = parseYaml(lines.slice(start + 1, end).map((l) => l.slice(2)).join('\n')) as Record<string, unknown>;
      assert.equal(doc.expected, results[1].outcome.expected);
      assert.equal(doc.seen, results[1].outcome.seen);
      assert.equal(doc.command, results[1].outcome.command);
      assert.equal(doc.at, 'labs/demo.yaml:21');
      assert.equal(doc.attempts, 3);
      assert.equal(lines.filter((l) => l === '  ---').length, 1, 'passing tests have no block');
    });
  });

  describe('json', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let j: any;
    before(() => {
      j = JSON.parse(writeReport('json', results, meta));
    });
    it('has the run and the counts', () => {
      assert.equal(j.format, 'nslab-test-report/1');
      assert.equal(j.lab, 'demo');
      assert.equal(j.started, '2026-01-02T03:04:05.678Z');
      assert.equal(j.durationMs, 4321);
      assert.deepEqual(j.counts, { total: 3, passed: 2, failed: 1, skipped: 0 });
    });
    it('has every test with its outcome, in a stable shape', () => {
      assert.deepEqual(Object.keys(j.tests[0]), ['index', 'name', 'type', 'ok', 'skipped', 'attempts', 'durationMs', 'startedAt', 'file', 'line', 'col', 'expected', 'seen', 'command', 'measurement', 'convergeMs', 'note', 'details', 'explanation']);
      assert.equal(j.tests[1].ok, false);
      assert.equal(j.tests[1].seen, results[1].outcome.seen);
      assert.equal(j.tests[1].attempts, 3);
      assert.equal(j.tests[0].measurement, null);
      assert.equal(j.tests[2].measurement, 18.9e9);
    });
  });

  describe('human', () => {
    let text: string;
    before(() => {
      text = writeReport('human', results, meta);
    });
    it('one line per test, and the facts under a failure', () => {
      const lines = text.split('\n');
      assert.equal(lines[0], '✔ ping h1 → h2  (412ms)');
      assert.equal(lines[1], `✘ web #1 ${nasty}  (2.1s, 3 tries)`);
      assert.equal(lines[2], '    expected: output matching /<title>&amp;/');
      assert.match(lines[3], /^    seen:\s+exit code 1/);
      assert.match(lines[4], /^    command:\s+ip netns exec nsl\.demo\.h2 iperf3/);
      assert.match(lines[5], /^\s+ip netns exec nsl\.demo\.h1 curl/);
      assert.match(lines[6], /^    at:\s+labs\/demo\.yaml:21$/);
      assert.equal(lines[7], '✔ underlay  18.90 Gbit/s  (412ms)');
      assert.ok(text.endsWith('\n2 passed, 1 failed (4.3s)\n'));
      assert.ok(!text.includes('\u001b['), 'no colour unless asked');
    });
    it('colours when asked', () => {
      assert.ok(writeReport('human', results, { ...meta, color: true }).includes('\u001b[31;1m✘\u001b[0m'));
    });
  });
  describe('a failure’s explanation (issue 12)', () => {
    const why = 'dropped in node-1, filter FORWARD, chain KUBE-NWPLCY-ABC: NetworkPolicy shop/web-only-client allows no 10.244.0.9 (lab.yaml:40:7)';
    const walk = 'client → node-0 → node-1: dropped (rule)';
    const explanation: Explanation = { flow: { from: 'client', to: '10.96.0.10', proto: 'tcp', port: 80 }, verdict: why, walk, differences: ['forward verdict: at: kernel node-1, model node-0'], trace: reportOf(policyWalk()) };
    const noted: Explanation = { flow: { from: 'client', to: '10.96.0.10' }, differences: [], note: 'not traced: the trace of client → 10.96.0.10 took longer than 3s' };
    const failed: TestResult[] = [
      res(0, 'web reachable', 'tcp', { ok: false, expected: 'open', seen: 'closed: timed out', command: 'nc -z 10.96.0.10 80' }, { explanation }),
      res(1, 'dns', 'dns', { ok: false, expected: 'A 10.96.0.10', seen: 'no answer', command: 'dig …' }, { explanation: noted }),
      res(2, 'fine', 'ping', { ok: true, expected: 'reachable', seen: '3/3 replies', command: 'ping …' }),
    ];

    it('human: why, walk and model under the failure; a note when it was not traced', () => {
      const text = writeReport('human', failed, meta);
      assert.ok(text.includes(`    why:      ${why}\n    walk:     ${walk}\n    model:    differs from the kernel: forward verdict: at: kernel node-1, model node-0\n`), text);
      assert.ok(text.includes('    why:      not traced: the trace of client → 10.96.0.10 took longer than 3s\n'), text);
      assert.equal(text.match(/why:/g)?.length, 2);
    });

    it('JUnit: in the failure’s message and body', () => {
      const f = checkXml(writeReport('junit', failed, meta)).filter((e) => e.name === 'failure');
      assert.ok(f[0].attrs.message.endsWith(`; why: ${why}`), f[0].attrs.message);
      assert.ok(f[0].text.endsWith(`\nwhy: ${why}\nwalk: ${walk}\nmodel: differs from the kernel: forward verdict: at: kernel node-1, model node-0`), f[0].text);
      assert.ok(f[1].text.endsWith('\nwhy: not traced: the trace of client → 10.96.0.10 took longer than 3s'));
    });

    it('TAP: in the YAML block (one lab, and many)', () => {
      for (const text of [writeReport('tap', failed, meta), writeCombinedReport('tap', [{ lab: 'demo', up: 'up', upMs: 1, down: 'down', downMs: 1, results: failed, started: meta.started, testMs: 1, durationMs: 3 }], { started: meta.started, durationMs: 3 })]) {
        const lines = text.split('\n');
        const start = lines.indexOf('  ---');
        const doc = parseYaml(lines.slice(start + 1, lines.indexOf('  ...')).map((l) => l.slice(2)).join('\n')) as Record<string, unknown>;
        assert.equal(doc.why, why);
        assert.equal(doc.walk, walk);
        assert.match(String(doc.model), /^differs from the kernel/);
      }
    });

    it('JSON: a field with the flow, the verdict, the walk and the whole trace; null for a test without one', () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const j: any = JSON.parse(writeReport('json', failed, meta));
      assert.deepEqual(Object.keys(j.tests[0].explanation), ['flow', 'verdict', 'walk', 'differences', 'note', 'trace']);
      assert.equal(j.tests[0].explanation.verdict, why);
      assert.equal(j.tests[0].explanation.trace.kernel.forward.verdict.object.name, 'NetworkPolicy shop/web-only-client');
      assert.equal(j.tests[1].explanation.verdict, null);
      assert.match(j.tests[1].explanation.note, /^not traced/);
      assert.equal(j.tests[2].explanation, null);
    });
  });
});
