/**
 * Golden plans of small `cluster:` labs (test/unit/golden/cluster/*.lab.yaml): one per CNI backend, kube-proxy in
 * iptables and nftables mode, and NetworkPolicy with either. The printed plan of each is pinned in
 * test/unit/golden/cluster/<name>.plan.sh — the iptables-restore and nft inputs, routes, FDB and neighbour entries
 * and BIRD configurations the cluster generates. `npm run goldens` rewrites them.
 *
 * Besides the golden text, each fixture states a few facts its plan must show, so that a regenerated golden file
 * cannot quietly lose the thing the fixture is there for.
 *
 * Rendered the way test/unit/golden-plans.test.ts renders labs/ (same context and printer), which has no hook for
 * another fixture directory.
 */
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileContext, loadLab, planOf } from '../../../runner/api.ts';
import { printPlan } from '../../../runner/plan/print.ts';
import { schedule } from '../../../runner/plan/units.ts';
import { teardownCommands } from '../../../runner/exec/teardown.ts';
import { expectGolden, expectNoStrayGoldens } from '../golden.ts';

const DIR = 'test/unit/golden/cluster';
const SUFFIX = '.lab.yaml';
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith(SUFFIX))
  .map((f) => f.slice(0, -SUFFIX.length))
  .sort();

function render(name: string): { text: string; plan: ReturnType<typeof planOf>; warnings: readonly string[] } {
  const { lab, warnings } = loadLab(join(DIR, `${name}${SUFFIX}`));
  const plan = planOf(lab, compileContext(lab.name, ['lab'], { 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '0' }));
  return { text: printPlan(plan, { teardown: teardownCommands(plan.namespaces) }), plan, warnings: warnings.map((w) => `${w.code}: ${w.message}`) };
}

