/**
 * How the lab lifecycle talks to whoever runs it. The library never writes to the terminal itself: messages,
 * diagnostics, progress and the people-readable test reports go through a LabUi that the caller supplies
 * (the CLI's writes to standard error and runs listr2 on a terminal; a test's may collect lines).
 */
import type { Diagnostic } from '../config/diagnostics.ts';
import type { ImageProgress } from '../images/build.ts';

/** One step of a long command (a phase of `lab up`), shown as progress. */
export interface LabTask {
  readonly title: string;
  /** Returns a short result shown after the title (e.g. "12 processes"). */
  run(): Promise<string | void>;
  readonly skip?: boolean;
}

export interface LabUi {
  /** A line for people (what happened, what is done about it). */
  info(line: string): void;
  /** A line about something that went wrong but does not stop the command. */
  warn(line: string): void;
  /** Warnings (and notes) about a lab file, with the lines they point into. */
  diagnostics(ds: readonly Diagnostic[], sources?: ReadonlyMap<string, string>): void;
  /** Run the tasks in order, showing progress (none when quiet); the first failure is thrown. */
  tasks(tasks: readonly LabTask[], quiet: boolean): Promise<void>;
  /** A people-readable test report of one lab, and the summary of many (where the caller wants them). */
  report(text: string): void;
  /**
   * Run `fn` (the build of `lab up`) so that an interruption (the CLI: SIGINT/SIGTERM) aborts its signal instead
   * of ending the process, and what was built is removed. Without it, only UpOptions.signal interrupts.
   */
  interruptible?<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Whether reports may be coloured. */
  readonly color: boolean;
  /** Whether live progress lines (a test being retried) are wanted: a terminal. */
  readonly live: boolean;
}

/** Image progress (runner/images) through the caller's LabUi: its lines and its task list, none when quiet. */
export function imageProgress(ui: LabUi, quiet: boolean): ImageProgress {
  return { say: (line) => (quiet ? undefined : ui.info(line)), tasks: (tasks) => ui.tasks(tasks, quiet) };
}
