/** `lab plan`: the Plan as a commented shell script that, run by hand as root, builds the same lab. */
import { formatPos } from '../config/diagnostics.ts';
import { shellQuote } from '../model/words.ts';
import type { Plan } from './ops.ts';
import { schedule, type Unit } from './units.ts';

const TITLES: Record<string, string> = {
  namespaces: 'network namespaces (one per node, plus the lab fabric)',
  links: 'veth pairs created directly inside their namespaces',
  configure: 'inside each namespace: sysctls, bridges, addresses, routes',
  firewall: 'NAT and firewall rule sets',
  exec: 'commands from the lab file',
  daemons: 'long-running processes (stopped by `lab down`)',
};

export interface PrintOptions {
  /** Append the commands that take the lab down again. */
  readonly teardown?: readonly string[][];
}

export function printPlan(plan: Plan, opts: PrintOptions = {}): string {
  const out: string[] = [
    '#!/bin/sh',
    `# nslab plan for lab "${plan.lab}" from ${plan.file}`,
    '# Run as root to build the lab by hand; these are exactly the commands `lab up` runs',
    '# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.',
    'set -e',
  ];
  for (const run of schedule(plan)) {
    out.push('', `# ── ${run.phase}: ${TITLES[run.phase] ?? ''}`);
    for (const lane of run.lanes) for (const u of lane) out.push(...printUnit(u));
  }
  if (opts.teardown) {
    out.push('', '# ── teardown (what `lab down` runs): stop the lab\'s processes, then delete its namespaces');
    for (const argv of opts.teardown) out.push(argv.map(shellQuote).join(' '));
  }
  return `${out.join('\n')}\n`;
}

function printUnit(u: Unit): string[] {
  const lines: string[] = [];
  const notes = [...new Set(u.steps.map((s) => s.note).filter(Boolean))];
  const sources = [...new Set(u.steps.map((s) => (s.source ? formatPos(s.source) : '')).filter(Boolean))];
  if (notes.length) lines.push(`# ${notes.join('; ')}`);
  if (sources.length && !u.input) lines.push(`# from ${sources.slice(0, 4).join(', ')}${sources.length > 4 ? ', …' : ''}`);
  const cmd = u.argv.map(shellQuote).join(' ');
  if (u.daemon) {
    lines.push(`mkdir -p ${shellQuote(u.daemon.log.replace(/\/[^/]*$/, ''))}`);
    lines.push(`${cmd} >${shellQuote(u.daemon.log)} 2>&1 &`);
  } else if (u.input !== undefined) {
    lines.push(`${cmd} <<'EOF'`);
    if (u.argv.includes('-batch')) {
      // annotate each batch line with its source as a trailing comment line above it
      let last = '';
      u.input
        .trimEnd()
        .split('\n')
        .forEach((l, i) => {
          const src = u.steps[i]?.source ? formatPos(u.steps[i].source) : '';
          if (src && src !== last) lines.push(`# ${src}`);
          last = src;
          lines.push(l);
        });
    } else {
      lines.push(...u.input.trimEnd().split('\n'));
    }
    lines.push('EOF');
  } else {
    lines.push(cmd);
  }
  return lines;
}
