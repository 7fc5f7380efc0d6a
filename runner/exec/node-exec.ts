/** Run commands inside lab nodes (`ip netns exec <ns> argv…`) for assertions: argv arrays only, never a shell. */
import type { Background, ExecOptions, ExecResult, RunContext } from '../../assertions/types.ts';
import { netnsExecArgv, nodeExecArgv } from '../plan/netns-argv.ts';
import { commandLine, runProcess, start, type ProcessResult } from './process.ts';

export interface RunContextOptions {
  /** The network namespace of a node. */
  nsOf(node: string): string;
  /** Named measurements finished so far (bits/s). */
  readonly measurements: ReadonlyMap<string, number>;
  readonly signal?: AbortSignal;
  readonly test?: { readonly index: number; readonly name: string };
  /** The lab's directory (RunContext.labDir). */
  readonly labDir?: string;
}

export interface NodeRunContext extends RunContext {
  /** Stop every background process this context started and has not stopped yet. */
  stopAll(): Promise<void>;
}

const KILL_GRACE_MS = 1000;

/** The runner's result in the shape assertions judge (a program that never started: its error on stderr). */
export function toExecResult(r: ProcessResult): ExecResult {
  const stderr = r.spawnError && r.spawnMessage ? (r.stderr ? `${r.stderr}\n${r.spawnMessage}` : r.spawnMessage) : r.stderr;
  return { exitCode: r.exitCode, stdout: r.stdout, stderr, command: r.command, timedOut: r.timedOut };
}

export function createRunContext(opts: RunContextOptions): NodeRunContext {
  const live = new Set<Background>();

  async function exec(node: string, argv: readonly string[], o: ExecOptions = {}): Promise<ExecResult> {
    const full = nodeExecArgv({ ns: opts.nsOf(node), container: o.container }, argv);
    const r = await start(full, { timeoutMs: o.timeoutMs, killGraceMs: KILL_GRACE_MS, signal: opts.signal, input: o.input, env: o.env }).done;
    return toExecResult(r);
  }

  async function background(node: string, argv: readonly string[]): Promise<Background> {
    const sub = start(nodeExecArgv({ ns: opts.nsOf(node) }, argv), { killGraceMs: KILL_GRACE_MS, signal: opts.signal });
    let stopping: Promise<{ stdout: string; stderr: string }> | undefined;
    const bg: Background = {
      command: sub.command,
      stop() {
        stopping ??= (async () => {
          // spawn() gives the PID at once; without one the process never started and `done` says why
          const r = toExecResult(sub.pid !== undefined ? await sub.stop(KILL_GRACE_MS) : await sub.done);
          live.delete(bg);
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
    ...(opts.labDir ? { labDir: opts.labDir } : {}),
    async stopAll() {
      await Promise.all([...live].map((b) => b.stop()));
    },
  };
}

/** The command a user would type (argv words quoted for a shell). */
export function printable(file: string, args: readonly string[]): string {
  return commandLine([file, ...args]);
}

/** `lab exec`: run argv in namespace `ns` with this terminal attached; its exit code (1 when it could not start or a signal ended it). */
export async function execAttached(ns: string, argv: readonly string[]): Promise<number> {
  const r = await runProcess(netnsExecArgv(ns, argv), { stdin: 'inherit', stdout: 'inherit', stderr: 'inherit' });
  return r.spawnError || r.signal ? 1 : r.exitCode; // as before: a command ended by a signal is exit 1
}
