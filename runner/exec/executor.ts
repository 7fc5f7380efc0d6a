/** The only code that changes the machine: runs a Plan's units, records what it made, and says exactly what failed. */
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runProcess, start } from './process.ts';
import { formatPos, type SourcePos } from '../config/diagnostics.ts';
import { shellQuote } from '../model/words.ts';
import type { Plan, Step } from '../plan/ops.ts';
import type { PhaseRun, Unit } from '../plan/units.ts';
import { isAlive } from './host.ts';
import { writeState, type LabState } from './state.ts';
import { cniArgv, cniEnv, cniError, cniStdin, describeCniError, hasCheck, type CniCommand, type CniRecord } from '../plan/cni-argv.ts';
import type { CniCall } from '../plan/ops.ts';

export class ExecError extends Error {
  readonly step?: Step;
  readonly command: string;
  readonly stderr: string;
  readonly source?: SourcePos;
  constructor(message: string, command: string, stderr: string, step?: Step) {
    super(message);
    this.name = 'ExecError';
    this.command = command;
    this.stderr = stderr;
    this.step = step;
    this.source = step?.source;
  }
  describe(): string {
    const where = this.source ? `${formatPos(this.source)}: ` : '';
    const lines = [`${where}error: ${this.message}`, `  command: ${this.command}`];
    if (this.stderr.trim()) lines.push(...this.stderr.trim().split('\n').slice(-8).map((l) => `  | ${l}`));
    return lines.join('\n');
  }
}

export interface ExecuteHooks {
  onUnitDone?(unit: Unit): void;
  /** Something worth telling that did not fail the phase (default: a line on stderr). */
  onWarning?(line: string): void;
  /** The longest one step may run (default STEP_TIMEOUT_MS). */
  stepTimeoutMs?: number;
}

const CONCURRENCY = 8;

/** Run one phase: its lanes in parallel (bounded), the units of a lane in order. Returns the number of processes run. */
export async function runPhase(run: PhaseRun, plan: Plan, state: LabState, hooks: ExecuteHooks = {}): Promise<number> {
  const lanes = [...run.lanes];
  const errors: ExecError[] = [];
  const checks: (() => void)[] = [];
  let count = 0;
  const worker = async (): Promise<void> => {
    for (let lane = lanes.shift(); lane && !errors.length; lane = lanes.shift()) {
      for (const unit of lane) {
        try {
          count++;
          await runUnit(unit, state, checks, hooks);
          for (const s of unit.steps) if (s.creates && s.creates.kind !== 'netns') state.objects.push(s.creates);
          hooks.onUnitDone?.(unit);
        } catch (e) {
          errors.push(e instanceof ExecError ? e : new ExecError(String((e as Error).message ?? e), printable(unit), ''));
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, lanes.length) }, worker));
  if (checks.length && !errors.length) {
    // daemons that die at once are reported with their last lines of output: one pause for all of them
    await new Promise((r) => setTimeout(r, DAEMON_GRACE_MS));
    for (const check of checks) {
      try {
        check();
      } catch (e) {
        errors.push(e as ExecError);
        break;
      }
    }
  }
  // namespaces are recorded once their phase ran (the units above recorded everything else, containers included)
  if (run.phase === 'namespaces') for (const s of plan.steps) if (s.phase === 'namespaces' && s.creates?.kind === 'netns') state.objects.push(s.creates);
  writeState(state);
  if (errors.length) throw errors[0];
  return count;
}

export function printable(u: Unit): string {
  return u.argv.map(shellQuote).join(' ') + (u.input !== undefined ? ' <<EOF …' : '');
}

/**
 * The longest any one step may run (issue 17: an `exec:` step such as `sleep 100` held `lab up` for as long as it
 * ran). Long-running programs are `daemons:`, which are started and left running.
 */
export const STEP_TIMEOUT_MS = 60_000;

