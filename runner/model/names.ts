/** Names of the things a lab creates on the machine. Everything starts with the lab's prefix. */
import { createHash } from 'node:crypto';
import { isLabName } from '../config/lab-name.ts';

export const NS_PREFIX = 'nsl.';

/** Where iproute2 keeps named network namespaces. */
export const NETNS_DIR = '/run/netns';

export function labPrefix(lab: string): string {
  return `${NS_PREFIX}${lab}`;
}

export function nodeNetns(lab: string, node: string): string {
  return `${labPrefix(lab)}.${node}`;
}

export function fabricNetns(lab: string): string {
  return labPrefix(lab);
}

/** The lab a namespace name belongs to, or undefined when it is not one of ours. */
export function labOfNetns(ns: string): string | undefined {
  if (!ns.startsWith(NS_PREFIX)) return undefined;
  const rest = ns.slice(NS_PREFIX.length);
  const lab = rest.split('.')[0];
  return isLabName(lab) ? lab : undefined;
}

const IFNAME_MAX = 15;

/** A name for the bridge-side end of a node's link: `<node>-<if>` when it fits, else a stable hash. */
export function portName(node: string, ifname: string, taken: Set<string>): string {
  let name = `${node}-${ifname}`;
  if (name.length > IFNAME_MAX || taken.has(name)) {
    const h = createHash('sha1').update(`${node}:${ifname}`).digest('hex');
    let i = 0;
    do {
      name = `p${h.slice(0, 8)}${i ? `-${i}` : ''}`;
      i++;
    } while (taken.has(name));
  }
  taken.add(name);
  return name;
}
