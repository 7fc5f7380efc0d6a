/**
 * The machine's own apt sources, read so that image builds fetch Debian packages from the mirror this machine
 * already uses (never a hard-coded host). Pure parsers plus one reader; both formats apt knows are handled:
 * one-line `.list` files and deb822 `.sources` files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AptSource {
  /** `deb` or `deb-src`. */
  readonly type: string;
  readonly uri: string;
  readonly suites: readonly string[];
  readonly components: readonly string[];
  /** `[key=value …]` of a one-line entry, or the other fields of a deb822 stanza, keys lower-cased. */
  readonly options: Readonly<Record<string, string>>;
  /** file:line of the entry, for messages. */
  readonly origin: string;
}

/** One-line format: `deb [signed-by=/k.gpg arch=amd64] http://deb.debian.org/debian bookworm main contrib`. */
export function parseOneLineSources(text: string, file = 'sources.list'): AptSource[] {
  const out: AptSource[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const m = /^(deb|deb-src)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(line);
    if (!m) return;
    const options: Record<string, string> = {};
    for (const opt of (m[2] ?? '').trim().split(/\s+/).filter(Boolean)) {
      const [k, v = ''] = opt.split(/=(.*)/s, 2);
      options[k.toLowerCase()] = v;
    }
    out.push({ type: m[1], uri: m[3], suites: [m[4]], components: (m[5] ?? '').split(/\s+/).filter(Boolean), options, origin: `${file}:${i + 1}` });
  });
  return out;
}

/**
 * deb822 format: stanzas separated by blank lines; `Field: value`, continuation lines start with white space
 * (Signed-By may hold a whole key block), `#` lines are comments, `Enabled: no` turns a stanza off.
 */
export function parseDeb822Sources(text: string, file = 'x.sources'): AptSource[] {
  const out: AptSource[] = [];
  let fields = new Map<string, string>();
  let start = 0;
  let last: string | undefined;
  const flush = (): void => {
    if (fields.size) out.push(...fromStanza(fields, `${file}:${start}`));
    fields = new Map();
    last = undefined;
  };
  text.split('\n').forEach((raw, i) => {
    if (raw.startsWith('#')) return;
    if (!raw.trim()) return flush();
    if (/^[ \t]/.test(raw)) {
      if (last) fields.set(last, `${fields.get(last)}\n${raw.trim()}`);
      return;
    }
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(raw);
    if (!m) return;
    if (!fields.size) start = i + 1;
    last = m[1].toLowerCase();
    fields.set(last, m[2].trim());
  });
  flush();
  return out;
}

function fromStanza(fields: ReadonlyMap<string, string>, origin: string): AptSource[] {
  if (/^(no|false|0)$/i.test(fields.get('enabled') ?? 'yes')) return [];
  const words = (k: string): string[] => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
  const options: Record<string, string> = {};
  for (const [k, v] of fields) if (!['types', 'uris', 'suites', 'components', 'enabled'].includes(k)) options[k] = v;
  return words('types').flatMap((type) => words('uris').map((uri) => ({ type, uri, suites: words('suites'), components: words('components'), options, origin })));
}

/** Every source of this machine, in apt's order: sources.list, then sources.list.d/*.list and *.sources by name. */
export function readAptSources(etcApt = '/etc/apt'): AptSource[] {
  const read = (f: string): string | undefined => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return undefined;
    }
  };
  const out: AptSource[] = [];
  const main = join(etcApt, 'sources.list');
  const mainText = read(main);
  if (mainText !== undefined) out.push(...parseOneLineSources(mainText, main));
  let names: string[] = [];
  try {
    names = readdirSync(join(etcApt, 'sources.list.d')).sort();
  } catch {
    /* no sources.list.d */
  }
  for (const n of names) {
    const f = join(etcApt, 'sources.list.d', n);
    const text = n.endsWith('.list') || n.endsWith('.sources') ? read(f) : undefined;
    if (text === undefined) continue;
    out.push(...(n.endsWith('.list') ? parseOneLineSources(text, f) : parseDeb822Sources(text, f)));
  }
  return out;
}

export interface Mirror {
  readonly uri: string;
  /** A keyring file the entry names with signed-by, when it is a binary .gpg file debootstrap can use. */
  readonly keyring?: string;
  readonly origin: string;
}

/**
 * The Debian mirror to debootstrap `suite` from: the first `deb` entry with component `main` for that very
 * suite (not -updates or -security); failing that, the first `deb … main` entry whose URI is a Debian archive
 * (path ending in /debian), e.g. a machine on another Debian release. Undefined: use debootstrap's default.
 */
export function debianMirror(sources: readonly AptSource[], suite: string): Mirror | undefined {
  const usable = sources.filter((s) => s.type === 'deb' && s.components.includes('main') && !/^cdrom:/.test(s.uri));
  const pick = usable.find((s) => s.suites.includes(suite)) ?? usable.find((s) => /\/debian\/?$/.test(s.uri) && s.suites.some((x) => !x.includes('-')));
  if (!pick) return undefined;
  const signedBy = pick.options['signed-by'];
  const keyring = signedBy && !signedBy.includes('\n') && signedBy.startsWith('/') && signedBy.endsWith('.gpg') ? signedBy : undefined;
  return { uri: pick.uri.replace(/\/+$/, ''), keyring, origin: pick.origin };
}
