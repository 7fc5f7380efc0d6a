/**
 * Root file systems for lab images: debootstrap from the machine's own Debian mirror, apt-get inside a chroot
 * for derived images, cleaning, and the tar stream Docker imports. Every command is an argv array run by
 * runner/exec/process.ts, never a shell. Base root file systems are cached under CACHE_DIR/rootfs/<recipe hash>.
 * The argv and data are runner/images/rootfs-recipe.ts.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../config/diagnostics.ts';
import { runProcess, start, type StartedProcess } from './process.ts';

/** A Debian mirror to debootstrap from (runner/images/apt-sources.ts finds the machine's own). */
export interface Mirror {
  readonly uri: string;
  /** The keyring that signs it, when not Debian's default. */
  readonly keyring?: string;
  /** Where it was found (an apt sources file and line). */
  readonly origin?: string;
}


export const CACHE_DIR = process.env.NSLAB_CACHE_DIR ?? '/var/cache/nslab';
export const ROOTFS_CACHE = join(CACHE_DIR, 'rootfs');
const WORK_DIR = join(CACHE_DIR, 'work');
const APT_TIMEOUT_MS = 15 * 60_000;
const LOCK_WAIT_MS = 20 * 60_000;

/** Where the cached root file system of a recipe hash lives (it exists only once complete). */
export const cachedRootfs = (hash: string): string => join(ROOTFS_CACHE, hash);
const sidecar = (hash: string): string => join(ROOTFS_CACHE, `${hash}.json`);

export interface DebootstrapInput {
  readonly suite: string;
  readonly variant: string;
  readonly packages: readonly string[];
  readonly target: string;
  readonly mirror?: Mirror;
}

/** `debootstrap --variant=minbase --include=a,b [--keyring=K] bookworm TARGET [MIRROR]`. */
export function debootstrapArgv(i: DebootstrapInput): string[] {
  return [
    'debootstrap',
    `--variant=${i.variant}`,
    ...(i.packages.length ? [`--include=${i.packages.join(',')}`] : []),
    '--components=main',
    ...(i.mirror?.keyring && existsSync(i.mirror.keyring) ? [`--keyring=${i.mirror.keyring}`] : []),
    i.suite,
    i.target,
    ...(i.mirror ? [i.mirror.uri] : []),
  ];
}

/** The argv of the tar whose output Docker imports: numeric owners, file capabilities, without /dev's nodes. */
export function tarArgv(rootfs: string): string[] {
  return ['tar', '--numeric-owner', '--xattrs', '--xattrs-include=security.capability', '-C', rootfs, '--exclude=./dev/*', '-cf', '-', '.'];
}

/** Mount points at or under `dir` (from /proc/self/mountinfo), deepest first. */
export function mountsUnder(dir: string, mountinfo: string): string[] {
  const text = mountinfo;
  const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m)
    .map(unescape)
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** dpkg excludes like Debian's slim images: later installs (apt-get in the chroot) skip docs and man pages too. */
const DPKG_SLIM = ['path-exclude /usr/share/doc/*', 'path-include /usr/share/doc/*/copyright', 'path-exclude /usr/share/man/*', 'path-exclude /usr/share/info/*', 'path-exclude /usr/share/locale/*', 'path-include /usr/share/locale/locale.alias', ''].join('\n');

function stepFailed(what: string, argv: readonly string[], output: string): LabError {
  const tail = output.trim().split('\n').slice(-15).join('\n  | ');
  return new LabError([{ severity: 'error', code: 'images.build', message: `${what} failed: ${argv.join(' ')}\n  | ${tail}`, hint: 'the build left nothing behind; run it again, or `lab images rm --all` to start from scratch' }], 3);
}

