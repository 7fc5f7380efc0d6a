/**
 * A packet walk as a Mermaid sequence diagram, for the handout's traces (issue 12): one participant per node or
 * bridge in the order the packet meets them, an arrow per crossing (solid forward, dashed for the reply), notes for
 * NAT, tunnels and the end. A minimal twin of runner/trace/render-mermaid.ts (helper "cli"): once both are merged the
 * handout should use that one. Pure.
 */
import type { Hop, TunnelStep, Verdict, Walk, WalkDirection } from '../model/trace.ts';

/** A Mermaid participant id: letters, digits and `_` only. */
function idOf(at: string): string {
  return `p_${at.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/** Text Mermaid shows as is: no `;` or `#` (they end a statement, start an entity), no line breaks. */
function text(s: string): string {
  return s.replace(/[;#]/g, ',').replace(/\s*\n\s*/g, ' ').trim();
}

/** What a packet is, in a few words: `tcp 10.0.1.2:40000 → 10.0.2.2:80`. */
export function packetText(walk: Walk, hop: Hop, outer?: TunnelStep): string {
  const p = hop.packet;
  const vxlan = outer?.type === 'vxlan';
  const proto = p?.what ?? (vxlan ? 'udp' : walk.flow.proto);
  const tunnel = vxlan ? ` (VXLAN${outer.vni !== undefined ? ` VNI ${outer.vni}` : ''})` : '';
  if (!p) return `${proto}${tunnel}`;
  const ends = (a: string, port?: number): string => (port === undefined ? a : a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`);
  return `${proto} ${ends(p.src, p.sport)} → ${ends(p.dst, p.dport)}${tunnel}`;
}

/** One line per thing done in a hop worth a note, in the order they happen: decapsulation, NAT, encapsulation. */
export function hopDoings(hop: Hop): string[] {
  const tunnel = (verb: string, t: NonNullable<Hop['encap']>): string =>
    `${verb} ${t.type}${t.vni !== undefined ? ` VNI ${t.vni}` : ''} on ${t.dev}${t.local && t.remote ? `, outer ${t.local} → ${t.remote}` : ''}${t.port !== undefined ? ` udp/${t.port}` : ''}`;
  return [
    ...(hop.decap ? [tunnel('decap', hop.decap)] : []),
    ...hop.nat.map((n) => `${n.type.toUpperCase()} ${n.before} → ${n.after}${n.object ? ` (${n.object.name})` : ''}`),
    ...(hop.encap ? [tunnel('encap', hop.encap)] : []),
  ];
}

/** How a direction ended, in a few words. */
export function verdictText(v: Verdict): string {
  if (v.kind === 'delivered') return `delivered to ${v.address}${v.port !== undefined ? `:${v.port}` : ''}${v.process ? ` (${v.process})` : ''}`;
  if (v.kind === 'returned') return `reply back at ${v.at}`;
  return `dropped: ${v.reason}`;
}

/** A sequence diagram as data: what walkToMermaid writes and trace-svg.ts draws. */
export interface Sequence {
  readonly participants: readonly { readonly at: string; readonly label: string }[];
  readonly events: readonly SequenceEvent[];
}

export type SequenceEvent =
  /** label: the packet as it arrives; via: the interfaces (or bridge ports) it leaves and enters by. */
  | { readonly kind: 'arrow'; readonly from: string; readonly to: string; readonly label: string; readonly via: string; readonly reply: boolean }
  | { readonly kind: 'note'; readonly at: string; readonly text: string; readonly bad?: boolean };

function directionEvents(walk: Walk, dir: WalkDirection, reply: boolean): SequenceEvent[] {
  const out: SequenceEvent[] = [];
  let outer: TunnelStep | undefined; // between the hop that wraps the packet and the one that unwraps it
  dir.hops.forEach((hop, i) => {
    const next = dir.hops[i + 1];
    for (const d of hopDoings(hop)) out.push({ kind: 'note', at: hop.at, text: d });
    if (hop.decap) outer = undefined;
    if (hop.encap) outer = hop.encap;
    if (next) {
      const ports = [hop.outPort ?? hop.out, next.inPort ?? next.in].map((x) => x ?? '?').join(' → ');
      // what crosses the wire: the packet as `next` gets it, but the outer one where `next` unwraps a tunnel
      const seen = next.decap && hop.packet ? hop : next;
      out.push({ kind: 'arrow', from: hop.at, to: next.at, label: packetText(walk, seen, outer), via: ports, reply });
    }
  });
  const at = dir.hops.at(-1)?.at ?? dir.verdict.at;
  const bad = dir.verdict.kind === 'dropped';
  out.push({ kind: 'note', at, text: `${bad ? '✘' : '✔'} ${verdictText(dir.verdict)}`, bad });
  return out;
}

/** The walk as participants (nodes and bridges in the order the packet meets them) and events. */
export function walkSequence(walk: Walk): Sequence {
  const seen = new Map<string, Hop['type']>();
  for (const h of [...walk.forward.hops, ...(walk.reply?.hops ?? [])]) if (!seen.has(h.at)) seen.set(h.at, h.type);
  const events = [...directionEvents(walk, walk.forward, false), ...(walk.reply ? directionEvents(walk, walk.reply, true) : [])];
  for (const e of events) for (const at of e.kind === 'note' ? [e.at] : [e.from, e.to]) if (!seen.has(at)) seen.set(at, 'node');
  return { participants: [...seen].map(([at, type]) => ({ at, label: type === 'bridge' ? `${at} (bridge)` : at })), events };
}

export function walkToMermaid(walk: Walk): string {
  const seq = walkSequence(walk);
  const lines = ['sequenceDiagram'];
  for (const p of seq.participants) lines.push(`  participant ${idOf(p.at)} as ${text(p.label)}`);
  for (const e of seq.events) {
    if (e.kind === 'note') lines.push(`  Note over ${idOf(e.at)}: ${text(e.text)}`);
    else lines.push(`  ${idOf(e.from)}${e.reply ? '-->>' : '->>'}${idOf(e.to)}: ${text(`${e.label} (${e.via})`)}`);
  }
  // a walk that ended at a sidecar's proxy: the proxy's own connection is in the table (rows c2.*), named here
  const p = walk.proxied;
  if (p && seq.participants.some((x) => x.at === p.at)) lines.push(`  Note over ${idOf(p.at)}: ${text(`then the proxy (uid ${p.uid}) opens a new connection to ${p.original}: rows c2 of the table`)}`);
  return `${lines.join('\n')}\n`;
}
