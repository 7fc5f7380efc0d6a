/** Errors and warnings that point at a place in a lab file, and the one formatter that prints them. */

export interface SourcePos {
  readonly file: string;
  readonly line: number; // 1-based
  readonly col: number; // 1-based
  readonly endCol?: number;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly severity: Severity;
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly pos?: SourcePos;
}

/** A user-facing failure: carries diagnostics, never printed with a stack. */
export class LabError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  readonly exitCode: number;
  /** The text of the files the diagnostics point into, to show the offending lines. */
  sources?: ReadonlyMap<string, string>;
  /** The last line instead of "N errors; nothing was changed on this machine." (for failures after changes). */
  readonly trailer?: string;
  constructor(diagnostics: readonly Diagnostic[], exitCode = 2, sources?: ReadonlyMap<string, string>, trailer?: string) {
    super(diagnostics.map((d) => d.message).join('; '));
    this.name = 'LabError';
    this.diagnostics = diagnostics;
    this.exitCode = exitCode;
    this.sources = sources;
    this.trailer = trailer;
  }
}

export function error(code: string, message: string, pos?: SourcePos, hint?: string): Diagnostic {
  return { severity: 'error', code, message, pos, hint };
}

export function warning(code: string, message: string, pos?: SourcePos, hint?: string): Diagnostic {
  return { severity: 'warning', code, message, pos, hint };
}

export function formatPos(pos: SourcePos | undefined): string {
  return pos ? `${pos.file}:${pos.line}:${pos.col}` : '';
}

export interface FormatOptions {
  /** The text of the files, to show the offending line under the message. */
  readonly sources?: ReadonlyMap<string, string>;
  readonly color?: boolean;
  /** Replaces the closing "N errors; nothing was changed on this machine." line. */
  readonly trailer?: string;
}

/** The longest source line shown under a message: a longer one is cut around the column (issue 17: a 2 MB line). */
export const MAX_SHOWN_LINE = 160;

/** The part of a long line around `col` (1-based), with … where it was cut, and where `col` is in it. */
function excerpt(line: string, col: number): { shown: string; col: number } {
  if (line.length <= MAX_SHOWN_LINE) return { shown: line, col };
  const start = Math.max(0, Math.min(col - 1 - 40, line.length - (MAX_SHOWN_LINE - 2)));
  const end = Math.min(line.length, start + MAX_SHOWN_LINE - 2);
  const shown = `${start > 0 ? '…' : ''}${line.slice(start, end)}${end < line.length ? '…' : ''}`;
  return { shown, col: col - start + (start > 0 ? 1 : 0) };
}

export function formatDiagnostic(d: Diagnostic, opts: FormatOptions = {}): string {
  const paint = (code: string, s: string): string => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const where = d.pos ? `${formatPos(d.pos)}: ` : '';
  const sev = d.severity === 'error' ? paint('31;1', 'error') : paint('33;1', 'warning');
  const lines = [`${where}${sev}: ${d.message}`];
  const text = d.pos ? opts.sources?.get(d.pos.file) : undefined;
  if (d.pos && text !== undefined) {
    const src = text.split('\n')[d.pos.line - 1];
    if (src !== undefined) {
      const num = String(d.pos.line);
      const width = Math.max(1, (d.pos.endCol ?? d.pos.col + 1) - d.pos.col);
      const { shown, col } = excerpt(src.replace(/\t/g, ' '), d.pos.col);
      lines.push(`  ${num} | ${shown}`);
      lines.push(`  ${' '.repeat(num.length)} | ${' '.repeat(Math.max(0, col - 1))}${paint('31', '^'.repeat(Math.min(width, 60)))}`);
    }
  }
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines.join('\n');
}

export function formatDiagnostics(ds: readonly Diagnostic[], opts: FormatOptions = {}): string {
  const sorted = [...ds].sort(comparePos);
  const errors = sorted.filter((d) => d.severity === 'error').length;
  const body = sorted.map((d) => formatDiagnostic(d, opts)).join('\n');
  const tail = opts.trailer !== undefined ? `\n${opts.trailer}` : errors > 0 ? `\n${errors} error${errors === 1 ? '' : 's'}; nothing was changed on this machine.` : '';
  return body + tail;
}

export function comparePos(a: Diagnostic, b: Diagnostic): number {
  const pa = a.pos;
  const pb = b.pos;
  if (!pa || !pb) return pa ? -1 : pb ? 1 : 0;
  if (pa.file !== pb.file) return pa.file < pb.file ? -1 : 1;
  return pa.line - pb.line || pa.col - pb.col;
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
