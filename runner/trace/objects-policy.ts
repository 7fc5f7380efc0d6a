/**
 * Which NetworkPolicy a rule of a pod's policy chain comes from (issue 12), when the rule is seen as `nft monitor
 * trace` prints an iptables-nft rule: without its comment. The node's rules are generated again (policy.ts) and the
 * seen rule is matched by chain, addresses, protocol, port and verdict to the generated one, whose comment names
 * the policy. Pure.
 */
import { policyRules } from '../cluster/policy.ts';
import type { ClusterResult } from '../cluster/types.ts';
import type { RuleHit } from '../model/trace.ts';

interface Generated {
  readonly chain: string;
  readonly saddr?: string;
  readonly daddr?: string;
  readonly proto?: string;
  readonly dport?: string;
  readonly target: string;
  readonly comment: string;
}

const host = (a: string | undefined): string | undefined => a?.replace(/\/32$/, '');

function parseGenerated(line: string): Generated | undefined {
  const m = /^-A (\S+) (.*) -j (\S+)$/.exec(line);
  if (!m) return undefined;
  const args = m[2]!;
  const arg = (flag: string): string | undefined => new RegExp(`(?:^| )${flag} (\\S+)`).exec(args)?.[1];
  return { chain: m[1]!, saddr: host(arg('-s')), daddr: host(arg('-d')), proto: arg('-p'), dport: arg('--dport'), target: m[3]!, comment: /--comment "([^"]*)"/.exec(args)?.[1] ?? '' };
}

/** The generated rules of `node`, per lab (regenerated once). */
const cache = new WeakMap<ClusterResult, Map<string, Generated[]>>();

function generated(cluster: ClusterResult, node: string): Generated[] {
  let byNode = cache.get(cluster);
  if (!byNode) cache.set(cluster, (byNode = new Map()));
  let rules = byNode.get(node);
  if (!rules) {
    const text = cluster.policies.length ? policyRules({ node, pods: cluster.pods, namespaces: cluster.namespaces, policies: cluster.policies }) : '';
    rules = text.split('\n').map(parseGenerated).filter((g): g is Generated => g !== undefined);
    byNode.set(node, rules);
  }
  return rules;
}

/** The verdict a generated rule's target gives, as the tracer names it. */
function verdictOf(target: string): string {
  return target === 'ACCEPT' ? 'accept' : target === 'DROP' ? 'drop' : target === 'RETURN' ? 'return' : `jump ${target}`;
}

/** "ns/name" of the policy behind a rule of a pod chain seen in `node`, if the generated rules tell. */
export function policyOfRule(cluster: ClusterResult, node: string, hit: RuleHit): { namespace: string; name: string } | undefined {
  const text = hit.rule ?? '';
  const saddr = host(/\bip saddr (\S+)/.exec(text)?.[1]);
  const daddr = host(/\bip daddr (\S+)/.exec(text)?.[1]);
  const l4 = /\b(tcp|udp) dport (\S+)/.exec(text);
  const proto = l4?.[1] ?? /\bl4proto (tcp|udp)\b/.exec(text)?.[1];
  const dport = l4?.[2]?.replace('-', ':');
  const g = generated(cluster, node).find((r) => r.chain === hit.chain && r.saddr === saddr && r.daddr === daddr && r.proto === proto && r.dport === dport && verdictOf(r.target) === hit.verdict.replace(/^goto /, 'jump '));
  const m = g ? /^policy ([^/\s]+)\/(\S+) (?:ingress|egress)\[/.exec(g.comment) : null;
  return m ? { namespace: m[1]!, name: m[2]! } : undefined;
}
