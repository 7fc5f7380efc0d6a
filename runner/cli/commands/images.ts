/** `lab images build|list|rm`: the lab images nslab builds offline from Debian packages. */
import { buildImages } from '../../images/build.ts';
import { knownNames, listNslabImages, removeNslabImages, ROOTFS_CACHE } from '../../images/inventory.ts';
import { recipeHash, RECIPES } from '../../images/recipes.ts';
import { listCachedRootfs } from '../../exec/images-rootfs.ts';
import { requireDocker } from '../../exec/docker.ts';
import { UsageError, type Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { say } from '../output.ts';
import { cliProgress } from '../progress.ts';

const SUBCOMMANDS = 'build [NAME…] [--force], list [--json], rm NAME…|--all';

function checkFlags(a: Args, allowed: readonly string[]): void {
  for (const f of a.flags) if (!allowed.includes(f)) throw new UsageError(`lab images ${a.positionals[0]}: unknown option --${f}`);
  if (a.options.size) throw new UsageError(`lab images ${a.positionals[0]}: unknown option --${[...a.options.keys()][0]}`);
}

export async function imagesCmd(a: Args): Promise<number> {
  const [sub, ...names] = a.positionals;
  switch (sub) {
    case 'build':
      checkFlags(a, ['force', 'quiet']);
      return buildCmd(names, a.flags.has('force'), a.flags.has('quiet'));
    case 'list':
    case 'ls':
      checkFlags(a, ['json']);
      if (names.length) throw new UsageError('lab images list takes no names');
      return listCmd(a.flags.has('json'));
    case 'rm':
    case 'remove':
      checkFlags(a, ['all']);
      return rmCmd(names, a.flags.has('all'));
    default:
      throw new UsageError(sub ? `unknown images command ${JSON.stringify(sub)} (known: ${SUBCOMMANDS})` : `lab images needs a command: ${SUBCOMMANDS}`);
  }
}

async function buildCmd(names: string[], force: boolean, quiet: boolean): Promise<number> {
  const t0 = performance.now();
  const wanted = names.length ? names : RECIPES.map((r) => r.name);
  const reports = await buildImages(wanted, { force, quiet, showUpToDate: true, progress: cliProgress(quiet) });
  const built = reports.filter((r) => r.built).length;
  if (!quiet) say(built ? `${built} image(s) built in ${((performance.now() - t0) / 1000).toFixed(1)} s` : `all ${reports.length} image(s) up to date`);
  return EXIT.ok;
}

const pad = (rows: string[][]): string => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
};

async function listCmd(json: boolean): Promise<number> {
  await requireDocker('lab images list');
  const images = await listNslabImages();
  const caches = listCachedRootfs();
  const missing = RECIPES.filter((r) => !images.some((i) => i.name === r.name && i.status === 'up to date'));
  if (json) {
    const data = {
      images: images.map((i) => ({ ...i, created: i.created.toISOString() })),
      notBuilt: missing.map((r) => ({ name: r.name, hash: recipeHash(r) })),
      rootfsCache: caches,
    };
    process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return EXIT.ok;
  }
  const rows = [['IMAGE', 'RECIPE', 'SIZE', 'CREATED', 'STATUS']];
  for (const i of images) {
    const tag = i.tags.find((t) => !t.endsWith(':latest')) ?? i.tags[0] ?? `${i.name}@${i.id.slice(7, 19)}`;
    const latest = i.tags.some((t) => t.endsWith(':latest')) ? ', latest' : '';
    const status = i.status === 'stale' ? `stale (recipe is now ${recipeHash(RECIPES.find((r) => r.name === i.name)!)})` : i.status;
    rows.push([tag, i.hash, `${Math.round(i.size / 1e6)} MB`, i.created.toISOString().replace('T', ' ').slice(0, 19), `${status}${latest}`]);
  }
  for (const r of missing) rows.push([`${r.name}:${recipeHash(r)}`, recipeHash(r), '-', '-', 'not built (lab images build)']);
  process.stdout.write(`${pad(rows)}\n`);
  if (caches.length) process.stdout.write(`root file system cache (${ROOTFS_CACHE}): ${caches.map((c) => `${c.name ?? '?'} ${c.hash}`).join(', ')}\n`);
  return EXIT.ok;
}

async function rmCmd(names: string[], all: boolean): Promise<number> {
  if (all && names.length) throw new UsageError('lab images rm: give names or --all, not both');
  if (!all && !names.length) throw new UsageError('lab images rm needs image names (e.g. nslab/host) or --all');
  await requireDocker('lab images rm');
  if (!all) {
    const known = knownNames(await listNslabImages());
    const unknown = names.filter((n) => !known.has(n.replace(/:latest$/, '')));
    if (unknown.length) throw new UsageError(`not an nslab image: ${unknown.join(', ')} (nslab images: ${[...known].join(', ')})`);
  }
  const r = await removeNslabImages(all ? undefined : names, say);
  for (const img of r.images) say(`removed image ${img}`);
  for (const c of r.caches) say(`removed root file system cache ${c.path}${c.name ? ` (${c.name})` : ''}`);
  if (!r.images.length && !r.caches.length) say(all ? 'no nslab images and no cache to remove' : `nothing to remove for ${names.join(', ')}`);
  return EXIT.ok;
}
