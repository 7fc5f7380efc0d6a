/**
 * Micro-benchmarks: how long the time-bound parts of nslab take, measured here instead of asserted in the tests
 * (a test that fails when the machine is busy proves nothing about the code). Prints a table; asserts nothing.
 *
 *   node bench/micro.ts [--reps 5]        (npm run bench:micro)
 *
 * Without root, the node-exec rows are left out (they need a scratch namespace); without Docker or the lab images
 * already built, the image row is (this bench never builds an image).
 *
 *   runTests parallel     6 tests of 60 ms, concurrency 4: the wall time, and its ratio to one after another (360 ms)
 *   runTests within       a test that always fails, `within` 150 ms, 20 ms pauses: when it gives up, and the overshoot
 *   probe timeout         one UDP probe to a socket that never answers, --timeout-ms 200
 *   capture give-up       the capture assertion when tcpdump never says it listens, timeout 3 s (a fake node)
 *   node-exec timeout     `sleep 5` in a namespace with a 200 ms time-out, until the result
 *   node-exec stop        stop() of a process that ignores SIGTERM (SIGKILL follows after a grace period)
 *   node-exec stopAll     stopAll() of a `sleep 30` (ends on SIGTERM)
 *   node-exec cancel      `sleep 5`, the run cancelled after 100 ms, until the result
 *   images up to date     ensureImages of nslab/host and nslab/bird when both are built (nothing to do)
 */
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { capture, type CaptureParams } from '../assertions/capture.ts';
import { runTests } from '../assertions/runner.ts';
import type { AssertionDef, Background, ExecResult, RunContext } from '../assertions/types.ts';
import { runProbe } from '../runner/agent/probe.ts';
import { requireDocker } from '../runner/exec/docker.ts';
import { createRunContext } from '../runner/exec/node-exec.ts';
import { ensureImages } from '../runner/images/build.ts';
import { imageId } from '../runner/exec/images-docker.ts';
import { imageRefFor } from '../runner/images/recipes.ts';
import type { ResolvedTest } from '../runner/model/types.ts';
import { eachArg, s3, sleep, stat } from './common.ts';

const USAGE = 'usage: node bench/micro.ts [--reps N]\n';

interface Row {
  readonly what: string;
  /** Milliseconds per rep. */
  readonly times: number[];
  /** What the time is compared with, in ms (the ratio column), and what that is. */
  readonly reference?: { ms: number; is: string };
  readonly note?: string;
}

async function timeIt(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

async function reps(n: number, f: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await timeIt(f));
  return out;
}

// ───────────────────────────── runTests

function fakeDef(type: string): AssertionDef<{ ms: number; fail?: boolean }> {
  return {
    type,
    exclusive: false,
    dependsOn: () => [],
    describe: () => type,
    resolve: () => ({ diagnostics: [] }),
    async run(p) {
      await sleep(p.ms);
      return { ok: !p.fail, expected: 'ok', seen: p.fail ? 'failed' : 'ok', command: type };
    },
  };
}

const fakeTest = (index: number, params: { ms: number; fail?: boolean }, withinMs = 0): ResolvedTest => ({
  index,
  name: `t${index}`,
  type: 'fake',
  withinMs,
  params: params as Record<string, unknown>,
  pos: { file: 'bench', line: 1, col: 1 },
});

const noExec: RunContext = { exec: () => Promise.reject(new Error('unused')), background: () => Promise.reject(new Error('unused')), measurement: () => undefined };

async function runnerRows(n: number): Promise<Row[]> {
  const defs = new Map([['fake', fakeDef('fake')]]);
  const parallel = await reps(n, () => runTests([0, 1, 2, 3, 4, 5].map((i) => fakeTest(i, { ms: 60 })), { defs, context: () => noExec, concurrency: 4 }));
  const within = await reps(n, () => runTests([fakeTest(0, { ms: 10, fail: true }, 150)], { defs, context: () => noExec, pauseMs: 20 }));
  return [
    { what: 'runTests: 6 × 60 ms tests, concurrency 4', times: parallel, reference: { ms: 360, is: 'one after another' }, note: 'ideal 120 ms (2 rounds)' },
    { what: 'runTests: always failing, within 150 ms', times: within, reference: { ms: 150, is: 'within' } },
  ];
}

// ───────────────────────────── probe and capture

async function probeRow(n: number): Promise<Row> {
  const mute = createSocket('udp4');
  await new Promise<void>((r) => mute.bind(0, '127.0.0.1', () => r()));
  try {
    const times = await reps(n, () => runProbe({ to: ['127.0.0.1'], port: mute.address().port, proto: 'udp', count: 1, timeoutMs: 200 }));
    return { what: 'probe: UDP to a silent socket, --timeout-ms 200', times, reference: { ms: 200, is: 'timeout' } };
  } finally {
    mute.close();
  }
}

