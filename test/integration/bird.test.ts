/** BGP routers on the real kernel: BIRD in plain namespaces (runtime: netns), and bird -p refusing a bad config. */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectOk, lab, labLeftovers, processesMatching, ROOT, tempDir } from './helpers.ts';

const birdsOf = (name: string): number[] => processesMatching(`/run/nslab/${name}/`, 'bird');

describe('BGP routers (root, real BIRD)', function () {
  let dir: string;
  beforeEach(async () => {
    dir = tempDir();
    await lab(['down', '--all']);
  });
  afterEach(async () => {
    await lab(['down', '--all']);
  });

  it('ebgp-triangle with the host\'s BIRD in plain namespaces passes, and no bird is left after down', async () => {
    const text = readFileSync(join(ROOT, 'labs/ebgp-triangle/lab.yaml'), 'utf8')
      .replace(/^name: .*$/m, 'name: bgp-netns')
      .replace(/    kind: bird\n/g, '    kind: bird\n    runtime: netns\n');
    const f = join(dir, 'lab.yaml');
    writeFileSync(f, text);
    expectOk(await lab(['up', f, '--test']), 'up --test');
    assert.equal(birdsOf('bgp-netns').length, 3, 'three BIRDs run in the lab\'s namespaces');
    expectOk(await lab(['down', 'bgp-netns']), 'down');
    assert.deepEqual(birdsOf('bgp-netns'), []);
    assert.deepEqual(labLeftovers('bgp-netns'), []);
  });

  it('a raw BIRD snippet BIRD rejects is an error at its YAML line, before anything is built', async () => {
    const f = join(dir, 'lab.yaml');
    writeFileSync(
      f,
      ['name: bgp-bad', 'nodes:', '  r1:', '    kind: bird', '    runtime: netns', '    asn: 65001', '    interfaces: { eth0: { addresses: [10.0.0.1/24] } }', '    bird: |', '      protocol static { ipv4; route 10.9.0.0/16 blakhole; }', '  h: {}', 'links:', '  - [r1:eth0, h:eth0]', ''].join('\n'),
    );
    const r = await lab(['up', f]);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /lab\.yaml:8:\d+: error: .*blakhole/);
    assert.deepEqual(labLeftovers('bgp-bad'), []);
  });
});
