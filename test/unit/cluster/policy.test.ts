/**
 * NetworkPolicy (runner/cluster/policy.ts, selectors.ts): label selectors, golden iptables-restore input for the
 * classic cases, the Kubernetes truth tables (written as the upstream network-policy e2e tests state them: a
 * matrix from × to × port, all allowed, then the expected denials). The same rules on a real kernel (root) are
 * test/integration/policy-kernel.test.ts; the cluster and the cases are test/fixtures/policy-cluster.ts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CHAIN_POLICY, effectivePolicyTypes, expectedAllowed, isolatingPolicies, podChain, policyRules } from '../../../runner/cluster/policy.ts';
import { isEmptySelector, matches, namespaceLabels, selectPods } from '../../../runner/cluster/selectors.ts';
import type { Pod } from '../../../runner/cluster/types.ts';
import { CASES, cluster, key, matrix, NAMESPACES, notInX, NS_LABEL, observedTable, peerName, PODS, podA, podB, policy, pod } from '../../fixtures/policy-cluster.ts';
import { expectGolden, expectNoStrayGoldens } from '../golden.ts';

const GOLDEN = 'test/unit/golden/policy';

describe('cluster: label selectors', () => {
  const labels = { app: 'web', tier: 'front' };

  it('matchLabels: every pair must match; an empty selector matches everything', () => {
    assert.equal(matches({}, labels), true);
    assert.equal(matches({}, {}), true);
    assert.equal(matches({ matchLabels: {}, matchExpressions: [] }, {}), true);
    assert.equal(isEmptySelector({ matchLabels: {}, matchExpressions: [] }), true);
    assert.equal(isEmptySelector(podA), false);
    assert.equal(matches({ matchLabels: { app: 'web' } }, labels), true);
    assert.equal(matches({ matchLabels: { app: 'web', tier: 'front' } }, labels), true);
    assert.equal(matches({ matchLabels: { app: 'web', tier: 'back' } }, labels), false);
    assert.equal(matches({ matchLabels: { role: '' } }, labels), false, 'an absent key is not an empty value');
    assert.equal(matches({ matchLabels: { role: '' } }, { role: '' }), true);
    assert.equal(matches({ matchLabels: { toString: 'x' } }, {}), false, 'no prototype keys');
  });

  it('In / NotIn / Exists / DoesNotExist, as Kubernetes: NotIn also matches when the key is absent', () => {
    const m = (operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist', values: string[] | undefined, l: Record<string, string> = labels): boolean =>
      matches({ matchExpressions: [{ key: 'app', operator, values }] }, l);
    assert.equal(m('In', ['web', 'db']), true);
    assert.equal(m('In', ['db']), false);
    assert.equal(m('In', ['web'], {}), false);
    assert.equal(m('NotIn', ['db']), true);
    assert.equal(m('NotIn', ['web', 'db']), false);
    assert.equal(m('NotIn', ['web'], {}), true);
    assert.equal(m('Exists', undefined), true);
    assert.equal(m('Exists', [], {}), false);
    assert.equal(m('DoesNotExist', undefined), false);
    assert.equal(m('DoesNotExist', undefined, { tier: 'front' }), true);
  });

  it('matchLabels AND matchExpressions AND each other', () => {
    const s = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['front'] }, { key: 'canary', operator: 'DoesNotExist' as const }] };
    assert.equal(matches(s, labels), true);
    assert.equal(matches(s, { ...labels, canary: 'yes' }), false);
    assert.equal(matches(s, { ...labels, tier: 'back' }), false);
    assert.equal(matches(s, { tier: 'front' }), false);
  });

  it('rejects what Kubernetes validation rejects', () => {
    assert.throws(() => matches({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, {}), /needs at least one value/);
    assert.throws(() => matches({ matchExpressions: [{ key: 'a', operator: 'NotIn' }] }, {}), /needs at least one value/);
    assert.throws(() => matches({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, {}), /takes no values/);
    assert.throws(() => matches({ matchExpressions: [{ key: 'a', operator: 'Gt' as 'In', values: ['1'] }] }, {}), /unknown operator/);
  });

  it('namespaces carry kubernetes.io/metadata.name; selectPods by pod, namespace and namespace labels', () => {
    assert.deepEqual(namespaceLabels(NAMESPACES, 'y'), { ns: 'y', team: 'blue', [NS_LABEL]: 'y' });
    assert.deepEqual(namespaceLabels(NAMESPACES, 'w'), { [NS_LABEL]: 'w' });
    const names = (ps: Pod[]): string[] => ps.map(key);
    assert.deepEqual(names(selectPods(PODS, { podSelector: podB, namespace: 'x' })), ['x/b']);
    assert.deepEqual(names(selectPods(PODS, { podSelector: podB })), ['x/b', 'y/b', 'z/b']);
    assert.deepEqual(names(selectPods(PODS, { namespaceSelector: { matchLabels: { team: 'blue' } }, namespaces: NAMESPACES })), ['y/a', 'y/b', 'y/c', 'z/a', 'z/b', 'z/c']);
    assert.deepEqual(names(selectPods(PODS, { podSelector: podB, namespaceSelector: notInX, namespaces: NAMESPACES })), ['y/b', 'z/b']);
    assert.equal(selectPods(PODS, {}).length, PODS.length);
    assert.equal(selectPods(PODS, { namespaceSelector: {}, namespaces: NAMESPACES }).length, PODS.length, 'an empty namespaceSelector: all namespaces');
  });
});

describe('cluster: NetworkPolicy semantics (expectedAllowed)', () => {
  for (const c of CASES) {
    it(`${c.name}: the e2e truth table`, () => {
      const model = cluster(c.policies);
      for (const port of c.ports) {
        const protocol = c.protocol ?? 'TCP';
        const want = matrix(c, port);
        const got = new Map<string, boolean>();
        for (const f of want.from) for (const t of want.to) got.set(`${peerName(f)} -> ${key(t)}`, expectedAllowed(model, f, t, port, protocol));
        assert.equal(observedTable(got), observedTable(want.cells), `${c.name}, port ${port}/${protocol}`);
      }
    });
  }

  it('a connection needs the source egress and the destination ingress; replies are not connections', () => {
    const denyAll = policy('deny-all', 'x', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const m = cluster([denyAll]);
    const [xa, , , ya] = PODS;
    assert.equal(expectedAllowed(m, ya, xa, 80, 'TCP'), false);
    assert.equal(expectedAllowed(m, xa, ya, 80, 'TCP'), false);
    assert.equal(expectedAllowed(m, xa, xa, 80, 'TCP'), true, 'loopback');
    assert.equal(expectedAllowed(m, { ip: '10.244.1.1', node: 'n1' }, xa, 80, 'TCP'), true, 'the node reaches its pods');
    assert.equal(expectedAllowed(m, xa, { ip: '10.244.1.1', node: 'n1' }, 80, 'TCP'), true, 'a pod reaches its node (INPUT is not filtered)');
    assert.equal(expectedAllowed(m, xa, { ip: '10.244.2.1', node: 'n2' }, 80, 'TCP'), false, 'another node is a destination like any');
    assert.equal(expectedAllowed(m, { ip: '10.244.2.1', node: 'n2' }, xa, 80, 'TCP'), false, 'another node is a source like any');
  });

  it('policyTypes: given list authoritative; empty = Kubernetes default (Ingress, + Egress with egress rules)', () => {
    assert.deepEqual(effectivePolicyTypes({ policyTypes: [], egress: [] }), ['Ingress']);
    assert.deepEqual(effectivePolicyTypes({ policyTypes: [], egress: [{}] }), ['Ingress', 'Egress']);
    assert.deepEqual(effectivePolicyTypes({ policyTypes: ['Egress'] }), ['Egress']);
    const [xa, xb] = PODS;
    // ingress rules of an Egress-only policy are ignored: x/a is not isolated for ingress
    const egressOnly = policy('eo', 'x', { podSelector: podA, policyTypes: ['Egress'], ingress: [{ peers: [{ podSelector: { matchLabels: { pod: 'nobody' } } }] }], egress: [{}] });
    assert.equal(expectedAllowed(cluster([egressOnly]), xb, xa, 80, 'TCP'), true);
    assert.equal(isolatingPolicies([egressOnly], xa, 'Ingress').length, 0);
    assert.equal(isolatingPolicies([egressOnly], xa, 'Egress').length, 1);
    // an empty list with egress rules isolates both ways
    const defaulted = policy('d', 'x', { podSelector: podA, policyTypes: [], egress: [{ ports: [{ protocol: 'TCP', port: 81 }] }] });
    assert.equal(expectedAllowed(cluster([defaulted]), xb, xa, 80, 'TCP'), false);
    assert.equal(expectedAllowed(cluster([defaulted]), xa, xb, 80, 'TCP'), false);
    assert.equal(expectedAllowed(cluster([defaulted]), xa, xb, 81, 'TCP'), true);
  });

  it('ports: protocol must match; endPort ranges; named ports resolve against the destination pod', () => {
    const [xa, xb] = PODS;
    const dns = PODS.find((p) => p.name === 'coredns')!;
    const range = policy('range', 'x', { podSelector: podA, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port: 8000, endPort: 8080 }, { protocol: 'UDP' }] }] });
    const m = cluster([range]);
    assert.deepEqual([7999, 8000, 8040, 8080, 8081].map((p) => expectedAllowed(m, xb, xa, p, 'TCP')), [false, true, true, true, false]);
    assert.equal(expectedAllowed(m, xb, xa, 7999, 'UDP'), true, 'a protocol without port: all its ports');
    // egress to a named port: resolved per destination; an address that is no pod never matches a name
    const named = policy('named', 'x', { podSelector: podA, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 'dns' }] }] });
    const n = cluster([named]);
    assert.equal(expectedAllowed(n, xa, dns, 53, 'UDP'), true);
    assert.equal(expectedAllowed(n, xa, dns, 53, 'TCP'), false, 'dns is UDP; dns-tcp is another name');
    assert.equal(expectedAllowed(n, xa, xb, 53, 'UDP'), false, 'x/b has no port named dns');
    assert.equal(expectedAllowed(n, xa, { ip: '8.8.8.8' }, 53, 'UDP'), false);
    const bad = policy('bad', 'x', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port: 'http', endPort: 90 }] }] });
    assert.throws(() => expectedAllowed(cluster([bad]), xb, xa, 80, 'TCP'), /endPort needs a numeric port/);
    const noPeer = policy('np', 'x', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ peers: [{}] }] });
    assert.throws(() => policyRules({ ...cluster([noPeer]), node: 'n1' }), /needs podSelector, namespaceSelector or ipBlock/);
  });
});

describe('cluster: NetworkPolicy iptables rules (golden)', () => {
  for (const c of CASES) {
    it(`${c.name}: node n1's rules are the golden file`, () => {
      const text = policyRules({ ...cluster(c.policies), node: 'n1' });
      expectGolden(join(GOLDEN, `${c.name}.n1.rules`), text);
    });
  }
  it('every golden file belongs to a case', () => expectNoStrayGoldens(GOLDEN, '.rules', CASES.map((c) => `${c.name}.n1.rules`)));

  it('layout: replies first, a chain per isolated pod and direction, jumps by veth, bridge port and address, DROP last', () => {
    const c = CASES.find((x) => x.name === 'allow-from-pod-label')!;
    const text = policyRules({ ...cluster(c.policies), node: 'n1' });
    const lines = text.split('\n');
    const [xa] = PODS;
    const inA = podChain(xa, 'IN');
    assert.match(inA, /^NSL-POL-IN-[0-9A-F]{12}$/);
    assert.ok(inA.length <= 28, 'iptables chain names are at most 28 characters');
    const rules = lines.filter((l) => l.startsWith('-'));
    assert.match(rules[0], new RegExp(`^-I FORWARD 1 .* -j ${CHAIN_POLICY}$`));
    assert.match(rules[1], /^-A NSL-POLICY -m conntrack --ctstate RELATED,ESTABLISHED .*-j ACCEPT$/);
    assert.ok(lines.includes(`-A NSL-POL-INGRESS -o veth-x-a -m comment --comment "to pod x/a: routed to its veth" -j ${inA}`));
    assert.ok(lines.some((l) => l.startsWith(`-A NSL-POL-INGRESS -m physdev --physdev-out veth-x-a --physdev-is-bridged `) && l.endsWith(`-j ${inA}`)));
    assert.ok(lines.some((l) => l.startsWith(`-A NSL-POL-INGRESS -d 10.244.1.2/32 -m physdev ! --physdev-is-bridged `) && l.endsWith(`-j ${inA}`)));
    const chainRules = rules.filter((l) => l.startsWith(`-A ${inA} `));
    assert.deepEqual(
      chainRules.map((l) => l.replace(/ -m comment --comment "[^"]*"/, '')),
      [`-A ${inA} -s 10.244.1.3/32 -j ACCEPT`, `-A ${inA} -j DROP`],
    );
    assert.ok(!text.includes(podChain(PODS[1], 'IN')), 'x/b is selected by no policy: no chain, not isolated');
    assert.ok(!text.includes(':NSL-POL-OUT-'), 'no egress isolation: no egress chains');
    assert.ok(!/-j NSL-POL-IN-/.test(policyRules({ ...cluster(c.policies), node: 'n2' })), 'n2 has no isolated pod');
  });

  it('ipBlock except: a sub-chain whose exceptions RETURN before the ACCEPT; equal blocks share it', () => {
    const c = CASES.find((x) => x.name === 'ipblock-except')!;
    const twice = [...c.policies, { ...c.policies[0], name: 'again' }];
    const text = policyRules({ ...cluster(twice), node: 'n1' });
    const sub = /-s 10\.244\.0\.0\/16 .* -j (NSL-POL-IPB-[0-9A-F]{12})/.exec(text)?.[1];
    assert.ok(sub);
    assert.equal(text.split('\n').filter((l) => l === `:${sub} - [0:0]`).length, 1);
    assert.deepEqual(
      text.split('\n').filter((l) => l.startsWith(`-A ${sub} `)).map((l) => l.replace(/ -m comment --comment "[^"]*"/, '')),
      [`-A ${sub} -s 10.244.2.0/24 -j RETURN`, `-A ${sub} -s 10.244.1.4/32 -j RETURN`, `-A ${sub} -j ACCEPT`],
    );
  });

  it('egress: allowed traffic goes on to the destination ingress check; named ports per destination pod', () => {
    const named = policy('named', 'x', { podSelector: podA, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 'dns' }, { protocol: 'TCP', port: 443 }] }] });
    const text = policyRules({ ...cluster([named]), node: 'n1' });
    const out = podChain(PODS[0], 'OUT');
    assert.deepEqual(
      text.split('\n').filter((l) => l.startsWith(`-A ${out} `)).map((l) => l.replace(/ -m comment --comment "[^"]*"/, '')),
      [`-A ${out} -p tcp -m tcp --dport 443 -j NSL-POL-EGRESS-OK`, `-A ${out} -d 10.244.2.10/32 -p udp -m udp --dport 53 -j NSL-POL-EGRESS-OK`, `-A ${out} -j DROP`],
    );
    assert.match(text, /^-A NSL-POLICY -i veth-x-a .*-j NSL-POL-OUT-/m);
    assert.match(text, /^-A NSL-POLICY -m physdev --physdev-in veth-x-a .*-j NSL-POL-OUT-/m);
    assert.match(text, /^-A NSL-POL-EGRESS-OK .*-j NSL-POL-INGRESS\n-A NSL-POL-EGRESS-OK .*-j ACCEPT$/m);
  });
});
