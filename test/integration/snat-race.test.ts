/**
 * Issue 14.4 on the real kernel, the robust facts only (the measurement is bench/snat-race.ts): the lab
 * conntrack-snat-race passes its tests as shipped (a plain MASQUERADE); with `masquerade-random-fully: true` the
 * rule has --random-fully; in both, a storm of simultaneous connections from every pod (`lab agent storm`, the same
 * source ports in each pod) all connect, node-1's conntrack statistics are read (and, without --random-fully, moved:
 * the masquerade searched past taken tuples, `found` grew), and the conntrack table holds the pods' connections translated to node-1's
 * address. Lab names tw-it-race-*; only those are brought down.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLI, expectOk, lab, labLeftovers, ROOT, tempDir } from './helpers.ts';

const PODS = 8;

function variant(dir: string, name: string, randomFully: boolean): string {
  let text = readFileSync(join(ROOT, 'labs/conntrack-snat-race/lab.yaml'), 'utf8').replace(/^name: .*$/m, `name: ${name}`);
  if (randomFully) text = text.replace(/^ {2}# masquerade-random-fully: true.*$/m, '  masquerade-random-fully: true');
  assert.equal(text.includes('\n  masquerade-random-fully: true'), randomFully);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

async function inNode(name: string, node: string, argv: string[]): Promise<string> {
  const r = await execa('ip', ['netns', 'exec', `nsl.${name}.${node}`, ...argv], { reject: false });
  assert.equal(r.exitCode, 0, `${node}: ${argv.join(' ')}: ${String(r.stderr)}`);
  return String(r.stdout);
}

const found = (stats: string): number => [...stats.matchAll(/\bfound=(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);

describe('conntrack-snat-race: the robust facts (root, real kernel)', function () {
  this.timeout(150_000);
  const up: string[] = [];
  let dir: string;

  before(() => {
    dir = tempDir();
  });

  after(async () => {
    for (const n of up) await lab(['down', n]);
  });

  for (const randomFully of [false, true]) {
    const name = `tw-it-race-${randomFully ? 'rf' : 'plain'}`;
    it(`${randomFully ? 'with' : 'without'} --random-fully: the rule, a storm from every pod connects, conntrack -S read and moved, the table translated`, async () => {
      up.push(name);
      expectOk(await lab(['up', variant(dir, name, randomFully), ...(randomFully ? [] : ['--test'])]), `lab up ${name}`);
      const save = await inNode(name, 'node-1', ['iptables-save', '-t', 'nat']);
      const masq = save.split('\n').filter((l) => l.startsWith('-A CNI-MASQ ') && l.includes('-j MASQUERADE'));
      assert.equal(masq.length, 1, save);
      assert.equal(masq[0].endsWith(' --random-fully'), randomFully, masq[0]);

      await inNode(name, 'node-1', ['conntrack', '-F']);
      const before = await inNode(name, 'node-1', ['conntrack', '-S']);
      assert.match(before, /^cpu=0\s.*insert_failed=\d+ drop=\d+ .*clash_resolve=\d+/m);
      const startAt = String(Date.now() + 2000);
      const runs = await Promise.all(
        Array.from({ length: PODS }, (_, i) => inNode(name, `client-${i + 1}`, [process.execPath, CLI, 'agent', 'storm', '--to', '192.168.56.200:80', '--count', '100', '--sport-base', '41000', '--timeout', '10000', '--start-at', startAt])),
      );
      for (const out of runs) {
        const r = JSON.parse(out.trim()) as { count: number; ok: number; errors: Record<string, number> };
        assert.equal(r.ok, 100, `a pod's storm: ${out}`);
      }
      const after = await inNode(name, 'node-1', ['conntrack', '-S']);
      assert.match(after, /^cpu=1\s.*insert_failed=\d+ drop=\d+ .*clash_resolve=\d+/m);
      // without --random-fully, 8 pods asked for the same 100 source ports: the masquerade kept the port for the first
      // and had to look past the taken tuple for the 7 others (with it, every port is random and a clash is rare)
      if (!randomFully) assert.ok(found(after) - found(before) >= 100, `conntrack -S found grew by ${found(after) - found(before)} only:\n${before}\n${after}`);
      const table = await inNode(name, 'node-1', ['conntrack', '-L', '-p', 'tcp', '-d', '192.168.56.200', '--dport', '80']);
      const entries = table.split('\n').filter((l) => l.includes('dport=80'));
      assert.ok(entries.length >= PODS * 100, `only ${entries.length} entries`);
      assert.ok(entries.every((l) => / src=192\.168\.56\.200 dst=192\.168\.56\.11 /.test(l)), 'an entry not translated to node-1');

      expectOk(await lab(['down', name]), `lab down ${name}`);
      up.splice(up.indexOf(name), 1);
      assert.deepEqual(labLeftovers(name), []);
    });
  }
});
