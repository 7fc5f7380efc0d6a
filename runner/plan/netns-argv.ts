/**
 * The one place that builds the argv of "run this inside a lab node": `ip netns exec <ns> argv…` (or `docker
 * exec <container> argv…` for a container node), and `nsenter --net=…` for the executor's hot paths. Pure.
 */
import { NETNS_DIR } from '../model/names.ts';
import { shellQuote } from '../model/words.ts';

/** The argv as a user could type it into a shell. */
export function commandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** `ip netns exec NS argv…`: also mounts /etc/netns/NS over /etc (a pod's resolv.conf). */
export function netnsExecArgv(ns: string, argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', ns, ...argv];
}

/** `docker exec CONTAINER argv…` for a container node, else `ip netns exec NS argv…`. */
export function nodeExecArgv(target: { readonly ns: string; readonly container?: string }, argv: readonly string[]): string[] {
  return target.container ? ['docker', 'exec', target.container, ...argv] : netnsExecArgv(target.ns, argv);
}

/**
 * Enter a namespace without iproute2's `-n`/`netns exec`: those also unshare the mount namespace (a copy of
 * every mount, one per named namespace), which makes each call slower as a lab grows (bench/REPORT.md).
 */
export function nsenterArgv(ns: string): string[] {
  return ['nsenter', `--net=${NETNS_DIR}/${ns}`];
}
