/** The nslab images Docker holds (found by label), whether each is up to date, and removing them safely. */
import { existsSync } from 'node:fs';
import type Docker from 'dockerode';
import { LabError } from '../config/diagnostics.ts';
import { LABEL_IMAGE, LABEL_RECIPE, recipeFor, recipeHash, RECIPES, splitRef } from '../images/recipes.ts';
import { CACHE_DIR, listCachedRootfs, removeCache, removeCachedRootfs, ROOTFS_CACHE, withCacheLock, type CachedRootfs } from './images-rootfs.ts';

export type ImageStatus = 'up to date' | 'stale' | 'no recipe';

export interface NslabImage {
  /** The recipe name, e.g. nslab/host. */
  readonly name: string;
  readonly id: string;
  /** Every repo:tag of the image (the hash tag, and `latest` when it is the newest). */
  readonly tags: readonly string[];
  /** The recipe hash the image was built from (its label). */
  readonly hash: string;
  readonly size: number;
  readonly created: Date;
  readonly status: ImageStatus;
}

export async function listNslabImages(d: Docker): Promise<NslabImage[]> {
  const infos = await d.listImages({ filters: { label: [LABEL_RECIPE] } });
  return infos
    .map((i) => {
      const tags = (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
      const name = i.Labels?.[LABEL_IMAGE] ?? (tags[0] ? splitRef(tags[0])[0] : '<untagged>');
      const hash = i.Labels?.[LABEL_RECIPE] ?? '';
      const r = recipeFor(name);
      const status: ImageStatus = !r ? 'no recipe' : recipeHash(r) === hash ? 'up to date' : 'stale';
      return { name, id: i.Id, tags, hash, size: i.Size, created: new Date(i.Created * 1000), status };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || b.created.getTime() - a.created.getTime());
}

export interface ImageUser {
  readonly image: string;
  readonly container: string;
  readonly running: boolean;
  /** `lab L node N` when an nslab lab made the container. */
  readonly lab?: string;
}

/** Containers (running or stopped) made from any of `images`. */
export async function imageUsers(d: Docker, images: readonly NslabImage[]): Promise<ImageUser[]> {
  const byId = new Map(images.map((i) => [i.id, i]));
  const containers = await d.listContainers({ all: true });
  return containers
    .filter((c) => byId.has(c.ImageID))
    .map((c) => {
      const img = byId.get(c.ImageID)!;
      const lab = c.Labels?.['nslab.lab'];
      return {
        image: img.tags.find((t) => !t.endsWith(':latest')) ?? img.tags[0] ?? img.id.slice(7, 19),
        container: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''),
        running: c.State === 'running',
        lab: lab ? `lab ${lab}${c.Labels?.['nslab.node'] ? ` node ${c.Labels['nslab.node']}` : ''}` : undefined,
      };
    });
}

export interface RemoveResult {
  readonly images: string[];
  readonly caches: CachedRootfs[];
}

/** Remove one image: each of its tags (the last one deletes it), or by ID when it has none. */
async function removeImage(d: Docker, img: NslabImage): Promise<void> {
  if (!img.tags.length) await d.getImage(img.id).remove();
  for (const t of img.tags) await d.getImage(t).remove();
}

/**
 * Remove nslab images (those of `names`, or all with `names` undefined) and their cached root file systems.
 * Refuses, removing nothing, when a container uses one of them, and says which.
 */
export async function removeNslabImages(d: Docker, names: readonly string[] | undefined, say: (line: string) => void = () => undefined): Promise<RemoveResult> {
  const all = await listNslabImages(d);
  const wanted = (n: string): boolean => !names || names.some((x) => recipeFor(x)?.name === n || x === n);
  const targets = all.filter((i) => wanted(i.name));
  const users = await imageUsers(d, targets);
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
  for (const img of targets) await removeImage(d, img);
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

/**
 * After a build: remove the older images of `name` (another recipe hash, or the untagged one a --force rebuild
 * left) that no container uses. Those in use stay, and `lab images list` shows them as stale.
 */
export async function pruneOldImages(d: Docker, name: string, keepId: string): Promise<string[]> {
  const old = (await listNslabImages(d)).filter((i) => i.name === name && i.id !== keepId);
  const used = new Set((await d.listContainers({ all: true })).map((c) => c.ImageID));
  const removed: string[] = [];
  for (const img of old.filter((i) => !used.has(i.id))) {
    try {
      await removeImage(d, img);
      removed.push(img.tags[0] ?? img.id);
    } catch {
      /* a container was made from it meanwhile: it stays, shown as stale */
    }
  }
  return removed;
}

/** Names `lab images rm` accepts: recipes, and names of nslab images Docker holds (e.g. of a retired recipe). */
export function knownNames(images: readonly NslabImage[]): Set<string> {
  return new Set([...RECIPES.map((r) => r.name), ...images.map((i) => i.name)]);
}

export { ROOTFS_CACHE };
