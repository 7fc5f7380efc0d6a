/**
 * What this machine has and lacks for nslab — root, Node, tools on PATH, kernel features (tried for real in a
 * scratch namespace, never in the host's) and Docker — as plain data. `lab doctor` shows it; the lab layer
 * probes the features a lab needs before `lab up` builds anything and passes the answers down as data.
 *
 * Every check is one row of CHECKS; a new probe is one line there (or in probe-tools.ts / probe-kernel.ts).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAlive, listNetns } from './host.ts';
import { runProcess } from './process.ts';
import { KERNEL_CHECKS } from './probe-kernel.ts';
import { compareVersions, DOCKER_CHECKS, firstLine, TOOL_CHECKS, whichSync } from './probe-tools.ts';
import { MIN_NODE, PROBE_TIMEOUT_MS, SCRATCH_PREFIX, type Check, type CheckResult, type FeatureResult, type ProbeContext, type ProbeResult, type ProbeRunResult, type Which } from './probe-types.ts';

export * from './probe-types.ts';
export { compareVersions, dockerPing, dockerSocket, parseIprouteVersion, whichSync } from './probe-tools.ts';
export { toolsOf } from './probe-kernel.ts';

const HOST_CHECKS: readonly Check[] = [
  {
    name: 'root',
    kind: 'host',
    optional: false,
    fix: 'run lab as root (sudo lab …): it creates network namespaces',
    probe: async () => (process.getuid?.() === 0 ? { ok: true, detail: 'uid 0' } : { ok: false, detail: `uid ${process.getuid?.() ?? '?'}` }),
  },
  {
    name: 'node',
    kind: 'host',
    optional: false,
    fix: `bash scripts/setup.sh (installs Node 24 from the npm registry into /opt/nslab/node when Node is older than ${MIN_NODE})`,
    probe: async () => {
      const v = process.versions.node;
      return compareVersions(v, MIN_NODE) >= 0 ? { ok: true, detail: `v${v} (${process.execPath})` } : { ok: false, detail: `v${v} is older than ${MIN_NODE}` };
    },
  },
];

export const CHECKS: readonly Check[] = [...HOST_CHECKS, ...TOOL_CHECKS, ...KERNEL_CHECKS, ...DOCKER_CHECKS];

async function run(argv: readonly string[], input?: string): Promise<ProbeRunResult> {
  const r = await runProcess(argv, { input: input ?? '', timeoutMs: PROBE_TIMEOUT_MS, env: { LC_ALL: 'C' } });
  const why = r.spawnError ? (r.spawnMessage ?? r.spawnError) : r.timedOut ? `${r.command}: timed out after ${PROBE_TIMEOUT_MS} ms` : '';
  return { ok: r.exitCode === 0, out: r.stdout, err: r.stderr || why, missing: r.spawnError === 'ENOENT' };
}

export function scratchName(pid = process.pid): string {
  return `${SCRATCH_PREFIX}${pid}`;
}

/** Remove scratch namespaces left by a doctor that was killed (its pid is gone). Never touches a live one. */
async function removeStaleScratch(): Promise<void> {
  const stale = listNetns().filter((n) => {
    const m = /^nsl-doctor\.(\d+)$/.exec(n);
    return m && Number(m[1]) !== process.pid && !isAlive(Number(m[1]));
  });
  await Promise.all(stale.map((n) => run(['ip', 'netns', 'del', n])));
}

/** A kernel that can load modules has /proc/modules and a /lib/modules/<release> tree. */
function kernelCanLoadModules(): boolean {
  try {
    const release = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
    return existsSync('/proc/modules') && existsSync(`/lib/modules/${release}`);
  } catch {
    return false;
  }
}

// one doctor at a time per process: the scratch namespace is named for the pid
let lock: Promise<unknown> = Promise.resolve();

/** Run the named checks (all by default); kernel probes get a scratch namespace that is always removed. */
export async function runChecks(names?: readonly string[]): Promise<CheckResult[]> {
  const prev = lock;
  let release!: () => void;
  lock = new Promise<void>((r) => (release = r));
  await prev;
  try {
    return await runChecksNow(names);
  } finally {
    release();
  }
}

