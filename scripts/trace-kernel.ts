/**
 * Try the kernel tracer by hand (issue 12): `node scripts/trace-kernel.ts LABFILE FROM DST [tcp|udp|icmp] [PORT]`
 * prints the kernel's walk of one probe as JSON, and how long it took. The lab must be up.
 */
import { loadLab } from '../runner/resolve/load.ts';
import { traceKernel } from '../runner/trace/kernel.ts';
import type { TraceProto } from '../runner/model/trace.ts';

const [file, from, dst, proto = 'icmp', port] = process.argv.slice(2);
const { lab } = loadLab(file);
if (!lab) throw new Error(`cannot load ${file}`);
const started = performance.now();
const walk = await traceKernel(lab, { from, dst, family: dst.includes(':') ? 6 : 4, proto: proto as TraceProto, ...(port ? { port: Number(port) } : {}), toText: dst, target: { kind: 'address' } });
const ms = Math.round(performance.now() - started);
console.log(JSON.stringify(walk, null, 1));
console.error(`traced in ${ms} ms`);
