/** Parsers for BIRD 2 `birdc` output: `show protocols [all]` and `show route all [PREFIX]`. */

export interface BirdProtocol {
  readonly name: string;
  /** BGP, Kernel, Device, Static, … */
  readonly proto: string;
  /** up, start, down, … (the protocol's own state) */
  readonly state: string;
  readonly since: string;
  /** The Info column: for BGP the session state and, after it, the last error. */
  readonly info: string;
  readonly description?: string;
  /** `BGP state:` (with `all`), else the first word of info for a BGP protocol. */
  readonly bgpState?: string;
  readonly neighborAddress?: string;
  readonly neighborAs?: number;
  readonly localAs?: number;
  readonly lastError?: string;
  /** Routes of each channel: imported, exported, preferred. */
  readonly routes: readonly { readonly imported: number; readonly exported: number; readonly preferred: number }[];
}

const HEADER = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/;

export function parseProtocols(stdout: string): BirdProtocol[] | undefined {
  const lines = stdout.split('\n');
  const head = lines.findIndex((l) => /^Name\s+Proto\s+Table\s+State\s+Since\s+Info/.test(l));
  if (head < 0) return undefined;
  const out: (BirdProtocol & { routes: { imported: number; exported: number; preferred: number }[] })[] = [];
  for (const line of lines.slice(head + 1)) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      const m = HEADER.exec(line);
      if (!m) continue;
      const info = m[6].trim();
      out.push({ name: m[1], proto: m[2], state: m[4], since: m[5], info, bgpState: m[2] === 'BGP' ? info.split(/\s+/)[0] || undefined : undefined, routes: [] });
      continue;
    }
    const cur = out[out.length - 1];
    if (!cur) continue;
    const kv = /^\s+([A-Za-z][A-Za-z -]*?):\s+(.*)$/.exec(line);
    if (!kv) continue;
    const [, key, value] = kv;
    const v = value.trim();
    const idx = out.length - 1;
    if (key === 'Description') out[idx] = { ...cur, description: v };
    else if (key === 'BGP state') out[idx] = { ...cur, bgpState: v };
    else if (key === 'Neighbor address') out[idx] = { ...cur, neighborAddress: v };
    else if (key === 'Neighbor AS') out[idx] = { ...cur, neighborAs: Number(v) };
    else if (key === 'Local AS') out[idx] = { ...cur, localAs: Number(v) };
    else if (key === 'Last error') out[idx] = { ...cur, lastError: v };
    else if (key === 'Routes') {
      const r = /(\d+) imported, (?:\d+ filtered, )?(\d+) exported, (\d+) preferred/.exec(v);
      if (r) cur.routes.push({ imported: Number(r[1]), exported: Number(r[2]), preferred: Number(r[3]) });
    }
  }
  return out;
}

export interface BirdRoute {
  readonly prefix: string;
  readonly table: string;
  /** unicast, blackhole, unreachable, … */
  readonly dest: string;
  /** The protocol the route came from (a BGP session's name, announce4, …). */
  readonly protocol: string;
  /** `from ADDR` in the header: the BGP neighbor, shown when it differs from the gateway. */
  readonly from?: string;
  /** The best route for its prefix (`*`). */
  readonly best: boolean;
  readonly preference: number;
  /** Gateways from `via ADDR on IFACE` lines. */
  readonly via: readonly string[];
  /** `Type: BGP univ` → BGP. */
  readonly type?: string;
  readonly asPath?: readonly string[];
  readonly nextHop?: readonly string[];
  readonly localPref?: number;
  readonly med?: number;
  /** BGP.origin in lower case: igp, egp, incomplete. */
  readonly origin?: string;
  readonly communities: readonly (readonly [number, number])[];
}

/** A route line: `10.1.0.0/24   unicast [to_a 07:14:43.107 from 10.0.0.1] * (100) [AS65001i]`; the prefix is blank for a second route to it. */
const ROUTE = /^(\S+)?\s+(\w+) \[(\S+)(?: ([^\]]*?))?(?: from (\S+))?\](\s\*)? \((\d+)(?:\/[^)]*)?\)/;

export function parseRoutes(stdout: string): BirdRoute[] | undefined {
  const lines = stdout.split('\n');
  if (!lines.some((l) => /^BIRD .* ready\./.test(l) || /^Table \S+:/.test(l) || /^Network not found/.test(l))) return undefined;
  const out: (BirdRoute & { via: string[]; communities: [number, number][] })[] = [];
  let table = '';
  let prefix = '';
  for (const line of lines) {
    const t = /^Table (\S+):/.exec(line);
    if (t) {
      table = t[1];
      continue;
    }
    if (line.startsWith('\t')) {
      const cur = out[out.length - 1];
      if (!cur) continue;
      const l = line.trim();
      const via = /^via (\S+)/.exec(l);
      const kv = /^([\w.]+): ?(.*)$/.exec(l);
      const i = out.length - 1;
      if (via) cur.via.push(via[1]);
      else if (!kv) continue;
      else if (kv[1] === 'Type') out[i] = { ...cur, type: kv[2].split(/\s+/)[0] };
      else if (kv[1] === 'BGP.as_path') out[i] = { ...cur, asPath: kv[2].trim() ? kv[2].trim().split(/\s+/) : [] };
      else if (kv[1] === 'BGP.next_hop') out[i] = { ...cur, nextHop: kv[2].trim().split(/\s+/) };
      else if (kv[1] === 'BGP.local_pref') out[i] = { ...cur, localPref: Number(kv[2]) };
      else if (kv[1] === 'BGP.med') out[i] = { ...cur, med: Number(kv[2]) };
      else if (kv[1] === 'BGP.origin') out[i] = { ...cur, origin: kv[2].trim().toLowerCase() };
      else if (kv[1] === 'BGP.community') for (const c of kv[2].matchAll(/\((\d+),(\d+)\)/g)) cur.communities.push([Number(c[1]), Number(c[2])]);
      continue;
    }
    const m = ROUTE.exec(line);
    if (!m) continue;
    if (m[1]) prefix = m[1];
    if (!prefix) continue;
    out.push({ prefix, table, dest: m[2], protocol: m[3], from: m[5], best: !!m[6], preference: Number(m[7]), via: [], communities: [] });
  }
  return out;
}

/** Normalised BGP state names: established, idle, connect, active, opensent, openconfirm, down. */
export function stateOf(p: BirdProtocol): string {
  if (p.state === 'down') return 'down';
  return (p.bgpState ?? p.info.split(/\s+/)[0] ?? '').toLowerCase();
}

/** `Established`, or `Active (Socket: Connection refused)`. */
export function stateText(p: BirdProtocol): string {
  const state = p.state === 'down' ? 'down' : p.bgpState ?? (p.info.split(/\s+/)[0] || p.state);
  const why = p.lastError ?? p.info.split(/\s+/).slice(1).join(' ');
  return why && stateOf(p) !== 'established' ? `${state} (${why})` : state;
}
