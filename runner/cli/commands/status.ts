import { allLabsOnHost } from '../../exec/host.ts';
import { fullLabStatus } from '../../lab/status.ts';
import { bgpLines, cniLines, modelLines, userspaceProxyLines } from '../status-text.ts';
import { labsWithState } from '../../exec/state.ts';
import { labNameOf } from '../../lab/load.ts';
import { labsInDocker } from '../../exec/docker-labs.ts';
import type { Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { requireRoot } from '../output.ts';

/** lab status [LAB] [--json]: labs, nodes, interfaces, addresses, routes, BGP sessions, Services, policies, impairments. */
export async function statusCmd(a: Args): Promise<number> {
  requireRoot('status');
  const names = a.positionals[0] ? [labNameOf(a.positionals[0]).name] : [...new Set([...allLabsOnHost(), ...labsWithState(), ...(await labsInDocker())])].sort();
  const all = await Promise.all(names.map(fullLabStatus));
  // a lab that lost parts behind nslab's back is not "up": say so in the exit code too (issue 17)
  const code = all.some((s) => s.damage.length) ? EXIT.environment : EXIT.ok;
  if (a.flags.has('json')) {
    process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
    return code;
  }
  if (!all.length) {
    process.stdout.write('no labs are up\n');
    return EXIT.ok;
  }
  const out: string[] = [];
  for (const s of all) {
    out.push(`lab ${s.lab}: ${s.status}${s.file ? ` — ${s.file}` : ''}${s.lastTest ? ` — last test ${s.lastTest.passed} passed, ${s.lastTest.failed} failed${s.lastTest.skipped ? `, ${s.lastTest.skipped} skipped` : ''}` : ''}`);
    if (s.selection) out.push(`  part of the lab: ${s.selection.nodes.length} of ${s.selection.of} nodes (${s.selection.nodes.join(', ')}; lab up --nodes)`);
    for (const n of s.stopped ?? []) out.push(`  ${n}  STOPPED (lab stop): \`lab start ${s.lab} ${n}\` brings it back`);
    for (const n of s.nodes) {
      out.push(`  ${n.node}  (${n.netns})`);
      for (const i of n.interfaces) {
        if (i.name === 'lo' && !i.addresses.some((x) => !x.startsWith('127.') && x !== '::1/128')) continue;
        const extra = [i.kind, i.master ? `master ${i.master}` : '', i.mtu && i.mtu !== 1500 && i.name !== 'lo' ? `mtu ${i.mtu}` : ''].filter(Boolean).join(', ');
        out.push(`    ${i.name.padEnd(15)} ${i.state.padEnd(7)} ${i.addresses.join(' ') || '-'}${extra ? `  (${extra})` : ''}`);
      }
      for (const r of n.routes) out.push(`    route ${r.type && r.type !== 'unicast' ? `${r.type} ` : ''}${r.dst}${r.gateway ? ` via ${r.gateway}` : ''}${r.dev ? ` dev ${r.dev}` : ''}`);
    }
    for (const c of s.containers) {
      out.push(`  container ${c.name} (${c.image}): ${c.running ? c.state : `NOT RUNNING — ${c.state}`}`);
      if (c.logs) out.push(...c.logs.split('\n').map((l) => `    | ${l}`));
    }
    for (const d of s.daemons) out.push(`  process ${d.name} on ${d.node}: pid ${d.pid} ${d.running ? 'running' : 'EXITED'} (log ${d.log})`);
    out.push(...cniLines(s.cni), ...userspaceProxyLines(s.userspaceProxies), ...bgpLines(s.bgp), ...modelLines(s.model, s.modelNote));
  }
  for (const s of all) if (s.damage.length) out.push(`lab ${s.lab} is damaged: \`lab up ${s.file ?? s.lab}\` rebuilds it, \`lab down ${s.lab}\` removes it`);
  process.stdout.write(`${out.join('\n')}\n`);
  return code;
}
