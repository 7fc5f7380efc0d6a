/**
 * `lab handout`: every lab's handout holds the plan's commands and every one of its tests as an exercise, refers to
 * nothing outside itself, and a note naming a step, node or test the lab does not have is an error at its line.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { checkLab, loadLab } from '../../runner/api.ts';
import { LabError } from '../../runner/config/diagnostics.ts';
import { parseLabText } from '../../runner/config/load.ts';
import { schedule } from '../../runner/plan/units.ts';
import { shellQuote } from '../../runner/model/words.ts';
import { handoutContext, handoutPlan, stepIds } from '../../runner/resolve/handout-steps.ts';
import { compile } from '../../runner/plan/compile.ts';
import { exercisesOf } from '../../runner/handout/exercises.ts';
import { checkOutDir, indexHtml, makeHandout } from '../../runner/handout/index.ts';
import { escapeHtml, markdown } from '../../runner/handout/markdown.ts';
import { readResults, resultsPath, saveResults } from '../../runner/handout/results.ts';
import { remoteReferences } from '../../runner/handout/offline.ts';
import { jsonReport } from '../../assertions/reporters/json.ts';
import type { TestResult } from '../../assertions/runner.ts';
import { needTools } from '../needs.ts';

const LABS = 'labs';
const labs = readdirSync(LABS).filter((d) => existsSync(join(LABS, d, 'lab.yaml')));
const NONE = { state: 'none' } as const;

/** The raw text outside tags, entities decoded: what a reader sees. */
function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

