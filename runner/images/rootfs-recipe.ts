/**
 * Root file systems for lab images, as data and argv: the debootstrap and tar commands, the dpkg excludes, and
 * where mounts are. Pure; runner/exec/images-rootfs.ts runs them.
 */
import { existsSync } from 'node:fs';
import type { Mirror } from './apt-sources.ts';
import { LABEL_IMAGE, LABEL_RECIPE, type ImageRecipe } from './recipes.ts';

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
export const DPKG_SLIM = ['path-exclude /usr/share/doc/*', 'path-include /usr/share/doc/*/copyright', 'path-exclude /usr/share/man/*', 'path-exclude /usr/share/info/*', 'path-exclude /usr/share/locale/*', 'path-include /usr/share/locale/locale.alias', ''].join('\n');

/** The Dockerfile instructions given to the import: CMD, ENV and the labels that say which recipe it is. */
export function importChanges(r: ImageRecipe, hash: string): string[] {
  return [
    `CMD ${JSON.stringify(r.cmd)}`,
    ...Object.entries(r.env).map(([k, v]) => `ENV ${k}=${JSON.stringify(v)}`),
    `LABEL ${LABEL_RECIPE}=${JSON.stringify(hash)} ${LABEL_IMAGE}=${JSON.stringify(r.name)} nslab.suite=${JSON.stringify(r.suite)}`,
  ];
}
