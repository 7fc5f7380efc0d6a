/** Lab images on a real Docker daemon: built offline (or reused), run with `--network none`, never rebuilt twice. */
import { strict as assert } from 'node:assert';
import type Docker from 'dockerode';
import { LabError } from '../../runner/config/diagnostics.ts';
import { requireDocker } from '../../runner/exec/docker.ts';
import { ensureImages, imageRefFor } from '../../runner/images/build.ts';
import { imageId } from '../../runner/exec/images-docker.ts';
import { needRoot } from '../needs.ts';
import { expectOk, lab } from './helpers.ts';

/** Run `cmd` in a fresh container of `image` with no network; the container is removed whatever happens. */
async function runOnce(d: Docker, image: string, cmd: string[]): Promise<{ code: number; out: string }> {
  const c = await d.createContainer({ Image: image, Cmd: cmd, Tty: true, Labels: { 'nslab.test': 'images' }, HostConfig: { NetworkMode: 'none' } });
  try {
    await c.start();
    const w = (await c.wait()) as { StatusCode: number };
    const logs = await c.logs({ stdout: true, stderr: true });
    return { code: w.StatusCode, out: logs.toString() };
  } finally {
    await c.remove({ force: true });
  }
}

describe('lab images (root, Docker)', function () {
  this.timeout(15 * 60_000);
  let d: Docker;
  const names = ['nslab/host', 'nslab/bird'];

  before(async () => {
    needRoot('building lab images (debootstrap, chroot)');
    // no Docker: requireDocker fails with what is wrong and how to set it up (`bash scripts/setup.sh --with-docker --with-images`)
    d = await requireDocker('the image tests');
  });

  it('ensureImages gives both images, tagged with their recipe hash and latest', async () => {
    const refs = await ensureImages(names, { quiet: true });
    for (const n of names) {
      assert.equal(refs.get(n), imageRefFor(n));
      const id = await imageId(imageRefFor(n));
      assert.ok(id, `${imageRefFor(n)} exists`);
      assert.equal(await imageId(`${n}:latest`), id, `${n}:latest is the current recipe's image`);
      const info = await d.getImage(id).inspect();
      assert.equal(info.Config.Labels?.['nslab.recipe'], imageRefFor(n).split(':')[1]);
    }
  });

  it('a container from nslab/host runs ping -V with --network none', async () => {
    const r = await runOnce(d, imageRefFor('nslab/host'), ['ping', '-V']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /ping from iputils/);
    const ip = await runOnce(d, imageRefFor('nslab/host'), ['ip', '-o', 'link', 'show']);
    assert.equal(ip.code, 0, ip.out);
    assert.doesNotMatch(ip.out, /eth0/, 'no network: only lo');
  });

  it('a container from nslab/bird has BIRD 2 and its control socket directory', async () => {
    const r = await runOnce(d, imageRefFor('nslab/bird'), ['bird', '--version']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /BIRD version 2\./);
    const run = await runOnce(d, imageRefFor('nslab/bird'), ['stat', '-c', '%U', '/run/bird']);
    assert.equal(run.out.trim(), 'bird');
  });

  it('a second ensureImages rebuilds nothing: the image IDs are unchanged (its time: bench/micro.ts)', async () => {
    const before = await Promise.all(names.map((n) => imageId(imageRefFor(n))));
    await ensureImages(names, { quiet: true });
    assert.deepEqual(await Promise.all(names.map((n) => imageId(imageRefFor(n)))), before);
  });

  it('`lab images build` says up to date, `lab images list` shows both', async () => {
    const b = await lab(['images', 'build']);
    expectOk(b, 'lab images build');
    assert.match(b.stderr, /all 2 image\(s\) up to date/);
    const l = await lab(['images', 'list']);
    expectOk(l, 'lab images list');
    for (const n of names) assert.match(l.stdout, new RegExp(`${imageRefFor(n)}.*up to date`));
  });

  it('`lab images rm` refuses an image a container uses, names the container, and removes nothing', async () => {
    const c = await d.createContainer({ Image: imageRefFor('nslab/bird'), name: `nslab-images-test-${process.pid}`, HostConfig: { NetworkMode: 'none' } });
    try {
      await c.start();
      const r = await lab(['images', 'rm', 'nslab/bird']);
      assert.equal(r.exitCode, 3, r.stderr);
      assert.match(r.stderr, new RegExp(`used by running container nslab-images-test-${process.pid}`));
      assert.ok(await imageId(imageRefFor('nslab/bird')), 'the image is still there');
    } finally {
      await c.remove({ force: true });
    }
  });

  it('an image that is no recipe and cannot be pulled is a clear error', async () => {
    await assert.rejects(ensureImages(['nslab-test/not-anywhere:0'], { quiet: true }), (e: unknown) => {
      assert.ok(e instanceof LabError);
      assert.equal(e.exitCode, 4);
      assert.match(e.message, /no container registry is reachable from this machine|the registry does not have it/);
      assert.match(e.diagnostics[0].hint ?? '', /docker load/);
      return true;
    });
  });
});
