/** `lab status`'s BGP sessions, Services, policies and impairments (issue 18): extraction and text, on captured birdc output and a resolved lab. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLab } from '../../runner/api.ts';
import { bgpRouterStatus, modelStatus } from '../../runner/lab/status-model.ts';
import { bgpLines, modelLines } from '../../runner/cli/status-text.ts';

const fixture = (f: string): string => readFileSync(join(import.meta.dirname, 'fixtures', f), 'utf8');

describe('lab status: BGP sessions, Services, policies, impairments', () => {
  it('lists the BGP sessions of a router from birdc show protocols all, with neighbor, AS and state', () => {
    const r = bgpRouterStatus('b', { stdout: fixture('birdc-protocols-all.txt'), stderr: '', exitCode: 0 });
    assert.equal(r.error, undefined);
    const a = r.sessions.find((s) => s.name === 'to_a');
    assert.ok(a);
    assert.equal(a.neighbor, '10.77.0.1');
    assert.equal(a.state, 'Established');
    assert.ok(!r.sessions.some((s) => s.name === 'device1' || s.name === 'kernel4'), 'only BGP protocols');
    const lines = bgpLines([r]);
    assert.ok(lines.some((l) => /^ {2}bgp b to_a → 10\.77\.0\.1 AS \d+: Established since /.test(l)), lines.join('\n'));
  });

  it('says why a router has no sessions to show when birdc cannot reach it', () => {
    const r = bgpRouterStatus('r9', { stdout: '', stderr: 'Unable to connect to server control socket (/x/bird.ctl): No such file or directory', exitCode: 1 });
    assert.deepEqual(r.sessions, []);
    assert.deepEqual(bgpLines([r]), ['  bgp r9: Unable to connect to server control socket (/x/bird.ctl): No such file or directory']);
    assert.deepEqual(bgpLines([bgpRouterStatus('r8', { stdout: '', stderr: '', exitCode: -1, timedOut: true })]), ['  bgp r8: birdc did not answer in time']);
  });

  it('shows a cluster lab\'s Services with ClusterIP and endpoints, and its NetworkPolicies with the pods they select', () => {
    const { lab } = loadLab(join(import.meta.dirname, '..', '..', 'labs', 'k8s-networkpolicy', 'lab.yaml'));
    const m = modelStatus(lab);
    assert.ok(m.services.length, 'the lab has Services');
    for (const s of m.services) {
      const svc = lab.cluster!.services.find((x) => x.name === s.name && x.namespace === s.namespace)!;
      assert.equal(s.clusterIP, svc.clusterIP);
    }
    const withEps = m.services.find((s) => s.endpoints.length);
    assert.ok(withEps, 'some Service has endpoints');
    const pod = lab.cluster!.pods.find((p) => p.name === withEps.endpoints[0].pod)!;
    assert.equal(withEps.endpoints[0].ip, pod.ip);
    assert.ok(m.policies.length, 'the lab has NetworkPolicies');
    const lines = modelLines(m);
    assert.ok(lines.some((l) => l.includes(`service ${withEps.namespace}/${withEps.name} (${withEps.type}) ClusterIP ${withEps.clusterIP}`) && l.includes(`${pod.name} ${pod.ip}:`)), lines.join('\n'));
    assert.ok(lines.some((l) => /^ {2}policy \S+\/\S+ \(.*\) selects /.test(l)), lines.join('\n'));
  });

  it('formats impairments as node:iface with rate, loss and delay, and says why the model part is skipped', () => {
    const lines = modelLines({ services: [], policies: [], impairments: [{ node: 'a', iface: 'eth0', rateBps: 10e6, lossPct: 1, delayUs: 20000, jitterUs: 5000 }] });
    assert.deepEqual(lines, ['  impair a:eth0 rate 10.0 Mbit/s, loss 1%, delay 20ms ± 5ms']);
    assert.deepEqual(modelLines(undefined, 'lab.yaml is gone'), ['  (lab.yaml is gone)']);
  });
});
