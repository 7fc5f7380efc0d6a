/** The links pass: each link's two ends bound to node interfaces or bridges. */
import { didYouMean, error, type Diagnostic } from '../config/diagnostics.ts';
import type { PathSeg } from '../config/load.ts';
import type { EndDraft, IfaceDraft, ResolveDraft } from './draft.ts';
import { mappingOf, type RawLinkObject } from './raw.ts';

export function links(d: ResolveDraft): void {
  (Array.isArray(d.raw.links) ? d.raw.links : []).forEach((l: unknown, i: number) => link(d, l, i));
}

function link(d: ResolveDraft, l: unknown, i: number): void {
  const obj = mappingOf<RawLinkObject>(l);
  const eps = Array.isArray(l) ? l : obj && Array.isArray(obj.endpoints) ? obj.endpoints : undefined;
  const epPath = (j: number): PathSeg[] => (Array.isArray(l) ? ['links', i, j] : ['links', i, 'endpoints', j]);
  if (!eps || eps.length !== 2 || eps.some((e) => typeof e !== 'string')) {
    for (const e of eps ?? []) if (typeof e === 'string' && e.includes(':')) d.brokenLinks.add(e);
    return; // the schema said what is wrong
  }
  const ends: EndDraft[] = [];
  let ok = true;
  (eps as string[]).forEach((ep, j) => {
    const r = end(d, ep, epPath(j));
    if ('error' in r) {
      ok = false;
      d.diags.push(r.error);
    } else ends.push(r);
  });
  if (!ok) for (const e of eps as string[]) if (e.includes(':')) d.brokenLinks.add(e);
  if (!ok || ends.length !== 2) return;
  if (ends[0].bridge && ends[0].bridge === ends[1].bridge) {
    d.diags.push(error('link.self', `link joins bridge ${ends[0].bridge} to itself`, d.at(['links', i]), 'a link needs two different ends'));
    return;
  }
  const mtu = typeof obj?.mtu === 'number' ? obj.mtu : undefined;
  const port = typeof obj?.port === 'string' ? obj.port : undefined;
  d.links.push({ a: ends[0], b: ends[1], mtu, port, hairpin: obj?.hairpin === true, pos: d.at(['links', i]), i });
}

/** One end: a bridge name or node:interface (the interface is made, or marked used, here). */
function end(d: ResolveDraft, ep: string, path: PathSeg[]): EndDraft | { error: Diagnostic } {
  const c = ep.indexOf(':');
  if (c < 0) return bridgeEnd(d, ep, path);
  const node = ep.slice(0, c);
  const ifname = ep.slice(c + 1);
  if (!d.nodeSet.has(node)) {
    const meant = didYouMean(node, d.nodeNames);
    if (meant) d.brokenLinks.add(`${meant}:${ifname}`);
    return { error: d.unknownNode(node, path) };
  }
  if (ifname === 'lo') return { error: error('link.loopback', `${ep}: the loopback interface cannot be linked`, d.at(path), 'use another interface name, e.g. eth0') };
  const key = `${node}:${ifname}`;
  const existing = d.ifaces.get(key);
  if (existing?.usedAt) return { error: error('link.interface-reused', `interface ${key} is used by two links`, d.at(path), `it is already linked at line ${existing.usedAt.line}; give this link another interface name`) };
  if (d.bridgeByName.get(ifname)?.node === node) return { error: error('bridge.name-clash', `${key}: node ${node} has a bridge named ${ifname}`, d.at(path), 'rename the interface') };
  const i: IfaceDraft = existing ?? { node, name: ifname, raw: {}, declared: false, pos: d.at(path) };
  i.usedAt = d.at(path);
  d.ifaces.set(key, i);
  return { node, ifname };
}

function bridgeEnd(d: ResolveDraft, ep: string, path: PathSeg[]): EndDraft | { error: Diagnostic } {
  if (d.bridgeByName.has(ep)) return { bridge: ep };
  const guess = didYouMean(ep, d.bridgeNames);
  const isNode = d.nodeSet.has(ep);
  if (isNode) d.brokenLinks.add(`${ep}:*`);
  return {
    error: error(
      isNode ? 'ref.node-not-bridge' : 'ref.unknown-bridge',
      isNode ? `${ep} is a node, not a bridge: a link end is node:interface or a bridge name` : `unknown bridge ${JSON.stringify(ep)} in link`,
      d.at(path),
      isNode ? `${ep} is a node: name its interface, e.g. ${ep}:eth0` : guess ? `did you mean ${JSON.stringify(guess)}?` : d.bridgeNames.length ? `bridges: ${d.bridgeNames.join(', ')}` : 'declare it under `bridges:`, or write node:interface for a node end',
    ),
  };
}
