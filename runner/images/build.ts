/**
 * Lab images: build what is missing (offline, from Debian packages), reuse what is up to date, pull the rest.
 *
 * `ensureImages` is what `lab up` calls; `buildImages` is `lab images build`. dockerode is loaded only when
 * Docker is needed, so importing this module costs nothing. Progress goes through the ImageProgress the caller
 * gives (the CLI's, or none): nothing here prints. The recipes are data in runner/images/.
 */
import { existsSync } from 'node:fs';
import { LabError } from '../config/diagnostics.ts';
import { debianMirror, readAptSources } from './apt-sources.ts';
import { allPackages, importChanges, recipeFor, recipeHash, RECIPES, type ImageRecipe } from './recipes.ts';
import {
  cachedRootfs,
  chrootInstall,
  chrootSetup,
  cleanRootfs,
  copyRootfs,
  debootstrap,
  dropDir,
  ensureDebootstrap,
  listCachedRootfs,
  removeCachedRootfs,
  requireRootForBuild,
  storeRootfs,
  withCacheLock,
  workDir,
} from '../exec/images-rootfs.ts';

export { imageRefFor, LABEL_IMAGE, LABEL_RECIPE, recipeHash, RECIPES } from './recipes.ts';

const PULL_TIMEOUT_MS = 10 * 60_000;

/** A titled piece of work; returns a short result shown after the title (e.g. "built in 41.2 s"). */
export interface ProgressTask {
  readonly title: string;
  run(): Promise<string | void>;
}

/** How images tell the caller what they are doing (the CLI shows it; a library caller may ignore it). */
export interface ImageProgress {
  say(line: string): void;
  /** Run the tasks in order, showing each. */
  tasks(tasks: readonly ProgressTask[]): Promise<void>;
}

/** Progress nobody sees. */
export const SILENT: ImageProgress = {
  say: () => undefined,
  async tasks(tasks) {
    for (const t of tasks) await t.run();
  },
};

export interface BuildOptions {
  /** No progress output (e.g. `lab up --quiet`), whatever `progress` is. */
  readonly quiet?: boolean;
  /** Where progress goes (default: nowhere). */
  readonly progress?: ImageProgress;
  /** Rebuild even when an image with the recipe's hash exists (base images re-run debootstrap). */
  readonly force?: boolean;
}

export interface ImageReport {
  readonly name: string;
  readonly ref: string;
  readonly built: boolean;
  /** e.g. "built in 41.2 s: debootstrap 36.0 s, import 3.1 s; 151 MB" or "up to date". */
  readonly detail: string;
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number): string => `${Math.round(bytes / 1e6)} MB`;

type DockerImages = typeof import('../exec/images-docker.ts');

/** Docker's image calls (runner/exec, dockerode), once the daemon answers (else a LabError that says how to get it). */
async function client(why: string): Promise<DockerImages> {
  const { requireDocker } = await import('../exec/docker.ts');
  await requireDocker(why);
  return import('../exec/images-docker.ts');
}

/** Base recipes first, so a derived image finds its base's root file system in the cache. */
function depth(r: ImageRecipe): number {
  const b = r.base ? recipeFor(r.base) : undefined;
  return b ? 1 + depth(b) : 0;
}

/** The root file system of a base recipe in the cache: reused, or made with debootstrap (then cleaned, cached). */
async function baseRootfs(r: ImageRecipe, hash: string, fresh: boolean, times: string[]): Promise<string> {
  const cached = cachedRootfs(hash);
  if (!fresh && existsSync(cached)) {
    times.push(`from the cached ${r.name} root file system`);
    return cached;
  }
  const dir = workDir(r.name);
  try {
    const t0 = performance.now();
    const mirror = await debootstrap(r, dir, allPackages(r), debianMirror(readAptSources(), r.suite));
    times.push(`debootstrap ${secs(performance.now() - t0)}${mirror ? ` from ${mirror.uri}` : ''}`);
    await chrootSetup(dir, r.setup);
    cleanRootfs(dir);
  } catch (e) {
    await dropDir(dir);
    throw e;
  }
  // an older recipe's root file system of the same image is of no use any more
  for (const c of listCachedRootfs()) if (c.name === r.name && c.hash !== hash) await removeCachedRootfs(c.hash);
  return storeRootfs(dir, hash, r);
}

async function buildOne(d: DockerImages, r: ImageRecipe, force: boolean): Promise<ImageReport> {
  const t0 = performance.now();
  const hash = recipeHash(r);
  const times: string[] = [];
  let rootfs: string;
  let scratch: string | undefined;
  if (!r.base) {
    rootfs = await baseRootfs(r, hash, force, times);
  } else {
    const base = recipeFor(r.base)!;
    const baseDir = await baseRootfs(base, recipeHash(base), false, times);
    scratch = await copyRootfs(baseDir, r.name);
    rootfs = scratch;
  }
  try {
    if (scratch) {
      const t1 = performance.now();
      await chrootInstall(scratch, r.packages);
      await chrootSetup(scratch, r.setup);
      cleanRootfs(scratch);
      times.push(`apt-get install ${r.packages.join(' ')} ${secs(performance.now() - t1)}`);
    }
    const t2 = performance.now();
    const size = await d.importRootfs(rootfs, { repo: r.name, tag: hash, changes: importChanges(r, hash), message: `nslab recipe ${hash}` });
    times.push(`import ${secs(performance.now() - t2)}`);
    const pruned = await d.pruneOldImages(r.name, (await d.imageId(`${r.name}:${hash}`))!);
    if (pruned.length) times.push(`removed ${pruned.length} older image(s)`);
    return { name: r.name, ref: `${r.name}:${hash}`, built: true, detail: `built in ${secs(performance.now() - t0)}: ${times.join(', ')}; ${mb(size)}` };
  } finally {
    if (scratch) await dropDir(scratch);
  }
}

