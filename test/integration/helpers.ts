/** Integration helpers: run the built `lab` as a user would, and prove the machine is as it was. */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/runner/cli/main.js');

export interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function lab(args: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const r = await execa(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, reject: false, env: { CI: 'true', ...opts.env }, stdin: 'ignore' });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export function expectOk(r: Run, what: string): void {
  assert.equal(r.exitCode, 0, `${what} exited ${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'nslab-it-'));
}

async function out(cmd: string, args: string[]): Promise<string> {
  const r = await execa(cmd, args, { reject: false });
  return String(r.stdout);
}

/** What a lab could leave behind on the host: root-namespace links, addresses, routes, rules; namespaces; state. */
export async function hostSnapshot(): Promise<Record<string, string>> {
  const strip = (s: string): string =>
    s
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l) => l.replace(/\[\d+:\d+\]/g, ''))
      .join('\n');
  const [links, addrs, routes4, routes6, ipt, nft] = await Promise.all([
    out('ip', ['-o', 'link', 'show']),
    out('ip', ['-o', 'addr', 'show']),
    out('ip', ['route', 'show']),
    out('ip', ['-6', 'route', 'show']),
    out('iptables-save', []),
    out('nft', ['list', 'ruleset']),
  ]);
  return {
    links: links
      .split('\n')
      .map((l) => l.split(':')[1]?.trim())
      .filter((x) => x && !x.startsWith('veth')) // docker's own veths come and go
      .sort()
      .join(' '),
    addresses: addrs.split('\n').map((l) => l.replace(/valid_lft.*$/, '')).sort().join('\n'),
    routes4,
    routes6: routes6.split('\n').filter((l) => !l.includes('expires')).join('\n'),
    iptables: strip(ipt),
    nftables: nft.replace(/counter packets \d+ bytes \d+/g, 'counter'),
    netns: readdirSync('/run/netns').filter((n) => n.startsWith('nsl.')).sort().join(' '),
  };
}

export function labLeftovers(name: string): string[] {
  const left: string[] = [];
  try {
    for (const n of readdirSync('/run/netns')) if (n === `nsl.${name}` || n.startsWith(`nsl.${name}.`)) left.push(`netns ${n}`);
  } catch {
    /* no /run/netns at all */
  }
  if (existsSync(join('/run/nslab', name))) left.push(`state /run/nslab/${name}`);
  try {
    for (const n of readdirSync('/etc/netns')) if (n === `nsl.${name}` || n.startsWith(`nsl.${name}.`)) left.push(`/etc/netns/${n}`);
  } catch {
    /* no /etc/netns */
  }
  return left;
}

export function assertSameHost(before: Record<string, string>, after: Record<string, string>): void {
  for (const k of Object.keys(before)) assert.equal(after[k], before[k], `the host's ${k} changed`);
}

/** A process that still runs (a zombie waiting for its reaper does not: it has exited). */
export function pidAlive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** PIDs of running processes (not zombies) whose command line contains `part`. */
export function processesMatching(part: string, first?: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (/\) Z /.test(readFileSync(`/proc/${p}/stat`, 'utf8'))) continue;
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (cmd.includes(part) && (first === undefined || cmd.startsWith(`${first}\0`))) out.push(Number(p));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** One test of `lab test -r json`'s report. */
export interface JsonTest {
  readonly name: string;
  readonly ok: boolean;
  readonly seen: string;
  readonly convergeMs: number | null;
}

/** `lab test FILE -r json`: every test passed (else the failing one with what was seen), the report's tests. */
export async function testJson(file: string): Promise<JsonTest[]> {
  const r = await lab(['test', file, '-r', 'json']);
  const report = JSON.parse(r.stdout) as { tests: JsonTest[] };
  for (const t of report.tests) assert.ok(t.ok, `${t.name}: ${t.seen}\n${r.stderr}`);
  assert.equal(r.exitCode, 0, r.stderr);
  return report.tests;
}
