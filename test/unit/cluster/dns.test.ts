/**
 * The cluster DNS as dnsmasq arguments (runner/cluster/dns.ts): the exact argv for a typical set of services
 * (ClusterIP with named ports → SRV, headless with two endpoints, ExternalName, pods; test/fixtures/dns-cluster.ts)
 * and the pod's resolv.conf. A real dnsmasq answering for them is test/integration/dnsmasq.test.ts (root).
 */
import { strict as assert } from 'node:assert';
import { dashedIP, dnsmasqArgs, resolvConf } from '../../../runner/cluster/dns.ts';
import type { Service } from '../../../runner/cluster/types.ts';
import { ENDPOINTS, INPUT, pod, PODS, SERVICES, svc } from '../../fixtures/dns-cluster.ts';


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
      // data/cache: headless; its pods have no hostname under it (stray's subdomain is db): dashed per-endpoint names,
      // and the SRV targets are those names (CoreDNS's default; pod names would need endpoint_pod_names).
      '--host-record=cache.data.svc.cluster.local,10.244.1.8',
      '--host-record=cache.data.svc.cluster.local,10.244.2.7',
      '--host-record=10-244-1-8.cache.data.svc.cluster.local,10.244.1.8',
      '--host-record=10-244-2-7.cache.data.svc.cluster.local,10.244.2.7',
      '--srv-host=_redis._tcp.cache.data.svc.cluster.local,10-244-1-8.cache.data.svc.cluster.local,6379',
      '--srv-host=_redis._tcp.cache.data.svc.cluster.local,10-244-2-7.cache.data.svc.cluster.local,6379',
      // data/db: headless, two endpoints of a StatefulSet (hostname db-N, subdomain db): <hostname>.db names, one SRV
      // per endpoint with its resolved named target port.
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
      '--host-record=10-244-2-7.data.pod.cluster.local,10.244.2.7',
      '--host-record=10-244-1-5.data.pod.cluster.local,10.244.1.5',
      '--host-record=10-244-2-6.data.pod.cluster.local,10.244.2.6',
      '--host-record=10-244-1-8.data.pod.cluster.local,10.244.1.8',
      '--host-record=10-244-1-3.default.pod.cluster.local,10.244.1.3',
    ]);
  });

  it('names a headless endpoint by hostname only when its subdomain is that Service, else by its dashed address', () => {
    const one = (p: Partial<typeof PODS[number]>) => dnsmasqArgs({ services: [svc('db', 'default', { clusterIP: 'None' })], pods: [{ ...pod('db-a', 'default', '10.244.0.9'), ...p }], endpoints: new Map([['default/db', [{ ip: '10.244.0.9', pod: 'db-a' }]]]), listen: '10.96.0.10' }).filter((a) => a.includes('.db.default.'));
    // the default (a Deployment's pod): the pod's name is not used
    assert.deepEqual(one({}), ['--host-record=10-244-0-9.db.default.svc.cluster.local,10.244.0.9']);
    assert.deepEqual(one({ hostname: 'primary' }), ['--host-record=10-244-0-9.db.default.svc.cluster.local,10.244.0.9']);
    assert.deepEqual(one({ subdomain: 'db' }), ['--host-record=10-244-0-9.db.default.svc.cluster.local,10.244.0.9']);
    assert.deepEqual(one({ hostname: 'primary', subdomain: 'other' }), ['--host-record=10-244-0-9.db.default.svc.cluster.local,10.244.0.9']);
    assert.deepEqual(one({ hostname: 'primary', subdomain: 'db' }), ['--host-record=primary.db.default.svc.cluster.local,10.244.0.9']);
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
});
