/**
 * Sidecar interception on the real kernel with the real proxy (issue 13.2): lab k8s-sidecar-interception under a
 * name of its own (ts-sidecar-it). The nat chains are istio-iptables' as iptables-save prints them, in the pod that
 * asked for a sidecar and only there; haproxy runs as uid 1337 and its log has every inbound and outbound connection
 * by original destination (SO_ORIGINAL_DST of the REDIRECTed socket); the uid-1337 exception is what keeps the proxy
 * from capturing its own connections — with the RETURN rules deleted, one request loops through the proxy again and
 * again; `lab down` leaves nothing (no namespace, no state, no haproxy).
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expectOk, lab, labLeftovers, processesMatching, ROOT, tempDir } from './helpers.ts';

const NAME = 'ts-sidecar-it';
let file = '';
let isUp = false;

async function inPod(pod: string, argv: string[], timeout = 20_000): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa('ip', ['netns', 'exec', `nsl.${NAME}.${pod}`, ...argv], { reject: false, timeout });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const proxyLog = (pod: string): string => readFileSync(join('/run/nslab', NAME, 'logs', `${pod}.istio-proxy.log`), 'utf8');
const rulesOf = (save: string): string[] => save.split('\n').filter((l) => /^-A (PREROUTING|OUTPUT|ISTIO_)/.test(l));
const podIP = async (pod: string): Promise<string> => /inet (10\.244\.\d+\.\d+)\//.exec((await inPod(pod, ['ip', '-4', 'addr', 'show', 'eth0'])).stdout)![1];

/** The rules istio-iptables writes with the injector's defaults, as iptables-save prints them (it adds `-m tcp`). */
const ISTIO_SAVED = (extraInbound: number[] = []): string[] => [
  '-A PREROUTING -p tcp -j ISTIO_INBOUND',
  '-A OUTPUT -j ISTIO_OUTPUT',
  ...[15008, 15090, 15021, 15020, ...extraInbound].map((p) => `-A ISTIO_INBOUND -p tcp -m tcp --dport ${p} -j RETURN`),
  '-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT',
  '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006',
  '-A ISTIO_OUTPUT -s 127.0.0.6/32 -o lo -j RETURN',
  '-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT',
  '-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN',
  '-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN',
  '-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m tcp ! --dport 15008 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT',
  '-A ISTIO_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN',
  '-A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN',
  '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
  '-A ISTIO_OUTPUT -j ISTIO_REDIRECT',
  '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
];

