/**
 * The cluster DNS (runner/cluster/dns.ts) served by a real dnsmasq, as root: a scratch namespace nsldns-<pid> with
 * 10.96.0.10/32 on its lo, dnsmasq run with nslab's argv for test/fixtures/dns-cluster.ts, answering A, CNAME, SRV,
 * headless multi-A and NXDOMAIN.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dnsmasqArgs } from '../../runner/cluster/dns.ts';
import { INPUT } from '../fixtures/dns-cluster.ts';
import { needRoot, needTools } from '../needs.ts';


describe('cluster DNS: a real dnsmasq in a scratch namespace', () => {
  const NS = `nsldns-${process.pid}`;
  let dnsmasq: ChildProcess | undefined;
  let created = false;
  let log = '';

  const ip = (...args: string[]): void => {
    const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10000 });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  };
  /** One query: the status and the answer section's records as "name type data". */
  const dig = (name: string, type: string): { status: string; answers: string[] } => {
    const r = spawnSync(
      'ip',
      ['netns', 'exec', NS, 'dig', '@10.96.0.10', '+norecurse', '+time=1', '+tries=1', '+noall', '+comments', '+answer', name, type],
      { encoding: 'utf8', timeout: 10000 },
    );
    const status = /status: ([A-Z]+)/.exec(r.stdout)?.[1] ?? `no answer (${r.stdout}${r.stderr})`;
    const answers = r.stdout
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith(';'))
      .map((l) => l.split(/\s+/))
      .map(([n, , , t, ...data]) => `${n} ${t} ${data.join(' ')}`);
    return { status, answers };
  };

  before(async () => {
    needRoot('a dnsmasq in a scratch namespace');
    needTools(['ip', 'dnsmasq', 'dig'], 'apt-get install iproute2 dnsmasq-base dnsutils (or `bash scripts/setup.sh`)');
    ip('netns', 'add', NS);
    created = true;
    ip('-n', NS, 'link', 'set', 'lo', 'up');
    ip('-n', NS, 'addr', 'add', '10.96.0.10/32', 'dev', 'lo');
    dnsmasq = spawn('ip', ['netns', 'exec', NS, 'dnsmasq', ...dnsmasqArgs(INPUT)], { stdio: ['ignore', 'pipe', 'pipe'] });
    dnsmasq.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    dnsmasq.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    for (let i = 0; i < 50; i++) {
      if (dig('web.default.svc.cluster.local', 'A').status === 'NOERROR') return;
      if (dnsmasq.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`dnsmasq did not answer:\n${log}`);
  });

  after(() => {
    // `ip netns exec` execs dnsmasq in place, so the spawned PID is dnsmasq's own.
    if (dnsmasq?.pid !== undefined && dnsmasq.exitCode === null) dnsmasq.kill('SIGTERM');
    if (created) spawnSync('ip', ['netns', 'del', NS]);
  });

  it('answers a ClusterIP A record', () => {
    assert.deepEqual(dig('web.default.svc.cluster.local', 'A'), {
      status: 'NOERROR',
      answers: ['web.default.svc.cluster.local. A 10.96.0.20'],
    });
  });

  it('answers every endpoint of a headless service, and per-endpoint names (hostname, else dashed address)', () => {
    const r = dig('db.data.svc.cluster.local', 'A');
    assert.equal(r.status, 'NOERROR');
    assert.deepEqual(r.answers.sort(), ['db.data.svc.cluster.local. A 10.244.1.5', 'db.data.svc.cluster.local. A 10.244.2.6']);
    assert.deepEqual(dig('db-1.db.data.svc.cluster.local', 'A').answers, ['db-1.db.data.svc.cluster.local. A 10.244.2.6']);
    // without hostname+subdomain the endpoint's name is its dashed address, not the pod's name
    assert.deepEqual(dig('10-244-2-7.cache.data.svc.cluster.local', 'A').answers, ['10-244-2-7.cache.data.svc.cluster.local. A 10.244.2.7']);
    assert.equal(dig('cache-1.cache.data.svc.cluster.local', 'A').status, 'NXDOMAIN');
  });

  it('answers an ExternalName CNAME', () => {
    assert.deepEqual(dig('ext.default.svc.cluster.local', 'CNAME'), {
      status: 'NOERROR',
      answers: ['ext.default.svc.cluster.local. CNAME example.com.'],
    });
  });

  it('answers SRV for named ports (service and headless endpoints)', () => {
    const web = dig('_http._tcp.web.default.svc.cluster.local', 'SRV');
    assert.equal(web.status, 'NOERROR');
    assert.deepEqual(
      web.answers.filter((a) => a.includes(' SRV ')),
      ['_http._tcp.web.default.svc.cluster.local. SRV 0 0 80 web.default.svc.cluster.local.'],
    );
    const udp = dig('_dns._udp.kube-dns.kube-system.svc.cluster.local', 'SRV');
    assert.deepEqual(
      udp.answers.filter((a) => a.includes(' SRV ')),
      ['_dns._udp.kube-dns.kube-system.svc.cluster.local. SRV 0 0 53 kube-dns.kube-system.svc.cluster.local.'],
    );
    const db = dig('_pg._tcp.db.data.svc.cluster.local', 'SRV');
    assert.deepEqual(db.answers.filter((a) => a.includes(' SRV ')).sort(), [
      '_pg._tcp.db.data.svc.cluster.local. SRV 0 0 5432 db-0.db.data.svc.cluster.local.',
      '_pg._tcp.db.data.svc.cluster.local. SRV 0 0 5433 db-1.db.data.svc.cluster.local.',
    ]);
  });

  it('answers pod A records', () => {
    assert.deepEqual(dig('10-244-1-3.default.pod.cluster.local', 'A').answers, ['10-244-1-3.default.pod.cluster.local. A 10.244.1.3']);
  });

  it('answers NXDOMAIN for unknown names in the cluster domain (and headless services without endpoints)', () => {
    assert.equal(dig('nope.default.svc.cluster.local', 'A').status, 'NXDOMAIN');
    assert.equal(dig('empty.data.svc.cluster.local', 'A').status, 'NXDOMAIN');
    assert.equal(dig('_nope._tcp.web.default.svc.cluster.local', 'SRV').status, 'NXDOMAIN');
  });
});
