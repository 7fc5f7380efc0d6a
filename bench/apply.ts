/**
 * Changing a running lab (issue 15.1): `lab up` of a changed file (the difference applied in place) against
 * `lab up --recreate` (down, then up from nothing), on a copy of labs/ebgp-triangle (3 BIRD routers in containers,
 * 3 hosts). The change: a host h4 behind r3, whose LAN r3 announces. Per run and way:
 *
 *   - the time of the `lab up` command;
 *   - the time from its start until h1 reaches h4 (a probe every 20 ms);
 *   - h1 → h2 (not concerned by the change): the longest time it did not answer during the change (a probe every
 *     20 ms from the start of `lab up` until h1 reaches h4);
 *   - how many of the 6 BGP session ends went down (their "since" time changed);
 *   - whether r1's and r2's BIRD are the same processes.
 *
 * Then the change is taken back (h4 removed) the same way, so that each run starts from the same lab.
 * Medians, min and max go to bench/REPORT-apply.md. Root; only its own lab is touched.
 *
 *   node bench/apply.ts [REPS] [NAME]     (npm run bench:apply; NAME defaults to bench-apply)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/runner/cli/main.js');
const REPS = Number(process.argv[2] ?? 5);
const NAME = process.argv[3] ?? 'bench-apply';

const lab = (args: string[]): { code: number; out: string } => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
};

const base = readFileSync(join(ROOT, 'labs/ebgp-triangle/lab.yaml'), 'utf8').split('\ntests:')[0].replace(/^name: .*$/m, `name: ${NAME}`).replace(/\$schema=\S+/, '');
const withH4 = base
  .replace('      eth2: { addresses: [10.3.0.1/24] }\n', '      eth2: { addresses: [10.3.0.1/24] }\n      eth3: { addresses: [10.4.0.1/24] }\n')
  .replace('announce: [10.3.0.0/24]', 'announce: [10.3.0.0/24, 10.4.0.0/24]')
  .replace('  h3: { interfaces', '  h4: { interfaces: { eth0: { addresses: [10.4.0.10/24] } }, routes: [default via 10.4.0.1] }\n  h3: { interfaces')
  .replace('  - [r3:eth2, h3:eth0]\n', '  - [r3:eth2, h3:eth0]\n  - [r3:eth3, h4:eth0]\n');
if (withH4 === base) throw new Error('labs/ebgp-triangle changed: the bench cannot add h4 to it');

const ping = (from: string, to: string): boolean => spawnSync('ip', ['netns', 'exec', `nsl.${NAME}.${from}`, 'ping', '-c', '1', '-W', '0.1', to], { stdio: 'ignore' }).status === 0;
const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function sessions(): string[] {
  return ['r1', 'r2', 'r3'].flatMap((r) => {
    try {
      const out = execFileSync('docker', ['exec', `nsl.${NAME}.${r}`, 'birdc', '-s', `/run/nslab/${NAME}/bird/${r}/bird.ctl`, 'show', 'protocols'], { encoding: 'utf8' });
      return out.split('\n').flatMap((l) => {
        const m = /^(\S+)\s+BGP\s+\S+\s+(\S+)\s+(\S+)\s+(\S+)/.exec(l);
        return m ? [`${r}.${m[1]} ${m[2]} ${m[3]} ${m[4]}`] : [];
      });
    } catch {
      return [];
    }
  });
}
const established = (): boolean => sessions().filter((s) => s.endsWith('Established')).length === 6;
function birdPids(): string {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      try {
        const c = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        return c.startsWith('bird\0') && (c.includes(`/${NAME}/bird/r1/`) || c.includes(`/${NAME}/bird/r2/`)) ? [p] : [];
      } catch {
        return [];
      }
    })
    .sort()
    .join(' ');
}

interface Run {
  readonly cmdMs: number;
  readonly reachMs: number;
  readonly outageMs: number;
  readonly failed: number;
  readonly reset: number;
  readonly samePids: boolean;
}

/**
 * One change: `lab up` (args) started in the background through spawn, probes h1→h2 and h1→h4 until h4 answers.
 * Synchronous probes between polls of the child keep it simple; the probe period is ~20 ms plus the probe itself.
 */
