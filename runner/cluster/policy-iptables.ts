/**
 * The iptables side of the NetworkPolicy rules (policy.ts): a filter-table writer (chains, commented rules, the
 * sub-chains of ipBlocks with exceptions), L4 matches, and an ipBlock as prefixes.
 */
import { createHash } from 'node:crypto';
import { formatPrefix, network, parsePrefix, type Prefix } from '../model/ip.ts';
import type { PolicyPeer } from './types.ts';

/** An ipBlock as prefixes: the cidr and its except entries. */
export interface Block {
  readonly net: Prefix;
  readonly except: Prefix[];
}

export function block(b: NonNullable<PolicyPeer['ipBlock']>): Block {
  const prefix = (s: string, what: string): Prefix => {
    const p = parsePrefix(s);
    if (!p) throw new Error(`ipBlock: ${what} ${JSON.stringify(s)} is not a CIDR`);
    return network(p);
  };
  return { net: prefix(b.cidr, 'cidr'), except: (b.except ?? []).map((e) => prefix(e, 'except')) };
}

/** A short upper-case hash for chain names. */
export function chainHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12).toUpperCase();
}

/** A `-m comment` (iptables takes up to 255 characters; double quotes would end the argument). */
export function comment(text: string): string {
  const t = text.replaceAll('"', "'").replaceAll('\\', '/');
  return `-m comment --comment "${t.length > 255 ? `${t.slice(0, 252)}...` : t}"`;
}

/** An L4 match: empty = all traffic; else protocol, and a port or range when given. */
export interface L4 {
  readonly proto?: 'tcp' | 'udp';
  readonly dport?: string;
  readonly what: string;
}

export function l4Args(l: L4): string[] {
  if (!l.proto) return [];
  return l.dport === undefined ? ['-p', l.proto] : ['-p', l.proto, '-m', l.proto, '--dport', l.dport];
}

export const ALL: L4 = { what: 'all ports' };

/** iptables-restore input for the filter table, built up chain by chain. */
export class Rules {
  readonly chains: string[] = [];
  readonly lines: string[] = [];
  private readonly blocks = new Map<string, string[]>();

  chain(name: string): void {
    if (!this.chains.includes(name)) this.chains.push(name);
  }

  add(chain: string, args: readonly string[], why: string, target: string): void {
    this.lines.push(['-A', chain, ...args, comment(why), '-j', target].join(' '));
  }

  note(text: string): void {
    this.lines.push(`# ${text}`);
  }

  /**
   * The sub-chain for an ipBlock with except entries: the exceptions RETURN (the rest of the pod's chain is
   * still tried), everything else takes `target`. Named by its contents, so equal blocks share one chain.
   */
  blockChain(dir: 'IN' | 'OUT', b: Block, target: string): string {
    const flag = dir === 'IN' ? '-s' : '-d';
    const key = `${dir} ${formatPrefix(b.net)} ${b.except.map(formatPrefix).join(',')} ${target}`;
    const name = `NSL-POL-IPB-${chainHash(key)}`;
    if (!this.blocks.has(name)) {
      const cidr = formatPrefix(b.net);
      this.blocks.set(name, [
        ...b.except.map((e) => ['-A', name, flag, formatPrefix(e), comment(`ipBlock ${cidr} except ${formatPrefix(e)}: not this rule (RETURN before ACCEPT)`), '-j', 'RETURN'].join(' ')),
        ['-A', name, comment(`ipBlock ${cidr} minus its exceptions: allowed`), '-j', target].join(' '),
      ]);
    }
    return name;
  }

  text(header: readonly string[]): string {
    const chains = [...this.chains, ...this.blocks.keys()];
    return [
      ...header.map((h) => (h === '' ? '#' : `# ${h}`)),
      '*filter',
      ...chains.map((c) => `:${c} - [0:0]`),
      ...this.lines,
      ...[...this.blocks.values()].flat(),
      'COMMIT',
      '',
    ].join('\n');
  }
}
