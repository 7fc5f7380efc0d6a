/**
 * The path assertion and failures that explain themselves (issue 12), on the real kernel, as root: copies of shipped
 * labs under names of their own (it-path-…), their tests replaced by path tests that must pass (through a router;
 * a published port's DNAT; SNAT on the way out; a drop by a NetworkPolicy) and by reachability tests that must fail,
 * whose reports (human on standard output, JSON in a file) say where the packet died.
 *
 * Needs the kernel tracer (runner/trace/kernel.ts) and resolveFlow (runner/trace/flow.ts). Brings down only what it
 * brought up.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectOk, lab, labLeftovers, ROOT, tempDir, type Run } from './helpers.ts';
import { needRoot } from '../needs.ts';

interface Lab {
  readonly name: string;
  readonly file: string;
}

/** What the JSON report says of one test (the fields used here). */
interface JsonTest {
  readonly name: string;
  readonly ok: boolean;
  readonly seen: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the trace, as JSON
  readonly details: any;
  readonly explanation: { readonly verdict: string | null; readonly walk: string | null; readonly note: string | null; readonly flow: { from: string; to: string } } | null;
}

const up: Lab[] = [];

/** A lab of labs/ under another name, with these tests instead of its own (and without its handout, which names them). */
function copyLab(dir: string, from: string, name: string, tests: string): Lab {
  const text = readFileSync(join(ROOT, 'labs', from, 'lab.yaml'), 'utf8').replace(/^name: .*$/m, `name: ${name}`);
  const at = text.search(/^tests:$/m);
  assert.ok(at > 0, `${from} has a tests: section`);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `${text.slice(0, at)}tests:\n${tests}`);
  return { name, file };
}

/**
 * A copy of lab `from` with these test lines brought up with `lab up --test` and a JSON report: one of its tests is
 * meant to fail (exit 1). The run, and the report's tests by name.
 */
async function upAndTest(dir: string, from: string, name: string, lines: readonly string[]): Promise<{ l: Lab; run: Run; tests: Map<string, JsonTest> }> {
  const l = copyLab(dir, from, name, `${lines.join('\n')}\n`);
  up.push(l);
  const report = join(dir, `${l.name}.json`);
  const run = await lab(['up', l.file, '--test', '--reporter', 'json', '--output', report]);
  assert.equal(run.exitCode, 1, `one test is meant to fail\n${run.stdout}\n${run.stderr}`);
  const json = JSON.parse(readFileSync(report, 'utf8')) as { tests: JsonTest[] };
  return { l, run, tests: new Map(json.tests.map((t) => [t.name, t])) };
}

async function bringDown(l: Lab): Promise<void> {
  expectOk(await lab(['down', l.name]), `lab down ${l.name}`);
  up.splice(up.indexOf(l), 1);
  assert.deepEqual(labLeftovers(l.name), []);
}

function passed(tests: Map<string, JsonTest>, name: string): JsonTest {
  const t = tests.get(name);
  assert.ok(t, `no test ${name} in the report: ${[...tests.keys()].join(', ')}`);
  assert.equal(t.ok, true, `${name}: ${t.seen}`);
  return t;
}

function failedWithExplanation(tests: Map<string, JsonTest>, name: string): NonNullable<JsonTest['explanation']> {
  const t = tests.get(name);
  assert.ok(t, `no test ${name} in the report`);
  assert.equal(t.ok, false, `${name} was meant to fail`);
  assert.ok(t.explanation, `${name}: no explanation`);
  assert.equal(t.explanation.note, null, `${name}: ${t.explanation.note}`);
  assert.ok(t.explanation.verdict && t.explanation.walk, `${name}: ${JSON.stringify(t.explanation)}`);
  return t.explanation;
}

/** The `at` of the kernel walk's forward hops a path test's details hold. */
function hopsOf(t: JsonTest): string[] {
  return (t.details?.trace?.kernel?.forward?.hops ?? []).map((h: { at: string }) => h.at);
}

