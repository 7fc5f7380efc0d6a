/**
 * Sidecar interception (issue 13.2, runner/cluster/sidecar.ts, sidecar-steps.ts): istio-iptables' nat layout as
 * its own goldens have it (istio/istio tools/istio-iptables/pkg/capture/testdata), the haproxy configuration that
 * plays Envoy, where routes plug in, the steps of the two modes, the `sidecar.istio.io/inject` annotation, and the
 * sidecars a pod cannot have. Pure: nothing is built.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { loadManifests } from '../../../runner/cluster/manifests.ts';
import { parseLabText } from '../../../runner/config/load.ts';
import { expandCluster } from '../../../runner/cluster/expand.ts';
import { outboundProxySection, SIDECAR_DEFAULTS, sidecarIptables, sidecarProxyConfig } from '../../../runner/cluster/sidecar.ts';
import { podHistory, sidecarSteps } from '../../../runner/cluster/sidecar-steps.ts';
import type { Pod } from '../../../runner/cluster/types.ts';

const pod: Pod = { name: 'reviews', namespace: 'default', labels: {}, node: 'node-1', ip: '10.244.0.3', ports: [{ port: 80, protocol: 'TCP' }], hostIf: 'veth0' };
const pos = { file: 'lab.yaml', line: 1, col: 1 };

describe('sidecar interception: istio-iptables and the proxy', () => {
  it("the default rules are istio-iptables' own: PREROUTING → ISTIO_INBOUND → ISTIO_IN_REDIRECT, OUTPUT → ISTIO_OUTPUT → ISTIO_REDIRECT", () => {
    const rules = sidecarIptables(SIDECAR_DEFAULTS, 'reviews').split('\n').filter((l) => l.startsWith('-A'));
    assert.deepEqual(rules, [
      '-A PREROUTING -p tcp -j ISTIO_INBOUND',
      '-A OUTPUT -j ISTIO_OUTPUT',
      '-A ISTIO_INBOUND -p tcp -m tcp --dport 15008 -j RETURN',
      '-A ISTIO_INBOUND -p tcp -m tcp --dport 15090 -j RETURN',
      '-A ISTIO_INBOUND -p tcp -m tcp --dport 15021 -j RETURN',
      '-A ISTIO_INBOUND -p tcp -m tcp --dport 15020 -j RETURN',
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
    ]);
  });

  it('exclusions and inclusions: ports and CIDRs where istio-iptables puts them, and another proxy uid and ports', () => {
    const r = sidecarIptables({ ...SIDECAR_DEFAULTS, proxyUid: 2000, inboundPort: 16006, outboundPort: 16001, includeInboundPorts: [80, 8080], excludeOutboundPorts: [5432], includeOutboundCidrs: ['10.96.0.0/12'], excludeOutboundCidrs: ['10.96.0.10/32'] }, 'x');
    assert.match(r, /-A ISTIO_INBOUND -p tcp -m tcp --dport 80 -j ISTIO_IN_REDIRECT\n-A ISTIO_INBOUND -p tcp -m tcp --dport 8080 -j ISTIO_IN_REDIRECT\n/);
    assert.doesNotMatch(r, /--dport 15090/); // only a wildcard capture needs Envoy's own ports excluded
    assert.match(r, /^-A ISTIO_OUTPUT -p tcp --dport 5432 -j RETURN\n-A ISTIO_OUTPUT -p udp --dport 5432 -j RETURN\n-A ISTIO_OUTPUT -s 127\.0\.0\.6/m);
    assert.match(r, /-A ISTIO_OUTPUT -m owner --uid-owner 2000 -j RETURN/);
    assert.match(r, /-A ISTIO_OUTPUT -d 10\.96\.0\.10\/32 -j RETURN\n-A ISTIO_OUTPUT -d 10\.96\.0\.0\/12 -j ISTIO_REDIRECT\n-A ISTIO_OUTPUT -j RETURN\n/);
    assert.match(r, /REDIRECT --to-ports 16006\n/);
    assert.match(r, /REDIRECT --to-ports 16001\n/);
    // no inbound capture at all: no PREROUTING jump
    assert.doesNotMatch(sidecarIptables({ ...SIDECAR_DEFAULTS, includeInboundPorts: [] }, 'x'), /PREROUTING -p tcp -j ISTIO_INBOUND/);
  });

  it('the proxy runs as the proxy uid, forwards to the original destination (from 127.0.0.6 inbound) and logs each connection', () => {
    const c = sidecarProxyConfig(SIDECAR_DEFAULTS, 'reviews');
    for (const line of ['  uid 1337', '  gid 1337', '  bind 0.0.0.0:15006', '  bind 0.0.0.0:15001', '  server original-dst 0.0.0.0:0 source 127.0.0.6', '  server original-dst 0.0.0.0:0', '  log stdout format raw local0 info', '  stats socket ipv4@127.0.0.1:15000 level operator']) {
      assert.ok(c.split('\n').includes(line), `missing: ${line}`);
    }
    assert.match(c, /log-format "sidecar inbound client=%ci:%cp original-dst=%fi:%fp /);
    assert.match(c, /log-format "sidecar outbound client=%ci:%cp original-dst=%fi:%fp /);
  });

  it('routes plug into the outbound listener: matched by original destination, each with its own backend; the rest pass through', () => {
    const L = outboundProxySection(SIDECAR_DEFAULTS, [{ match: { ip: '10.96.0.12', port: 80 }, backend: 'reviews-v1-v2', lines: ['balance random', 'server v1 10.244.0.4:80 weight 90', 'server v2 10.244.0.5:80 weight 10'] }]);
    assert.ok(L.includes('  use_backend reviews-v1-v2 if { dst 10.96.0.12 } { dst_port 80 }'));
    assert.ok(L.includes('  default_backend outbound-passthrough'));
    assert.ok(L.join('\n').includes('backend reviews-v1-v2\n  balance random\n  server v1 10.244.0.4:80 weight 90\n  server v2 10.244.0.5:80 weight 10\n'));
  });

  it('init mode: the rules come from the pod\'s init step (exec phase, before the daemons); cni mode: from the node\'s step (firewall phase)', () => {
    const init = sidecarSteps(pod, SIDECAR_DEFAULTS, { ns: 'nsl.x.reviews', labDir: '/run/nslab/x', source: pos });
    assert.deepEqual(init.map((s) => [s.id, s.phase, s.op.type]), [
      ['reviews.istio-init', 'exec', 'load'],
      ['reviews.history', 'exec', 'file'],
      ['reviews.istio-proxy.config', 'exec', 'file'],
      ['reviews.istio-proxy', 'daemons', 'daemon'],
    ]);
    const proxy = init[3].op;
    assert.ok(proxy.type === 'daemon' && proxy.argv.join(' ') === 'haproxy -db -f /run/nslab/x/sidecar/reviews.haproxy.cfg' && proxy.log === '/run/nslab/x/logs/reviews.istio-proxy.log');
    const cni = sidecarSteps(pod, { ...SIDECAR_DEFAULTS, mode: 'cni' }, { ns: 'nsl.x.reviews', labDir: '/run/nslab/x', source: pos });
    assert.deepEqual([cni[0].id, cni[0].phase], ['node-1.istio-cni.reviews', 'firewall']);
    assert.match(podHistory(pod, SIDECAR_DEFAULTS), /init container istio-init .* exited 0/);
    assert.match(podHistory(pod, { ...SIDECAR_DEFAULTS, mode: 'cni' }), /no init container; the CNI plugin on node node-1/);
  });

  it('manifests: sidecar.istio.io/inject: "true" asks for a sidecar, the traffic.sidecar.istio.io annotations tune it, runAsUser is kept', () => {
    const set = loadManifests(join(import.meta.dirname, '../fixtures/manifests'), [{ value: 'istio', pos }], ['node-1']);
    assert.deepEqual(set.diagnostics.filter((d) => d.severity === 'error'), []);
    const by = (n: string): Record<string, unknown> => set.entries.find((e) => e.section === 'pods' && e.name === n)!.value;
    assert.deepEqual(by('reviews').sidecar, { 'exclude-outbound-ports': [5432, 6379], 'exclude-outbound-cidrs': ['192.168.56.0/24'] });
    assert.deepEqual(by('proxy-uid').sidecar, {});
    assert.equal(by('proxy-uid')['run-as-user'], 1337);
    assert.equal(by('no-mesh').sidecar, undefined);
    // the mistake points into the manifest: the container's runAsUser
    const e = set.entries.find((x) => x.name === 'proxy-uid')!;
    assert.equal(e.at(['run-as-user']).line, 33);
    assert.equal(e.at(['sidecar']).line, 27);
  });

  it("a sidecar the pod cannot have: one located error each (the app on the proxy's ports, the app as the proxy's uid, a CIDR that is not)", () => {
    const text = [
      'name: x',
      'cluster:',
      '  cni: bridge',
      '  nodes: { node-1: {} }',
      '  pods:',
      '    a: { ports: [80, 15006], sidecar: {} }',
      '    b: { run-as-user: 1337, sidecar: { mode: cni } }',
      '    c: { run-as-user: 1337 }',
      '    d: { replicas: 2, ports: [15001], sidecar: { exclude-outbound-cidrs: [10.0.0.0/33] } }',
      '',
    ].join('\n');
    const e = expandCluster(parseLabText('x.lab.yaml', text));
    const errs = e.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.pos?.line}:${d.code}`);
    // c has no sidecar: uid 1337 is just a uid; d's two replicas get one error per mistake, not two
    assert.deepEqual(errs.sort(), ['6:cluster.sidecar-port', '7:cluster.sidecar-uid', '9:cluster.sidecar-cidr', '9:cluster.sidecar-port'].sort());
  });
});
