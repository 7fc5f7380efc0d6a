/** How the CLI talks: diagnostics to stderr with file:line:col, progress on a terminal, plain lines in CI. */
import { formatDiagnostics, LabError, type Diagnostic } from '../config/diagnostics.ts';
import { ExecError } from '../exec/executor.ts';
import { EXIT } from './exit-codes.ts';
import { UsageError } from './args.ts';

export const isTTY = (): boolean => !!process.stderr.isTTY && !process.env.CI;
export const color = (): boolean => isTTY() && !process.env.NO_COLOR;
/** Colour for what goes to standard output (a report): only when that is a terminal, not in CI, not with NO_COLOR. */
export const stdoutColor = (): boolean => !!process.stdout.isTTY && !process.env.CI && !process.env.NO_COLOR;

export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function showDiagnostics(ds: readonly Diagnostic[], sources?: ReadonlyMap<string, string>, trailer?: string): void {
  if (ds.length) say(formatDiagnostics(ds, { sources, color: color(), trailer }));
}

/** Turn any failure into one clear message and an exit code; a stack only with NSLAB_DEBUG=1. */
export function failure(e: unknown): number {
  if (e instanceof LabError) {
    showDiagnostics(e.diagnostics, e.sources, e.trailer);
    return e.exitCode;
  }
  if (e instanceof ExecError) {
    say(e.describe());
    return EXIT.execFailed;
  }
  if (e instanceof UsageError) {
    say(`lab: ${e.message}\n${e.command ? `run \`lab ${e.command} --help\` for its options and an example` : 'run `lab help` for the commands and their options'}`);
    return EXIT.usage;
  }
  const err = e as Error;
  say(`lab: ${err?.message ?? String(e)}`);
  if (process.env.NSLAB_DEBUG) say(String(err?.stack));
  else say('(set NSLAB_DEBUG=1 for the stack; this is a bug in nslab if the message does not say what to do)');
  return EXIT.execFailed;
}

/** Root is checked by the lab layer too (runner/lab/root.ts): one message for every command. */
export { requireRoot } from '../lab/root.ts';
