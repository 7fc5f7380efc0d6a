/** Graphviz's `dot` (Debian package graphviz), run with DOT on standard input: the SVG text it prints, as data. */
import { runProcess } from './process.ts';

export type DotResult = { readonly ok: true; readonly svg: string } | { readonly ok: false; readonly missing: boolean; readonly message: string };

const DOT_TIMEOUT_MS = 60_000;

/** `dot -Tsvg` over `dotText` (never a shell). `missing` when the program is not installed. */
export async function runDot(dotText: string, program = 'dot'): Promise<DotResult> {
  const r = await runProcess([program, '-Tsvg'], { input: dotText, timeoutMs: DOT_TIMEOUT_MS, env: { LC_ALL: 'C.UTF-8' } });
  if (r.spawnError === 'ENOENT') return { ok: false, missing: true, message: `${program} is not installed` };
  if (r.exitCode !== 0) return { ok: false, missing: false, message: `${program} -Tsvg failed (exit code ${r.exitCode}${r.timedOut ? ', timed out' : ''}): ${r.stderr.trim() || r.spawnMessage || ''}` };
  return { ok: true, svg: r.stdout };
}