describe('sidecar interception on the real kernel (k8s-sidecar-interception as ts-sidecar-it)', function () {
  this.timeout(120_000);

  before(async () => {
    const text = readFileSync(join(ROOT, 'labs/k8s-sidecar-interception/lab.yaml'), 'utf8').replace(/^name: .*$/m, `name: ${NAME}`);
    file = join(tempDir(), `${NAME}.yaml`);
    writeFileSync(file, text);
    isUp = true;
    expectOk(await lab(['up', file, '--test']), `lab up ${NAME} --test`);
  });

  after(async () => {
    if (isUp) await lab(['down', NAME]);
  });

  it("the rules are istio-iptables' as iptables-save shows them, in both modes, and only in the pods with a sidecar", async () => {
    assert.deepEqual(rulesOf((await inPod('reviews', ['iptables-save', '-t', 'nat'])).stdout), ISTIO_SAVED());
    assert.deepEqual(rulesOf((await inPod('ratings', ['iptables-save', '-t', 'nat'])).stdout), ISTIO_SAVED([9090]));
    assert.deepEqual(rulesOf((await inPod('plain', ['iptables-save', '-t', 'nat'])).stdout), []);
    // the pods' history: reviews' rules came from its init container, ratings' from the node
    assert.match(readFileSync(join('/run/nslab', NAME, 'pods/reviews.history'), 'utf8'), /init container istio-init .* exited 0/);
    assert.match(readFileSync(join('/run/nslab', NAME, 'pods/ratings.history'), 'utf8'), /no init container; the CNI plugin on node node-1/);
  });

  it('the proxy is haproxy running as uid 1337 (and gid 1337), one per sidecar pod', () => {
    const pids = processesMatching(`/run/nslab/${NAME}/sidecar/`, 'haproxy');
    assert.equal(pids.length, 2);
    for (const pid of pids) {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      assert.match(status, /^Uid:\s+1337\s+1337\s+1337\s+1337$/m);
      assert.match(status, /^Gid:\s+1337\s+1337\s+1337\s+1337$/m);
    }
  });

  it('connections are intercepted both ways: the proxy log has each, by original destination, and the app sees 127.0.0.6', async () => {
    const [reviews, plain] = [await podIP('reviews'), await podIP('plain')];
    const inbound = await inPod('plain', ['curl', '-s', '--max-time', '5', '--local-port', '42000-42009', `http://${reviews}/`]);
    assert.match(inbound.stdout, /"client":"127\.0\.0\.6"/);
    const outbound = await inPod('reviews', ['curl', '-s', '--max-time', '5', '--local-port', '42010-42019', 'http://plain/']);
    assert.match(outbound.stdout, new RegExp(`"client":"${reviews.replace(/\./g, '\\.')}"`));
    await new Promise((r) => setTimeout(r, 300));
    const log = proxyLog('reviews');
    assert.match(log, new RegExp(`^sidecar inbound client=${plain.replace(/\./g, '\\.')}:4200\\d original-dst=${reviews.replace(/\./g, '\\.')}:80 upstream=${reviews.replace(/\./g, '\\.')}:80 via=127\\.0\\.0\\.6:\\d+ `, 'm'));
    assert.match(log, new RegExp(`^sidecar outbound client=${reviews.replace(/\./g, '\\.')}:4201\\d original-dst=10\\.96\\.0\\.13:80 upstream=10\\.96\\.0\\.13:80 via=${reviews.replace(/\./g, '\\.')}:\\d+ `, 'm'));
    // one request, one line each way: the proxy's own upstream connection was not captured again
    assert.equal(log.split('\n').filter((l) => / client=\S+:4201\d /.test(l)).length, 1);
  });

  it('uid-1337 traffic is not looped: a connection made as uid 1337 bypasses the proxy; without the RETURN rules one request loops', async () => {
    const as1337 = await inPod('reviews', ['setpriv', '--reuid=1337', '--regid=1337', '--clear-groups', 'curl', '-s', '--max-time', '5', '--local-port', '42020-42029', 'http://plain/']);
    assert.match(as1337.stdout, /"node":"plain"/);
    await new Promise((r) => setTimeout(r, 300));
    assert.doesNotMatch(proxyLog('reviews'), / client=\S+:4202\d /);
    const established = async (): Promise<number> => (await inPod('reviews', ['ss', '-Htn', 'state', 'established', '( sport = :15001 )'])).stdout.split('\n').filter(Boolean).length;
    assert.equal(await established(), 0);
    // delete the proxy's exceptions (uid and its gid twin): its own connection is captured again, and again…
    for (const owner of ['--uid-owner', '--gid-owner']) expectOk(await inPod('reviews', ['iptables', '-t', 'nat', '-D', 'ISTIO_OUTPUT', '-m', 'owner', owner, '1337', '-j', 'RETURN']), `iptables -D ISTIO_OUTPUT ${owner} 1337`);
    const looped = await inPod('reviews', ['curl', '-s', '--max-time', '2', 'http://plain/']);
    assert.notEqual(looped.exitCode, 0, 'the request should not get through a looping proxy');
    const n = await established();
    assert.ok(n > 50, `a loop: ${n} connections accepted on 15001 for one request`);
  });

  it('lab down leaves nothing: no namespace, no state, no haproxy', async () => {
    expectOk(await lab(['down', NAME]), `lab down ${NAME}`);
    isUp = false;
    assert.deepEqual(labLeftovers(NAME), []);
    assert.deepEqual(processesMatching(`/run/nslab/${NAME}/`), []);
  });
});
