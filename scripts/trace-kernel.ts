/**
 * Try the kernel tracer by hand (issue 12): the kernel's walk of one probe as JSON, and how long each phase took.
 *
 *   node scripts/trace-kernel.ts LABFILE FROM DST [icmp|tcp|udp] [PORT] [--record FILE [--as NAME]] [--timeout MS]
 *
 * The lab must be up. --record writes what the trace recorded (monitor output, questions and answers), with the
 * namespaces renamed to those of the lab named `--as NAME` if given: a fixture for test/unit/trace-kernel-walk.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { loadLab } from '../runner/resolve/load.ts';
import { traceKernelRecorded } from '../runner/trace/kernel.ts';
import type { TraceProto } from '../runner/model/trace.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const recordTo = opt('--record');
const as = opt('--as');
const timeout = opt('--timeout');
const [file, from, dst, proto = 'icmp', port] = args;
const { lab } = loadLab(file);
const started = performance.now();
const { walk, record, phases } = await traceKernelRecorded(lab, { from, dst, family: dst.includes(':') ? 6 : 4, proto: proto as TraceProto, ...(port ? { port: Number(port) } : {}), toText: dst, target: { kind: 'address' } }, timeout ? { timeoutMs: Number(timeout) } : {});
const ms = Math.round(performance.now() - started);
console.log(JSON.stringify(walk, null, 1));
console.error(`traced in ${ms} ms ${JSON.stringify(phases)}`);
if (recordTo) {
  let text = JSON.stringify(record, null, 1);
  if (as) text = text.replaceAll(`nsl.${lab.name}.`, `nsl.${as}.`).replaceAll(`"nsl.${lab.name}"`, `"nsl.${as}"`);
  writeFileSync(recordTo, `${text}\n`);
}