/** `name:latest` should be the current recipe's image; re-point it when it is not (cheap, no build). */
async function pointLatest(d: DockerImages, r: ImageRecipe, id: string): Promise<void> {
  if ((await d.imageId(`${r.name}:latest`)) !== id) await d.tagImage(id, r.name, 'latest');
}

/**
 * Build the nslab images `names` (recipe names) that are missing, or all of them with `force`. Images that are
 * up to date are reported as such and not touched. `showUpToDate` adds a progress line for those too.
 */
export async function buildImages(names: readonly string[], opts: BuildOptions & { showUpToDate?: boolean } = {}): Promise<ImageReport[]> {
  const recipes = [...new Set(names)].map((n) => {
    const r = recipeFor(n);
    if (!r) throw new LabError([{ severity: 'error', code: 'images.unknown', message: `${n} is not an nslab image recipe`, hint: `nslab builds ${RECIPES.map((x) => x.name).join(', ')}` }], 64);
    return r;
  });
  recipes.sort((a, b) => depth(a) - depth(b));
  const d = await client('lab images');
  const current = async (r: ImageRecipe): Promise<string | undefined> => (opts.force ? undefined : d.imageId(`${r.name}:${recipeHash(r)}`));
  const reports = new Map<string, ImageReport>();
  const todo: ImageRecipe[] = [];
  for (const r of recipes) {
    const id = await current(r);
    if (id) {
      await pointLatest(d, r, id);
      reports.set(r.name, { name: r.name, ref: `${r.name}:${recipeHash(r)}`, built: false, detail: 'up to date' });
    } else todo.push(r);
  }
  const progress = opts.quiet || !opts.progress ? SILENT : opts.progress;
  const say = (line: string): void => progress.say(line);
  if (todo.length) {
    requireRootForBuild();
    await withCacheLock(say, async () => {
      await ensureDebootstrap(say);
      const tasks: ProgressTask[] = [];
      for (const r of todo) {
        const ref = `${r.name}:${recipeHash(r)}`;
        tasks.push({
          title: `image ${ref}`,
          run: async () => {
            // another process may have built it while we waited for the lock
            const id = await current(r);
            const rep = id ? { name: r.name, ref, built: false, detail: 'up to date: built meanwhile by another process' } : await buildOne(d, r, !!opts.force);
            reports.set(r.name, rep);
            return rep.detail;
          },
        });
      }
      await progress.tasks(tasks);
    });
  }
  if (opts.showUpToDate) for (const r of recipes) if (!todo.includes(r)) say(`✔ image ${reports.get(r.name)!.ref} (up to date)`);
  return recipes.map((r) => reports.get(r.name)!);
}

/** An image that is not an nslab recipe: used when Docker has it, else pulled; no registry → a clear LabError. */
async function ensureForeign(d: DockerImages, name: string, progress: ImageProgress): Promise<string> {
  if (await d.imageId(name)) return name;
  const pull = async (): Promise<string> => {
    try {
      await d.pullImage(name, PULL_TIMEOUT_MS);
      return 'pulled';
    } catch (e) {
      const said = (e as Error).message.replace(/^\(HTTP code \d+\) [a-z ]+ - /, '').trim();
      // a registry that answers "no such image" is reachable; anything else (DNS, connect, TLS, timeout) is not
      const why = /not found|manifest unknown|pull access denied|repository does not exist/i.test(said) ? 'the registry does not have it' : 'no container registry is reachable from this machine';
      throw new LabError(
        [
          {
            severity: 'error',
            code: 'env.registry',
            message: `image ${name} is not on this machine, and pulling it failed: ${why} (Docker said: ${said})`,
            hint: `use an nslab image (${RECIPES.map((r) => r.name).join(', ')}: built offline by \`lab images build\`), or bring the image as a file and \`docker load -i FILE.tar\` it`,
          },
        ],
        4,
      );
    }
  };
  await progress.tasks([{ title: `pull ${name}`, run: pull }]);
  return name;
}

/**
 * Make sure every image in `names` is in Docker, building nslab recipes that are missing and pulling others.
 * Returns name → the exact reference to run (`nslab/host` → `nslab/host:<recipe hash>`; others as given).
 */
export async function ensureImages(names: string[], opts: { quiet?: boolean; progress?: ImageProgress } = {}): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(names)];
  const ours = unique.filter((n) => recipeFor(n));
  if (ours.length) for (const rep of await buildImages(ours, opts)) for (const n of ours) if (recipeFor(n)!.name === rep.name) out.set(n, rep.ref);
  const foreign = unique.filter((n) => !recipeFor(n));
  if (foreign.length) {
    const d = await client('container nodes');
    for (const n of foreign) out.set(n, await ensureForeign(d, n, opts.quiet || !opts.progress ? SILENT : opts.progress));
  }
  return out;
}
