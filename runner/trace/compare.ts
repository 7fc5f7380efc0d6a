/**
 * Where the kernel's walk and the model's prediction part (issue 12). Pure. Compared, per direction (the
 * conventions in the issue's plan, point 9): the hop sequence (type, at, in, out) up to the first hop where they
 * part; on the hops both share, the NAT translations' after-addresses (ports only for DNAT: a masquerade's port is the
 * kernel's random choice) and the encapsulation (type, VNI); and the verdict (kind, at, by, and for drops the lab
 * object's name when both name one). Rules other than the dropping one are not compared.
 */
import type { Hop, NatStep, TunnelStep, Verdict, Walk, WalkDifference, WalkDirection } from '../model/trace.ts';

type Dir = WalkDifference['direction'];

export function hopText(h: Hop | undefined): string {
  if (!h) return '(no hop)';
  const ports = (iface: string | undefined, port: string | undefined): string => `${iface}${port ? ` port ${port}` : ''}`;
  const io = [h.in ? `in ${ports(h.in, h.inPort)}` : '', h.out ? `out ${ports(h.out, h.outPort)}` : ''].filter(Boolean).join(', ');
  return `${h.type} ${h.at}${io ? ` (${io})` : ''}`;
}

function sameHop(a: Hop, b: Hop): boolean {
  return a.type === b.type && a.at === b.at && (a.in ?? '') === (b.in ?? '') && (a.out ?? '') === (b.out ?? '');
}

/** A NAT step as compared: its type and after-address (with the port for DNAT). */
function natKey(n: NatStep): string {
  if (n.type === 'snat') return `snat ${n.after.replace(/^\[(.*)\](:\d+)?$/, '$1').replace(/^([^:\]]+):\d+$/, '$1')}`;
  return `dnat ${n.after}`;
}

function natText(ns: readonly NatStep[]): string {
  return ns.length ? ns.map((n) => `${n.type} ${n.before} → ${n.after}`).join(', ') : 'no NAT';
}

function tunnelKey(t: TunnelStep | undefined): string {
  return t ? `${t.type}${t.vni !== undefined ? ` vni ${t.vni}` : ''}` : 'none';
}

function hopDetails(dir: Dir, i: number, k: Hop, m: Hop): WalkDifference[] {
  const out: WalkDifference[] = [];
  const kn = k.nat.map(natKey).sort().join('; ');
  const mn = m.nat.map(natKey).sort().join('; ');
  if (kn !== mn) out.push({ direction: dir, hop: i, what: `NAT in ${hopText(k)}`, kernel: natText(k.nat), model: natText(m.nat) });
  for (const [what, kt, mt] of [['encapsulation', k.encap, m.encap], ['decapsulation', k.decap, m.decap]] as const) {
    if (tunnelKey(kt) !== tunnelKey(mt)) out.push({ direction: dir, hop: i, what: `${what} in ${hopText(k)}`, kernel: tunnelKey(kt), model: tunnelKey(mt) });
  }
  return out;
}

export function verdictText(v: Verdict): string {
  if (v.kind === 'delivered') return `delivered at ${v.at} (${v.address}${v.port !== undefined ? ` port ${v.port}` : ''})`;
  if (v.kind === 'returned') return `returned to ${v.at}`;
  return `dropped at ${v.at} by ${v.by}${v.object ? ` (${v.object.name})` : ''}`;
}

function sameVerdict(k: Verdict, m: Verdict): boolean {
  if (k.kind !== m.kind || k.at !== m.at) return false;
  if (k.kind !== 'dropped' || m.kind !== 'dropped') return true;
  if (k.by !== m.by) return false;
  return !k.object || !m.object || k.object.name === m.object.name;
}

function compareDirection(dir: Dir, k: WalkDirection, m: WalkDirection): WalkDifference[] {
  const out: WalkDifference[] = [];
  const n = Math.max(k.hops.length, m.hops.length);
  for (let i = 0; i < n; i++) {
    const kh = k.hops[i];
    const mh = m.hops[i];
    if (!kh || !mh || !sameHop(kh, mh)) {
      out.push({ direction: dir, hop: i, what: `hop ${i + 1}`, kernel: hopText(kh), model: hopText(mh) });
      break;
    }
    out.push(...hopDetails(dir, i, kh, mh));
  }
  if (!sameVerdict(k.verdict, m.verdict)) out.push({ direction: dir, hop: -1, what: 'verdict', kernel: verdictText(k.verdict), model: verdictText(m.verdict) });
  return out;
}

export function compareWalks(kernel: Walk, model: Walk): WalkDifference[] {
  const out = compareDirection('forward', kernel.forward, model.forward);
  if (kernel.reply && model.reply) out.push(...compareDirection('reply', kernel.reply, model.reply));
  else if (kernel.reply || model.reply) {
    const say = (w: Walk): string => (w.reply ? `a reply (${verdictText(w.reply.verdict)})` : 'no reply');
    out.push({ direction: 'reply', hop: -1, what: 'reply', kernel: say(kernel), model: say(model) });
  }
  return out;
}
