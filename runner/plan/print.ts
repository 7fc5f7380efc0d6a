/** `lab plan`: the Plan as a commented shell script that, run by hand as root, builds the same lab. */
import { dirname } from 'node:path';
import { formatPos } from '../config/diagnostics.ts';
import { displayPath } from '../config/load.ts';
import { shellQuote } from '../model/words.ts';
import type { Plan } from './ops.ts';
import { NETNS_DIR } from '../model/names.ts';
import { exposeNetnsLine } from './docker-argv.ts';
import { FANOUT_PARALLEL, schedule, type Unit } from './units.ts';
import { cniDelLines, cniPlanLines } from './cni-argv.ts';

export const TITLES: Record<string, string> = {
  namespaces: 'network namespaces (one per node, plus the lab fabric) and containers',
  links: 'veth pairs created directly inside their namespaces',
  configure: 'inside each namespace: sysctls, bridges, addresses, routes',
  fdb: 'forwarding-database entries of VXLAN endpoints (`bridge fdb`)',
  settle: 'wait until every bridge port forwards (the kernel applies link changes asynchronously)',
  firewall: 'NAT and firewall rule sets',
  impair: 'link impairments: rate (tc tbf), delay and jitter (tc netem), loss (netem, or an nftables drop on the peer\'s ingress)',
  exec: 'commands from the lab file',
  daemons: 'long-running processes (stopped by `lab down`)',
};

export interface PrintOptions {
  /** Append the commands that take the lab down again. */
  readonly teardown?: { readonly argv: readonly string[]; readonly input: string };
}

export function printPlan(plan: Plan, opts: PrintOptions = {}): string {
  const out: string[] = [
    '#!/bin/sh',
    `# nslab plan for lab "${plan.lab}" from ${displayPath(plan.file)}`,
    '# Run as root to build the lab by hand; these are exactly the commands `lab up` runs',
    '# (it runs the blocks of one phase in parallel). Every line notes the lab-file place behind it.',
    ...(plan.notes ?? []).map((n) => `# ${n}`),
    'set -e',
  ];
  for (const run of schedule(plan)) {
    out.push('', `# ── ${run.phase}: ${TITLES[run.phase] ?? ''}`);
    for (const lane of run.lanes) for (const u of lane) out.push(...printUnit(u));
  }
  if (opts.teardown) {
    out.push('', '# ── teardown (what `lab down` runs): stop every process inside the lab\'s namespaces (by PID), then');
    out.push('# delete the namespaces, which removes every link, bridge, address, route and rule inside them');
    out.push('# (commented out, so that running this script builds the lab and leaves it up)');
    const cni = plan.steps.flatMap((st) => (st.op.type === 'cni' ? [st.op] : [])).reverse();
    if (cni.length) out.push('# first, CNI DEL for every pod the plugins networked (last pod first), from the record of its ADD:');
    const td = [...cni.flatMap(cniDelLines), `${opts.teardown.argv.map(shellQuote).join(' ')} <<'EOF'`, ...opts.teardown.input.trimEnd().split('\n'), 'EOF'];
    out.push(...td.map((l) => `#   ${l}`));
  }
  return `${out.join('\n')}\n`;
}

export function printUnit(u: Unit): string[] {
  const lines: string[] = [];
  const notes = [...new Set(u.steps.map((s) => s.note).filter(Boolean))];
  const sources = [...new Set(u.steps.map((s) => (s.source ? formatPos(s.source) : '')).filter(Boolean))];
  const batch = u.lineSteps !== undefined || u.files !== undefined;
  if (notes.length && !batch) lines.push(`# ${notes.join('; ')}`);
  if (sources.length && !u.input) lines.push(`# from ${sources.slice(0, 4).join(', ')}${sources.length > 4 ? ', …' : ''}`);
  if (u.files?.length) {
    lines.push(`# one batch file per namespace, run ${FANOUT_PARALLEL} at a time by xargs`);
    lines.push(`mkdir -p ${shellQuote(dirname(u.files[0].path))}`);
    for (const f of u.files) lines.push(`cat >${shellQuote(f.path)} <<'EOF'`, ...f.content.trimEnd().split('\n'), 'EOF');
  }
  const cmd = u.argv.map(shellQuote).join(' ');
  if (u.write) {
    lines.push(`mkdir -p ${shellQuote(dirname(u.write.path))}`, `cat >${shellQuote(u.write.path)} <<'EOF'`, ...u.write.content.trimEnd().split('\n'), 'EOF');
  } else if (u.container) {
    lines.push(cmd);
    if (u.container.expose) lines.push(exposeNetnsLine(u.container.spec.name, `${NETNS_DIR}/${u.container.expose}`));
  } else if (u.settle) {
    lines.push(`# repeated until no port is "${u.settle.absent}", for at most ${u.settle.timeoutMs / 1000} s`);
    lines.push(`while ${cmd} | grep -q ${shellQuote(u.settle.absent)}; do sleep 0.01; done`);
  } else if (u.cni) {
    lines.push(...cniPlanLines(u.cni));
  } else if (u.daemon) {
    lines.push(`mkdir -p ${shellQuote(dirname(u.daemon.log))}`);
    lines.push(`${cmd} >${shellQuote(u.daemon.log)} 2>&1${u.daemon.fd3 ? ' 3>&1' : ''} &`);
  } else if (u.input !== undefined) {
    lines.push(`${cmd} <<'EOF'`, ...u.input.trimEnd().split('\n'), 'EOF');
  } else {
    lines.push(cmd);
  }
  return lines;
}
