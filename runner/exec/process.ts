/**
 * THE process runner: every program nslab starts goes through here (argv arrays, never a shell). One child per
 * call, with a time-out (SIGTERM, then SIGKILL after a grace), cancellation, stdin input, env, cwd and stdio
 * choices. Built on node:child_process, not execa: execa's import alone costs 50–60 ms per command on a 2-core
 * machine, a fifth of the time a 100-node lab may take (see bench/REPORT.md).
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { commandLine } from '../plan/netns-argv.ts';

export { commandLine };

/** Where a standard stream goes: captured ('pipe'), the terminal's ('inherit'), nowhere, or an open fd. */
export type StreamTarget = 'pipe' | 'inherit' | 'ignore' | number;

export interface ProcessOptions {
  /** Written to stdin, which is then closed. Without it stdin is ignored (or `stdin`). */
  readonly input?: string;
  readonly stdin?: 'ignore' | 'inherit';
  readonly stdout?: StreamTarget;
  readonly stderr?: StreamTarget;
  /** Hand stdout over as a stream (`StartedProcess.stdout`) instead of collecting it. */
  readonly streamStdout?: boolean;
  /** Kill after this long (SIGTERM, then SIGKILL after `killGraceMs`); the result says `timedOut`. */
  readonly timeoutMs?: number;
  readonly killGraceMs?: number;
  /** Aborting stops the process like a time-out; the result says `canceled`. */
  readonly signal?: AbortSignal;
  /** Added to (not replacing) this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Throw a ProcessError unless the exit code is 0 (default: never throw, judge the result). */
  readonly reject?: boolean;
  /** Start it in its own process group and do not wait for it (daemons): only `start` honours it. */
  readonly detached?: boolean;
  /** File descriptors handed to the child as its fd 3, 4, … (only `start` honours it). */
  readonly extraFds?: readonly number[];
}

export interface ProcessResult {
  /** The command as a user would type it: `ip netns exec nsl.lab.h1 ping -c 1 10.0.0.2`. */
  readonly command: string;
  /**
   * The exit code; 124 when killed at the time-out, 128+N when ended by signal N, -1 when it never started
   * (`spawnError` says why).
   */
  readonly exitCode: number;
  readonly signal?: string;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr interleaved as they arrived (only what was captured). */
  readonly all: string;
  readonly timedOut: boolean;
  readonly canceled: boolean;
  /** Set when the program could not be started: the error code (ENOENT, EACCES, …). */
  readonly spawnError?: string;
  /** The start error's message (`spawn ip ENOENT`). */
  readonly spawnMessage?: string;
}

export class ProcessError extends Error {
  readonly result: ProcessResult;
  constructor(result: ProcessResult) {
    const why = result.spawnError ? `could not start: ${result.spawnMessage ?? result.spawnError}` : result.timedOut ? 'timed out' : `exit code ${result.exitCode}`;
    super(`${result.command}: ${why}${result.stderr.trim() ? `: ${result.stderr.trim().split('\n').slice(-3).join(' / ')}` : ''}`);
    this.name = 'ProcessError';
    this.result = result;
  }
}

export interface StartedProcess {
  readonly command: string;
  /** Undefined when the program could not be started (`done` says why). */
  readonly pid: number | undefined;
  /** stdout as a stream, with `streamStdout`. */
  readonly stdout?: Readable;
  readonly done: Promise<ProcessResult>;
  /** Whether it has ended. */
  ended(): boolean;
  /** SIGTERM now, SIGKILL after the grace if still running; resolves with the result. */
  stop(graceMs?: number): Promise<ProcessResult>;
}

const DEFAULT_GRACE_MS = 1000;

function signalNumber(sig: string | null | undefined): number {
  return sig ? ((constants.signals as Record<string, number>)[sig] ?? 0) : 0;
}

function target(t: StreamTarget | undefined): 'pipe' | 'inherit' | 'ignore' | number {
  return t ?? 'pipe';
}

export function kill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** Start argv and return at once; `done` resolves (never rejects unless `reject`) when it has ended. */
export function start(argv: readonly string[], o: ProcessOptions = {}): StartedProcess {
  const command = commandLine(argv);
  const stdio: StdioOptions = [o.input !== undefined ? 'pipe' : (o.stdin ?? 'ignore'), o.streamStdout ? 'pipe' : target(o.stdout), target(o.stderr), ...(o.extraFds ?? [])];
  const child = spawn(argv[0], argv.slice(1), { stdio, cwd: o.cwd, env: o.env ? { ...process.env, ...o.env } : undefined, detached: o.detached });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const all: Buffer[] = [];
  let spawnError: NodeJS.ErrnoException | undefined;
  let timedOut = false;
  let canceled = false;
  let ended = false;
  let force: NodeJS.Timeout | undefined;
  const grace = o.killGraceMs ?? DEFAULT_GRACE_MS;
  const terminate = (ms = grace): void => {
    if (ended || child.pid === undefined) return;
    child.kill('SIGTERM');
    force ??= setTimeout(() => {
      if (!ended) child.kill('SIGKILL');
    }, ms);
  };
  if (!o.streamStdout) child.stdout?.on('data', (d: Buffer) => (out.push(d), all.push(d)));
  child.stderr?.on('data', (d: Buffer) => (err.push(d), all.push(d)));
  child.on('error', (e: NodeJS.ErrnoException) => {
    spawnError ??= e;
  });
  const timer = o.timeoutMs !== undefined ? setTimeout(() => ((timedOut = true), terminate()), o.timeoutMs) : undefined;
  const onAbort = (): void => {
    canceled = true;
    terminate();
  };
  if (o.signal?.aborted) queueMicrotask(onAbort);
  else o.signal?.addEventListener('abort', onAbort, { once: true });
  const done = new Promise<ProcessResult>((resolve, reject) => {
    const finish = (code: number | null, sig: NodeJS.Signals | null): void => {
      ended = true;
      clearTimeout(timer);
      clearTimeout(force);
      o.signal?.removeEventListener('abort', onAbort);
      let stderr = Buffer.concat(err).toString();
      if (canceled) stderr = `${stderr}${stderr && !stderr.endsWith('\n') ? '\n' : ''}(stopped: the run was cancelled)`;
      const exitCode = spawnError ? -1 : code !== null ? code : timedOut ? 124 : 128 + signalNumber(sig);
      const r: ProcessResult = {
        command,
        exitCode,
        ...(sig ? { signal: sig } : {}),
        stdout: Buffer.concat(out).toString(),
        stderr,
        all: Buffer.concat(all).toString(),
        timedOut,
        canceled,
        ...(spawnError ? { spawnError: spawnError.code ?? 'ERROR', spawnMessage: spawnError.message } : {}),
      };
      if (o.reject && r.exitCode !== 0) reject(new ProcessError(r));
      else resolve(r);
    };
    if (o.detached) {
      // a daemon: nobody waits for its output; it ends (or not) on its own
      child.on('exit', finish);
      child.on('error', () => finish(null, null));
    } else child.on('close', finish);
  });
  if (o.input !== undefined) {
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(o.input);
  }
  if (o.detached) child.unref();
  return {
    command,
    pid: child.pid,
    ...(o.streamStdout && child.stdout ? { stdout: child.stdout } : {}),
    done,
    ended: () => ended,
    stop(ms?: number) {
      terminate(ms);
      return done;
    },
  };
}

/** Run argv to its end. Never throws unless `reject` (then a ProcessError for a non-zero exit). */
export function runProcess(argv: readonly string[], o: ProcessOptions = {}): Promise<ProcessResult> {
  return start(argv, o).done;
}
