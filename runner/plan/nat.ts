/** Docker-style NAT as iptables-restore input: MASQUERADE out of an interface, DNAT for published ports. */
import type { ResolvedNode } from '../model/types.ts';

export function natRules(node: ResolvedNode): string | undefined {
  if (!node.nat.length) return undefined;
  const lines = ['*nat'];
  for (const r of node.nat) {
    if (r.type === 'masquerade') {
      lines.push(['-A', 'POSTROUTING', ...(r.from ? ['-s', r.from] : []), '-o', r.out, '-j', 'MASQUERADE'].join(' '));
    } else {
      const dst = r.toAddr.includes(':') ? `[${r.toAddr}]:${r.toPort}` : `${r.toAddr}:${r.toPort}`;
      lines.push(['-A', 'PREROUTING', ...(r.in ? ['-i', r.in] : []), '-p', r.proto, '-m', r.proto, '--dport', String(r.port), '-j', 'DNAT', '--to-destination', dst].join(' '));
    }
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}
