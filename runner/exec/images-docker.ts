/**
 * Lab images in Docker (dockerode): look up, import a root file system as an image, tag, pull, list the
 * labelled ones, find their users, remove. Plain data in and out; which images to build, and when, is
 * runner/images/build.ts (the recipes).
 */
import type Docker from 'dockerode';
import { LabError } from '../config/diagnostics.ts';
import { docker, LABEL_IMAGE, LABEL_LAB, LABEL_NODE, LABEL_RECIPE } from './docker.ts';
import { tarRootfs } from './images-rootfs.ts';

/** An image nslab built, as Docker lists it (found by its recipe label). */
export interface DockerImage {
  /** The recipe name, e.g. nslab/host (its label; else its first tag's repository). */
  readonly name: string;
  readonly id: string;
  /** Every repo:tag of the image (the hash tag, and `latest` when it is the newest). */
  readonly tags: readonly string[];
  /** The recipe hash the image was built from (its label). */
  readonly hash: string;
  readonly size: number;
  readonly created: Date;
}

export interface ImageUser {
  readonly image: string;
  readonly container: string;
  readonly running: boolean;
  /** `lab L node N` when an nslab lab made the container. */
  readonly lab?: string;
}

/** The image's ID, or undefined when Docker has no image by that reference. */
export async function imageId(ref: string): Promise<string | undefined> {
  try {
    return (await docker().getImage(ref).inspect()).Id;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return undefined;
    throw e;
  }
}

/** Read a progress stream of the Engine API to its end; a message with `error` is a failure. */
function follow(stream: NodeJS.ReadableStream): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    docker().modem.followProgress(stream, (err: Error | null, out: Record<string, unknown>[]) => {
      const bad = out?.find((o) => o.error || o.errorDetail);
      if (err) reject(err);
      else if (bad) reject(new Error(String(bad.error ?? (bad.errorDetail as { message?: string })?.message)));
      else resolve(out);
    });
  });
}

export interface ImportSpec {
  readonly repo: string;
  readonly tag: string;
  /** Dockerfile instructions (CMD, ENV, LABEL) given to the import. */
  readonly changes: readonly string[];
  readonly message: string;
}

/** Stream a tar of `rootfs` into Docker as `repo:tag`, then tag it `latest`. Returns the image's size. */
export async function importRootfs(rootfs: string, spec: ImportSpec): Promise<number> {
  const d = docker();
  const ref = `${spec.repo}:${spec.tag}`;
  const tar = tarRootfs(rootfs); // judged below, after Docker has read the stream
  try {
    if (!tar.stdout) throw new Error(`tar could not be started: ${(await tar.done).spawnMessage ?? 'no output stream'}`);
    const stream = await d.importImage(tar.stdout, { repo: spec.repo, tag: spec.tag, changes: [...spec.changes], message: spec.message });
    await follow(stream);
  } catch (e) {
    await tar.stop();
    throw new LabError([{ severity: 'error', code: 'images.import', message: `docker import of ${ref} failed: ${(e as Error).message}` }], 3);
  }
  const t = await tar.done;
  if (t.exitCode !== 0) {
    await d
      .getImage(ref)
      .remove()
      .catch(() => undefined);
    throw new LabError([{ severity: 'error', code: 'images.import', message: `tar of ${rootfs} failed (exit ${t.exitCode}): ${(t.stderr || t.spawnMessage || '').trim()}` }], 3);
  }
  await d.getImage(ref).tag({ repo: spec.repo, tag: 'latest' });
  return (await d.getImage(ref).inspect()).Size;
}

export async function tagImage(idOrRef: string, repo: string, tag: string): Promise<void> {
  await docker().getImage(idOrRef).tag({ repo, tag });
}

/** Pull an image from its registry (Docker's error as is when that fails). */
export async function pullImage(name: string, timeoutMs: number): Promise<void> {
  await follow(await docker().pull(name, { abortSignal: AbortSignal.timeout(timeoutMs) }));
}

const splitTag = (t: string): string => t.replace(/:[^:/]*$/, '');

/** The images nslab built (by their recipe label), newest first per name. */
export async function listLabelledImages(): Promise<DockerImage[]> {
  const infos = await docker().listImages({ filters: { label: [LABEL_RECIPE] } });
  return infos
    .map((i) => {
      const tags = (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
      const name = i.Labels?.[LABEL_IMAGE] ?? (tags[0] ? splitTag(tags[0]) : '<untagged>');
      return { name, id: i.Id, tags, hash: i.Labels?.[LABEL_RECIPE] ?? '', size: i.Size, created: new Date(i.Created * 1000) };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || b.created.getTime() - a.created.getTime());
}

/** Containers (running or stopped) made from any of `images`. */
export async function imageUsers(images: readonly DockerImage[]): Promise<ImageUser[]> {
  const byId = new Map(images.map((i) => [i.id, i]));
  const containers = await docker().listContainers({ all: true });
  return containers
    .filter((c) => byId.has(c.ImageID))
    .map((c) => {
      const img = byId.get(c.ImageID)!;
      const lab = c.Labels?.[LABEL_LAB];
      return {
        image: img.tags.find((t) => !t.endsWith(':latest')) ?? img.tags[0] ?? img.id.slice(7, 19),
        container: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''),
        running: c.State === 'running',
        lab: lab ? `lab ${lab}${c.Labels?.[LABEL_NODE] ? ` node ${c.Labels[LABEL_NODE]}` : ''}` : undefined,
      };
    });
}

/** Remove one image: each of its tags (the last one deletes it), or by ID when it has none. */
export async function removeImage(img: DockerImage): Promise<void> {
  const d: Docker = docker();
  if (!img.tags.length) await d.getImage(img.id).remove();
  for (const t of img.tags) await d.getImage(t).remove();
}

/**
 * After a build: remove the older images of `name` (another recipe hash, or the untagged one a --force rebuild
 * left) that no container uses. Those in use stay, and `lab images list` shows them as stale.
 */
export async function pruneOldImages(name: string, keepId: string): Promise<string[]> {
  const old = (await listLabelledImages()).filter((i) => i.name === name && i.id !== keepId);
  const used = new Set((await docker().listContainers({ all: true })).map((c) => c.ImageID));
  const removed: string[] = [];
  for (const img of old.filter((i) => !used.has(i.id))) {
    try {
      await removeImage(img);
      removed.push(img.tags[0] ?? img.id);
    } catch {
      /* a container was made from it meanwhile: it stays, shown as stale */
    }
  }
  return removed;
}
