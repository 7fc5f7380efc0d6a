/** The nslab images Docker holds (found by label), whether each is up to date with its recipe, and removing them safely. */
import { existsSync } from 'node:fs';
import { LabError } from '../config/diagnostics.ts';
import { CACHE_DIR, listCachedRootfs, removeCache, removeCachedRootfs, ROOTFS_CACHE, withCacheLock, type CachedRootfs } from '../exec/images-rootfs.ts';
import type { DockerImage } from '../exec/images-docker.ts';
import { recipeFor, recipeHash, RECIPES } from './recipes.ts';

export type ImageStatus = 'up to date' | 'stale' | 'no recipe';

export interface NslabImage extends DockerImage {
  readonly status: ImageStatus;
}

/** Docker's image calls live in runner/exec (dockerode): loaded only when Docker is needed. */
const dockerImages = (): Promise<typeof import('../exec/images-docker.ts')> => import('../exec/images-docker.ts');

export function statusOf(i: Pick<DockerImage, 'name' | 'hash'>): ImageStatus {
  const r = recipeFor(i.name);
  return !r ? 'no recipe' : recipeHash(r) === i.hash ? 'up to date' : 'stale';
}

export async function listNslabImages(): Promise<NslabImage[]> {
  return (await (await dockerImages()).listLabelledImages()).map((i) => ({ ...i, status: statusOf(i) }));
}

export interface RemoveResult {
  readonly images: string[];
  readonly caches: CachedRootfs[];
}

/**
 * Remove nslab images (those of `names`, or all with `names` undefined) and their cached root file systems.
 * Refuses, removing nothing, when a container uses one of them, and says which.
 */
export async function removeNslabImages(names: readonly string[] | undefined, say: (line: string) => void = () => undefined): Promise<RemoveResult> {
  const dk = await dockerImages();
  const all = await listNslabImages();
  const wanted = (n: string): boolean => !names || names.some((x) => recipeFor(x)?.name === n || x === n);
  const targets = all.filter((i) => wanted(i.name));
  const users = await dk.imageUsers(targets);
  if (users.length) {
    throw new LabError(
      users.map((u) => ({
        severity: 'error' as const,
        code: 'images.in-use',
        message: `${u.image} is used by ${u.running ? 'running' : 'stopped'} container ${u.container}${u.lab ? ` (${u.lab})` : ''}; nothing was removed`,
        hint: u.lab ? `take the lab down first: lab down ${u.lab.split(' ')[1]}` : `remove the container first: docker rm${u.running ? ' -f' : ''} ${u.container}`,
      })),
      3,
    );
  }
  for (const img of targets) await dk.removeImage(img);
  const hashes = new Set((names ?? []).map((n) => recipeFor(n)).flatMap((r) => (r ? [recipeHash(r)] : [])));
  const caches = listCachedRootfs().filter((c) => !names || hashes.has(c.hash) || (c.name !== undefined && wanted(c.name)));
  if (caches.length || (!names && existsSync(CACHE_DIR))) {
    await withCacheLock(say, async () => {
      if (!names) await removeCache();
      else for (const c of caches) await removeCachedRootfs(c.hash);
    });
  }
  return { images: targets.map((i) => i.tags.find((t) => !t.endsWith(':latest')) ?? i.tags[0] ?? i.id), caches };
}

/** Names `lab images rm` accepts: recipes, and names of nslab images Docker holds (e.g. of a retired recipe). */
export function knownNames(images: readonly NslabImage[]): Set<string> {
  return new Set([...RECIPES.map((r) => r.name), ...images.map((i) => i.name)]);
}

export { ROOTFS_CACHE };
