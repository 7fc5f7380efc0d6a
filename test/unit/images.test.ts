/** runner/images: recipe hashes, the machine's apt sources, and the debootstrap command. No root, no Docker. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debianMirror, parseDeb822Sources, parseOneLineSources, readAptSources } from '../../runner/images/apt-sources.ts';
import { allPackages, canonicalJson, imageRefFor, importChanges, LABEL_RECIPE, RECIPE_FORMAT, recipeFor, recipeHash, RECIPES, splitRef, type ImageRecipe } from '../../runner/images/recipes.ts';
import { debootstrapArgv, mountsUnder, tarArgv } from '../../runner/exec/images-rootfs.ts';

const host = RECIPES.find((r) => r.name === 'nslab/host')!;
const bird = RECIPES.find((r) => r.name === 'nslab/bird')!;

describe('images: recipes and their hashes', () => {
  it('canonical JSON sorts keys at every level and keeps array order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: 'x' } }), '{"a":{"c":"x","d":[2,1]},"b":1}');
    assert.equal(canonicalJson({ a: 1, b: undefined }), canonicalJson({ a: 1 }));
  });

  it('a hash is 12 hex digits and stable (the same on every call and for an equal copy)', () => {
    const h = recipeHash(host);
    assert.match(h, /^[0-9a-f]{12}$/);
    assert.equal(recipeHash(host), h);
    const copy: ImageRecipe = JSON.parse(JSON.stringify(host));
    assert.equal(recipeHash(copy), h);
    // key order and package order do not matter; the description is not content
    const shuffled: ImageRecipe = { env: host.env, cmd: host.cmd, setup: host.setup, packages: [...host.packages].reverse(), variant: host.variant, suite: host.suite, description: 'other words', name: host.name };
    assert.equal(recipeHash(shuffled), h);
  });

  it('the hash function itself does not drift (a drift would rebuild every image on every machine)', () => {
    const fixed: ImageRecipe = { name: 'x/y', description: '', suite: 'bookworm', variant: 'minbase', packages: ['b', 'a'], setup: [], cmd: ['true'], env: {} };
    // pinned on purpose: update it only together with a bump of RECIPE_FORMAT
    assert.equal(RECIPE_FORMAT, 1);
    assert.equal(recipeHash(fixed, [fixed]), 'b2aa8d15eb34');
  });

  it('the hash changes when the recipe changes: packages, suite, command, environment, setup', () => {
    const h = recipeHash(host);
    const variants: ImageRecipe[] = [
      { ...host, packages: [...host.packages, 'socat'] },
      { ...host, suite: 'trixie' },
      { ...host, variant: 'buildd' },
      { ...host, cmd: ['sleep', 'infinity'] },
      { ...host, env: { ...host.env, FOO: '1' } },
      { ...host, setup: [['true']] },
    ];
    const hashes = variants.map((v) => recipeHash(v));
    for (const x of hashes) assert.notEqual(x, h);
    assert.equal(new Set(hashes).size, hashes.length, 'every change gives its own hash');
  });

  it("a derived recipe's hash follows its base", () => {
    const h = recipeHash(bird);
    const changedHost: ImageRecipe = { ...host, packages: [...host.packages, 'socat'] };
    assert.notEqual(recipeHash(bird, [changedHost, bird]), h);
    assert.equal(recipeHash(bird, [host, bird]), h);
    assert.throws(() => recipeHash({ ...bird, base: 'nope' }, [host]), /unknown base nope/);
  });

  it('nslab/bird has the host packages and bird2; both are minbase bookworm and kept alive by their command', () => {
    assert.deepEqual(allPackages(bird), [...host.packages, 'bird2']);
    for (const p of ['iproute2', 'iputils-ping', 'iperf3', 'tcpdump', 'netcat-openbsd', 'curl', 'nftables', 'iptables', 'procps']) assert.ok(host.packages.includes(p), p);
    for (const r of RECIPES) {
      assert.equal(r.suite, 'bookworm');
      assert.equal(r.variant, 'minbase');
      assert.ok(r.cmd.length > 0);
    }
  });

  it('imageRefFor is the recipe hash tag, without Docker; other names pass through', () => {
    assert.equal(imageRefFor('nslab/host'), `nslab/host:${recipeHash(host)}`);
    assert.equal(imageRefFor('nslab/host:latest'), `nslab/host:${recipeHash(host)}`);
    assert.equal(imageRefFor('nslab/bird'), `nslab/bird:${recipeHash(bird)}`);
    assert.equal(imageRefFor('alpine:3.19'), 'alpine:3.19');
    assert.equal(imageRefFor('nslab/host:0123456789ab'), 'nslab/host:0123456789ab', 'an old hash is not the recipe');
    assert.equal(recipeFor(`nslab/host:${recipeHash(host)}`), host);
    assert.deepEqual(splitRef('registry:5000/x/y'), ['registry:5000/x/y', undefined]);
    assert.deepEqual(splitRef('registry:5000/x/y:1'), ['registry:5000/x/y', '1']);
  });

  it('the import sets CMD, ENV and the recipe label', () => {
    const ch = importChanges(host, 'abcdefabcdef');
    assert.equal(ch[0], `CMD ${JSON.stringify(host.cmd)}`);
    assert.ok(ch.some((c) => c.startsWith('ENV PATH=')));
    assert.ok(ch.some((c) => c.startsWith('LABEL ') && c.includes(`${LABEL_RECIPE}="abcdefabcdef"`) && c.includes('nslab.image="nslab/host"')));
  });

  it('LABEL_RECIPE is the one runner/exec/docker.ts declares', async () => {
    assert.equal(LABEL_RECIPE, (await import('../../runner/exec/docker.ts')).LABEL_RECIPE);
  });
});

describe('images: the machine apt sources', () => {
  it('one-line .list: options in brackets, comments, deb-src, several components', () => {
    const s = parseOneLineSources(
      [
        '# deb http://disabled.example/debian bookworm main',
        'deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian/ bookworm main contrib # trailing',
        'deb-src http://mirror.example/debian bookworm main',
        '',
        'deb http://security.example/debian-security bookworm-security main',
        'garbage line',
      ].join('\n'),
      'x.list',
    );
    assert.equal(s.length, 3);
    assert.deepEqual(s[0], {
      type: 'deb',
      uri: 'http://mirror.example/debian/',
      suites: ['bookworm'],
      components: ['main', 'contrib'],
      options: { arch: 'amd64', 'signed-by': '/usr/share/keyrings/debian-archive-keyring.gpg' },
      origin: 'x.list:2',
    });
    assert.equal(s[1].type, 'deb-src');
    assert.deepEqual(debianMirror(s, 'bookworm'), { uri: 'http://mirror.example/debian', keyring: '/usr/share/keyrings/debian-archive-keyring.gpg', origin: 'x.list:2' });
  });

  it('deb822 .sources: several URIs and suites, comments, Enabled: no, a multi-line Signed-By key', () => {
    const text = [
      '# a comment',
      'Types: deb deb-src',
      'URIs: http://off.example/debian',
      'Suites: bookworm',
      'Components: main',
      'Enabled: no',
      '',
      'Types: deb',
      '# http://snapshot.debian.org/archive/debian/20250520T000000Z',
      'URIs: http://deb.example/debian http://deb2.example/debian',
      'Suites: bookworm bookworm-updates',
      'Components: main contrib',
      'Signed-By:',
      ' -----BEGIN PGP PUBLIC KEY BLOCK-----',
      ' .',
      ' mQINBF…',
      ' -----END PGP PUBLIC KEY BLOCK-----',
      '',
      '',
      'Types: deb',
      'URIs: http://deb.example/debian-security',
      'Suites: bookworm-security',
      'Components: main',
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
    ].join('\n');
    const s = parseDeb822Sources(text, 'd.sources');
    assert.deepEqual(
      s.map((x) => [x.type, x.uri, x.suites.join(' ')]),
      [
        ['deb', 'http://deb.example/debian', 'bookworm bookworm-updates'],
        ['deb', 'http://deb2.example/debian', 'bookworm bookworm-updates'],
        ['deb', 'http://deb.example/debian-security', 'bookworm-security'],
      ],
    );
    assert.match(s[0].options['signed-by'], /BEGIN PGP PUBLIC KEY BLOCK[\s\S]*END PGP/);
    assert.equal(s[0].origin, 'd.sources:8');
    // an embedded key is no keyring file for debootstrap
    assert.deepEqual(debianMirror(s, 'bookworm'), { uri: 'http://deb.example/debian', keyring: undefined, origin: 'd.sources:8' });
  });

  it('the mirror is the first deb … main of the suite; else a Debian archive; else none (debootstrap default)', () => {
    const only = parseOneLineSources('deb http://deb.example/debian-security bookworm-security main\ndeb http://apt.example/ nodistro main\ndeb http://deb.example/debian bookworm contrib\n');
    assert.equal(debianMirror(only, 'bookworm'), undefined);
    const other = parseOneLineSources('deb http://apt.example/ nodistro main\ndeb http://mirror.example/debian bullseye main\n');
    assert.equal(debianMirror(other, 'bookworm')?.uri, 'http://mirror.example/debian', 'a bullseye machine builds bookworm from its Debian mirror');
    assert.equal(debianMirror([], 'bookworm'), undefined);
  });

  it('reads sources.list, then sources.list.d/*.list and *.sources in name order, ignoring other files', () => {
    const etc = mkdtempSync(join(tmpdir(), 'nslab-apt-'));
    mkdirSync(join(etc, 'sources.list.d'));
    writeFileSync(join(etc, 'sources.list'), '# nothing here\n');
    writeFileSync(join(etc, 'sources.list.d', 'b.sources'), 'Types: deb\nURIs: http://b.example/debian\nSuites: bookworm\nComponents: main\n');
    writeFileSync(join(etc, 'sources.list.d', 'a.list'), 'deb http://a.example/ nodistro main\n');
    writeFileSync(join(etc, 'sources.list.d', 'c.list.disabled'), 'deb http://c.example/debian bookworm main\n');
    writeFileSync(join(etc, 'sources.list.d', 'c.sources.disabled-by-farm'), 'Types: deb\nURIs: http://c.example/debian\nSuites: bookworm\nComponents: main\n');
    const s = readAptSources(etc);
    assert.deepEqual(
      s.map((x) => x.uri),
      ['http://a.example/', 'http://b.example/debian'],
    );
    assert.equal(debianMirror(s, 'bookworm')?.uri, 'http://b.example/debian');
    assert.deepEqual(readAptSources(join(etc, 'nope')), []);
  });
});

describe('images: commands', () => {
  it('debootstrap: variant, included packages, suite, target, then the mirror', () => {
    const argv = debootstrapArgv({ suite: 'bookworm', variant: 'minbase', packages: ['iproute2', 'curl'], target: '/t/root', mirror: { uri: 'http://m.example/debian', origin: 'x' } });
    assert.deepEqual(argv, ['debootstrap', '--variant=minbase', '--include=iproute2,curl', '--components=main', 'bookworm', '/t/root', 'http://m.example/debian']);
  });

  it("debootstrap without a mirror leaves it to debootstrap's default; a keyring is passed only when it exists", () => {
    assert.deepEqual(debootstrapArgv({ suite: 'bookworm', variant: 'minbase', packages: [], target: '/t' }), ['debootstrap', '--variant=minbase', '--components=main', 'bookworm', '/t']);
    const withMissingKey = debootstrapArgv({ suite: 'bookworm', variant: 'minbase', packages: [], target: '/t', mirror: { uri: 'http://m/debian', keyring: '/nonexistent/k.gpg', origin: 'x' } });
    assert.ok(!withMissingKey.some((a) => a.startsWith('--keyring')));
    const key = join(mkdtempSync(join(tmpdir(), 'nslab-key-')), 'k.gpg');
    writeFileSync(key, '');
    assert.ok(debootstrapArgv({ suite: 'bookworm', variant: 'minbase', packages: [], target: '/t', mirror: { uri: 'http://m/debian', keyring: key, origin: 'x' } }).includes(`--keyring=${key}`));
  });

  it('the recipes give the debootstrap of nslab/host with every host package', () => {
    const argv = debootstrapArgv({ suite: host.suite, variant: host.variant, packages: allPackages(host), target: '/r' });
    assert.equal(argv[2], `--include=${host.packages.join(',')}`);
  });

  it('tar keeps numeric owners and file capabilities, and leaves /dev empty', () => {
    const argv = tarArgv('/r');
    for (const a of ['--numeric-owner', '--xattrs', '--exclude=./dev/*', '-C', '/r']) assert.ok(argv.includes(a), a);
    assert.deepEqual(argv.slice(-3), ['-cf', '-', '.']);
  });

  it('finds the mounts a killed debootstrap left under a work directory, deepest first', () => {
    const info = [
      '22 1 0:21 / / rw - ext4 /dev/vda rw',
      '90 22 0:5 / /var/cache/nslab/work/h.1/proc rw - proc proc rw',
      '91 22 0:6 / /var/cache/nslab/work/h.1/dev rw - tmpfs nodev rw',
      '92 91 0:7 / /var/cache/nslab/work/h.1/dev/pts rw - devpts devpts rw',
      '93 22 0:8 / /var/cache/nslab/work/h.10/proc rw - proc proc rw',
      '94 22 0:9 / /var/cache/nslab/work/with\\040space/sys rw - sysfs sysfs rw',
    ].join('\n');
    assert.deepEqual(mountsUnder('/var/cache/nslab/work/h.1', info), ['/var/cache/nslab/work/h.1/dev/pts', '/var/cache/nslab/work/h.1/proc', '/var/cache/nslab/work/h.1/dev']);
    assert.deepEqual(mountsUnder('/var/cache/nslab/work/with space', info), ['/var/cache/nslab/work/with space/sys']);
  });
});
