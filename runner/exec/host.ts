/** Read-only looks at this machine: which namespaces exist, which processes live in them. */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { labOfNetns, NETNS_DIR } from '../model/names.ts';

export { NETNS_DIR };

export function listNetns(): string[] {
  try {
    return readdirSync(NETNS_DIR);
  } catch {
    return [];
  }
}

/** Namespaces named for lab `lab` (by prefix), fabric first. */
export function labNetns(lab: string): string[] {
  return listNetns()
    .filter((n) => labOfNetns(n) === lab)
    .sort((a, b) => a.split('.').length - b.split('.').length || a.localeCompare(b));
}

export function allLabsOnHost(): string[] {
  return [...new Set(listNetns().map(labOfNetns).filter((x): x is string => !!x))].sort();
}

function nsInode(ns: string): string | undefined {
  try {
    const st = statSync(`${NETNS_DIR}/${ns}`);
    return `net:[${st.ino}]`;
  } catch {
    return undefined;
  }
}

/** PIDs of every process whose network namespace is one of `namespaces`. */
export function pidsInNetns(namespaces: readonly string[]): Map<number, string> {
  const want = new Map<string, string>();
  for (const ns of namespaces) {
    const ino = nsInode(ns);
    if (ino) want.set(ino, ns);
  }
  const out = new Map<number, string>();
  if (!want.size) return out;
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const link = readlinkSync(`/proc/${e}/ns/net`);
      const ns = want.get(link);
      if (ns && Number(e) !== process.pid) out.set(Number(e), ns);
    } catch {
      /* gone, or a kernel thread */
    }
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Alive and not a zombie (a daemon whose parent is gone may stay a zombie when nothing reaps it). */
export function isRunning(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function readSysctl(path: string): string | undefined {
  try {
    return readFileSync(`/proc/sys/${path}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * The forwarding sysctls a namespace created now would start with. IPv4 copies init_net's values unless
 * devconf_inherit_init_net is 2 (compiled defaults) or 3 (the creator's namespace); IPv6 copies them only when
 * it is 1. Undefined when this process is not in the host's namespace or the values cannot be read.
 */
export function inheritedForwarding(): Record<string, string> | undefined {
  const mode = readSysctl('net/core/devconf_inherit_init_net') ?? '0';
  const v4 = readSysctl('net/ipv4/ip_forward');
  const v6 = readSysctl('net/ipv6/conf/all/forwarding');
  if (v4 === undefined || mode === '3') return undefined;
  return {
    'net.ipv4.ip_forward': mode === '2' ? '0' : v4,
    'net.ipv6.conf.all.forwarding': mode === '1' ? (v6 ?? '0') : '0',
  };
}
