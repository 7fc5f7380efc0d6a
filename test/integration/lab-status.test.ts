/** `lab status` on real labs (issue 18): BGP sessions Established, a Service with its ClusterIP and endpoints. Run alone. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'runner/cli/main.ts');
const run = (args: string[]): string => execFileSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function copyLab(from: string, name: string, dir: string): string {
  const to = join(dir, name);
  cpSync(join(ROOT, 'labs', from), to, { recursive: true });
  const file = join(to, 'lab.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^name: .*$/m, `name: ${name}`));
  return file;
}

describe('lab status shows BGP sessions and Services (issue 18)', function () {
  if (process.getuid?.() !== 0) return;
  const dir = mkdtempSync(join(tmpdir(), 's18-'));
  after(() => {
    for (const n of ['s18-ebgp', 's18-k8s']) try { run(['down', n]); } catch { /* not up */ }
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every BGP session of an eBGP triangle as Established', () => {
    run(['up', copyLab('ebgp-triangle', 's18-ebgp', dir)]);
    const [s] = JSON.parse(run(['status', 's18-ebgp', '--json'])) as { bgp: { node: string; sessions: { state: string; neighbor: string }[] }[] }[];
    assert.deepEqual(s.bgp.map((r) => r.node), ['r1', 'r2', 'r3']);
    for (const r of s.bgp) {
      assert.equal(r.sessions.length, 2, r.node);
      for (const x of r.sessions) assert.equal(x.state, 'Established', `${r.node} → ${x.neighbor}`);
    }
    assert.match(run(['status', 's18-ebgp']), /bgp r1 to_r2 → 10\.0\.12\.2 AS 65002: Established/);
  });

  it('shows a Service of a cluster lab with its ClusterIP and endpoints', () => {
    run(['up', copyLab('k8s-networkpolicy', 's18-k8s', dir)]);
    const [s] = JSON.parse(run(['status', 's18-k8s', '--json'])) as { model?: { services: { name: string; clusterIP?: string; endpoints: { pod: string; ip: string }[] }[] } }[];
    const svc = s.model?.services.find((x) => x.clusterIP && x.endpoints.length);
    assert.ok(svc, JSON.stringify(s.model));
    const text = run(['status', 's18-k8s']);
    assert.ok(text.includes(`ClusterIP ${svc.clusterIP}`) && text.includes(`${svc.endpoints[0].pod} ${svc.endpoints[0].ip}:`), text);
  });
});
