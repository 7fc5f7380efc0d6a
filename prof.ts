import { loadLab, planOf } from './runner/api.ts';
import { runPhase } from './runner/exec/executor.ts';
import { schedule } from './runner/plan/units.ts';
import { teardown } from './runner/exec/teardown.ts';
const t0 = performance.now();
const { lab } = loadLab('/tmp/star100.yaml');
const t1 = performance.now();
const plan = planOf(lab);
const t2 = performance.now();
const state: any = { version: 1, lab: lab.name, file: lab.file, hash: lab.hash, status: 'creating', startedAt: '', namespaces: [...plan.namespaces], objects: [], daemons: [] };
console.log('load', (t1 - t0).toFixed(0), 'compile', (t2 - t1).toFixed(0));
for (const run of schedule(plan)) {
  const a = performance.now();
  const n = await runPhase(run, plan, state);
  console.log(run.phase, n, (performance.now() - a).toFixed(0));
}
const a = performance.now();
await teardown(lab.name);
console.log('down', (performance.now() - a).toFixed(0));