/** A node where tcpdump starts but never prints "listening on": the capture gives up and cleans up. */
function silentTcpdumpNode(): RunContext {
  const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '', command: 'fake', timedOut: false });
  return {
    measurement: () => undefined,
    async background(): Promise<Background> {
      return { command: 'fake tcpdump', stop: async () => ({ stdout: '', stderr: '' }) };
    },
    async exec(_node, argv): Promise<ExecResult> {
      if (argv[0] === 'mktemp') return ok('/tmp/nslab-capture.bench\n');
      if (argv[0] === 'cat') return ok('nslab-capture pid 4242\n');
      return ok();
    },
  };
}

async function captureRow(n: number): Promise<Row> {
  const p: CaptureParams = { node: 'r', dev: 'eth0', filter: 'udp port 4789', during: { kind: 'ping', from: 'h1', to: 'h2', address: '10.0.0.2', count: 3 }, min: 1, timeoutMs: 3000 };
  const times = await reps(n, () => capture.run(p, silentTcpdumpNode()));
  return { what: 'capture: tcpdump never listens, timeout 3 s', times, reference: { ms: 3000, is: 'timeout' }, note: 'gives up 2.3 s early: 2 s kept to stop tcpdump, 0.3 s pause' };
}

// ───────────────────────────── node-exec (root)

async function nodeExecRows(n: number): Promise<Row[] | string> {
  if (process.getuid?.() !== 0) return 'node-exec: not measured (needs root for a scratch namespace)';
  const ns = `nslmicro-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  const ctx = createRunContext({ nsOf: () => ns, measurements: new Map() });
  try {
    const timeout = await reps(n, () => ctx.exec('h1', ['sleep', '5'], { timeoutMs: 200 }));
    const stop: number[] = [];
    const stopAll: number[] = [];
    const cancel: number[] = [];
    for (let i = 0; i < n; i++) {
      const bg = await ctx.background('h1', ['sh', '-c', 'trap "" TERM; echo up; while :; do sleep 0.1; done']);
      await sleep(200);
      stop.push(await timeIt(() => bg.stop()));
      await ctx.background('h1', ['sleep', '30']);
      stopAll.push(await timeIt(() => ctx.stopAll()));
      const ac = new AbortController();
      const c = createRunContext({ nsOf: () => ns, measurements: new Map(), signal: ac.signal });
      setTimeout(() => ac.abort(), 100);
      cancel.push(await timeIt(() => c.exec('h1', ['sleep', '5'])));
    }
    return [
      { what: 'node-exec: sleep 5 with a 200 ms time-out', times: timeout, reference: { ms: 200, is: 'time-out' } },
      { what: 'node-exec: stop() of a process ignoring SIGTERM', times: stop, note: 'SIGKILL after the grace period' },
      { what: 'node-exec: stopAll() of sleep 30', times: stopAll, note: 'ends on SIGTERM' },
      { what: 'node-exec: sleep 5 cancelled after 100 ms', times: cancel, reference: { ms: 100, is: 'cancel' } },
    ];
  } finally {
    await ctx.stopAll();
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

// ───────────────────────────── images (Docker)

async function imagesRow(n: number): Promise<Row | string> {
  const names = ['nslab/host', 'nslab/bird'];
  try {
    await requireDocker('bench/micro.ts');
  } catch (e) {
    return `images: not measured (${(e as Error).message.split('\n')[0]})`;
  }
  const missing = [];
  for (const name of names) if (!(await imageId(imageRefFor(name)))) missing.push(name);
  if (missing.length) return `images: not measured (${missing.join(', ')} not built; \`lab images build\` builds them)`;
  const times = await reps(n, () => ensureImages(names, { quiet: true }));
  return { what: 'images: ensureImages, both up to date', times };
}

// ───────────────────────────── report

function table(rows: readonly Row[]): string {
  const lines = ['| what | ms, median (min–max) | ratio to | note |', '|---|---|---|---|'];
  for (const r of rows) {
    const st = stat(r.times);
    const ratio = r.reference && st ? `${(st.median / r.reference.ms).toFixed(2)} × ${r.reference.is} (${r.reference.ms} ms)` : '';
    lines.push(`| ${r.what} | ${s3(st, 0)} | ${ratio} | ${r.note ?? ''} |`);
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  let n = 5;
  eachArg(process.argv.slice(2), USAGE, (a, val) => {
    if (a !== '--reps') return false;
    n = Number(val());
    if (!Number.isInteger(n) || n < 1) throw new Error('--reps must be a whole number from 1');
    return true;
  });
  const rows: Row[] = [...(await runnerRows(n)), await probeRow(n), await captureRow(n)];
  const notes: string[] = [];
  const exec = await nodeExecRows(n);
  if (typeof exec === 'string') notes.push(exec);
  else rows.push(...exec);
  const images = await imagesRow(n);
  if (typeof images === 'string') notes.push(images);
  else rows.push(images);
  process.stdout.write(`nslab micro-benchmarks, ${n} reps each\n\n${table(rows)}`);
  for (const note of notes) process.stdout.write(`\n${note}`);
  process.stdout.write('\n');
}

await main();
