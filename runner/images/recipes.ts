/**
 * The lab images nslab builds offline from Debian packages, as data. Pure: no Docker, no file system, so the
 * plan can print the exact image reference (`imageRefFor`) on any machine.
 *
 * An image's tag is the first 12 hex digits of the sha256 of its recipe (canonical JSON, with RECIPE_FORMAT and,
 * for a derived recipe, its base's hash). An image whose tag equals that hash is up to date and never rebuilt.
 */
import { createHash } from 'node:crypto';

/** Bump when the build procedure changes what an image contains (cleaning, tar flags…): every hash changes. */
export const RECIPE_FORMAT = 1;

/** The default command of a lab container: wait, and exit at once on SIGTERM (plain `sleep` as PID 1 ignores it). */
export const KEEP_ALIVE: readonly string[] = ['sh', '-c', "trap 'exit 0' TERM INT; sleep infinity & wait"];

export interface ImageRecipe {
  /** Repository name of the image, e.g. `nslab/host`. */
  readonly name: string;
  readonly description: string;
  /** Debian release and debootstrap variant. */
  readonly suite: string;
  readonly variant: string;
  /** Build on the cached root file system of this recipe instead of running debootstrap again. */
  readonly base?: string;
  /** Debian packages: for a base image, what debootstrap includes; for a derived one, what apt-get adds. */
  readonly packages: readonly string[];
  /** Commands (argv, no shell) run with chroot inside the root file system after the packages are in. */
  readonly setup: readonly (readonly string[])[];
  /** The image's CMD: containers start with `--network none` and are kept alive by it. */
  readonly cmd: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

const HOST_PACKAGES = ['iproute2', 'iputils-ping', 'iperf3', 'tcpdump', 'netcat-openbsd', 'curl', 'nftables', 'iptables', 'procps'];
const ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };

export const RECIPES: readonly ImageRecipe[] = [
  {
    name: 'nslab/host',
    description: 'Debian 12 minbase with the network tools of a lab host',
    suite: 'bookworm',
    variant: 'minbase',
    packages: HOST_PACKAGES,
    setup: [],
    cmd: KEEP_ALIVE,
    env: ENV,
  },
  {
    name: 'nslab/bird',
    description: 'nslab/host with BIRD 2 (the node kind starts bird once the container is wired)',
    suite: 'bookworm',
    variant: 'minbase',
    base: 'nslab/host',
    packages: ['bird2'],
    // BIRD's default control socket lives in /run/bird, which systemd-tmpfiles would make on a real system
    setup: [['install', '-d', '-o', 'bird', '-g', 'bird', '-m', '0775', '/run/bird']],
    cmd: KEEP_ALIVE,
    env: ENV,
  },
];

export const DEFAULT_IMAGE = 'nslab/host';

/** Labels on every image nslab builds. LABEL_RECIPE equals the one in runner/exec/docker.ts (a unit test checks
 * it); it is repeated here so that nothing in runner/images loads dockerode before Docker is needed. */
export const LABEL_RECIPE = 'nslab.recipe';
export const LABEL_IMAGE = 'nslab.image';

/** JSON with object keys sorted at every level: the same data always gives the same text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The recipe named `name`; also accepts `name:latest` and `name:<its hash>`. */
export function recipeFor(name: string, recipes: readonly ImageRecipe[] = RECIPES): ImageRecipe | undefined {
  const [repo, tag] = splitRef(name);
  const r = recipes.find((x) => x.name === repo);
  if (!r || (tag !== undefined && tag !== 'latest' && tag !== recipeHash(r, recipes))) return undefined;
  return r;
}

/** `repo[:tag]` → [repo, tag]; a registry port (`host:5000/x`) is not a tag. */
export function splitRef(ref: string): [string, string | undefined] {
  const at = ref.lastIndexOf(':');
  if (at < 0 || ref.slice(at).includes('/')) return [ref, undefined];
  return [ref.slice(0, at), ref.slice(at + 1)];
}

/** 12 hex digits naming the recipe's content; a derived recipe's hash covers its base's. */
export function recipeHash(r: ImageRecipe, recipes: readonly ImageRecipe[] = RECIPES, seen: readonly string[] = []): string {
  if (seen.includes(r.name)) throw new Error(`image recipe ${r.name} is its own base (${[...seen, r.name].join(' → ')})`);
  let baseHash: string | undefined;
  if (r.base) {
    const b = recipes.find((x) => x.name === r.base);
    if (!b) throw new Error(`image recipe ${r.name}: unknown base ${r.base}`);
    baseHash = recipeHash(b, recipes, [...seen, r.name]);
  }
  // package order does not change the image, so it does not change the hash
  const data = { format: RECIPE_FORMAT, recipe: { ...r, packages: [...r.packages].sort(), description: undefined }, baseHash };
  return createHash('sha256').update(canonicalJson(data)).digest('hex').slice(0, 12);
}

/** The packages an image ends up with: its base's, then its own. */
export function allPackages(r: ImageRecipe, recipes: readonly ImageRecipe[] = RECIPES): string[] {
  const b = r.base ? recipes.find((x) => x.name === r.base) : undefined;
  return [...(b ? allPackages(b, recipes) : []), ...r.packages];
}

/**
 * The exact image reference a lab uses: `nslab/host` → `nslab/host:<recipe hash>`. Names that are not nslab
 * recipes are returned as given (they are pulled, or must have been `docker load`ed).
 */
export function imageRefFor(name: string): string {
  const r = recipeFor(name);
  return r ? `${r.name}:${recipeHash(r)}` : name;
}

/** The Dockerfile instructions given to the import: CMD, ENV and the labels that say which recipe it is. */
export function importChanges(r: ImageRecipe, hash: string): string[] {
  return [
    `CMD ${JSON.stringify(r.cmd)}`,
    ...Object.entries(r.env).map(([k, v]) => `ENV ${k}=${JSON.stringify(v)}`),
    `LABEL ${LABEL_RECIPE}=${JSON.stringify(hash)} ${LABEL_IMAGE}=${JSON.stringify(r.name)} nslab.suite=${JSON.stringify(r.suite)}`,
  ];
}
