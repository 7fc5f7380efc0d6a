/**
 * Runs the steps of test/handout-commands/extract.ts as a learner types them: each in bash (`bash -c`: the text is
 * the program here), as root, in the repository, with `lab` on PATH being this checkout's build. A step in a node's
 * context runs under `ip netns exec nsl.<lab>.<node>`.
 *
 * The rules for what a learner does by hand:
 * - a background job (`… &`) gets a second to start before the next line, as it would while the next one is typed,
 *   and is stopped (SIGTERM to the step's process group) a second after the last line ends;
 * - a foreground command that runs until stopped (tcpdump without -c) is stopped after 3 s, and passes if it was
 *   still running then;
 * - a step with a stated outcome is tried again for up to its retry time (a handout exercise's "retries for up
 *   to"), or 5 s for a README's stated output, which is about the time a learner takes to look again.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { findInOrder, type Step } from './extract.ts';

export interface StepRun {
  readonly exitCode: number;
  readonly output: string;
  readonly timedOut: boolean;
  /** Empty when the step met what its text states. */
  readonly problems: readonly string[];
}

/** A directory with a `lab` that runs this checkout's build, for PATH. */
export function labBin(cli: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-bin-'));
  writeFileSync(join(dir, 'lab'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} "$@"\n`);
  chmodSync(join(dir, 'lab'), 0o755);
  return dir;
}

/** The bash program of a step: its variables, its lines, and the rules for background jobs. */
export function script(step: Step): string {
  const lines = step.command.split('\n').map((l) => (/&$/.test(l) ? `${l}\nsleep 1` : l));
  const body = step.untilStopped
    ? [`${lines.join('\n')} &`, 'pid=$!', 'sleep 3', 'if ! kill -0 $pid 2>/dev/null; then wait $pid; rc=$?; [ $rc -eq 0 ] && rc=1; else rc=0; fi']
    : [...lines, 'rc=$?'];
  const stopJobs = ['if [ -n "$(jobs -p)" ]; then sleep 1; trap "" TERM; kill -TERM 0 2>/dev/null; wait; fi', 'exit $rc'];
  return [...step.vars, ...body, ...stopJobs].join('\n');
}

function timeoutOf(step: Step): number {
  return /(^|\s)lab (up|test|down)\b/.test(step.command) ? 240_000 : 60_000;
}

async function once(step: Step, lab: string, env: { root: string; bin: string }): Promise<StepRun> {
  const program = script(step);
  const argv = typeof step.context === 'string' ? ['bash', '-c', program] : ['ip', 'netns', 'exec', `nsl.${lab}.${step.context.node}`, 'bash', '-c', program];
  const child = execa(argv[0], argv.slice(1), {
    cwd: env.root,
    reject: false,
    all: true,
    stdin: 'ignore',
    // its own process group, so that a time-out stops the background jobs too
    detached: true,
    env: { PATH: `${env.bin}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`, CI: 'true' },
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, timeoutOf(step));
  const r = await child;
  clearTimeout(timer);
  const output = String(r.all ?? '');
  const exitCode = r.exitCode ?? -1;
  return { exitCode, output, timedOut, problems: judge(step, exitCode, output, timedOut) };
}

/** What is wrong with one run of a step, against what its text states. */
export function judge(step: Step, exitCode: number, output: string, timedOut: boolean): string[] {
  const e = step.expect;
  const problems: string[] = [];
  if (timedOut) problems.push(`did not end within ${timeoutOf(step) / 1000} s`);
  else if (e.exit === 'nonzero' ? exitCode === 0 : exitCode !== e.exit) problems.push(`exit status ${exitCode}, expected ${e.exit === 'nonzero' ? 'a failure (not 0)' : e.exit}`);
  const found = findInOrder(output, e.output);
  if (!found.ok) problems.push(`the output lacks the stated "${found.missing}"`);
  for (const re of e.matching) if (!new RegExp(re, 'm').test(output)) problems.push(`the output does not match /${re}/`);
  for (const re of e.notMatching) if (new RegExp(re, 'm').test(output)) problems.push(`the output matches /${re}/, which it must not`);
  return problems;
}

/** Runs a step, again while it fails and its retry time lasts. */
export async function runStep(step: Step, lab: string, env: { root: string; bin: string }): Promise<StepRun> {
  const stated = step.expect.output.length > 0 || step.expect.exit !== 0;
  const retryMs = step.retryMs || (stated ? 5000 : 0);
  const until = Date.now() + retryMs;
  for (;;) {
    const r = await once(step, lab, env);
    if (r.problems.length === 0 || Date.now() >= until || r.timedOut) return r;
    await new Promise((res) => setTimeout(res, 500));
  }
}

/** A failure message: where the text is, what it says to type, what came out and what was expected. */
export function failureText(step: Step, r: StepRun): string {
  const where = typeof step.context === 'string' ? 'on the host' : `in node ${step.context.node}`;
  const e = step.expect;
  const expected = [
    e.exit === 'nonzero' ? 'a failure' : `exit ${e.exit}`,
    ...e.output.map((l) => `output "${l.join(' … ')}"`),
    ...e.matching.map((re) => `output matching /${re}/`),
    ...e.notMatching.map((re) => `output not matching /${re}/`),
  ].join(', ');
  const out = r.output.length > 3000 ? `${r.output.slice(0, 1500)}\n[…]\n${r.output.slice(-1500)}` : r.output;
  return `${step.source}: ${where}:\n  ${step.command.replace(/\n/g, '\n  ')}\n${r.problems.join('; ')}\nexpected: ${expected}\n--- output (exit ${r.exitCode})\n${out}`;
}