describe('handout: every lab in labs/', () => {
  it('there are labs, and every one has a handout section with goals and notes', () => {
    assert.ok(labs.length >= 3);
    for (const dir of labs) {
      const text = readFileSync(join(LABS, dir, 'lab.yaml'), 'utf8');
      const data = parseLabText(join(LABS, dir, 'lab.yaml'), text).data as { handout?: { goals?: unknown[]; notes?: unknown[] } };
      assert.ok(data.handout, `${dir} has no handout section`);
      assert.ok((data.handout.goals?.length ?? 0) >= 2, `${dir}: fewer than 2 goals`);
      assert.ok((data.handout.notes?.length ?? 0) >= 3, `${dir}: fewer than 3 notes`);
    }
  });

  for (const dir of labs) {
    describe(dir, () => {
      const path = join(LABS, dir, 'lab.yaml');
      let html = '';
      let md = '';
      let text = '';
      before(async () => {
        const h = await makeHandout(path, { svg: false, results: NONE });
        html = h.html;
        md = h.md;
        text = textOf(html);
      });

      it('shows every command of the plan, and every line fed to them', () => {
        const { lab } = loadLab(path);
        const missing: string[] = [];
        for (const run of schedule(handoutPlan(lab))) {
          for (const lane of run.lanes) {
            for (const u of lane) {
              const cmd = u.argv.map(shellQuote).join(' ');
              if (!text.includes(cmd)) missing.push(cmd);
              if (!md.includes(cmd)) missing.push(`(md) ${cmd}`);
              const fed = [u.input ?? '', u.write?.content ?? '', ...(u.files ?? []).map((f) => f.content)];
              for (const line of fed.join('\n').split('\n').filter((l) => l.trim())) if (!text.includes(line)) missing.push(line);
            }
          }
        }
        assert.deepEqual(missing.slice(0, 10), [], `${missing.length} command(s) or input line(s) missing from the handout`);
      });

      it('shows every test as an exercise: its name, the commands to type, what to expect', () => {
        const { lab } = loadLab(path);
        const exercises = exercisesOf(lab);
        assert.equal(exercises.length, lab.tests.length);
        for (const e of exercises) {
          assert.ok(text.includes(e.test.name), `no exercise for test ${e.test.name}`);
          assert.ok(text.includes(e.expect), `${e.test.name}: what to expect is missing: ${e.expect}`);
          assert.ok(e.commands.length > 0, `${e.test.name}: no command to type`);
          for (const c of e.commands) {
            assert.ok(text.includes(c.text), `${e.test.name}: command missing: ${c.text}`);
            assert.ok(md.includes(c.text), `${e.test.name}: command missing from the Markdown: ${c.text}`);
            // in a node, or on the host: a path test's `lab trace`, a failure action's `lab restart|stop|start`
            assert.match(c.text, c.host ? /^lab (trace|restart|stop|start) / : /^(ip netns exec nsl\.|docker exec nsl\.)/);
          }
        }
      });

      it('places every note: on its step (marked line), node or test', () => {
        const { lab } = loadLab(path);
        const data = parseLabText(path, readFileSync(path, 'utf8')).data as { handout: { notes: { step?: string; node?: string; test?: string }[] } };
        data.handout.notes.forEach((n, i) => {
          assert.ok(html.includes(`<span class="tag">✎ ${i + 1}</span>`), `note ${i + 1} is not shown`);
          if (n.step && !['namespaces', 'links', 'configure', 'fdb', 'settle', 'firewall', 'impair', 'exec', 'daemons'].includes(n.step)) {
            assert.ok(new RegExp(`data-note="◀ ✎ [0-9, ]*\\b${i + 1}\\b`).test(html), `note ${i + 1} (step ${n.step}) marks no line of the commands`);
          }
          assert.ok(md.includes(`**✎ ${i + 1}**`), `note ${i + 1} is not in the Markdown`);
        });
        assert.ok(lab.tests.length);
      });

      it('refers to nothing outside itself (no web address in any attribute, no script, font or image)', () => {
        assert.deepEqual(remoteReferences(html), []);
        assert.ok(!/<script/i.test(html));
        assert.match(html, /<style>/);
      });

      it('has the diagram as Mermaid in the Markdown', () => {
        assert.match(md, /```mermaid\n[^`]*?\b(flowchart|graph) [^`]*\n```/);
        assert.match(md, /^# /);
      });
    });
  }

  it('with Graphviz, the diagram is inline SVG, and the only web addresses are the SVG namespaces', async function () {
    needTools(['dot'], 'apt-get install graphviz (or `bash scripts/setup.sh`)');
    const h = await makeHandout(join(LABS, labs[0], 'lab.yaml'), { results: NONE });
    assert.match(h.html, /<figure class="diagram"><svg[\s>]/);
    assert.ok(!/<\?xml|<!DOCTYPE svg/i.test(h.html));
    assert.deepEqual(remoteReferences(h.html), []);
    const addresses = [...h.html.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0]);
    const inAttributes = [...h.html.matchAll(/\s([\w:-]+)="(https?:\/\/[^"]*)"/g)].map((m) => `${m[1]}=${m[2]}`);
    assert.ok(inAttributes.every((a) => /^xmlns(:xlink)?=http:\/\/www\.w3\.org\//.test(a)), inAttributes.join(', '));
    assert.ok(addresses.length >= 1);
  });
});

describe('handout: notes that name nothing are errors at their line', () => {
  const lab = (notes: string, extra = ''): string =>
    [
      'name: notes',
      'nodes:',
      '  h1: { interfaces: { eth0: { addresses: [10.0.0.1/24] } } }',
      '  h2: { interfaces: { eth0: { addresses: [10.0.0.2/24] } } }',
      'links:',
      '  - [h1:eth0, h2:eth0]',
      'tests:',
      '  - name: h1 reaches h2',
      '    ping: { from: h1, to: h2 }',
      '  - route: { node: h1, to: 10.0.0.0/24 }',
      extra,
      'handout:',
      '  goals: [see a veth pair]',
      '  notes:',
      notes,
    ].join('\n');
  const diags = (text: string) => checkLab(parseLabText('notes.lab.yaml', text)).diagnostics.filter((d) => d.severity === 'error');

  it('accepts steps, phases, nodes, named tests and the names nslab gives unnamed ones', () => {
    const ok = diags(
      lab(['    - { step: link0.veth, text: a }', '    - { step: daemons, text: b }', '    - { node: h2, text: c }', '    - { test: h1 reaches h2, text: d }', '    - { test: "route h1 → 10.0.0.0/24", text: e }', '    - { step: h1.sysctl, text: f }'].join('\n')),
    );
    assert.deepEqual(ok, []);
  });

  it('an unknown step: error at the step value, with a did-you-mean hint', () => {
    const text = lab('    - { step: h1.eth0.upp, text: x }');
    const [d, ...rest] = diags(text);
    assert.equal(rest.length, 0);
    assert.equal(d.code, 'handout.unknown-step');
    assert.equal(d.pos?.line, text.split('\n').findIndex((l) => l.includes('h1.eth0.upp')) + 1);
    assert.equal(d.pos?.col, 15);
    assert.match(d.hint ?? '', /did you mean "h1\.eth0\.up"\?/);
  });

  it('an unknown node or test: error at its line, with a hint', () => {
    const text = lab(['    - { node: h9, text: x }', '    - { test: h1 reaches h9, text: y }'].join('\n'));
    const ds = diags(text);
    const lines = text.split('\n');
    assert.deepEqual(
      ds.map((d) => [d.code, d.pos?.line]),
      [
        ['handout.unknown-node', lines.findIndex((l) => l.includes('h9, text: x')) + 1],
        ['handout.unknown-test', lines.findIndex((l) => l.includes('h1 reaches h9')) + 1],
      ],
    );
    assert.match(ds[0].hint ?? '', /nodes: h1, h2/);
    assert.match(ds[1].hint ?? '', /did you mean "h1 reaches h2"\?/);
  });

  it('loadLab (so lab validate, lab plan and lab handout) refuses the lab with exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-handout-'));
    try {
      const file = join(dir, 'lab.yaml');
      writeFileSync(file, lab('    - { step: link9.veth, text: x }'));
      assert.throws(() => loadLab(file), (e: unknown) => e instanceof LabError && e.exitCode === 2 && e.diagnostics[0].code === 'handout.unknown-step');
      await assert.rejects(makeHandout(file, { svg: false, results: NONE }), (e: unknown) => e instanceof LabError && e.diagnostics[0].pos?.line === 15);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('step ids are checked only when the rest of the lab is valid; nodes and tests always', () => {
    const text = lab(['    - { step: nonsense, text: x }', '    - { node: h9, text: y }'].join('\n'), '  - ping: { from: h7, to: h2 }');
    const codes = diags(text).map((d) => d.code);
    assert.ok(codes.includes('ref.unknown-node'));
    assert.ok(codes.includes('handout.unknown-node'));
    assert.ok(!codes.includes('handout.unknown-step'));
  });

  it('every step id of a lab can be named; the ids do not depend on the machine', () => {
    const { lab: l } = loadLab(join(LABS, 'routed', 'lab.yaml'));
    const ids = stepIds(l);
    for (const id of ['r.sysctl', 'a1.sysctl', 'bridge.lan-a', 'link0.veth', 'b2.route0', 'settle.nsl.routed']) assert.ok(ids.has(id), id);
  });

  it('the step ids of a lossy link: those of netem and of the nftables drop, from one compile', () => {
    const text = [
      'name: lossy',
      'nodes:',
      '  a: { interfaces: { eth0: { addresses: [10.0.0.1/24], impair: { loss: 5%, rate: 10mbit } } } }',
      '  b: { interfaces: { eth0: { addresses: [10.0.0.2/24] } } }',
      'links: [[a:eth0, b:eth0]]',
    ].join('\n');
    const { lab: l } = checkLab(parseLabText('lossy.lab.yaml', text));
    assert.ok(l);
    const ids = stepIds(l);
    // what a plan for each kind of machine has: unknown, netem present, netem absent
    const all = [handoutContext(l), handoutContext(l, { netem: true }), handoutContext(l, { netem: false })].flatMap((c) => compile(l, c).steps.map((s) => s.id));
    assert.deepEqual([...ids].sort(), [...new Set(all)].sort());
    for (const id of ['a.eth0.impair.netem', 'a.eth0.impair.loss', 'a.eth0.impair.tbf']) assert.ok(ids.has(id), id);
  });
});

describe('handout: the latest results', () => {
  let dir: string;
  const saved = process.env.NSLAB_RESULTS_DIR;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nslab-results-'));
    process.env.NSLAB_RESULTS_DIR = join(dir, 'results');
  });
  after(() => {
    if (saved === undefined) delete process.env.NSLAB_RESULTS_DIR;
    else process.env.NSLAB_RESULTS_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  function report(): string {
    const { lab } = loadLab(join(LABS, 'routed', 'lab.yaml'));
    const results: TestResult[] = lab.tests.map((t, i) => ({
      test: t,
      ok: i !== 2,
      attempts: 1,
      durationMs: 100 + i,
      startedAt: new Date('2025-01-01T00:00:00Z'),
      outcome: {
        ok: i !== 2,
        expected: 'something',
        seen: t.type === 'iperf3' ? `${20 + i} Gbit/s` : `seen ${i}`,
        command: 'ip netns exec …',
        measurement: t.type === 'iperf3' ? (20 + i) * 1e9 : undefined,
      },
    })) as unknown as TestResult[];
    return jsonReport(results, { lab: 'routed', file: 'labs/routed/lab.yaml', started: new Date('2025-01-01T00:00:00Z'), durationMs: 1234 });
  }

  it('resultsPath is /var/lib/nslab/results/<lab>.json unless NSLAB_RESULTS_DIR says otherwise', () => {
    const env = process.env.NSLAB_RESULTS_DIR;
    delete process.env.NSLAB_RESULTS_DIR;
    try {
      assert.equal(resultsPath('routed'), '/var/lib/nslab/results/routed.json');
    } finally {
      process.env.NSLAB_RESULTS_DIR = env;
    }
    assert.equal(resultsPath('routed'), join(dir, 'results', 'routed.json'));
    assert.throws(() => resultsPath('../etc/passwd'));
  });

  it('saveResults writes the JSON report (making the directory); readResults reads it back', () => {
    assert.deepEqual(readResults('routed'), { state: 'none' });
    const path = saveResults('routed', report());
    assert.equal(path, resultsPath('routed'));
    const r = readResults('routed');
    assert.equal(r.state, 'ok');
    if (r.state === 'ok') {
      assert.equal(r.results.lab, 'routed');
      assert.equal(r.results.counts.failed, 1);
    }
    assert.ok(!readdirSync(join(dir, 'results')).some((f) => f.endsWith('.tmp')));
  });

  it('saveResults refuses what is not a JSON report of that lab', () => {
    assert.throws(() => saveResults('routed', '{"format":"other"}'), /format/);
    assert.throws(() => saveResults('bridge-nat', report()), /lab routed/);
    assert.throws(() => saveResults('routed', 'not json'), /not JSON/);
  });

  it('a handout of a tested lab shows the results and a bar chart of the iperf3 measurements', async () => {
    saveResults('routed', report());
    const h = await makeHandout(join(LABS, 'routed', 'lab.yaml'), { svg: false });
    assert.match(h.html, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="chart"/);
    assert.equal((h.html.match(/class="bar-(ok|fail)"/g) ?? []).length, 2, 'one bar per iperf3 test');
    assert.match(h.html, /9 passed, 1 failed/);
    assert.match(h.html, /✘ failed<\/span> last run/);
    assert.match(h.md, /iperf3 throughput/);
    assert.deepEqual(remoteReferences(h.html), []);
  });

  it('results of tests the lab file no longer has are left out, counted and said so', async () => {
    const saved = JSON.parse(report()) as { tests: { name: string; ok: boolean }[] };
    const old = { ...saved.tests[2], name: 'a test that was renamed since', ok: false };
    saved.tests.push(old, { ...old, name: 'another old one' });
    (saved as unknown as { counts: object }).counts = { total: saved.tests.length, passed: 7, failed: 3 };
    saveResults('routed', JSON.stringify(saved));
    const h = await makeHandout(join(LABS, 'routed', 'lab.yaml'), { svg: false });
    assert.doesNotMatch(h.html, /renamed since|another old one/);
    assert.doesNotMatch(h.md, /renamed since|another old one/);
    assert.match(h.html, /2 saved results not shown: their tests are no longer in the lab file/);
    assert.match(h.md, /2 saved results not shown/);
    assert.match(h.html, /9 passed, 1 failed/, 'the counts are of the tests shown');
    saveResults('routed', report());
    const fresh = await makeHandout(join(LABS, 'routed', 'lab.yaml'), { svg: false });
    assert.doesNotMatch(fresh.html, /not shown/);
  });

  it('unreadable results are said so, not fatal', async () => {
    mkdirSync(join(dir, 'results'), { recursive: true });
    writeFileSync(resultsPath('routed'), '{broken');
    const h = await makeHandout(join(LABS, 'routed', 'lab.yaml'), { svg: false });
    assert.match(h.html, /could not be read/);
  });
});

describe('handout: output directory and --all', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nslab-handout-out-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an output directory that cannot be written is exit code 4, before anything else', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    assert.throws(() => checkOutDir(file), (e: unknown) => e instanceof LabError && e.exitCode === 4 && /is not a directory/.test(e.diagnostics[0].message));
    assert.throws(() => checkOutDir(join(file, 'below')), (e: unknown) => e instanceof LabError && e.exitCode === 4 && /cannot be made/.test(e.diagnostics[0].message));
    // a directory that cannot be made where the parent exists (Node's recursive mkdir never returns there)
    if (existsSync('/proc/self')) assert.throws(() => checkOutDir('/proc/nslab-handout/x'), (e: unknown) => e instanceof LabError && e.exitCode === 4);
    if (existsSync('/proc/sys')) assert.throws(() => checkOutDir('/proc/sys'), (e: unknown) => e instanceof LabError && e.exitCode === 4 && /not writable/.test(e.diagnostics[0].message));
    checkOutDir(join(dir, 'new', 'dir'));
    assert.deepEqual(readdirSync(join(dir, 'new', 'dir')), []);
  });

  it('`lab handout --all --out <file>` exits 4 with a clear message and writes nothing', () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const r = spawnSync(process.execPath, ['runner/cli/main.ts', 'handout', '--all', '--out', file], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /cannot write handouts to .*not-a-dir: .* is not a directory/);
    assert.equal(readFileSync(file, 'utf8'), 'x');
  });

  it('`lab handout LAB --out DIR` writes <lab>.html and <lab>.md', () => {
    const out = join(dir, 'one');
    execFileSync(process.execPath, ['runner/cli/main.ts', 'handout', join(LABS, 'netns-veth'), '--out', out], { env: { ...process.env, CI: 'true', NSLAB_RESULTS_DIR: join(dir, 'none') }, stdio: 'pipe' });
    assert.deepEqual(readdirSync(out).sort(), ['netns-veth.html', 'netns-veth.md']);
  });

  it('the index links every handout, and nothing outside', async () => {
    const docs = await Promise.all(labs.slice(0, 2).map(async (d) => (await makeHandout(join(LABS, d, 'lab.yaml'), { svg: false, results: NONE })).doc));
    const html = indexHtml(docs, [{ file: 'labs/x/lab.yaml', why: 'broken' }]);
    for (const d of docs) assert.ok(html.includes(`href="${d.lab.name}.html"`));
    assert.match(html, /labs\/x\/lab\.yaml/);
    assert.deepEqual(remoteReferences(html), []);
  });
});