/** What each fixture's plan must contain (literal lines or fragments), whatever the golden file says. */
const MUST: Record<string, readonly (string | RegExp)[]> = {
  bridge: [
    // cni0 holds the node block's first address; pods .2 (coredns), .3, .4, .5 in declaration order
    'link add cni0 type bridge',
    'addr add 10.244.0.1/24 dev cni0',
    /batch\/nsl\.gc-bridge\.coredns\.ip <<'EOF'\n(#.*\n)?link set lo up\naddr add 10\.244\.0\.2\/24 dev eth0\n/,
    /batch\/nsl\.gc-bridge\.client\.ip <<'EOF'\n(.*\n){0,3}addr add 10\.244\.0\.5\/24 dev eth0\nlink set eth0 up\nroute add default via 10\.244\.0\.1\n/,
    // web's ClusterIP is the service CIDR's 11th address; kube-dns is the 10th
    /-A KUBE-SERVICES -m comment --comment "default\/web cluster IP" -m tcp -p tcp -d 10\.96\.0\.11 --dport 80 -j KUBE-SVC-/,
    /-A KUBE-SERVICES -m comment --comment "kube-system\/kube-dns:dns cluster IP" -m udp -p udp -d 10\.96\.0\.10 --dport 53 -j KUBE-SVC-/,
  ],
  'flannel-vxlan': [
    'link add flannel.1 address 0e:93:6b:15:27:b2 mtu 1450 type vxlan id 1 local 192.168.56.11 dstport 8472 dev eth0 nolearning',
    // the route, ARP entry and FDB entry flanneld writes on node-1 for node-2 (and back)
    'route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink',
    'route add 10.244.0.0/24 via 10.244.0.0 dev flannel.1 onlink',
    'neigh replace 10.244.1.0 lladdr 0e:4c:0e:f1:0a:67 dev flannel.1 nud permanent',
    'neigh replace 10.244.0.0 lladdr 0e:93:6b:15:27:b2 dev flannel.1 nud permanent',
    'fdb append 0e:4c:0e:f1:0a:67 dev flannel.1 dst 192.168.56.12 self permanent',
    'fdb append 0e:93:6b:15:27:b2 dev flannel.1 dst 192.168.56.11 self permanent',
    'addr add 10.244.0.0/32 dev flannel.1',
    'mtu 1450 type veth peer name eth0',
  ],
  'flannel-host-gw': [
    'route add 10.244.1.0/24 via 192.168.56.12 dev eth0',
    'route add 10.244.0.0/24 via 192.168.56.11 dev eth0',
    // NodePort allocated from 30000, on every node
    /-A KUBE-NODEPORTS -m comment --comment default\/web -m tcp -p tcp --dport 30000 -j KUBE-EXT-/,
  ],
  'flannel-udp': [
    // three nodes: one tun per other node, named by its index, on port 8285 + the pair's number
    '— tun flannel0.1: a user-space tunnel to 192.168.56.12 over UDP 8285',
    '— tun flannel0.2: a user-space tunnel to 192.168.56.13 over UDP 8286',
    '— tun flannel0.2: a user-space tunnel to 192.168.56.13 over UDP 8287',
    'route add 10.244.2.0/24 dev flannel0.2',
    'link set flannel0.1 mtu 1472',
  ],
  'calico-bgp': [
    // pods from the block's first address (/26 blocks), /32 routes to cali* veths, proxy ARP, 169.254.1.1 onlink
    /route add 10\.244\.0\.1\/32 dev cali[0-9a-f]{11}\n/,
    /route add 10\.244\.0\.65\/32 dev cali[0-9a-f]{11}\n/,
    'route add default via 169.254.1.1 dev eth0 onlink',
    'route add 169.254.1.1/32 dev eth0',
    /net\.ipv4\.conf\.cali[0-9a-f]{11}\.proxy_arp=1/,
    /peer name cali[0-9a-f]{11} netns nsl\.gc-calico\.node-2 address ee:ee:ee:ee:ee:ee/,
    // the blocks and the LoadBalancer address 172.30.0.1 announced; route reflector node-1 has its clients
    'route 10.244.0.0/26 blackhole;',
    'route 10.244.0.64/26 blackhole;',
    'route 172.30.0.1/32 blackhole;',
    /protocol bgp to_node_2 from nslab_timers \{\n  description "node-2";\n  local 192\.168\.56\.11 as 64512;\n  neighbor 192\.168\.56\.12 as 64512;\n  direct;[^\n]*\n  rr client;/,
    /protocol bgp to_ext from nslab_timers \{\n  description "ext";\n  local 192\.168\.56\.12 as 64512;\n  neighbor 192\.168\.56\.100 as 64500;/,
  ],
  'kube-proxy-iptables': [
    /-A KUBE-NODEPORTS -m comment --comment default\/local -m tcp -p tcp --dport 30080 -j KUBE-EXT-/,
    /-m recent --name KUBE-SEP-[A-Z0-9]{16} --rcheck --seconds 10800 --reap -j KUBE-SEP-/,
    /-m statistic --mode random --probability 0\.5000000000 -j KUBE-SEP-/,
    /-d 10\.96\.0\.13 --dport 53 -j KUBE-SVC-/,
  ],
  'kube-proxy-nftables': [
    '# kube-proxy (nftables mode) rules for node node-1, written by nslab; load with nft -f',
    /add element ip kube-proxy service-ips \{ 10\.96\.0\.11 \. tcp \. 80 : goto service-[A-Z0-9]{8}-default\/sticky\/tcp\/ \}/,
    /add element ip kube-proxy service-nodeports \{ tcp \. 30080 : goto external-[A-Z0-9]{8}-default\/local\/tcp\/ \}/,
    /flags dynamic,timeout ; timeout 10800s ;/,
    /numgen random mod 2 vmap \{ 0 : goto endpoint-[A-Z0-9]{8}-default\/sticky\/tcp\/__10\.244\.0\.3\/80 , 1 : goto endpoint-[A-Z0-9]{8}-default\/sticky\/tcp\/__10\.244\.1\.2\/80 \}/,
  ],
  // kube-proxy's and the policies' iptables rules in ONE iptables-restore load per node (filter and nat together)
  'network-policy': [
    /ip netns exec nsl\.gc-policy\.node-1 iptables-restore --noflush <<'EOF'\n(?:#[^\n]*\n)*\*filter\n(?:(?!EOF\n)[^]*?)-I FORWARD 1 -m comment --comment "nslab: NetworkPolicy for the pods of node node-1" -j NSL-POLICY\n(?:(?!EOF\n)[^]*?)COMMIT\n\*nat\n(?:(?!EOF\n)[^]*?)"prod\/web -> 10\.244\.0\.3:80"/,
    /-A NSL-POL-IN-[0-9A-F]{12} -s 10\.244\.0\.4\/32 -p tcp -m tcp --dport 80 -m comment --comment "policy prod\/allow-client ingress\[0\]: from\[0\] pod default\/client, TCP 80" -j ACCEPT/,
    '# policy prod/deny-all has no ingress rules: it allows nothing (it only isolates)',
  ],
  // nftables kube-proxy: the policies still go in by iptables-restore, a load of their own
  sidecar: [
    // init mode: the rules from the pod's own init step, in the exec phase, before the app and the proxy start
    '# pod reviews: init container istio-init — istio-iptables\' nat rules, then it exits before the app starts',
    '-A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN',
    '-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001',
    '-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006',
    // cni mode: loaded by node-1's CNI step, with ratings' exclusions
    '# node node-1: the Istio CNI plugin enters the namespace of pod ratings and loads istio-iptables\' nat rules (no init container)',
    '-A ISTIO_INBOUND -p tcp -m tcp --dport 9090 -j RETURN',
    '-A ISTIO_OUTPUT -p tcp --dport 5432 -j RETURN',
    '-A ISTIO_OUTPUT -d 192.168.56.0/24 -j RETURN',
    // the proxy as uid 1337, forwarding to the original destination
    /haproxy -db -f \/run\/nslab\/gc-sidecar\/sidecar\/reviews\.haproxy\.cfg/,
    '  uid 1337',
    '  server original-dst 0.0.0.0:0 source 127.0.0.6',
    // run-as-user: the app through setpriv, low ports allowed in its namespace
    /setpriv --reuid=1000 --regid=1000 --clear-groups -- .*agent whoami --name plain/,
    'net.ipv4.ip_unprivileged_port_start=0',
  ],
  'network-policy-nftables': [
    /ip netns exec nsl\.gc-policy-nft\.node-1 nft -f - <<'EOF'\n# kube-proxy \(nftables mode\)/,
    /ip netns exec nsl\.gc-policy-nft\.node-1 iptables-restore --noflush <<'EOF'\n# nslab NetworkPolicy rules for node node-1/,
    /-A NSL-POL-IN-[0-9A-F]{12} -s 10\.244\.0\.4\/32 -p tcp -m tcp --dport 80 /,
  ],
};

/** What a fixture's plan must not contain. */
const MUST_NOT: Record<string, readonly RegExp[]> = {
  // a headless service gets no kube-proxy rules (only DNS records)
  'kube-proxy-iptables': [/--comment "?default\/headless/],
  'kube-proxy-nftables': [/default\/headless\//],
  // without DNS there is no coredns pod and no kube-dns service
  'flannel-host-gw': [/coredns/, /kube-dns/],
  // nftables mode: no KUBE-* chains in any iptables load
  'network-policy-nftables': [/KUBE-SVC-|KUBE-SERVICES/],
};

describe('golden cluster plans (test/unit/golden/cluster)', () => {
  it('has the fixtures: each CNI backend, both kube-proxy modes, NetworkPolicy', () => {
    assert.deepEqual(fixtures, Object.keys(MUST).sort());
  });

  it('every golden plan belongs to a fixture', () => expectNoStrayGoldens(DIR, '.plan.sh', fixtures.map((f) => `${f}.plan.sh`)));

  for (const name of fixtures) {
    describe(name, () => {
      let r: ReturnType<typeof render>;
      before(() => {
        r = render(name);
      });

      it('loads without warnings', () => assert.deepEqual(r.warnings, []));

      it('prints its golden plan', () => {
        expectGolden(join(DIR, `${name}.plan.sh`), r.text);
      });

      it('shows what the fixture is there for', () => {
        const missing = (MUST[name] ?? []).filter((m) => (typeof m === 'string' ? !r.text.includes(m) : !m.test(r.text)));
        assert.deepEqual(missing, []);
        const present = (MUST_NOT[name] ?? []).filter((m) => m.test(r.text));
        assert.deepEqual(present, [], 'the plan shows what it must not');
      });

      it('the printer shows every process the executor runs', () => {
        for (const run of schedule(r.plan)) {
          for (const lane of run.lanes) {
            for (const u of lane) {
              const head = u.argv.map((w) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w}'`)).join(' ');
              assert.ok(r.text.includes(head), `printed plan lacks ${head}`);
              for (const line of (u.input ?? '').split('\n').filter(Boolean)) assert.ok(r.text.includes(line), `printed plan lacks input line ${line}`);
            }
          }
        }
      });
    });
  }
});
