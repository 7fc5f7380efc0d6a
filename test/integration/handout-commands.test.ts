/**
 * Handouts are tested like code: every command that a lab's README, the notes of its `handout:` section, its
 * generated handout (`lab handout`) or the top-level README tells a learner to type is run, in bash, in the order
 * of the text, against the running lab, and must end as the text states (exit 0, or the stated failure; the stated
 * output). The README's own `lab up … --test` brings the lab up, its `lab down` takes it down, and then nothing of
 * the lab may be left. The conventions are in test/handout-commands/extract.ts.
 *
 * Selected labs: NSLAB_HANDOUT_LABS=routed,bridge-nat (default: every lab in labs/); NSLAB_HANDOUT_VERBOSE=1 prints
 * each step with its time and exit status.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { stepsForLab, type Step } from '../handout-commands/extract.ts';
import { failureText, labBin, runStep } from '../handout-commands/run.ts';
import { assertSameHost, CLI, expectOk, hostSnapshot, lab, labLeftovers, ROOT, tempDir } from './helpers.ts';

const only = process.env.NSLAB_HANDOUT_LABS?.split(',').filter(Boolean);
const dirs = readdirSync(join(ROOT, 'labs'))
  .filter((d) => existsSync(join(ROOT, 'labs', d, 'lab.yaml')))
  .filter((d) => !only || only.includes(d));

function nameOf(file: string): string {
  return /^name:\s*(\S+)/m.exec(readFileSync(file, 'utf8'))![1];
}

/** The names of every lab file of a directory (cni-backends-compared has one per subdirectory). */
function namesIn(dir: string): string[] {
  const base = join(ROOT, 'labs', dir);
  const subs = readdirSync(base).filter((d) => existsSync(join(base, d, 'lab.yaml')));
  return [nameOf(join(base, 'lab.yaml')), ...subs.map((d) => nameOf(join(base, d, 'lab.yaml')))];
}

/** The host as hostSnapshot sees it, with only this lab's namespaces (other labs may come and go meanwhile). */
async function snapshotFor(dir: string): Promise<Record<string, string>> {
  const snap = await hostSnapshot();
  const mine = (n: string): boolean => namesIn(dir).some((l) => n === `nsl.${l}` || n.startsWith(`nsl.${l}.`));
  return { ...snap, netns: snap.netns.split(' ').filter(mine).join(' ') };
}

describe('handouts are tested like code: every command a text tells a learner to type runs as stated', function () {
  this.timeout(15 * 60_000);
  const bin = labBin(CLI);
  const env = { root: ROOT, bin };
  const top = readFileSync(join(ROOT, 'README.md'), 'utf8');

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'integration tests need root');
  });

  async function runAll(steps: readonly Step[], name: string): Promise<void> {
    for (const s of steps) {
      const t0 = Date.now();
      const r = await runStep(s, name, env);
      if (process.env.NSLAB_HANDOUT_VERBOSE) process.stderr.write(`  ${s.source} (${Date.now() - t0} ms, exit ${r.exitCode}): ${s.command.split('\n').join(' ⏎ ')}\n`);
      assert.deepEqual(r.problems, [], failureText(s, r));
    }
  }

  for (const dir of dirs) {
    it(`labs/${dir}: README, notes, handout exercises`, async () => {
      const name = nameOf(join(ROOT, 'labs', dir, 'lab.yaml'));
      const out = tempDir();
      expectOk(await lab(['handout', `labs/${dir}`, '--out', out]), `lab handout labs/${dir}`);
      const readme = join(ROOT, 'labs', dir, 'README.md');
      const steps = stepsForLab({
        dir,
        name,
        readme: existsSync(readme) ? readFileSync(readme, 'utf8') : undefined,
        labYaml: readFileSync(join(ROOT, 'labs', dir, 'lab.yaml'), 'utf8'),
        handout: readFileSync(join(out, `${name}.md`), 'utf8'),
        topReadme: top,
      });
      assert.ok(steps.main.some((s) => s.command.startsWith('lab up')), `labs/${dir}: no text brings the lab up`);
      const before = await snapshotFor(dir);
      try {
        await runAll(steps.top, name);
        await runAll(steps.main, name);
      } finally {
        // whatever failed, the lab goes down: the next lab must start from a clean machine
        for (const n of namesIn(dir)) if (labLeftovers(n).length) await lab(['down', n]);
      }
      for (const n of namesIn(dir)) assert.deepEqual(labLeftovers(n), [], `${n} left something behind`);
      if (existsSync('/var/run/docker.sock')) {
        const ps = await execa('docker', ['ps', '-a', '--filter', `label=nslab.lab=${name}`, '--format', '{{.Names}}'], { reject: false });
        assert.equal(String(ps.stdout).trim(), '', `containers of ${name} are left`);
      }
      assertSameHost(before, await snapshotFor(dir));
    });
  }
});
