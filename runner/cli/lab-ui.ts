/** The CLI's LabUi: messages and diagnostics on standard error, progress by listr2 or plain lines, reports where asked. */
import type { LabUi } from '../lab/ui.ts';
import { color, isTTY, say, showDiagnostics } from './output.ts';
import { runTasks } from './progress.ts';

export interface CliUiOptions {
  /** Where the people-readable test reports go (default: standard output). */
  readonly human?: NodeJS.WritableStream;
  /** Whether those are coloured (default: when standard error is a terminal and NO_COLOR is unset). */
  readonly color?: boolean;
}

export function cliUi(o: CliUiOptions = {}): LabUi {
  const human = o.human ?? process.stdout;
  return {
    info: say,
    warn: say,
    diagnostics: showDiagnostics,
    tasks: runTasks,
    report: (text) => {
      human.write(text);
    },
    // as long as the lab is being built, Ctrl-C removes what was built; a second one ends the process at once
    interruptible: async (fn) => {
      const { signal, stop } = interruptible({ once: true });
      try {
        return await fn(signal);
      } finally {
        stop();
      }
    },
    color: o.color ?? color(),
    live: isTTY(),
  };
}

/**
 * SIGINT/SIGTERM abort the returned signal instead of ending the process (so a half-built lab is removed).
 * `once`: the handlers go after the first signal, so a second one ends the process as usual; otherwise
 * `onSignal` is told of each (and may end the process itself). Call the returned `stop` when done.
 */
export function interruptible(o: { once?: boolean; onSignal?: (sig: NodeJS.Signals, count: number) => void } = {}): { signal: AbortSignal; stop: () => void } {
  const abort = new AbortController();
  let count = 0;
  const handler = (sig: NodeJS.Signals): void => {
    count++;
    o.onSignal?.(sig, count);
    abort.abort();
  };
  const on = o.once ? process.once.bind(process) : process.on.bind(process);
  on('SIGINT', handler);
  on('SIGTERM', handler);
  return {
    signal: abort.signal,
    stop: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
