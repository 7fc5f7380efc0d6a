/** TAP version 13, with a YAML block under each failure. */
import type { TestResult } from '../runner.ts';
import { explanationFields } from '../explain.ts';
import { where, type ReportMeta } from './meta.ts';

/** A description may not hold `#` (it starts a directive) nor a line break. */
function description(name: string): string {
  return name.replace(/\\/g, '\\\\').replace(/#/g, '\\#').replace(/[\r\n]+/g, ' ');
}

/** JSON strings and numbers are valid YAML scalars. */
function yamlBlock(fields: Record<string, string | number | undefined>): string[] {
  const lines = ['  ---'];
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== '') lines.push(`  ${k}: ${JSON.stringify(v)}`);
  lines.push('  ...');
  return lines;
}

/** The explanation of a failure as YAML fields: why, walk, model. */
export function explanationYaml(r: TestResult): Record<string, string> {
  return Object.fromEntries((r.explanation ? explanationFields(r.explanation) : []).map((f) => [f.label, f.text]));
}

export function tapReport(results: readonly TestResult[], meta: ReportMeta): string {
  const out = ['TAP version 13', results.length ? `1..${results.length}` : '1..0 # SKIP no tests'];
  results.forEach((r, i) => {
    if (r.skipped !== undefined) {
      out.push(`ok ${i + 1} - ${description(r.test.name)} # SKIP ${description(r.skipped)}`);
      return;
    }
    const time = ` # time=${Math.round(r.durationMs)}ms${r.outcome.convergeMs !== undefined ? ` converged=${r.outcome.convergeMs}ms` : ''}`;
    // a note rides on the result line as a TAP comment (a passed test has no YAML block)
    const note = r.outcome.note ? ` # ${description(r.outcome.note)}` : '';
    out.push(`${r.ok ? 'ok' : 'not ok'} ${i + 1} - ${description(r.test.name)}${r.ok ? `${time}${note ? `;${note.slice(2)}` : ''}` : note}`);
    if (r.ok) return;
    const o = r.outcome;
    out.push(
      ...yamlBlock({
        type: r.test.type,
        expected: o.expected,
        seen: o.seen,
        command: o.command,
        at: where(r),
        attempts: r.attempts,
        duration_ms: Math.round(r.durationMs),
        measurement_bps: o.measurement,
        ...explanationYaml(r),
      }),
    );
  });
  const skipped = results.filter((r) => r.skipped !== undefined).length;
  out.push(`# lab ${description(meta.lab)}: ${results.filter((r) => r.ok).length} of ${results.length} passed${skipped ? `, ${skipped} skipped` : ''}`);
  return `${out.join('\n')}\n`;
}