describe('handout: remoteReferences, the offline check the handout tests rely on', () => {
  it('finds what a browser would fetch, and leaves words and namespace names alone', () => {
    assert.deepEqual(remoteReferences('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><text>curl http://203.0.113.1/</text></svg><a href="#nodes">x</a>'), []);
    for (const bad of ['<img src="https://x/a.png">', '<a href="http://x/">x</a>', '<image xlink:href="//cdn/x.png"/>', '<script>1</script>', '<link rel="stylesheet" href="a.css">', '<style>@import "a.css";</style>', '<div style="background: url(https://x/y.png)">']) {
      assert.ok(remoteReferences(bad).length > 0, bad);
    }
  });
});

describe('handout: Markdown in notes and texts', () => {
  it('escapes HTML and never makes a link', () => {
    assert.equal(escapeHtml('<a href="x">&'), '&lt;a href=&quot;x&quot;&gt;&amp;');
    const html = markdown('Read [the docs](https://example.org/x) and `ip -j route`.\n\n- **one**\n- *two* <b>\n\n```\ncurl http://x/\n```');
    assert.ok(!/<a\s/.test(html));
    assert.deepEqual(remoteReferences(html), []);
    assert.match(html, /<code>ip -j route<\/code>/);
    assert.match(html, /<ul><li><strong>one<\/strong><\/li><li><em>two<\/em> &lt;b&gt;<\/li><\/ul>/);
    assert.match(html, /<pre class="code"><code>curl http:\/\/x\/<\/code><\/pre>/);
  });
});
