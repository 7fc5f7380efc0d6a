/** ci/github-actions.yml: it parses, lists the labs itself, and runs a matrix job per lab. */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { needTools } from '../needs.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FILE = join(ROOT, 'ci', 'github-actions.yml');

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  outputs?: Record<string, string>;
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown> };
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: unknown;
  jobs: Record<string, Job>;
}

const labDirs = readdirSync(join(ROOT, 'labs')).filter((d) => existsSync(join(ROOT, 'labs', d, 'lab.yaml'))).sort();

function bash(script: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', script], { cwd: ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function outputs(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('ci/github-actions.yml', () => {
  const text = readFileSync(FILE, 'utf8');
  const wf = parse(text) as Workflow;
  const jobs = Object.entries(wf.jobs);
  // the job that lists the labs: a step output turned into a job output; the matrix job uses it
  const [listName, list] = jobs.find(([, j]) => j.outputs && Object.values(j.outputs).some((v) => /steps\.\w+\.outputs\.labs/.test(v)))!;
  const [, matrix] = jobs.find(([, j]) => j.strategy?.matrix)!;
  const listStep = list.steps.find((s) => s.id && list.outputs!.labs.includes(`steps.${s.id}.`))!;
  const runs = matrix.steps.map((s) => s.run ?? '').join('\n');

  it('parses as YAML, and says where to copy it', () => {
    assert.equal(typeof wf.name, 'string');
    assert.ok(wf.on);
    assert.match(text.split('\n')[0], /copy this file to \.github\/workflows\//);
  });

  it('has a job that lists the labs with `ls labs/*/lab.yaml` and a matrix job over its output', () => {
    assert.ok(list, 'a job with a `labs` output');
    assert.match(listStep.run!, /ls -1 labs\/\*\/lab\.yaml/);
    assert.match(listStep.run!, /GITHUB_OUTPUT/);
    const needs = [matrix.needs ?? []].flat();
    assert.ok(needs.includes(listName), `the matrix job needs ${listName}`);
    assert.equal(matrix.strategy!['fail-fast'], false, "one lab's failure does not cancel the others");
    assert.equal(matrix.strategy!.matrix!.lab, `\${{ fromJSON(needs.${listName}.outputs.labs) }}`);
  });

  it('references every lab dynamically: no lab of labs/ is named in it', () => {
    for (const d of labDirs) assert.ok(!new RegExp(`\\b${d}\\b`).test(text), `labs/${d} is named in the workflow`);
  });

  it('the list step, run by bash here, lists exactly the labs in labs/ as a JSON array', function () {
    needTools(['bash'], 'apt-get install bash');
    const tmp = mkdtempSync(join(tmpdir(), 'nslab-ci-'));
    try {
      const out = join(tmp, 'out');
      const r = bash(listStep.run!, { GITHUB_OUTPUT: out });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(outputs(out).labs), labDirs);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('the Docker step says true exactly for the labs with container, pod or bird nodes', function () {
    this.timeout(60_000); // one bash per lab: grows with labs/, and takes seconds on a loaded machine
    const step = matrix.steps.find((s) => s.run?.includes('kind: *(container|pod|bird)'));
    assert.ok(step?.id, 'a step with an id that greps the lab file for the kinds that need Docker');
    needTools(['bash'], 'apt-get install bash');
    const tmp = mkdtempSync(join(tmpdir(), 'nslab-ci-'));
    try {
      for (const d of labDirs) {
        const out = join(tmp, d);
        const r = bash(step.run!, { GITHUB_OUTPUT: out, LAB: d });
        assert.equal(r.status, 0, r.stderr);
        const expected = /kind: *(container|pod|bird)/.test(readFileSync(join(ROOT, 'labs', d, 'lab.yaml'), 'utf8'));
        assert.equal(outputs(out).docker, String(expected), d);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    const setup = matrix.steps.find((s) => s.run?.includes('scripts/setup.sh'))!;
    assert.match(setup.run!, /sudo bash scripts\/setup\.sh --minimal --with-docker --with-images\n/);
    assert.match(setup.run!, /sudo bash scripts\/setup\.sh --minimal\s*\n/);
    assert.ok(Object.values(setup.env ?? {}).some((v) => v.includes(`steps.${step.id}.outputs.docker`)));
  });

  it('the unit job installs the tools the unit tests run (dot, bird -p) before running them', () => {
    const [, unit] = jobs.find(([, j]) => j.steps.some((s) => s.run === 'npm run test:unit'))!;
    const install = unit.steps.findIndex((s) => /apt-get install .*\bgraphviz\b.*\bbird2\b/.test(s.run ?? ''));
    assert.ok(install >= 0, 'an apt-get install of graphviz and bird2');
    assert.ok(install < unit.steps.findIndex((s) => s.run === 'npm run test:unit'));
  });

  it('each lab: up --test with a JUnit report, down always, the handout, both uploaded as an artifact', () => {
    assert.equal(matrix.env?.LAB, '${{ matrix.lab }}');
    assert.match(runs, /sudo lab up "labs\/\$LAB" --test --reporter junit --output "reports\/\$LAB\.xml"/);
    const down = matrix.steps.find((s) => /sudo lab down "labs\/\$LAB"/.test(s.run ?? ''));
    assert.ok(down, 'a lab down step');
    assert.match(down.if ?? '', /always\(\)/);
    const handout = matrix.steps.find((s) => /(^|\n)\s*lab handout "labs\/\$LAB" --out "handouts\/\$LAB"/.test(s.run ?? ''));
    assert.ok(handout, 'a lab handout step');
    assert.ok(!/\|\|\s*true/.test(handout.run!), 'the handout step fails when the handout fails');
    const upload = matrix.steps.find((s) => s.uses === 'actions/upload-artifact@v4');
    assert.ok(upload, 'actions/upload-artifact@v4');
    assert.match(upload.if ?? '', /always\(\)/);
    assert.match(upload.with!.name, /\$\{\{ matrix\.lab \}\}/);
    assert.deepEqual(upload.with!.path.trim().split('\n').map((l) => l.trim()), ['reports/', 'handouts/']);
    const order = [runs.indexOf('lab up'), runs.indexOf('lab down'), runs.indexOf('lab handout')];
    assert.deepEqual([...order].sort((a, b) => a - b), order);
  });
});
