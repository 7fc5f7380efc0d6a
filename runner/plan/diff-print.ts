/**
 * `lab plan --diff`: the commands that change a running lab to its changed file (runner/plan/diff.ts), as a commented
 * shell script: first what is removed, then the new and changed steps, phase by phase, as `lab up` runs them.
 */
import { dirname } from 'node:path';
import { displayPath } from '../config/load.ts';
import { shellQuote } from '../model/words.ts';
import { NETNS_DIR } from '../model/names.ts';
import { cniDelLines } from './cni-argv.ts';
import type { PlanDiff, Removal } from './diff.ts';
import { printUnit, TITLES } from './print.ts';
import { schedule } from './units.ts';

/** One command of a removal: argv (and stdin), or a line that says what is done by PID (found when it runs). */
export interface RemovalCommand {
  readonly argv?: readonly string[];
  readonly input?: string;
  /** Said, not run as a shell command: processes are found by namespace and command line when the change runs. */
  readonly comment?: string;
}

/** The commands of one removal, in order; the executor (runner/exec/apply-exec.ts) runs the same ones. */
export function removalCommands(r: Removal): RemovalCommand[] {
  switch (r.type) {
    case 'ip':
      return [{ argv: r.ns ? [r.tool, '-n', r.ns, '-force', '-batch', '-'] : [r.tool, '-force', '-batch', '-'], input: `${r.lines.join('\n')}\n` }];
    case 'daemon':
      return [{ comment: `stop daemon ${r.name} of node ${r.node} (${r.why}): SIGTERM to its processes in ${r.ns}, found by its command line; SIGKILL after 1.5 s` }];
    case 'cni':
      return [{ comment: `CNI DEL for pod ${r.op.pod} (it is removed or its network changed), from the record of its ADD:` }, ...cniDelLines(r.op).map((l) => ({ comment: `  ${l}` }))];
    case 'file':
      return [{ argv: ['rm', '-f', r.path] }];
    case 'node': {
      const out: RemovalCommand[] = [{ comment: `node ${r.node}: ${r.why}` }];
      if (r.devs.length) out.push({ argv: ['ip', '-n', r.ns, '-force', '-batch', '-'], input: `${r.devs.map((d) => `link del dev ${d}`).join('\n')}\n` });
      out.push({ comment: `end every process in ${r.ns} (SIGTERM, then SIGKILL after 1.5 s)` });
      if (r.containers.length) out.push({ argv: ['docker', 'rm', '-f', ...r.containers] }, { argv: ['rm', '-f', `${NETNS_DIR}/${r.ns}`] });
      else out.push({ argv: ['ip', 'netns', 'del', r.ns] });
      for (const f of r.files) out.push({ argv: ['rm', '-f', f] });
      return out;
    }
  }
}

function printCommand(c: RemovalCommand): string[] {
  if (!c.argv) return [`# ${c.comment}`];
  const cmd = c.argv.map(shellQuote).join(' ');
  return c.input !== undefined ? [`${cmd} <<'EOF'`, ...c.input.trimEnd().split('\n'), 'EOF'] : [cmd];
}

export function printDiff(d: PlanDiff, from: { readonly file: string; readonly upAt?: string }): string {
  const out: string[] = ['#!/bin/sh', `# nslab: what \`lab up\` runs to change lab "${d.lab}" (up from ${displayPath(from.file)}${from.upAt ? ` since ${from.upAt}` : ''}) to ${displayPath(d.forward.file)}`];
  if (d.empty) {
    out.push('# nothing: the running lab already is this file\'s network');
    return `${out.join('\n')}\n`;
  }
  out.push('# Exactly the commands the change runs (the blocks of one phase in parallel). What is removed goes first;', '# a removal of something already gone is not an error (-force).', '#', '# changes:');
  out.push(...d.changes.map((c) => `#   ${c}`));
  if (d.removals.length) {
    out.push('', '# ── remove');
    for (const r of d.removals) for (const c of removalCommands(r)) out.push(...printCommand(c));
  }
  for (const run of schedule(d.forward)) {
    out.push('', `# ── ${run.phase}: ${TITLES[run.phase] ?? ''}`);
    for (const lane of run.lanes) for (const u of lane) out.push(...printUnit(u));
  }
  if (d.forward.steps.length) out.push('', `# (batch files go to ${dirname(`${d.forward.workDir}/x`)})`);
  return `${out.join('\n')}\n`;
}