async function runUnit(u: Unit, state: LabState, checks: (() => void)[], hooks: ExecuteHooks): Promise<void> {
  if (u.daemon) return startDaemon(u, state, checks);
  for (const f of u.files ?? []) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.content);
  }
  if (u.settle) return settle(u, hooks.onWarning ?? ((line) => process.stderr.write(`${line}\n`)));
  if (u.write) {
    mkdirSync(dirname(u.write.path), { recursive: true });
    writeFileSync(u.write.path, u.write.content);
    return;
  }
  if (u.container) return runContainer(u);
  if (u.cni) return runCni(u, state, hooks.stepTimeoutMs ?? STEP_TIMEOUT_MS);
  const limit = hooks.stepTimeoutMs ?? STEP_TIMEOUT_MS;
  const r = await runProcess(u.argv, { input: u.input, timeoutMs: limit });
  if (r.exitCode === 0 && !r.spawnError && !r.timedOut) return;
  const [cmd] = u.argv;
  if (r.timedOut) {
    const { step, command } = culprit(u, r.stderr);
    throw new ExecError(`step ${step?.id ?? u.steps[0]?.id ?? '?'} did not finish within ${limit / 1000} s and was stopped`, command, r.stderr || r.stdout || '', step ?? u.steps[0]);
  }
  if (r.spawnError === 'ENOENT') {
    throw new ExecError(`${cmd} is not installed (needed for step ${u.steps[0]?.id})`, printable(u), 'run `lab doctor --fix` to install what is missing', u.steps[0]);
  }
  const { step, command } = culprit(u, r.stderr);
  throw new ExecError(`step ${step?.id ?? '?'} failed${u.argv[0] === 'xargs' ? '' : ` (exit ${r.exitCode})`}`, command, r.stderr || r.stdout || r.spawnError || '', step);
}

async function runContainer(u: Unit): Promise<void> {
  const { startContainer, ContainerError } = await import('./containers.ts');
  const { spec, expose } = u.container!;
  try {
    await startContainer(spec, expose);
  } catch (e) {
    if (e instanceof ContainerError) throw new ExecError(e.message, printable(u), e.logs, u.steps[0]);
    throw e;
  }
}

async function settle(u: Unit, warn: (line: string) => void): Promise<void> {
  const { absent, timeoutMs } = u.settle!;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await runProcess(u.argv);
    if (r.exitCode !== 0 || r.spawnError) throw new ExecError(`step ${u.steps[0]?.id} failed`, printable(u), r.stderr || r.spawnError || '', u.steps[0]);
    const stuck = r.stdout.split('\n').filter((l) => l.includes(absent));
    if (!stuck.length) return;
    if (Date.now() > deadline) {
      warn(`warning: ${stuck.length} bridge port(s) in ${u.ns} still ${absent} after ${timeoutMs / 1000} s: ${stuck.slice(0, 3).map((l) => l.split(':')[1]?.trim()).join(', ')}`);
      return;
    }
    await new Promise((res) => setTimeout(res, 10));
  }
}

/** Which step of a unit failed: iproute2 says `Command failed <file>:<line>`. */
function culprit(u: Unit, stderr: string): { step?: Step; command: string } {
  const m = /Command failed (\S+):(\d+)/.exec(stderr);
  if (m) {
    const line = Number(m[2]) - 1;
    const file = u.files?.find((f) => f.path === m[1]);
    const lineSteps = file ? file.lineSteps : m[1] === '-' ? u.lineSteps : undefined;
    const step = lineSteps?.[line];
    if (step && step.op.type === 'ip') {
      const ns = step.op.ns;
      return { step, command: `${step.op.tool ?? 'ip'} ${ns ? `-n ${ns} ` : ''}${step.op.args.map(shellQuote).join(' ')}` };
    }
  }
  return { step: u.steps[0], command: printable(u) };
}

/** How long a daemon must survive its start to count as started. */
const DAEMON_GRACE_MS = 150;

async function startDaemon(u: Unit, state: LabState, checks: (() => void)[]): Promise<void> {
  const d = u.daemon!;
  mkdirSync(dirname(d.log), { recursive: true });
  const fd = openSync(d.log, 'a');
  const [cmd] = u.argv;
  // a daemon is left running, detached, with nothing to wait for
  const child = start(u.argv, { detached: true, stdout: fd, stderr: fd, ...(d.fd3 ? { extraFds: [fd] } : {}) });
  closeSync(fd);
  const pid = child.pid;
  if (!pid) throw new ExecError(`could not start daemon ${d.name} on ${d.node}: ${cmd} not found?`, printable(u), '', u.steps[0]);
  state.daemons.push({ node: d.node, name: d.name, pid, log: d.log, argv: u.argv });
  writeState(state);
  checks.push(() => {
    if (!child.ended() && isAlive(pid)) return;
    let tail = '';
    try {
      tail = readFileSync(d.log, 'utf8').split('\n').slice(-10).join('\n');
    } catch {
      /* no log */
    }
    throw new ExecError(`daemon ${d.name} on node ${d.node} exited right after it started`, printable(u), tail, u.steps[0]);
  });
}

