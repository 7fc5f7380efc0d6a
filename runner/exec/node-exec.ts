/** Run commands inside lab nodes (`ip netns exec <ns> argv…`) for assertions: argv arrays only, never a shell. */
import { constants } from 'node:os';
import { execa, type Result } from 'execa';
import type { Background, ExecOptions, ExecResult, RunContext } from '../../assertions/types.ts';
import { shellQuote } from '../model/words.ts';

export interface RunContextOptions {
  /** The network namespace of a node. */
  nsOf(node: string): string;
  /** Named measurements finished so far (bits/s). */
  readonly measurements: ReadonlyMap<string, number>;
  readonly signal?: AbortSignal;
  readonly test?: { readonly index: number; readonly name: string };
}

export interface NodeRunContext extends RunContext {
  /** Stop every background process this context started and has not stopped yet. */
  stopAll(): Promise<void>;
}

const KILL_GRACE_MS = 1000;

export function netnsArgv(ns: string, argv: readonly string[]): string[] {
  return ['netns', 'exec', ns, ...argv];
}

export function printable(file: string, args: readonly string[]): string {
  return [file, ...args].map(shellQuote).join(' ');
}

function signalNumber(sig: string | undefined): number | undefined {
  return sig ? (constants.signals as Record<string, number>)[sig] : undefined;
}

/** Execa's result in the shape assertions judge. */
export function toExecResult(r: Pick<Result, 'exitCode' | 'signal' | 'timedOut' | 'isCanceled' | 'failed' | 'stdout' | 'stderr'> & { originalMessage?: string }, command: string): ExecResult {
  const stdout = typeof r.stdout === 'string' ? r.stdout : '';
  let stderr = typeof r.stderr === 'string' ? r.stderr : '';
  let exitCode: number;
  if (r.exitCode !== undefined) exitCode = r.exitCode;
  else if (r.timedOut) exitCode = 124;
  else if (r.signal) exitCode = 128 + (signalNumber(r.signal) ?? 0);
  else {
    // never started (e.g. `ip` missing)
    exitCode = -1;
    if (r.originalMessage) stderr = stderr ? `${stderr}\n${r.originalMessage}` : r.originalMessage;
  }
  if (r.isCanceled) stderr = `${stderr}${stderr && !stderr.endsWith('\n') ? '\n' : ''}(stopped: the run was cancelled)`;
  return { exitCode, stdout, stderr, command, timedOut: r.timedOut };
}

export function createRunContext(opts: RunContextOptions): NodeRunContext {
  const live = new Set<Background>();

  async function exec(node: string, argv: readonly string[], o: ExecOptions = {}): Promise<ExecResult> {
    const [file, args] = o.container ? ['docker', ['exec', o.container, ...argv]] : ['ip', netnsArgv(opts.nsOf(node), argv)];
    const command = printable(file, args);
    const r = await execa(file, args, {
      reject: false,
      timeout: o.timeoutMs,
      killSignal: 'SIGTERM',
      forceKillAfterDelay: KILL_GRACE_MS,
      cancelSignal: opts.signal,
      ...(o.input !== undefined ? { input: o.input } : { stdin: 'ignore' as const }),
      stripFinalNewline: false,
    });
    return toExecResult(r, command);
  }

  async function background(node: string, argv: readonly string[]): Promise<Background> {
    const args = netnsArgv(opts.nsOf(node), argv);
    const command = printable('ip', args);
    const sub = execa('ip', args, { reject: false, stdin: 'ignore', cancelSignal: opts.signal, forceKillAfterDelay: KILL_GRACE_MS, stripFinalNewline: false });
    let ended = false;
    const done = sub.then((r) => {
      ended = true;
      return r;
    });
    // spawn() gives the PID at once; without one the process never started and `done` says why
    const pid = sub.pid;
    let stopping: Promise<{ stdout: string; stderr: string }> | undefined;
    const bg: Background = {
      command,
      stop() {
        stopping ??= (async () => {
          if (!ended && pid !== undefined) {
            signal(pid, 'SIGTERM');
            const force = setTimeout(() => {
              if (!ended) signal(pid, 'SIGKILL');
            }, KILL_GRACE_MS);
            await done;
            clearTimeout(force);
          }
          live.delete(bg);
          const r = toExecResult(await done, command);
          return { stdout: r.stdout, stderr: r.stderr };
        })();
        return stopping;
      },
    };
    live.add(bg);
    return bg;
  }

  return {
    exec,
    background,
    measurement: (name) => opts.measurements.get(name),
    signal: opts.signal,
    test: opts.test,
    async stopAll() {
      await Promise.all([...live].map((b) => b.stop()));
    },
  };
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}
