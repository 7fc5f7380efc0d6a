/** Progress for long commands: listr2 on a terminal, one plain line per task elsewhere (CI, pipes). */
import type { ImageProgress } from '../images/build.ts';
import { isTTY, say } from './output.ts';

export interface Task {
  readonly title: string;
  /** Returns a short result shown after the title (e.g. "12 processes, 41 ms"). */
  run(): Promise<string | void>;
  readonly skip?: boolean;
}

export async function runTasks(tasks: readonly Task[], quiet = false): Promise<void> {
  const todo = tasks.filter((t) => !t.skip);
  if (quiet) {
    for (const t of todo) await t.run();
    return;
  }
  if (isTTY()) {
    const { Listr } = await import('listr2');
    const list = new Listr(
      todo.map((t) => ({
        title: t.title,
        task: async (_: unknown, task: { title: string }) => {
          const r = await t.run();
          if (r) task.title = `${t.title} (${r})`;
        },
      })),
      { concurrent: false, exitOnError: true, rendererOptions: { collapseErrors: false, showErrorMessage: false } },
    );
    await list.run();
    return;
  }
  for (const t of todo) {
    const t0 = performance.now();
    const r = await t.run();
    say(`✔ ${t.title}${r ? ` (${r})` : ` (${Math.round(performance.now() - t0)} ms)`}`);
  }
}

/** Progress for lab images on this terminal (listr2 or plain lines), or none with `quiet`. */
export function cliProgress(quiet = false): ImageProgress {
  return { say: (line) => (quiet ? undefined : say(line)), tasks: (tasks) => runTasks(tasks, quiet) };
}
