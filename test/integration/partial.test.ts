/**
 * Part of a lab (issue 15.4) on the real kernel, Docker and BIRD: a copy of ebgp-triangle (p5-ebgp) brought up with
 * --nodes r1,r2,h1,h2: only their namespaces and containers exist, the links to r3 do not; `lab test` runs the tests
 * whose nodes are all up, reports the others SKIPPED with the reason (text and JUnit), exits 5; another selection
 * of the running lab is refused; `lab down` leaves nothing. Then a cluster copy (p5-k8s) with --exclude node-2.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lab, labLeftovers, processesMatching, ROOT, type Run } from './helpers.ts';

const show = (r: Run): string => `exit ${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
const netns = (name: string): string[] => readdirSync('/run/netns').filter((n) => n.startsWith(`nsl.${name}.`)).sort();
const containers = (name: string): string[] =>
  execFileSync('docker', ['ps', '-a', '--filter', `label=nslab.lab=${name}`, '--format', '{{.Names}}'], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();

function copy(dir: string, from: string, name: string): string {
  const path = join(dir, `${name}.lab.yaml`);
  writeFileSync(path, readFileSync(join(ROOT, 'labs', from, 'lab.yaml'), 'utf8').replace(/^name: .*$/m, `name: ${name}`).replace(/\$schema=\S+/, ''));
  return path;
}

describe('part of a lab (issue 15.4)', function () {
  this.timeout(600_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'p5-partial-'));
  });
  after(async () => {
    await lab(['down', 'p5-ebgp']);
    await lab(['down', 'p5-k8s']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('ebgp-triangle with --nodes r1,r2,h1,h2: only that part is built, tested and skipped with reasons, and removed', async () => {
    const file = copy(dir, 'ebgp-triangle', 'p5-ebgp');
    const up = await lab(['up', file, '--nodes', 'r1,r2,h*', '--exclude', 'h3']);
    assert.equal(up.exitCode, 0, show(up));
    const said = up.stdout + up.stderr;
    for (const s of ['part of the lab: 4 of 6 nodes (r1, r2, h1, h2)', 'r1: eth1 (to r3) left out', 'r2: eth1 (to r3) left out', 'r1: BGP session with r3 will stay down (not up)']) assert.ok(said.includes(s), `${s}\n${show(up)}`);
    assert.deepEqual(netns('p5-ebgp'), ['nsl.p5-ebgp.h1', 'nsl.p5-ebgp.h2', 'nsl.p5-ebgp.r1', 'nsl.p5-ebgp.r2']);
    const ctrs = containers('p5-ebgp');
    assert.ok(ctrs.some((c) => c.endsWith('.r1')) && ctrs.some((c) => c.endsWith('.r2')), ctrs.join(' '));
    assert.ok(!ctrs.some((c) => c.endsWith('.r3')), ctrs.join(' '));
    // the link to r3 is not there; the one to r2 is
    const links = execFileSync('ip', ['-n', 'nsl.p5-ebgp.r1', '-br', 'link'], { encoding: 'utf8' });
    assert.match(links, /^eth0\b/m);
    assert.doesNotMatch(links, /^eth1\b/m);
    const st = await lab(['status', 'p5-ebgp']);
    assert.ok(st.stdout.includes('part of the lab: 4 of 6 nodes'), show(st));

    const xml = join(dir, 'p5-ebgp.xml');
    const t = await lab(['test', file, '--reporter', 'junit', '--output', xml]);
    assert.equal(t.exitCode, 5, show(t)); // every test that ran passed; some were skipped
    assert.match(t.stdout, /✔ r1 and r2 are Established/);
    assert.match(t.stdout, /✔ h2 reaches h1 and h3/);
    assert.match(t.stdout, /- h1 reaches h3 on the direct path {2}SKIPPED: needs h3, which is not up \(lab up --nodes\)/);
    assert.match(t.stdout, /- the kernel's walk from h1 to h3 goes r1 → r3 directly {2}SKIPPED: needs r3, h3, which are not up/);
    assert.match(t.stdout, /- r1 has both sessions up {2}SKIPPED: needs r3, which is not up/);
    assert.match(t.stdout, /2 passed, 0 failed, 12 skipped \(not up\)/);
    const junit = readFileSync(xml, 'utf8');
    assert.match(junit, /<testsuite [^>]*failures="0"[^>]*skipped="12"/);
    assert.equal((junit.match(/<skipped message="needs r3[^"]*not up \(lab up --nodes\)"\/>/g) ?? []).length, 10, junit);
    assert.match(junit, /<skipped message="it comes after &quot;the r1–r3 link flaps, and r1 fails over to r2&quot;, which was skipped/);

    // a node of the part restarts from the part's plan: its link to r3 does not come back
    const rs = await lab(['restart', 'p5-ebgp', 'r1']);
    assert.equal(rs.exitCode, 0, show(rs));
    const after = execFileSync('ip', ['-n', 'nsl.p5-ebgp.r1', '-br', 'link'], { encoding: 'utf8' });
    assert.match(after, /^eth0\b/m);
    assert.doesNotMatch(after, /^eth1\b/m);
    // the same part again: nothing to do
    const again = await lab(['up', file, '--nodes', 'h1,h2,r1,r2']);
    assert.equal(again.exitCode, 0, show(again));
    assert.match(again.stdout + again.stderr, /is already up/);
    // the whole lab from the running part (issue 15.1): what is missing is added in place, r1's BIRD keeps running
    const r1 = processesMatching('/run/nslab/p5-ebgp/bird/r1/bird.conf', 'bird');
    assert.equal(r1.length, 1);
    const whole = await lab(['up', file]);
    assert.equal(whole.exitCode, 0, show(whole));
    assert.match(whole.stdout + whole.stderr, /changed in place/);
    assert.deepEqual(netns('p5-ebgp'), ['h1', 'h2', 'h3', 'r1', 'r2', 'r3'].map((n) => `nsl.p5-ebgp.${n}`));
    assert.deepEqual(processesMatching('/run/nslab/p5-ebgp/bird/r1/bird.conf', 'bird'), r1, 'r1\'s BIRD is the same process');
    const whole1 = JSON.parse(readFileSync('/run/nslab/p5-ebgp/state.json', 'utf8')) as { selection?: unknown };
    assert.equal(whole1.selection, undefined, 'the state says the whole lab is up');
    // and back to the part: r3 and h3 go, nothing of them is left
    const part = await lab(['up', file, '--nodes', 'r1,r2,h1,h2']);
    assert.equal(part.exitCode, 0, show(part));
    assert.deepEqual(netns('p5-ebgp'), ['h1', 'h2', 'r1', 'r2'].map((n) => `nsl.p5-ebgp.${n}`));
    assert.deepEqual(containers('p5-ebgp'), ['nsl.p5-ebgp.r1', 'nsl.p5-ebgp.r2']);

    const down = await lab(['down', 'p5-ebgp']);
    assert.equal(down.exitCode, 0, show(down));
    assert.deepEqual(labLeftovers('p5-ebgp'), []);
    assert.deepEqual(containers('p5-ebgp'), []);
  });

  it('a cluster (k8s-dns) with --exclude node-2: its pods go with it, the tests that need them are skipped, the rest pass', async () => {
    const file = copy(dir, 'k8s-dns', 'p5-k8s');
    const up = await lab(['up', file, '--exclude', 'node-2']);
    assert.equal(up.exitCode, 0, show(up));
    const said = up.stdout + up.stderr;
    assert.match(said, /part of the lab: \d+ of \d+ nodes/);
    assert.match(said, /runs on node node-2, which is left out: \S+ is left out too/);
    assert.match(said, /left out of the rules \(not up\)/);
    const ns = netns('p5-k8s');
    assert.ok(ns.includes('nsl.p5-k8s.node-1') && !ns.includes('nsl.p5-k8s.node-2'), ns.join(' '));
    // lab status shows the Services as the running part's rules have them: no endpoint on a pod of node-2
    const st = await lab(['status', 'p5-k8s']);
    assert.match(st.stdout, /service default\/web /, show(st));
    for (const l of st.stdout.split('\n').filter((x) => /^\s+service /.test(x))) assert.doesNotMatch(l, /10\.244\.1\.\d+/, `an endpoint on node-2 (block 10.244.1.0/24) shown: ${l}`);
    const t = await lab(['test', file, '--reporter', 'junit', '--output', join(dir, 'p5-k8s.xml')]);
    assert.equal(t.exitCode, 5, show(t));
    assert.match(t.stdout, /3 passed, 0 failed, \d+ skipped \(not up\)/);
    assert.match(t.stdout, /SKIPPED: needs [^\n]*which (is|are) not up \(lab up --nodes\)/);
    assert.match(readFileSync(join(dir, 'p5-k8s.xml'), 'utf8'), /failures="0"[^>]*skipped="[1-9]\d*"/);
    const down = await lab(['down', 'p5-k8s']);
    assert.equal(down.exitCode, 0, show(down));
    assert.deepEqual(labLeftovers('p5-k8s'), []);
  });
});
