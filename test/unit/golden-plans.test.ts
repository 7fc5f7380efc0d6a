/** Every lab in labs/ compiles, and its printed plan is exactly the committed golden file (`npm run goldens` rewrites them). */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileContext, loadLab, planOf } from '../../runner/api.ts';
import { printPlan } from '../../runner/plan/print.ts';
import { schedule } from '../../runner/plan/units.ts';
import { teardownCommands } from '../../runner/exec/teardown.ts';
import { expectGolden, expectNoStrayGoldens } from './golden.ts';

const LABS = 'labs';
const GOLDEN = 'test/unit/golden/plans';
const labs = readdirSync(LABS).filter((d) => existsSync(join(LABS, d, 'lab.yaml')));

function render(dir: string): { text: string; plan: ReturnType<typeof planOf> } {
  const { lab } = loadLab(join(LABS, dir, 'lab.yaml'));
  // a Docker host: ip_forward=1 is inherited, so nodes that must not forward get an explicit sysctl
  const plan = planOf(lab, compileContext(lab.name, ['lab'], { 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '0' }));
  return { text: printPlan(plan, { teardown: teardownCommands(plan.namespaces) }), plan };
}

describe('golden plans', () => {
  it('there are labs to check', () => assert.ok(labs.length >= 3, `found ${labs.length}`));
  it('every golden plan belongs to a lab', () => expectNoStrayGoldens(GOLDEN, '.plan.sh', labs.map((d) => `${d}.plan.sh`)));
  for (const dir of labs) {
    it(`labs/${dir} prints its golden plan`, () => {
      const { text } = render(dir);
      expectGolden(join(GOLDEN, `${dir}.plan.sh`), text);
    });
    it(`labs/${dir}: the printer shows every process the executor runs`, () => {
      const { text, plan } = render(dir);
      for (const run of schedule(plan)) {
        for (const lane of run.lanes) {
          for (const u of lane) {
            const head = u.argv.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w}'`)).join(' ');
            assert.ok(text.includes(head), `printed plan lacks ${head}`);
            for (const line of (u.input ?? '').split('\n').filter(Boolean)) assert.ok(text.includes(line), `printed plan lacks input line ${line}`);
          }
        }
      }
    });
  }
});
