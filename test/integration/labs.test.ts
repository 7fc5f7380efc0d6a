/** Every lab in labs/ goes up, passes its assertions, goes down, and leaves nothing behind. */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { assertSameHost, expectOk, hostSnapshot, lab, labLeftovers, pidAlive, ROOT, tempDir } from './helpers.ts';

const labs = readdirSync(join(ROOT, 'labs')).filter((d) => existsSync(join(ROOT, 'labs', d, 'lab.yaml')));

describe('every lab in labs/: up → test → down, nothing left', function () {
  before(async () => {
    assert.equal(process.getuid?.(), 0, 'integration tests need root');
    await lab(['down', '--all']);
  });
  it('there are labs to bring up', () => assert.ok(labs.length >= 3, `found ${labs.length}`));
  for (const dir of labs) {
    it(`labs/${dir}`, async () => {
      const file = join('labs', dir, 'lab.yaml');
      const name = /^name:\s*(\S+)/m.exec(readFileSync(join(ROOT, file), 'utf8'))![1];
      const before = await hostSnapshot();
      const report = join(tempDir(), 'report.xml');
      const up = await lab(['up', file, '--test', '--reporter', 'junit', '--output', report]);
      expectOk(up, `lab up --test ${file}`);
      const xml = readFileSync(report, 'utf8');
      const tests = Number(/<testsuite [^>]*tests="(\d+)"/.exec(xml)?.[1]);
      assert.ok(tests > 0, 'the JUnit report has test cases');
      assert.match(xml, /failures="0"/);
      const status = await lab(['status', name, '--json']);
      expectOk(status, 'lab status');
      const st = JSON.parse(status.stdout) as { lab: string; status: string; nodes: unknown[]; daemons: { pid: number }[] }[];
      assert.equal(st[0].status, 'up');
      assert.ok(st[0].nodes.length > 0);
      const pids = st[0].daemons.map((d) => d.pid);
      const again = await lab(['up', file]);
      expectOk(again, 'lab up on a lab that is up');
      assert.match(again.stderr, /already up/);
      const down = await lab(['down', file]);
      expectOk(down, 'lab down');
      assert.deepEqual(labLeftovers(name), []);
      if (existsSync('/var/run/docker.sock')) {
        const ps = await execa('docker', ['ps', '-a', '--filter', `label=nslab.lab=${name}`, '--format', '{{.Names}}'], { reject: false });
        assert.equal(String(ps.stdout).trim(), '', `containers of ${name} are left`);
      }
      for (const p of pids) assert.ok(!pidAlive(p), `process ${p} of the lab still runs`);
      assertSameHost(before, await hostSnapshot());
    });
  }
});