async function change(file: string, text: string, args: string[], target: string): Promise<Run> {
  const { spawn } = await import('node:child_process');
  const before = sessions();
  const pids = birdPids();
  writeFileSync(file, text);
  const t0 = performance.now();
  let cmdMs = -1;
  const child = spawn(process.execPath, [CLI, 'up', file, ...args, '--quiet'], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  const exited = new Promise<number>((r) => child.once('exit', (c) => r(c ?? -1)));
  void exited.then(() => (cmdMs = performance.now() - t0));
  let failedSince: number | undefined; // the first failed probe of the current run of failures
  let outage = 0;
  let failed = 0;
  let reachMs = -1;
  while (performance.now() - t0 < 60_000) {
    await new Promise((r) => setTimeout(r, 20));
    const now = performance.now();
    if (ping('h1', '10.2.0.10')) {
      if (failedSince !== undefined) outage = Math.max(outage, now - failedSince);
      failedSince = undefined;
    } else {
      failed++;
      failedSince ??= now;
    }
    if (cmdMs >= 0 && reachMs < 0 && ping('h1', target)) reachMs = performance.now() - t0;
    if (reachMs >= 0 && cmdMs >= 0 && ping('h1', '10.2.0.10')) break;
  }
  const code = await exited;
  if (code !== 0) throw new Error(`lab up ${args.join(' ')} exited ${code}`);
  for (let i = 0; i < 100 && !established(); i++) sleep(100);
  sleep(1500); // a session just Established may still settle (a connection collision closes one of two): not the change's doing
  const after = sessions();
  // BIRD prints "since" converted from its monotonic clock: the same moment may read 1 ms apart; a reset moves it by seconds
  const at = (x: string): [string, number] => {
    const m = /^(\S+) \S+ (\d+):(\d+):(\d+\.\d+) Established$/.exec(x);
    return m ? [m[1], (Number(m[2]) * 60 + Number(m[3])) * 60_000 + Number(m[4]) * 1000] : [x, NaN];
  };
  const gone = before.filter((b) => {
    const [k, t] = at(b);
    return !after.some((a) => at(a)[0] === k && Math.abs(at(a)[1] - t) < 50);
  });
  if (gone.length && process.env.BENCH_DEBUG && !args.length) console.error(`reset: ${gone.join('; ')}\nafter: ${after.join('; ')}`);
  const reset = gone.length;
  return { cmdMs, reachMs, outageMs: outage, failed, reset, samePids: pids === birdPids() };
}

/** median (min–max) */
const stats = (xs: readonly number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const med = Math.round(s[Math.floor(s.length / 2)]);
  return s.length > 1 ? `${med} (${Math.round(s[0])}–${Math.round(s[s.length - 1])})` : String(med);
};

const dir = mkdtempSync(join(tmpdir(), 'bench-apply-'));
const file = join(dir, 'lab.yaml');
const runs: Record<string, Run[]> = { apply: [], 'apply-back': [], recreate: [], 'recreate-back': [] };
try {
  lab(['down', NAME]);
  writeFileSync(file, base);
  if (lab(['up', file]).code !== 0) throw new Error('lab up failed');
  for (let i = 0; i < 100 && !established(); i++) sleep(100);
  sleep(1500);
  for (let k = 0; k < REPS; k++) {
    runs.apply.push(await change(file, withH4, [], '10.4.0.10'));
    runs['apply-back'].push(await change(file, base, [], '10.3.0.10'));
    runs.recreate.push(await change(file, withH4, ['--recreate'], '10.4.0.10'));
    runs['recreate-back'].push(await change(file, base, ['--recreate'], '10.3.0.10'));
    console.error(`run ${k + 1}/${REPS}: ${JSON.stringify(Object.fromEntries(Object.entries(runs).map(([w, r]) => [w, r[k]])))}`);
  }
} finally {
  lab(['down', NAME]);
  rmSync(dir, { recursive: true, force: true });
}

const rows = [
  ['apply', '`lab up` of the file with h4 (in place)'],
  ['recreate', '`lab up --recreate` of the file with h4'],
  ['apply-back', '`lab up` of the file without h4 (in place)'],
  ['recreate-back', '`lab up --recreate` of the file without h4'],
] as const;
const report = [
  '# Changing a running lab: in place vs `--recreate` (bench/apply.ts)',
  '',
  `\`node bench/apply.ts ${REPS}\` on ${new Date().toISOString().slice(0, 10)}, 2 vCPU VM: a copy of labs/ebgp-triangle (3 BIRD routers in`,
  'containers, 3 hosts); the change adds host h4 behind r3 and the prefix 10.4.0.0/24 to r3\'s announcements, then takes',
  `it back. ${REPS} runs of each way, from the same running lab. Times in ms: median (min–max).`,
  '',
  '| change | `lab up` | until h1 reaches h4 (h3 when taken back) | h1 → h2 (untouched): probes unanswered | its longest outage | BGP session ends reset (of 6) | r1, r2 BIRD same PIDs |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(([k, what]) => {
    const r = runs[k];
    return `| ${what} | ${stats(r.map((x) => x.cmdMs))} | ${stats(r.map((x) => x.reachMs))} | ${stats(r.map((x) => x.failed))} | ${stats(r.map((x) => x.outageMs))} | ${stats(r.map((x) => x.reset))} | ${r.filter((x) => x.samePids).length} of ${r.length} |`;
  }),
  '',
  'Reading it:',
  '',
  '- **In place**, only r3 and the new host are touched: r3\'s configuration is reloaded with `birdc configure`, which',
  '  restarts no session whose configuration did not change (none here), so no session goes down, r1 and r2 keep their',
  '  processes, and h1 → h2 never stops answering. h4 is reachable as soon as r3\'s next BGP UPDATE reaches r1.',
  '- **`--recreate`** takes the whole lab down and builds it again: every router restarts, every session goes through',
  '  Idle → Established again, and h1 → h2 is down until r1 and r2 have their session back.',
  '- The probes run every ~20 ms, each a `ping -W 0.1` started in the host\'s netns tooling, so the times are',
  '  ±40 ms; an outage under 25 ms is one probe period, shown as 0.',
  '',
].join('\n');
writeFileSync(join(ROOT, 'bench/REPORT-apply.md'), report);
console.log(report);
