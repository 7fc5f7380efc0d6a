/** Passes over interfaces: those declared on nodes, and (once links are known) which are veths and which virtual. */
import { didYouMean, error } from '../config/diagnostics.ts';
import type { ResolveDraft } from './draft.ts';
import { entriesOf, type RawInterface } from './raw.ts';

const TUNNEL_KEYS = ['vni', 'remote', 'remotes', 'learning', 'neighbors', 'local', 'dev', 'mode'] as const;

/** Interfaces declared under nodes.<n>.interfaces. */
export function declaredInterfaces(d: ResolveDraft): void {
  for (const [n, node] of d.rawNodes) {
    for (const [ifn, iraw] of entriesOf<RawInterface>(node.interfaces)) {
      d.ifaces.set(`${n}:${ifn}`, { node: n, name: ifn, raw: iraw, declared: true, pos: d.at(['nodes', n, 'interfaces', ifn], true) });
    }
  }
}

/** Interfaces no link makes (vxlan, macvlan, tun, kernel tunnels) are declared with a type; tunnel keys need one; a declared veth needs a link. */
export function interfaceTypes(d: ResolveDraft): void {
  for (const i of d.ifaces.values()) {
    const type = typeof i.raw.type === 'string' ? i.raw.type : 'veth';
    if (type === 'veth') continue;
    if (i.usedAt) {
      d.diags.push(error('virtual.linked', `interface ${i.node}:${i.name} is a ${type} interface, and links make only veth interfaces`, i.usedAt, `remove it from the link, or remove type: ${type}`));
      continue;
    }
    i.usedAt = i.pos;
    d.virtuals.push({ node: i.node, name: i.name, type, raw: i.raw, pos: i.pos });
  }
  for (const i of d.ifaces.values()) {
    if (i.raw.type !== undefined && i.raw.type !== 'veth') continue;
    for (const k of TUNNEL_KEYS) {
      if (i.raw[k] !== undefined) d.diags.push(error('virtual.key', `${k} belongs to tunnel and virtual interfaces, and ${i.node}:${i.name} has no type`, d.at(['nodes', i.node, 'interfaces', i.name, k], true), 'add type: vxlan (or macvlan, tun, …), or remove the key'));
    }
  }
  // interfaces declared but never linked (unless the link that names them had an error, or `links:` is misspelt)
  const raw = d.raw as Readonly<Record<string, unknown>>;
  const linksMisspelt = d.raw.links === undefined && Object.keys(raw).some((k) => k !== 'links' && didYouMean(k, ['links']) === 'links');
  for (const i of d.ifaces.values()) {
    if (i.declared && !i.usedAt && i.name !== 'lo' && !d.brokenLinks.has(`${i.node}:${i.name}`) && !d.brokenLinks.has(`${i.node}:*`) && !linksMisspelt) {
      d.diags.push(error('interface.unlinked', `interface ${i.node}:${i.name} is declared but no link uses it`, i.pos, `add a link such as [${i.node}:${i.name}, <node>:<if>] or [${i.node}:${i.name}, <bridge>]`));
    }
  }
}
