/**
 * The cluster DNS as dnsmasq arguments (runner/cluster/dns.ts): the exact argv for a typical set of services
 * (ClusterIP with named ports → SRV, headless with two endpoints, ExternalName, pods), the pod's resolv.conf, and, as
 * root with dnsmasq and dig installed, a real dnsmasq in a scratch namespace nsldns-<pid> answering A, CNAME, SRV,
 * headless multi-A and NXDOMAIN.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dashedIP, dnsmasqArgs, resolvConf } from '../../../runner/cluster/dns.ts';
import type { Pod, Service } from '../../../runner/cluster/types.ts';

const svc = (name: string, namespace: string, extra: Partial<Service>): Service => ({
  name,
  namespace,
  type: 'ClusterIP',
  ports: [],
  sessionAffinity: 'None',
  affinityTimeout: 10800,
  externalTrafficPolicy: 'Cluster',
  ...extra,
});
const pod = (name: string, namespace: string, ip: string, ports: Pod['ports'] = []): Pod => ({
  name,
  namespace,
  ip,
  ports,
  labels: {},
  node: 'node1',
  hostIf: `veth-${name}`,
});

const SERVICES: Service[] = [
  svc('web', 'default', {
    clusterIP: '10.96.0.20',
    ports: [
      { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
      { protocol: 'TCP', port: 9090, targetPort: 9090 },
    ],
  }),
  svc('db', 'data', { ports: [{ name: 'pg', protocol: 'TCP', port: 5432, targetPort: 'postgres' }] }),
  svc('ext', 'default', { type: 'ExternalName', externalName: 'example.com' }),
  svc('kube-dns', 'kube-system', {
    clusterIP: '10.96.0.10',
    ports: [
      { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 },
      { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53 },
    ],
  }),
  svc('empty', 'data', { clusterIP: 'None' }),
];
const PODS: Pod[] = [
  pod('web-1', 'default', '10.244.1.3'),
  pod('db-1', 'data', '10.244.2.6', [{ name: 'postgres', port: 5433, protocol: 'TCP' }]),
  pod('db-0', 'data', '10.244.1.5', [{ name: 'postgres', port: 5432, protocol: 'TCP' }]),
];
const ENDPOINTS = new Map([
  ['default/web', [{ ip: '10.244.1.3', pod: 'web-1' }]],
  // Unsorted and with a duplicate: the argv is sorted by address and deduplicated.
  ['data/db', [{ ip: '10.244.2.6', pod: 'db-1' }, { ip: '10.244.1.5', pod: 'db-0' }, { ip: '10.244.2.6', pod: 'db-1' }]],
]);
const INPUT = { services: SERVICES, pods: PODS, endpoints: ENDPOINTS, listen: '10.96.0.10' };

describe('cluster DNS (dnsmasq)', () => {
  it('writes the exact argv for ClusterIP, headless, ExternalName, SRV and pod records', () => {
    assert.deepEqual(dnsmasqArgs(INPUT), [
      '--keep-in-foreground',
      '--no-resolv',
      '--no-hosts',
      '--bind-interfaces',
      '--listen-address=10.96.0.10',
      '--port=53',
      '--log-facility=-',
      '--local=/cluster.local/',
      // data/db: headless, two endpoints, per-pod names, one SRV per endpoint with its resolved named target port.
      '--host-record=db.data.svc.cluster.local,10.244.1.5',
      '--host-record=db.data.svc.cluster.local,10.244.2.6',
      '--host-record=db-0.db.data.svc.cluster.local,10.244.1.5',
      '--host-record=db-1.db.data.svc.cluster.local,10.244.2.6',
      '--srv-host=_pg._tcp.db.data.svc.cluster.local,db-0.db.data.svc.cluster.local,5432',
      '--srv-host=_pg._tcp.db.data.svc.cluster.local,db-1.db.data.svc.cluster.local,5433',
      // data/empty: headless without endpoints: no records (NXDOMAIN).
      '--cname=ext.default.svc.cluster.local,example.com',
      '--host-record=web.default.svc.cluster.local,10.96.0.20',
      '--srv-host=_http._tcp.web.default.svc.cluster.local,web.default.svc.cluster.local,80',
      '--host-record=kube-dns.kube-system.svc.cluster.local,10.96.0.10',
      '--srv-host=_dns._udp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53',
      '--srv-host=_dns-tcp._tcp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53',
      '--host-record=10-244-1-5.data.pod.cluster.local,10.244.1.5',
      '--host-record=10-244-2-6.data.pod.cluster.local,10.244.2.6',
      '--host-record=10-244-1-3.default.pod.cluster.local,10.244.1.3',
    ]);
  });

  it('does not depend on the order of services and pods', () => {
    const shuffled = { ...INPUT, services: [...SERVICES].reverse(), pods: [...PODS].reverse() };
    assert.deepEqual(dnsmasqArgs(shuffled), dnsmasqArgs(INPUT));
  });

  it('uses an IPv6 clusterIP as-is (AAAA) and dashes IPv6 pod addresses', () => {
    const args = dnsmasqArgs({ services: [svc('v6', 'default', { clusterIP: 'fd00:96::20' })], pods: [], endpoints: new Map(), listen: '10.96.0.10' });
    assert.ok(args.includes('--host-record=v6.default.svc.cluster.local,fd00:96::20'));
    assert.equal(dashedIP('fd00:244::5'), 'fd00-244--5');
  });

  it('rejects what would break the command line or the records', () => {
    const one = (s: Service) => () => dnsmasqArgs({ services: [s], pods: [], endpoints: new Map(), listen: '10.96.0.10' });
    assert.throws(one(svc('Bad_Name', 'default', { clusterIP: '10.96.0.1' })), /not a DNS label/);
    assert.throws(one(svc('a', 'default', { clusterIP: '10.96.0.1,1.2.3.4' })), /not an IP address/);
    assert.throws(one(svc('a', 'default', { type: 'ExternalName' })), /externalName/);
    assert.throws(one(svc('a', 'default', { type: 'ExternalName', externalName: 'a,b' })), /externalName/);
    assert.throws(one(svc('a', 'default', { clusterIP: '10.96.0.1', ports: [{ name: 'x_y', protocol: 'TCP', port: 1, targetPort: 1 }] })), /SRV/);
    assert.throws(() => dnsmasqArgs({ ...INPUT, listen: 'dns' }), /not an IP address/);
  });

  it('writes the pod resolv.conf (ClusterFirst)', () => {
    assert.equal(
      resolvConf('10.96.0.10', 'data'),
      'nameserver 10.96.0.10\nsearch data.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n',
    );
  });

  // -------------------------------------------------------------------------------------------------------------
  // A real dnsmasq (root, dnsmasq and dig): scratch namespace nsldns-<pid>, 10.96.0.10/32 on its lo.
  describe('real dnsmasq in a scratch namespace', function () {
    const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
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

    before(async function () {
      if (process.getuid?.() !== 0 || !['ip', 'dnsmasq', 'dig'].every(have)) this.skip();
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

    it('answers every endpoint of a headless service, and per-pod names', () => {
      const r = dig('db.data.svc.cluster.local', 'A');
      assert.equal(r.status, 'NOERROR');
      assert.deepEqual(r.answers.sort(), ['db.data.svc.cluster.local. A 10.244.1.5', 'db.data.svc.cluster.local. A 10.244.2.6']);
      assert.deepEqual(dig('db-1.db.data.svc.cluster.local', 'A').answers, ['db-1.db.data.svc.cluster.local. A 10.244.2.6']);
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
});