describe('the path assertion and failure explanations (root, real kernel)', function () {
  this.timeout(300_000);
  let dir: string;

  before(() => {
    needRoot('bringing labs up and tracing packets through them');
    dir = tempDir();
  });

  after(async () => {
    for (const l of [...up]) await lab(['down', l.name]);
  });

  it('routed: a path through the router passes with its walk in the report; a ping with no route fails and says where it died', async () => {
    const { l, run, tests } = await upAndTest(dir, 'routed', 'it-path-routed', [
      '  - name: a1 to b1 through the router',
      '    path: { from: a1, to: b1, via: [lan-a, r, lan-b, b1], encap: none, verdict: delivered }',
      '  - name: a1 to b1 on tcp 22 (nothing listens) still passes r',
      '    path: { from: a1, to: b1, proto: tcp, port: 22, via: [r] }',
      '  - name: b2 has no route to 10.9.9.9',
      '    ping: { from: b2, to: 10.9.9.9, count: 1 }',
    ]);
    const p = passed(tests, 'a1 to b1 through the router');
    assert.deepEqual(hopsOf(p), ['a1', 'lan-a', 'r', 'lan-b', 'b1']);
    assert.match(p.seen, /^a1 → lan-a → r → lan-b → b1: delivered to 10\.2\.0\.\d+; reply: .* → a1: returned — /);
    assert.equal(tests.get('a1 to b1 on tcp 22 (nothing listens) still passes r')?.ok, false, 'no listener: not delivered');
    const e = failedWithExplanation(tests, 'b2 has no route to 10.9.9.9');
    assert.deepEqual(e.flow, { from: 'b2', to: '10.9.9.9', proto: 'icmp' });
    assert.match(e.verdict!, /^dropped in b2: /);
    assert.match(e.walk!, /^b2: dropped \(route\)$/);
    // the human report on standard output shows it under the failure
    assert.match(run.stdout, /✘ b2 has no route to 10\.9\.9\.9[^\n]*\n(?: {4}.*\n)*? {4}why: +\S.*b2/);
    await bringDown(l);
  });

  it("bridge-nat: a published port's path is DNAT'ed to h1 in host; a container's way out is SNAT'ed to host's address", async () => {
    const { l, run, tests } = await upAndTest(dir, 'bridge-nat', 'it-path-nat', [
      '  - name: published port 8080 to h1',
      '    path: { from: internet, to: 203.0.113.2, proto: tcp, port: 8080, via: [host, h1], nat: { dnat-to: h1 }, verdict: delivered }',
      '  - name: out through the masquerade',
      '    path: { from: h2, to: internet, proto: tcp, port: 80, via: [host, internet], nat: { snat-to: 203.0.113.2 } }',
      '  - name: an unpublished port is not DNATed',
      '    path: { from: internet, to: 203.0.113.2, proto: tcp, port: 9090, nat: { dnat-to: h1 } }',
    ]);
    const dnat = passed(tests, 'published port 8080 to h1');
    assert.match(dnat.seen, /dnat 203\.0\.113\.2:8080 → 172\.17\.0\.2:80/);
    passed(tests, 'out through the masquerade');
    const bad = tests.get('an unpublished port is not DNATed')!;
    assert.equal(bad.ok, false);
    assert.match(bad.seen, /^no DNAT on the way/);
    await bringDown(l);
  });

  it('k8s-networkpolicy: a tcp test the policies deny fails naming the policy; a path test dropped-by the policy passes', async () => {
    const { l, run, tests } = await upAndTest(dir, 'k8s-networkpolicy', 'it-path-np', [
      '  - name: monitor reaches api (the policies say no)',
      '    tcp: { from: monitor, to: api, port: 80, timeout: 1s }',
      '  - name: monitor to api is dropped by a policy of prod',
      '    path: { from: monitor, to: api, proto: tcp, port: 80, dropped-by: "NetworkPolicy prod/*" }',
      '  - name: web to api, routed by BGP without a tunnel',
      '    path: { from: web, to: api, proto: tcp, port: 80, via: [web, node-1, node-2, api], encap: none }',
    ]);
    const e = failedWithExplanation(tests, 'monitor reaches api (the policies say no)');
    assert.deepEqual(e.flow.from, 'monitor');
    assert.match(e.verdict!, /^dropped in node-2\b.*NetworkPolicy prod\//);
    assert.match(run.stdout, /why: +dropped in node-2\b.*NetworkPolicy prod\//);
    passed(tests, 'monitor to api is dropped by a policy of prod');
    passed(tests, 'web to api, routed by BGP without a tunnel');
    await bringDown(l);
  });
});