/** Run argv; on failure throw a LabError with the tail of its output. */
export async function runStep(what: string, argv: readonly string[], env?: Record<string, string>): Promise<void> {
  const r = await runProcess(argv, { env: { DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C', ...env }, timeoutMs: APT_TIMEOUT_MS });
  if (r.exitCode !== 0) throw stepFailed(what, argv, `${r.all}${r.timedOut ? '\n(timed out)' : ''}${r.spawnMessage ? `\n${r.spawnMessage}` : ''}`);
}

export function requireRootForBuild(): void {
  if (process.getuid?.() !== 0) {
    throw new LabError([{ severity: 'error', code: 'env.root', message: 'building lab images runs debootstrap and chroot, and needs root', hint: 'run it as root: sudo lab images build' }], 4);
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Install debootstrap with apt-get when it is missing (telling `say` so). */
export async function ensureDebootstrap(say: (line: string) => void): Promise<void> {
  if (['/usr/sbin', '/usr/local/sbin', '/sbin'].some((d) => isFile(join(d, 'debootstrap')))) return;
  say('debootstrap is missing: installing it with apt-get (Debian packages debootstrap, debian-archive-keyring)');
  const install = ['apt-get', 'install', '-y', '--no-install-recommends', 'debootstrap', 'debian-archive-keyring'];
  const first = await runProcess(install, { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  if (first.exitCode === 0) return;
  await runStep('apt-get update', ['apt-get', 'update']);
  await runStep('installing debootstrap', install);
}

/** A fresh, empty work directory for one build (removed by the caller with dropDir). */
export function workDir(label: string): string {
  mkdirSync(WORK_DIR, { recursive: true });
  const d = join(WORK_DIR, `${label.replace(/[^a-z0-9]+/gi, '-')}.${process.pid}.${Date.now()}`);
  mkdirSync(d);
  return d;
}

function mountinfo(): string {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return '';
  }
}

/**
 * Remove a build directory safely: a debootstrap that was killed may have left /proc, /sys or bind mounts of
 * the host's /dev in it. Unmount those first, and never cross into another file system while deleting.
 */
export async function dropDir(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (const m of mountsUnder(dir, mountinfo())) await runProcess(['umount', '-l', m]);
  await runProcess(['rm', '-rf', '--one-file-system', dir]);
}

/** Work directories of builds that died (call with the build lock held: no build is running). */
export async function clearStaleWork(): Promise<void> {
  let names: string[] = [];
  try {
    names = readdirSync(WORK_DIR);
  } catch {
    return;
  }
  for (const n of names) await dropDir(join(WORK_DIR, n));
}

/** debootstrap a suite into `target` (empty or missing) from `mirror` (Debian's default without one). */
export async function debootstrap(r: { readonly suite: string; readonly variant: string }, target: string, packages: readonly string[], mirror: Mirror | undefined): Promise<Mirror | undefined> {
  const sbin = { PATH: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` };
  await runStep('debootstrap', debootstrapArgv({ suite: r.suite, variant: r.variant, packages, target, mirror }), sbin);
  return mirror;
}

/** Package installs in a chroot must not start services: a policy-rc.d that says no, for the time of the install. */
const POLICY_RC = '#!/bin/sh\n# nslab image build: never start services in the chroot\nexit 101\n';

/** apt-get install inside the chroot, fetching with the host's network (apt on the host's behalf, not lab traffic). */
export async function chrootInstall(rootfs: string, packages: readonly string[]): Promise<void> {
  if (!packages.length) return;
  const policy = join(rootfs, 'usr/sbin/policy-rc.d');
  const resolv = join(rootfs, 'etc/resolv.conf');
  writeFileSync(policy, POLICY_RC, { mode: 0o755 });
  rmSync(resolv, { force: true });
  if (existsSync('/etc/resolv.conf')) writeFileSync(resolv, readFileSync('/etc/resolv.conf'));
  const env: Record<string, string> = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
  for (const k of ['http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY']) if (process.env[k]) env[k] = process.env[k]!;
  try {
    await runStep('apt-get update (in the image)', ['chroot', rootfs, 'apt-get', 'update'], env);
    await runStep(`apt-get install ${packages.join(' ')} (in the image)`, ['chroot', rootfs, 'apt-get', 'install', '-y', '--no-install-recommends', ...packages], env);
  } finally {
    rmSync(policy, { force: true });
  }
}

export async function chrootSetup(rootfs: string, steps: readonly (readonly string[])[]): Promise<void> {
  for (const s of steps) await runStep(`setup step \`${s.join(' ')}\``, ['chroot', rootfs, ...s], { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' });
}

/** Remove what an image does not need: apt lists and caches, logs, docs, man pages, the host's resolv.conf. */
export function cleanRootfs(rootfs: string): void {
  const p = (x: string): string => join(rootfs, x);
  mkdirSync(p('etc/dpkg/dpkg.cfg.d'), { recursive: true });
  writeFileSync(p('etc/dpkg/dpkg.cfg.d/nslab-slim'), DPKG_SLIM);
  const emptyDir = (dir: string, keep: (name: string) => boolean = () => false): void => {
    let names: string[] = [];
    try {
      names = readdirSync(p(dir));
    } catch {
      return;
    }
    for (const n of names) if (!keep(n)) rmSync(join(p(dir), n), { recursive: true, force: true });
  };
  emptyDir('var/lib/apt/lists', (n) => n === 'partial' || n === 'auxfiles');
  emptyDir('var/lib/apt/lists/partial');
  emptyDir('var/cache/apt', (n) => n === 'archives');
  emptyDir('var/cache/apt/archives', (n) => n === 'partial');
  emptyDir('var/cache/apt/archives/partial');
  emptyDir('var/cache/debconf', (n) => !n.endsWith('-old'));
  emptyDir('var/cache/ldconfig');
  emptyDir('var/log/apt');
  for (const f of ['dpkg.log', 'alternatives.log', 'bootstrap.log']) rmSync(p(`var/log/${f}`), { force: true });
  emptyDir('tmp');
  emptyDir('var/tmp');
  emptyDir('usr/share/man');
  emptyDir('usr/share/info');
  emptyDir('usr/share/locale', (n) => n === 'locale.alias');
  let docs: string[] = [];
  try {
    docs = readdirSync(p('usr/share/doc'));
  } catch {
    /* none */
  }
  for (const d of docs) emptyDir(`usr/share/doc/${d}`, (n) => n === 'copyright');
  // Docker bind-mounts its own at run time; the build machine's must not be shipped
  for (const f of ['etc/resolv.conf', 'etc/hostname']) writeFileSync(p(f), '');
}

/** Keep a finished root file system in the cache (atomic rename), with a note of what it is. */
export async function storeRootfs(dir: string, hash: string, recipe: { readonly name: string }): Promise<string> {
  mkdirSync(ROOTFS_CACHE, { recursive: true });
  const dest = cachedRootfs(hash);
  await dropDir(dest);
  renameSync(dir, dest);
  writeFileSync(sidecar(hash), `${JSON.stringify({ name: recipe.name, hash, builtAt: new Date().toISOString() }, null, 2)}\n`);
  return dest;
}

/** A copy of a cached root file system to build a derived image in (`cp -a`: owners, modes, links, devices). */
export async function copyRootfs(from: string, label: string): Promise<string> {
  const dir = workDir(label);
  try {
    await runStep('copying the base root file system', ['cp', '-a', '--reflink=auto', `${from}/.`, dir]);
  } catch (e) {
    await dropDir(dir);
    throw e;
  }
  return dir;
}

export interface CachedRootfs {
  readonly hash: string;
  readonly name?: string;
  readonly path: string;
}

export function listCachedRootfs(): CachedRootfs[] {
  let names: string[] = [];
  try {
    names = readdirSync(ROOTFS_CACHE);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^[0-9a-f]{12}$/.test(n))
    .map((hash) => {
      let name: string | undefined;
      try {
        name = (JSON.parse(readFileSync(sidecar(hash), 'utf8')) as { name?: string }).name;
      } catch {
        /* no note */
      }
      return { hash, name, path: cachedRootfs(hash) };
    });
}

export async function removeCachedRootfs(hash: string): Promise<void> {
  await dropDir(cachedRootfs(hash));
  rmSync(sidecar(hash), { force: true });
}

/** Remove the whole cache: every root file system and any work directory a crashed build left. */
export async function removeCache(): Promise<void> {
  await dropDir(ROOTFS_CACHE);
  await dropDir(WORK_DIR);
}

/** Start `tar` over a root file system; its stdout (a stream) is what Docker imports. */
export function tarRootfs(rootfs: string): StartedProcess {
  return start(tarArgv(rootfs), { streamStdout: true });
}

/**
 * One user of the cache at a time on this machine (two `lab up`s may want the same image; `lab images rm` must
 * not delete a root file system a build is copying): a lock file holding our PID. A dead holder's lock is taken
 * over, and the work directories its build left are removed.
 */
export async function withCacheLock<T>(say: (line: string) => void, fn: () => Promise<T>): Promise<T> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const lock = join(CACHE_DIR, 'build.lock');
  const t0 = Date.now();
  let told = false;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let text: string;
      try {
        text = readFileSync(lock, 'utf8');
      } catch {
        continue; // released just now
      }
      const pid = Number.parseInt(text, 10);
      // no PID yet: its holder is between creating and writing it, unless that was long ago
      const orphan = !pid && Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 5000;
      if (orphan || (pid && !alive(pid))) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() - t0 > LOCK_WAIT_MS) throw new Error(`another image build (pid ${pid}) has held ${lock} for more than ${LOCK_WAIT_MS / 60_000} minutes`);
      if (!told) say(`waiting for another image build or removal (pid ${pid}) to finish`);
      told = true;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    await clearStaleWork();
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
