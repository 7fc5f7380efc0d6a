/**
 * What a test needs from the machine, checked up front. A test never skips for a missing dependency: it fails,
 * saying what is missing and how to get it (`bash scripts/setup.sh` installs every tool the tests use).
 */
import { AssertionError } from 'node:assert';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** The path of `cmd` on PATH (and the sbin directories, where iproute2 and iptables live), or undefined. Starts no process. */
export function findTool(cmd: string, path: string = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...path.split(delimiter).filter(Boolean), ...SBIN]) {
    const file = join(dir, cmd);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory: try the next
    }
  }
  return undefined;
}

/** Fails unless every tool is installed; `install` says how to get them (e.g. "apt-get install graphviz"). */
export function needTools(tools: readonly string[], install: string, path?: string): void {
  const missing = tools.filter((t) => findTool(t, path) === undefined);
  if (missing.length) throw new AssertionError({ message: `this test needs ${missing.join(', ')}, not installed here: ${install}` });
}

/** Fails unless the tests run as root (network namespaces, iptables, Docker). */
export function needRoot(what: string, uid: number | undefined = process.getuid?.()): void {
  if (uid !== 0) throw new AssertionError({ message: `${what} needs root (uid 0; this is uid ${uid}): run the integration tests as root, e.g. \`sudo npm run test:integration\`` });
}

/** Fails unless `path` exists; `why` says what it is and how to get it. */
export function needFile(path: string, why: string): void {
  if (!existsSync(path)) throw new AssertionError({ message: `${path} does not exist: ${why}` });
}
