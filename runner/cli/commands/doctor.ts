/**
 * `lab doctor [--fix] [--json]`: shows what this machine has and lacks for nslab. The probes themselves (root,
 * Node, tools, kernel features tried in a scratch namespace, Docker) are runner/exec/probes.ts: this file only
 * presents their results and, with --fix, asks exec to install the Debian packages they suggest.
 */
import { installPackages, packagesToInstall, runChecks, scratchName, type CheckKind, type CheckResult } from '../../exec/probes.ts';
import { UsageError, type Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { say } from '../output.ts';

// ─────────────────────────────────────────── reporting ───────────────────────────────────────────

const SECTIONS: Record<CheckKind, string> = { host: 'host', tool: 'tools', kernel: 'kernel features', docker: 'docker' };

export function markOf(r: Pick<CheckResult, 'ok' | 'optional'>): '✔' | '✘' | '!' {
  return r.ok ? '✔' : r.optional ? '!' : '✘';
}

/** The human report: one line per check; every problem gets its "how to get it" on the next line. */
export function formatReport(results: readonly CheckResult[], opts: { color?: boolean; scratch?: string; ms?: number } = {}): string {
  const paint = (code: number, s: string): string => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const width = Math.max(...results.map((r) => r.name.length), 4);
  const lines: string[] = [];
  for (const kind of Object.keys(SECTIONS) as CheckKind[]) {
    const rs = results.filter((r) => r.kind === kind);
    if (!rs.length) continue;
    lines.push(`${SECTIONS[kind]}${kind === 'kernel' && opts.scratch ? ` (tried in scratch namespace ${opts.scratch})` : ''}`);
    for (const r of rs) {
      const m = markOf(r);
      const mark = paint(m === '✔' ? 32 : m === '✘' ? 31 : 33, m);
      lines.push(`  ${mark} ${r.name.padEnd(width)}  ${r.detail}${r.why ? paint(2, `  — for ${r.why}`) : ''}`);
      if (!r.ok && r.fix) lines.push(`    ${' '.repeat(width)}  → ${r.fix}`);
    }
  }
  lines.push(summaryLine(results, opts.ms));
  return `${lines.join('\n')}\n`;
}

export function summaryLine(results: readonly CheckResult[], ms?: number): string {
  const ok = results.filter((r) => r.ok).length;
  const failed = results.filter((r) => !r.ok && !r.optional);
  const warned = results.filter((r) => !r.ok && r.optional);
  const parts = [`${ok} ok`, `${failed.length} missing`, `${warned.length} optional missing`];
  const verdict = failed.length ? `not ready: ${failed.map((r) => r.name).join(', ')}` : warned.length ? 'ready (labs that need what is optional-missing are refused)' : 'ready';
  return `doctor: ${parts.join(', ')}${ms !== undefined ? ` in ${(ms / 1000).toFixed(1)} s` : ''} — ${verdict}\n(✔ ok · ✘ missing, required · ! missing, optional)`;
}

export function exitCodeFor(results: readonly CheckResult[]): number {
  return results.some((r) => !r.ok && !r.optional) ? EXIT.environment : EXIT.ok;
}

export function toJson(results: readonly CheckResult[], scratch: string): object {
  return {
    ok: exitCodeFor(results) === EXIT.ok,
    exitCode: exitCodeFor(results),
    scratchNamespace: scratch,
    checks: results.map((r) => ({ name: r.name, kind: r.kind, optional: r.optional, ok: r.ok, detail: r.detail, ...(r.fix ? { fix: r.fix } : {}), ...(r.pkg ? { package: r.pkg } : {}) })),
  };
}

// ─────────────────────────────────────────── the command ───────────────────────────────────────────

const FLAGS = new Set(['fix', 'json']);

export async function doctorCmd(a: Args): Promise<number> {
  for (const f of a.flags) if (!FLAGS.has(f)) throw new UsageError(`lab doctor takes --fix and --json, not --${f}`);
  if (a.options.size) throw new UsageError(`lab doctor takes no option ${[...a.options.keys()].map((k) => `--${k}`).join(', ')}`);
  if (a.positionals.length) throw new UsageError(`lab doctor takes no arguments (got ${a.positionals.join(' ')})`);
  const json = a.flags.has('json');
  const color = !!process.stdout.isTTY && !process.env.CI && !process.env.NO_COLOR;
  const scratch = scratchName();

  const check = async (): Promise<CheckResult[]> => {
    const t0 = performance.now();
    const rs = await runChecks();
    if (!json) process.stdout.write(formatReport(rs, { color, scratch, ms: performance.now() - t0 }));
    return rs;
  };

  let results = await check();
  if (a.flags.has('fix')) {
    const pkgs = packagesToInstall(results);
    const kernelMissing = results.filter((r) => r.kind === 'kernel' && !r.ok);
    const docker = results.filter((r) => r.kind === 'docker' && !r.ok);
    if (kernelMissing.length) say(`--fix cannot add kernel features (${kernelMissing.map((r) => r.name).join(', ')}): they are built into the kernel or not; labs that need them are refused on this machine`);
    if (docker.length) say('--fix leaves Docker alone: bash scripts/setup.sh --with-docker installs and starts it');
    if (!pkgs.length) {
      say('--fix: no Debian package to install');
    } else if (process.getuid?.() !== 0) {
      say(`--fix needs root to run apt-get; as root: apt-get install -y --no-install-recommends ${pkgs.join(' ')}`);
      return EXIT.environment;
    } else {
      say(`--fix: apt-get install ${pkgs.join(' ')}`);
      const failed = await installPackages(pkgs);
      if (failed) {
        say(`--fix: apt-get failed: ${failed}`);
        return EXIT.environment;
      }
      if (!json) process.stdout.write('\nafter --fix:\n');
      results = await check();
    }
  }
  if (json) process.stdout.write(`${JSON.stringify(toJson(results, scratch), null, 2)}\n`);
  return exitCodeFor(results);
}
