/**
 * `nat: [{ docker: … }]` on the real kernel (issue 16.2), on a copy of labs/bridge-nat under its own name:
 *   - its own tests pass: the published port from outside, from the host itself (its address: nat OUTPUT; 127.0.0.1:
 *     docker-proxy) and from another container (docker-proxy), Docker's rules as `iptables-save` shows them;
 *   - the host node's whole `iptables-save` is the one a real dockerd 20.10 wrote (test/unit/fixtures/docker/),
 *     counters aside;
 *   - the kernel's walk and the model's prediction agree on every trace of the lab's handout (what
 *     trace-agreement.test.ts checks for every lab, for this one alone);
 *   - `lab down` stops the docker-proxy processes and leaves nothing behind.
 * Root. Brings down only what it brought up.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLab } from '../../runner/api.ts';
import { parseLabText } from '../../runner/config/load.ts';
import { traceFlow } from '../../runner/lab/trace.ts';
import { flowRequest, readHandout } from '../../runner/resolve/handout-spec.ts';
import { expectOk, lab, labLeftovers, pidAlive, processesMatching, ROOT, tempDir } from './helpers.ts';
import { needTools } from '../needs.ts';

const NAME = 'td-docker-nat';
const FIXTURE = join(ROOT, 'test/unit/fixtures/docker/iptables-save-20.10-userland-proxy.txt');

/** iptables-save without its comments and with the chains' counters zeroed. */
function normal(text: string): string {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.replace(/ \[\d+:\d+\]$/, ' [0:0]'))
    .join('\n');
}

