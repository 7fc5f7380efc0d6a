/**
 * Link impairments on the real kernel: a rate limit holds under iperf3, declared loss shows up in ping, and delay
 * on a kernel without netem is refused before anything is built. Lab names start with `imp-`; only these labs
 * are ever taken down (never `lab down --all`: other work uses the machine).
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectFeatures } from '../../runner/exec/probes.ts';
import { expectOk, lab, labLeftovers, tempDir } from './helpers.ts';

const SHAPE_LAB = `name: imp-shape
nodes:
  a:
    interfaces:
      eth0: { addresses: [10.0.0.1/24], impair: { rate: 100 mbit } }
      eth1: { addresses: [10.0.1.1/24], impair: { loss: 20% } }
      eth2: { addresses: [10.0.2.1/24], impair: { loss: 20% } }
  b:
    interfaces:
      eth0: { addresses: [10.0.0.2/24] }
  c:
    interfaces:
      eth0: { addresses: [10.0.1.2/24] }
  d:
    interfaces:
      eth0: { addresses: [10.0.2.2/24] }
bridges:
  sw: {}
links:
  - [a:eth0, b:eth0]
  - [a:eth1, c:eth0]
  - [a:eth2, sw]
  - [d:eth0, sw]
tests:
  - name: a to b is held to 100 mbit
    iperf3: { from: a, to: b, duration: 3s, min: 60 mbit, max: 110 mbit }
  - name: b to a is not shaped (the impairment is a's egress only)
    iperf3: { from: b, to: a, duration: 2s, min: 1 gbit }
  - name: 20% loss a to c, within tolerance
    ping: { from: a, to: c, count: 100, interval: 0.05s, max-loss: 35% }
  - name: 20% loss a to c is more than 5%
    ping: { from: a, to: c, count: 100, interval: 0.05s, max-loss: 5% }
  - name: 20% loss a to d through a bridge, within tolerance
    ping: { from: a, to: d, count: 100, interval: 0.05s, max-loss: 35% }
`;

const DELAY_LAB = `name: imp-delay
nodes:
  a:
    interfaces:
      eth0:
        addresses: [10.0.0.1/24]
        impair: { rate: 10 mbit, loss: 1%, delay: 20ms }
  b:
    interfaces:
      eth0: { addresses: [10.0.0.2/24] }
links:
  - [a:eth0, b:eth0]
tests:
  - ping: { from: a, to: b, count: 5, interval: 0.05s, max-loss: 100% }
`;

interface JsonTest {
  name: string;
  ok: boolean;
  seen: string;
  measurement: unknown;
}

describe('link impairments (root, real kernel)', function () {
  this.timeout(120_000);
  const dir = tempDir();

  after(async () => {
    for (const name of ['imp-shape', 'imp-delay']) if (labLeftovers(name).length) await lab(['down', name]);
  });

  it('rate and loss: iperf3 and ping see what the lab file declares', async () => {
    const file = join(dir, 'shape.yaml');
    const report = join(dir, 'shape.json');
    writeFileSync(file, SHAPE_LAB);
    const up = await lab(['up', file, '--test', '--reporter', 'json', '--output', report]);
    try {
      assert.equal(up.exitCode, 1, `exactly the strict loss test must fail\n${up.stdout}\n${up.stderr}`);
      const tests = (JSON.parse(readFileSync(report, 'utf8')) as { tests: JsonTest[] }).tests;
      const byName = new Map(tests.map((t) => [t.name, t]));
      for (const t of tests) process.stdout.write(`      ${t.ok ? '✔' : '✘'} ${t.name}: ${t.seen}\n`);
      assert.equal(byName.get('a to b is held to 100 mbit')?.ok, true, byName.get('a to b is held to 100 mbit')?.seen);
      assert.equal(byName.get('b to a is not shaped (the impairment is a\'s egress only)')?.ok, true);
      assert.equal(byName.get('20% loss a to c, within tolerance')?.ok, true, byName.get('20% loss a to c, within tolerance')?.seen);
      assert.equal(byName.get('20% loss a to c is more than 5%')?.ok, false, 'a 20% loss passed a 5% limit');
      assert.equal(byName.get('20% loss a to d through a bridge, within tolerance')?.ok, true);
      // the measured loss itself, from the report: 20 % declared, 100 pings (binomial σ = 4 points)
      const loss = Number(/(\d+(?:\.\d+)?)% loss/.exec(byName.get('20% loss a to c, within tolerance')!.seen)?.[1]);
      assert.ok(loss >= 8 && loss <= 35, `measured loss ${loss}%`);

      // what is on the machine: tbf on a:eth0, the drop table on the peer's ingress (c:eth0 and the bridge port)
      const tc = await lab(['exec', 'imp-shape', 'a', '--', 'tc', 'qdisc', 'show', 'dev', 'eth0']);
      expectOk(tc, 'tc qdisc show');
      assert.match(tc.stdout, /qdisc tbf \S+ root .*rate 100Mbit burst 50000b lat 50ms/);
      const nft = await lab(['exec', 'imp-shape', 'c', '--', 'nft', 'list', 'table', 'netdev', 'nslab_impair_eth0']);
      expectOk(nft, 'nft list table');
      assert.match(nft.stdout, /hook ingress device "eth0"[\s\S]*numgen random mod 100 < 20 drop/);
    } finally {
      expectOk(await lab(['down', 'imp-shape']), 'lab down imp-shape');
    }
    assert.deepEqual(labLeftovers('imp-shape'), []);
  });

  it('delay: refused before anything is built when the kernel has no netem', async function () {
    const file = join(dir, 'delay.yaml');
    writeFileSync(file, DELAY_LAB);
    const netem = (await detectFeatures(['netem'])).get('netem')!;
    const up = await lab(['up', file]);
    if (netem.ok) {
      // a kernel with netem: the delay is there
      try {
        expectOk(up, 'lab up with netem');
        const ping = await lab(['exec', 'imp-delay', 'a', '--', 'ping', '-c', '3', '-i', '0.2', '10.0.0.2']);
        const avg = Number(/= [\d.]+\/([\d.]+)\//.exec(ping.stdout)?.[1]);
        assert.ok(avg >= 19, `average rtt ${avg} ms with 20 ms of delay`);
      } finally {
        await lab(['down', 'imp-delay']);
      }
      return;
    }
    assert.equal(up.exitCode, 2, `lab up exited ${up.exitCode}\n${up.stdout}\n${up.stderr}`);
    assert.match(up.stderr, /delay\.yaml:7:\d+: error: a:eth0 impair: delay needs the kernel's netem qdisc \(CONFIG_NET_SCH_NETEM/);
    assert.match(up.stderr, /rate \(tc tbf\) and loss \(an nftables drop\) still work/);
    assert.match(up.stderr, /nothing was changed on this machine/);
    assert.deepEqual(labLeftovers('imp-delay'), [], 'lab up built something before refusing');
    // the plan still shows what it would run on a kernel with netem
    const plan = await lab(['plan', file]);
    expectOk(plan, 'lab plan');
    assert.match(plan.stdout, /^qdisc add dev eth0 root handle 1: netem delay 20ms loss 1%$/m);
    assert.match(plan.stdout, /^qdisc add dev eth0 parent 1:1 handle 10: tbf rate 10mbit burst 5000b latency 50ms$/m);
  });
});
