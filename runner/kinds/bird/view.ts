/** How graphs and handouts show a BGP router: its AS, its sessions, what it announces. */
import type { ResolvedNode } from '../../model/types.ts';
import type { KindView } from '../types.ts';
import type { BirdSpec } from './types.ts';

const specOf = (n: ResolvedNode): BirdSpec | undefined => n.kindData as BirdSpec | undefined;

export const birdView: KindView = {
  box: 'bird',
  label(n) {
    const b = specOf(n);
    return `bird${b?.runtime === 'netns' ? ' (netns)' : ''}${b ? ` AS ${b.asn}` : ''}`;
  },
  lines(n) {
    const b = specOf(n);
    return b?.announce?.length ? [`announce ${b.announce.map((a) => a.prefix).join(', ')}`] : [];
  },
  peerings(n) {
    const spec = n.kindData as Partial<BirdSpec> | undefined;
    return Array.isArray(spec?.neighbors) ? spec.neighbors : [];
  },
  badge(n) {
    const b = specOf(n);
    return b ? `bird (AS ${b.asn})` : n.kind;
  },
  rows(n) {
    const bird = specOf(n);
    if (!bird) return [];
    const rows: [string, string][] = [['BGP', `AS ${bird.asn}, router ID ${bird.routerId}${bird.clusterId ? `, cluster ID ${bird.clusterId}` : ''}`]];
    if (bird.neighbors.length) rows.push(['BGP neighbors', bird.neighbors.map((x) => `${x.peer} ${x.address} (AS ${x.asn}, ${x.ibgp ? 'iBGP' : 'eBGP'}${x.rrClient ? ', route-reflector client' : ''})`).join('; ')]);
    if (bird.announce.length) rows.push(['announces', bird.announce.map((a) => (a as { prefix?: string }).prefix ?? String(a)).join(', ')]);
    return rows;
  },
  processes: (n) => (specOf(n) ? ['BIRD 2 (bird -f)'] : []),
};
