/** Issue 18: `lab exec r1 -- birdc show protocols` finds the router's control socket without `-s`. */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { withBirdSocket } from '../../runner/cli/commands/exec.ts';
import { birdSocket } from '../../runner/kinds/bird/index.ts';

describe('lab exec: birdc finds BIRD on a BGP router', () => {
  const saved = process.env.NSLAB_STATE_DIR;
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nsl-birdc-'));
    process.env.NSLAB_STATE_DIR = dir;
    mkdirSync(dirname(birdSocket('bgp', 'r1')), { recursive: true });
    writeFileSync(birdSocket('bgp', 'r1'), '');
  });
  after(() => {
    if (saved === undefined) delete process.env.NSLAB_STATE_DIR;
    else process.env.NSLAB_STATE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds -s with the lab’s socket to birdc, and only to birdc without its own -s', () => {
    const sock = join(dir, 'bgp', 'bird', 'r1', 'bird.ctl');
    assert.deepEqual(withBirdSocket('bgp', 'r1', ['birdc', 'show', 'protocols']), ['birdc', '-s', sock, 'show', 'protocols']);
    assert.deepEqual(withBirdSocket('bgp', 'r1', ['/usr/sbin/birdc', 'show', 'route']), ['/usr/sbin/birdc', '-s', sock, 'show', 'route']);
    assert.deepEqual(withBirdSocket('bgp', 'r1', ['birdc', '-s', '/x.ctl', 'show', 'route']), ['birdc', '-s', '/x.ctl', 'show', 'route']);
    assert.deepEqual(withBirdSocket('bgp', 'r1', ['ip', 'route']), ['ip', 'route']);
    assert.deepEqual(withBirdSocket('bgp', 'h1', ['birdc', 'show', 'protocols']), ['birdc', 'show', 'protocols'], 'not a BGP router: left alone');
  });
});
