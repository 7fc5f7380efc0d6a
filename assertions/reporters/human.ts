/** The report a person reads in a terminal: one line per test, and what went wrong under each failure. */
import { formatRate } from '../../runner/util/units.ts';
import type { TestResult } from '../runner.ts';
import { explanationFields } from '../explain.ts';
import { counts, where, type ReportMeta } from './meta.ts';

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

export function humanReport(results: readonly TestResult[], meta: ReportMeta): string {
  const paint = (code: string, s: string): string => (meta.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const lines: string[] = [];
  for (const r of results) {
    if (r.skipped !== undefined) {
      lines.push(`${paint('33', '-')} ${r.test.name}  ${paint('33', `SKIPPED: ${r.skipped}`)}`);
      continue;
    }
    const mark = r.ok ? paint('32', '✔') : paint('31;1', '✘');
    const tries = r.attempts > 1 ? `, ${r.attempts} tries` : '';
    const measured = r.outcome.measurement !== undefined ? `  ${formatRate(r.outcome.measurement)}` : '';
    const note = r.outcome.note ? `  ${paint('33', `[${r.outcome.note}]`)}` : '';
    const converged = r.outcome.convergeMs !== undefined ? `  converged in ${duration(r.outcome.convergeMs)}` : '';
    lines.push(`${mark} ${r.test.name}${measured}${converged}${note}  ${paint('2', `(${duration(r.durationMs)}${tries})`)}`);
    if (r.ok) continue;
    const field = (label: string, text: string): void => {
      if (!text) return;
      const [first, ...rest] = text.split('\n');
      lines.push(`    ${paint('2', label.padEnd(9))} ${first}`);
      for (const l of rest) lines.push(`    ${' '.repeat(9)} ${l}`);
    };
    field('expected:', r.outcome.expected);
    field('seen:', r.outcome.seen);
    field('command:', r.outcome.command);
    field('at:', where(r));
    for (const f of r.explanation ? explanationFields(r.explanation) : []) field(`${f.label}:`, f.text);
  }
  const c = counts(results);
  const noted = results.filter((r) => r.outcome.note).length;
  const summary = `${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped (not up)` : ''}${noted ? `; ${noted} left work out on purpose (see [ ] above)` : ''}`;
  lines.push('', `${c.failed ? paint('31;1', summary) : paint('32', summary)} ${paint('2', `(${duration(meta.durationMs)})`)}`);
  return `${lines.join('\n')}\n`;
}