async function runChecksNow(names?: readonly string[]): Promise<CheckResult[]> {
  const wanted = names ? names.map((n) => CHECKS.find((c) => c.name === n) ?? n) : [...CHECKS];
  const root = process.getuid?.() === 0;
  const needNs = root && wanted.some((c) => typeof c !== 'string' && c.kind === 'kernel');
  const whichCache = new Map<string, Which>();
  let ns = '';
  let nsError: string | undefined;
  try {
    if (needNs) {
      await removeStaleScratch();
      const name = scratchName();
      if (listNetns().includes(name)) await run(['ip', 'netns', 'del', name]);
      const r = await run(['ip', 'netns', 'add', name]);
      if (r.ok) ns = name;
      else nsError = r.missing ? 'ip (iproute2) is not installed' : `ip netns add ${name}: ${firstLine(r.err) || 'failed'}`;
    }
    const ctx: ProbeContext = {
      ns,
      nsError,
      root,
      modules: kernelCanLoadModules(),
      which: (cmd) => {
        let w = whichCache.get(cmd);
        if (!w) whichCache.set(cmd, (w = whichSync(cmd)));
        return w;
      },
      run,
    };
    return await Promise.all(
      wanted.map(async (c): Promise<CheckResult> => {
        if (typeof c === 'string') return { name: c, kind: 'kernel', optional: false, ok: false, detail: `nslab has no probe named ${JSON.stringify(c)}`, fix: 'a bug in nslab: the feature names are in runner/exec/probes.ts' };
        let r: ProbeResult;
        try {
          r = await c.probe(ctx);
        } catch (e) {
          r = { ok: false, detail: `the probe itself failed: ${(e as Error)?.message ?? String(e)}` };
        }
        return { name: c.name, kind: c.kind, optional: c.optional, ok: r.ok, detail: r.detail, ...(r.ok ? {} : { fix: r.hint ?? c.fix }), ...(c.pkg ? { pkg: c.pkg } : {}), ...(c.why ? { why: c.why } : {}) };
      }),
    );
  } finally {
    if (ns) await run(['ip', 'netns', 'del', ns]);
  }
}

/**
 * Which features this machine has, tried for real (kernel features in a scratch namespace). The engine calls it
 * with the features a lab needs to refuse the lab before building anything; without names, every check runs.
 */
export async function detectFeatures(names?: string[]): Promise<Map<string, FeatureResult>> {
  const results = await runChecks(names);
  return new Map(results.map((r) => [r.name, { ok: r.ok, detail: r.detail, ...(r.fix ? { hint: r.fix } : {}) }]));
}

/**
 * The Debian packages `--fix` installs for these results: every failed check that names a package, required or
 * optional, except Docker (large; it has its own `scripts/setup.sh --with-docker`). Kernel features have none.
 */
export function packagesToInstall(results: readonly CheckResult[]): string[] {
  const pkgs: string[] = [];
  for (const r of results) if (!r.ok && r.pkg && r.kind !== 'docker' && !pkgs.includes(r.pkg)) pkgs.push(r.pkg);
  return pkgs;
}

/**
 * `apt-get update` and `apt-get install` of `pkgs` (root). apt's chatter goes to stderr: stdout carries the
 * caller's report. Resolves with undefined when both worked, else with what failed.
 */
export async function installPackages(pkgs: readonly string[]): Promise<string | undefined> {
  const opts = { env: { DEBIAN_FRONTEND: 'noninteractive' }, stdout: 2, stderr: 'inherit' } as const;
  // Debian's nginx package starts the host's nginx service when installed: policy-rc.d (exit 101) says no, for the
  // time of the install, unless the machine already has one (a container image's)
  const policy = '/usr/sbin/policy-rc.d';
  const guard = pkgs.includes('nginx') && !existsSync(policy);
  if (guard) writeFileSync(policy, '#!/bin/sh\n# written by lab doctor --fix for the time of an apt-get install\nexit 101\n', { mode: 0o755 });
  try {
    for (const argv of [['apt-get', 'update'], ['apt-get', 'install', '-y', '--no-install-recommends', ...pkgs]]) {
      const r = await runProcess(argv, opts);
      if (r.exitCode !== 0) return `${r.command}: ${r.spawnMessage ?? `exit code ${r.exitCode}`}`;
    }
  } finally {
    if (guard) rmSync(policy, { force: true });
  }
  return undefined;
}