/** Run one CNI call; its result (parsed JSON, or {} when it printed nothing), or an ExecError naming the plugin. */
export async function cniCall(ns: string, call: CniCall, command: CniCommand, prevResult: unknown, timeoutMs: number, what: string, step?: Step): Promise<unknown> {
  const argv = cniArgv(ns, call);
  const env = cniEnv(call, command);
  const r = await runProcess(argv, { input: cniStdin(call, prevResult), env, timeoutMs });
  const command_ = `${Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ')} ${argv.map(shellQuote).join(' ')} <<EOF …`;
  const at = step ? { ...step, source: call.source ?? step.source } : undefined;
  if (r.spawnError === 'ENOENT' || (r.exitCode !== 0 && /no such file or directory/i.test(r.stderr) && /exec/.test(r.stderr) && !r.stdout.trim())) {
    throw new ExecError(`CNI plugin ${call.plugin} is not installed: ${call.path} is missing (${what})`, command_, 'install Debian\'s containernetworking-plugins (`lab doctor --fix`)', at);
  }
  if (r.exitCode !== 0 || r.timedOut) {
    const e = cniError(r.stdout);
    const why = r.timedOut ? `did not finish within ${timeoutMs / 1000} s` : e ? describeCniError(e) : `exit ${r.exitCode}`;
    throw new ExecError(`CNI plugin ${call.plugin} failed on ${command} (${what}): ${why}`, command_, r.stderr || r.stdout, at);
  }
  try {
    return r.stdout.trim() ? JSON.parse(r.stdout) : {};
  } catch {
    throw new ExecError(`CNI plugin ${call.plugin} printed no JSON result on ${command} (${what})`, command_, r.stdout, at);
  }
}

/** A pod's network as a container runtime makes it: loopback, then the conflist's plugins chained, then CHECK. */
async function runCni(u: Unit, state: LabState, timeoutMs: number): Promise<void> {
  const op = u.cni!;
  const step = u.steps[0];
  const what = `ADD for pod ${op.pod} on node ${op.node}`;
  if (op.loopback) await cniCall(op.ns, op.loopback, 'ADD', undefined, timeoutMs, `loopback for pod ${op.pod}`, step);
  const results: { plugin: string; result: unknown }[] = [];
  let prev: unknown;
  const record = (check?: 'ok'): CniRecord => ({ pod: op.pod, node: op.node, ns: op.ns, network: op.network, cniVersion: op.cniVersion, ...(op.loopback ? { loopback: op.loopback } : {}), calls: op.calls, results, ...(check ? { check } : {}) });
  const save = (r: CniRecord): void => {
    (state.cni ??= []).splice(0, state.cni.length, ...state.cni.filter((x) => x.pod !== op.pod), r);
    mkdirSync(dirname(op.record), { recursive: true });
    writeFileSync(op.record, JSON.stringify(r, null, 1));
    writeState(state);
  };
  for (const call of op.calls) {
    try {
      prev = await cniCall(op.ns, call, 'ADD', prev, timeoutMs, what, step);
    } finally {
      // what was made so far is recorded before a failure is reported: lab down runs DEL for it
      save(record());
    }
    results.push({ plugin: call.plugin, result: prev });
  }
  save(record());
  if (!op.check) return;
  for (const call of op.calls) await cniCall(op.ns, call, 'CHECK', prev, timeoutMs, `CHECK for pod ${op.pod} on node ${op.node}`, step);
  save(record('ok'));
}

/**
 * DEL for a recorded pod, as a runtime does when the pod goes: the conflist's plugins in reverse order, each given
 * the final ADD result as prevResult (cniVersion ≥ 0.4.0), then loopback. Every plugin is called even when one
 * fails (DEL must be idempotent); the failures are returned as lines.
 */
export async function cniDelete(r: CniRecord, timeoutMs = 30_000): Promise<string[]> {
  const failures: string[] = [];
  const final = r.results.length ? r.results[r.results.length - 1].result : undefined;
  const prev = hasCheck(r.cniVersion) ? final : undefined;
  for (const call of [...r.calls].reverse()) {
    try {
      await cniCall(r.ns, call, 'DEL', prev, timeoutMs, `DEL for pod ${r.pod}`);
    } catch (e) {
      failures.push((e as Error).message);
    }
  }
  if (r.loopback) {
    try {
      await cniCall(r.ns, r.loopback, 'DEL', undefined, timeoutMs, `loopback DEL for pod ${r.pod}`);
    } catch (e) {
      failures.push((e as Error).message);
    }
  }
  return failures;
}
