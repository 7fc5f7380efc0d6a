/** IPv4/IPv6 addresses and prefixes as bigints: parse, print, contain, overlap, allocate. */

export type Family = 4 | 6;

export interface Prefix {
  readonly family: Family;
  /** The address as written (host bits kept), as a number. */
  readonly addr: bigint;
  readonly len: number;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export function parseAddress(s: string): { family: Family; addr: bigint } | undefined {
  if (s.includes(':')) {
    const v = parseV6(s);
    return v === undefined ? undefined : { family: 6, addr: v };
  }
  const v = parseV4(s);
  return v === undefined ? undefined : { family: 4, addr: v };
}

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p.startsWith('0'))) return undefined;
    v = (v << 8n) | BigInt(Number(p));
  }
  return v;
}

function parseV6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const dbl = s.split('::');
  if (dbl.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const g = items[i];
      if (i === items.length - 1 && g.includes('.')) {
        const v4 = parseV4(g);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const head = groups(dbl[0]);
  const tail = dbl.length === 2 ? groups(dbl[1]) : [];
  if (!head || !tail) return undefined;
  let all: number[];
  if (dbl.length === 2) {
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return undefined;
    all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  } else {
    all = head;
  }
  if (all.length !== 8) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

export function parsePrefix(s: string): Prefix | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const a = parseAddress(m[1]);
  if (!a) return undefined;
  const len = Number(m[2]);
  if (len > BITS[a.family]) return undefined;
  return { family: a.family, addr: a.addr, len };
}

export function formatAddress(family: Family, v: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  // longest run of zeros (length >= 2) becomes ::
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function mask(p: { family: Family; len: number }): bigint {
  const bits = BITS[p.family];
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - p.len)) - 1n);
}

export function network(p: Prefix): Prefix {
  return { family: p.family, addr: p.addr & mask(p), len: p.len };
}

export function formatPrefix(p: Prefix): string {
  return `${formatAddress(p.family, p.addr)}/${p.len}`;
}

export function contains(net: Prefix, family: Family, addr: bigint): boolean {
  return net.family === family && (addr & mask(net)) === (net.addr & mask(net));
}

export function overlaps(a: Prefix, b: Prefix): boolean {
  if (a.family !== b.family) return false;
  const len = Math.min(a.len, b.len);
  const m = mask({ family: a.family, len });
  return (a.addr & m) === (b.addr & m);
}

export function size(p: { family: Family; len: number }): bigint {
  return 1n << BigInt(BITS[p.family] - p.len);
}

export function bits(f: Family): number {
  return BITS[f];
}

/** The usable host addresses of a subnet, in order (IPv4 skips network and broadcast unless /31 or /32). */
export function* hosts(net: Prefix): Generator<bigint> {
  const base = network(net).addr;
  const n = size(net);
  if (net.family === 4 && net.len <= 30) {
    for (let i = 1n; i < n - 1n; i++) yield base + i;
  } else {
    const start = net.family === 6 && net.len < 127 ? 1n : 0n;
    for (let i = start; i < n; i++) yield base + i;
  }
}
