/**
 * A packet walk (issue 12) in the few words a test report has room for: the hops on one line, and where it ended in
 * one sentence. The `path` assertion's `seen`, and the explanation the runner attaches to a failed reachability test.
 */
import type { FlowRequest, Hop, LabObjectRef, TraceReport, Verdict, Walk, WalkDirection } from '../runner/model/trace.ts';

/** `client → web:80/tcp`. */
export function flowText(f: FlowRequest): string {
  const port = f.port !== undefined ? `:${f.port}` : '';
  return `${f.from} → ${f.to}${port}${f.proto ? `/${f.proto}` : ''}`;
}

function hopNotes(h: Hop): string[] {
  const notes = h.nat.map((n) => `${n.type} ${n.before} → ${n.after}`);
  if (h.encap) notes.push(`${h.encap.type}${h.encap.vni !== undefined ? ` vni ${h.encap.vni}` : ''} out ${h.encap.dev}`);
  if (h.decap) notes.push(`de${h.decap.type === 'vxlan' ? 'cap vxlan' : 'cap tun'} in ${h.decap.dev}`);
  return notes;
}

function hopText(h: Hop): string {
  const notes = hopNotes(h);
  return notes.length ? `${h.at} (${notes.join(', ')})` : h.at;
}

function endText(v: Verdict): string {
  switch (v.kind) {
    case 'delivered':
      return `delivered to ${v.address}${v.port !== undefined ? `:${v.port}` : ''}${v.process ? ` (${v.process})` : ''}`;
    case 'returned':
      return 'returned';
    default:
      return `dropped (${v.by})`;
  }
}

function directionText(d: WalkDirection): string {
  const hops = d.hops.map(hopText).join(' → ');
  return `${hops || '(no hop)'}: ${endText(d.verdict)}`;
}

/** `client → r1 → r2 (dnat 10.0.0.1:80 → 10.0.1.5:80) → web: delivered to 10.0.1.5:80; reply: web → r2 → r1 → client: returned`. */
export function compactWalk(w: Walk): string {
  const fwd = directionText(w.forward);
  if (w.reply) return `${fwd}; reply: ${directionText(w.reply)}`;
  return w.forward.verdict.kind === 'delivered' ? `${fwd}; no reply` : fwd;
}

/** `(labs/x/lab.yaml:40:7)` of a lab object, or ''. */
function posText(o: LabObjectRef | undefined): string {
  return o?.pos ? ` (${o.pos.file}:${o.pos.line}:${o.pos.col})` : '';
}

/** The end of one direction in one sentence, with the lab object behind a drop and where it is written. */
export function verdictSentence(v: Verdict): string {
  if (v.kind === 'returned') return `the reply came back to ${v.at}`;
  if (v.kind === 'delivered') return `delivered in ${v.at} to ${v.address}${v.port !== undefined ? `:${v.port}` : ''}${v.process ? ` (${v.process})` : ''}`;
  const object = v.object ?? v.rule?.object;
  const rule = v.rule ? `${v.rule.table} ${v.rule.chain}${v.rule.rule ? `: ${v.rule.rule}` : ''}` : '';
  const where = `dropped in ${v.at}`;
  let text = !v.reason ? `${where}${rule ? `, ${rule}` : ''}${object ? `: ${object.name}` : ''}` : /^dropped\b/i.test(v.reason) ? v.reason : `${where}: ${v.reason}`;
  if (object && !text.includes(object.name)) text += `: ${object.name}`;
  const pos = posText(object);
  return pos && !text.includes(pos.slice(2, -1)) ? `${text}${pos}` : text;
}

/** Where the walk ended: the forward verdict, and the reply's when it did not come back. */
export function walkSentence(w: Walk): string {
  const fwd = verdictSentence(w.forward.verdict);
  if (w.forward.verdict.kind !== 'delivered') return fwd;
  if (!w.reply) return `${fwd}; no reply came back`;
  if (w.reply.verdict.kind === 'returned') return `${fwd}, and answered`;
  return `${fwd}, but the reply was lost: ${verdictSentence(w.reply.verdict)}`;
}

/** The differences between the kernel's walk and the model's prediction, one line each. */
export function differenceLines(r: Pick<TraceReport, 'differences'>): string[] {
  return r.differences.map((d) => `${d.direction}${d.hop >= 0 ? ` hop ${d.hop + 1}` : ' verdict'}: ${d.what}: kernel ${d.kernel}, model ${d.model}`);
}