describe("nat: docker on the kernel — Docker's rules, the published port from everywhere, the walks (issue 16.2)", function () {
  this.timeout(120_000);
  const dir = tempDir();
  const file = join(dir, 'lab.yaml');
  let up = false;

  before(() => {
    assert.equal(process.getuid?.(), 0, 'integration tests need root');
    needTools(['docker-proxy', 'iptables-save', 'curl'], 'apt-get install docker.io iptables curl (bash scripts/setup.sh does)');
    writeFileSync(file, readFileSync(join(ROOT, 'labs/bridge-nat/lab.yaml'), 'utf8').replace(/^name: .*$/m, `name: ${NAME}`));
  });

  after(async () => {
    if (up) await lab(['down', NAME]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("comes up and passes its own tests (outside, the host itself, another container; Docker's rules)", async () => {
    const r = await lab(['up', file, '--test']);
    up = true;
    expectOk(r, `lab up ${NAME} --test`);
    assert.match(r.stdout, /another container reaches the host's published port/);
    assert.match(r.stdout, /14 passed/);
  });

  it("the host's iptables-save is the real dockerd's, rule for rule", () => {
    const seen = execFileSync('ip', ['netns', 'exec', `nsl.${NAME}.host`, 'iptables-save'], { encoding: 'utf8' });
    assert.equal(normal(seen), normal(readFileSync(FIXTURE, 'utf8')));
  });

  it("the kernel's walk and the model's prediction agree on every handout trace", async () => {
    const { lab: resolved } = loadLab(file);
    const traces = readHandout(parseLabText(file, readFileSync(file, 'utf8')))!.traces;
    assert.equal(traces.length, 3);
    const problems: string[] = [];
    for (const t of traces) {
      const r = await traceFlow(resolved, flowRequest(t));
      const where = `trace ${t.index + 1} (${t.from} → ${t.to}${t.port ? ` port ${t.port}` : ''})`;
      if (!r.kernel || !r.predicted) {
        problems.push(`${where}: ${r.kernel ? 'no prediction' : 'no kernel walk'}`);
        continue;
      }
      for (const d of r.differences) problems.push(`${where}: ${d.direction} ${d.what}: kernel ${d.kernel} / model ${d.model}`);
      if (r.kernel.forward.verdict.kind !== t.verdict) problems.push(`${where}: the kernel's walk ended ${r.kernel.forward.verdict.kind}`);
      if (!r.kernel.reply) problems.push(`${where}: no reply came back`);
    }
    assert.deepEqual(problems, []);
  });

  it('lab down stops docker-proxy and leaves nothing behind', async () => {
    const ns = statSync(`/run/netns/nsl.${NAME}.host`).ino;
    const proxies = processesMatching('-host-port', 'docker-proxy').filter((p) => {
      try {
        return readlinkSync(`/proc/${p}/ns/net`) === `net:[${ns}]`;
      } catch {
        return false;
      }
    });
    assert.equal(proxies.length, 1, 'one docker-proxy in the host node, for port 8080');
    expectOk(await lab(['down', NAME]), `lab down ${NAME}`);
    up = false;
    assert.deepEqual(proxies.filter(pidAlive), []);
    assert.deepEqual(labLeftovers(NAME), []);
  });
});

describe('nat: docker with userland-proxy: false on the kernel — hairpin NAT instead of docker-proxy (issue 16.2)', function () {
  this.timeout(120_000);
  const NP = 'td-docker-noproxy';
  const dir = tempDir();
  const file = join(dir, 'lab.yaml');
  let up = false;
  const curl = (node: string, url: string, client: string): string =>
    `  - name: ${node} to ${url} reaches h1, which sees ${client}\n    command: { node: ${node}, run: curl -s --max-time 3 ${url}, output: '"node":"h1".*"client":"${client.replaceAll('.', '\\.')}"' }\n`;

  before(() => {
    assert.equal(process.getuid?.(), 0, 'integration tests need root');
    const text = readFileSync(join(ROOT, 'labs/bridge-nat/lab.yaml'), 'utf8').replace(/^name: .*$/m, `name: ${NP}`).replace('          bridge: docker0\n', '          bridge: docker0\n          userland-proxy: false\n');
    const tests = [
      curl('internet', 'http://203.0.113.2:8080/', '203.0.113.1'),
      // the host's own packets leave by docker0 from a LOCAL address: masqueraded to docker0's
      curl('host', 'http://203.0.113.2:8080/', '172.17.0.1'),
      curl('host', 'http://127.0.0.1:8080/', '172.17.0.1'),
      // DNAT on the bridge (br_netfilter), the reply un-DNATed there: h1 sees the calling container itself
      curl('h2', 'http://203.0.113.2:8080/', '172.17.0.3'),
      // h1 to its own published port: hairpin mode sends the frame back out of its port, masqueraded
      curl('h1', 'http://203.0.113.2:8080/', '172.17.0.1'),
      "  - name: nothing listens on the published port\n    command: { node: host, run: ss -Hltn sport = :8080, not-output: '8080' }\n",
      "  - name: docker0's ports are in hairpin mode\n    command: { node: host, run: bridge -d link show dev h2-eth0, output: 'hairpin on' }\n",
    ];
    writeFileSync(file, `${text.slice(0, text.indexOf('\ntests:\n'))}\ntests:\n${tests.join('')}`);
  });

  after(async () => {
    if (up) await lab(['down', NP]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('comes up and passes: outside, the host (its address and 127.0.0.1), another container and h1 itself all reach h1:80', async () => {
    const r = await lab(['up', file, '--test']);
    up = true;
    expectOk(r, `lab up ${NP} --test`);
    assert.match(r.stdout, /7 passed/);
  });

  it("the host's iptables-save is what dockerd --userland-proxy=false wrote", () => {
    const seen = execFileSync('ip', ['netns', 'exec', `nsl.${NP}.host`, 'iptables-save'], { encoding: 'utf8' });
    assert.equal(normal(seen), normal(readFileSync(join(ROOT, 'test/unit/fixtures/docker/iptables-save-20.10-no-userland-proxy.txt'), 'utf8')));
  });

  it("the kernel's walk and the model's prediction agree, the container's call DNATed on docker0 itself", async () => {
    const { lab: resolved } = loadLab(file);
    const problems: string[] = [];
    for (const [from, to, port] of [['internet', 'host:eth0', 8080], ['h2', 'host:eth0', 8080], ['h1', 'host:eth0', 8080], ['h2', 'internet', 80]] as const) {
      const r = await traceFlow(resolved, { from, to, port });
      const where = `${from} → ${to} port ${port}`;
      if (!r.kernel || !r.predicted) {
        problems.push(`${where}: ${r.kernel ? 'no prediction' : 'no kernel walk'}`);
        continue;
      }
      for (const d of r.differences) problems.push(`${where}: ${d.direction} ${d.what}: kernel ${d.kernel} / model ${d.model}`);
      if (r.kernel.forward.verdict.kind !== 'delivered' || !r.kernel.reply) problems.push(`${where}: ${r.kernel.forward.verdict.kind}, ${r.kernel.reply ? 'a reply' : 'no reply'}`);
      if (from === 'h2' && port === 8080) {
        const br = r.kernel.forward.hops.find((h) => h.type === 'bridge');
        assert.deepEqual(br?.nat.map((n) => n.after), ['172.17.0.2:80'], 'DNATed in the bridge hop');
      }
    }
    assert.deepEqual(problems, []);
    expectOk(await lab(['down', NP]), `lab down ${NP}`);
    up = false;
    assert.deepEqual(labLeftovers(NP), []);
  });
});
