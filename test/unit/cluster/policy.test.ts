/**
 * NetworkPolicy (runner/cluster/policy.ts, selectors.ts): label selectors, golden iptables-restore input for the
 * classic cases, the Kubernetes truth tables (written as the upstream network-policy e2e tests state them: a
 * matrix from × to × port, all allowed, then the expected denials), and, as root, the same truth tables observed
 * on a real kernel: a "node" namespace with a bridge and pod namespaces, the rules loaded with iptables-restore,
 * probed with `nc -z`.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CHAIN_POLICY, effectivePolicyTypes, expectedAllowed, isolatingPolicies, podChain, policyRules, type Host, type PolicyCluster } from '../../../runner/cluster/policy.ts';
import { isEmptySelector, matches, namespaceLabels, NAMESPACE_NAME_LABEL, selectPods } from '../../../runner/cluster/selectors.ts';
import type { NetworkPolicy, Pod, PolicyInput, Protocol } from '../../../runner/cluster/types.ts';

const GOLDEN = 'test/unit/golden/policy';
const NS_LABEL = NAMESPACE_NAME_LABEL;

// ---------------------------------------------------------------------------------------------------------------
// The cluster of the upstream e2e tests: namespaces x, y, z with pods a, b, c serving TCP 80 and 81
// (container ports named serve-80-tcp, serve-81-tcp), plus CoreDNS in kube-system. x/* and y/a run on n1.

function pod(namespace: string, name: string, node: string, ip: string, extra: Partial<Pod> = {}): Pod {
  return {
    name,
    namespace,
    labels: { pod: name },
    node,
    ip,
    ports: [
      { name: 'serve-80-tcp', port: 80, protocol: 'TCP' },
      { name: 'serve-81-tcp', port: 81, protocol: 'TCP' },
    ],
    hostIf: `veth-${namespace}-${name}`,
    ...extra,
  };
}

const PODS: Pod[] = [
  pod('x', 'a', 'n1', '10.244.1.2'),
  pod('x', 'b', 'n1', '10.244.1.3'),
  pod('x', 'c', 'n1', '10.244.1.4'),
  pod('y', 'a', 'n1', '10.244.1.5'),
  pod('y', 'b', 'n2', '10.244.2.2'),
  pod('y', 'c', 'n2', '10.244.2.3'),
  pod('z', 'a', 'n2', '10.244.2.4'),
  pod('z', 'b', 'n2', '10.244.2.5'),
  pod('z', 'c', 'n2', '10.244.2.6'),
  pod('kube-system', 'coredns', 'n2', '10.244.2.10', {
    labels: { 'k8s-app': 'kube-dns' },
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ],
  }),
];
const NAMESPACES = { x: { ns: 'x' }, y: { ns: 'y', team: 'blue' }, z: { ns: 'z', team: 'blue' }, 'kube-system': {} };

function policy(name: string, namespace: string, spec: Omit<NetworkPolicy, 'name' | 'namespace'>): NetworkPolicy {
  return { name, namespace, ...spec };
}

const notInX = { matchExpressions: [{ key: NS_LABEL, operator: 'NotIn' as const, values: ['x'] }] };
const podA = { matchLabels: { pod: 'a' } };
const podB = { matchLabels: { pod: 'b' } };

/** The golden and truth-table cases: policies, and the matrix as the e2e tests state it. */
interface Case {
  readonly name: string;
  readonly policies: NetworkPolicy[];
  readonly ports: readonly number[];
  readonly protocol?: Protocol;
  /** Extra sources that are not pods. */
  readonly hosts?: readonly Host[];
  /** The destinations of the matrix (default: every pod but CoreDNS). */
  readonly to?: (p: Pod) => boolean;
  readonly expect: (r: Reachability, port: number) => void;
}

const CASES: Case[] = [
  {
    name: 'default-deny-ingress',
    policies: [policy('deny-ingress', 'x', { podSelector: {}, policyTypes: ['Ingress'] })],
    ports: [80],
    hosts: [{ ip: '10.244.1.1', node: 'n1' }, { ip: '10.244.2.1', node: 'n2' }],
    expect: (r) => {
      // reachability.ExpectPeer(&Peer{}, &Peer{Namespace: nsX}, false)
      r.expectPeer({}, { namespace: 'x' }, false);
      // the node reaches its own pods whatever the policies; another node's address is just an address
      r.expectPeer({ host: '10.244.1.1' }, { namespace: 'x' }, true);
    },
  },
  {
    name: 'allow-from-pod-label',
    // x-a-allows-x-b: podSelector pod=a, ingress from podSelector pod=b (same namespace only)
    policies: [policy('x-a-allows-x-b', 'x', { podSelector: podA, policyTypes: ['Ingress'], ingress: [{ peers: [{ podSelector: podB }] }] })],
    ports: [80, 81],
    expect: (r) => {
      r.expectAllIngress('x/a', false);
      r.expect('x/b', 'x/a', true);
    },
  },
  {
    name: 'allow-from-namespace-label',
    // allow-client-a-via-ns-selector: ingress to x/a only from namespace y (by its automatic name label)
    policies: [policy('allow-ns-y', 'x', { podSelector: podA, policyTypes: ['Ingress'], ingress: [{ peers: [{ namespaceSelector: { matchLabels: { [NS_LABEL]: 'y' } } }] }] })],
    ports: [80],
    expect: (r) => {
      r.expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false);
      r.expectPeer({ namespace: 'z' }, { namespace: 'x', pod: 'a' }, false);
    },
  },
  {
    name: 'pod-and-namespace-selector-one-peer',
    // ONE peer with both selectors: pods b in namespaces other than x (AND)
    policies: [policy('allow-ns-not-x-and-pod-b', 'x', { podSelector: podA, policyTypes: ['Ingress'], ingress: [{ peers: [{ namespaceSelector: notInX, podSelector: podB }] }] })],
    ports: [80],
    expect: (r) => {
      r.expectAllIngress('x/a', false);
      r.expect('y/b', 'x/a', true);
      r.expect('z/b', 'x/a', true);
    },
  },
  {
    name: 'pod-or-namespace-selector-two-peers',
    // TWO peers: namespaces other than x, OR pods b of x (the classic gotcha: one dash more, much more allowed)
    policies: [policy('allow-ns-not-x-or-pod-b', 'x', { podSelector: podA, policyTypes: ['Ingress'], ingress: [{ peers: [{ namespaceSelector: notInX }, { podSelector: podB }] }] })],
    ports: [80],
    expect: (r) => {
      r.expect('x/c', 'x/a', false);
    },
  },
  {
    name: 'ipblock-except',
    // ingress to x/a from 10.244.0.0/16 except n2's pods (10.244.2.0/24) and one n1 pod
    policies: [
      policy('allow-cidr-except', 'x', {
        podSelector: podA,
        policyTypes: ['Ingress'],
        ingress: [{ peers: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.2.0/24', '10.244.1.4/32'] } }] }],
      }),
    ],
    ports: [80],
    hosts: [{ ip: '10.244.9.9' }, { ip: '192.168.1.10' }],
    expect: (r) => {
      r.expectAllIngress('x/a', false);
      for (const from of ['x/b', 'y/a', '10.244.9.9']) r.expect(from, 'x/a', true);
    },
  },
  {
    name: 'named-port',
    // ingress to x/a only on the named port serve-81-tcp (from anywhere)
    policies: [policy('allow-named-81', 'x', { podSelector: podA, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port: 'serve-81-tcp' }] }] })],
    ports: [80, 81],
    expect: (r, port) => {
      if (port === 80) r.expectAllIngress('x/a', false);
    },
  },
  {
    name: 'egress-deny-dns-allowed',
    // every pod of x: egress only to CoreDNS (kube-system, k8s-app=kube-dns) on 53/UDP and 53/TCP
    policies: [
      policy('deny-egress-but-dns', 'x', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            peers: [{ namespaceSelector: { matchLabels: { [NS_LABEL]: 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
        ],
      }),
    ],
    ports: [53, 80],
    to: () => true,
    expect: (r, port) => {
      r.expectPeer({ namespace: 'x' }, {}, false);
      if (port === 53) r.expectPeer({ namespace: 'x' }, { namespace: 'kube-system' }, true);
    },
  },
  {
    name: 'union-of-two-policies',
    // two policies select x/a: one allows pods b of x on 80, the other namespace y on 81; they add up
    policies: [
      policy('a-from-b-80', 'x', { podSelector: podA, policyTypes: ['Ingress'], ingress: [{ peers: [{ podSelector: podB }], ports: [{ protocol: 'TCP', port: 80 }] }] }),
      policy('a-from-y-81', 'x', {
        podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['a', 'c'] }] },
        policyTypes: ['Ingress'],
        ingress: [{ peers: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ protocol: 'TCP', port: 81 }] }],
      }),
    ],
    ports: [80, 81],
    expect: (r, port) => {
      r.expectAllIngress('x/a', false);
      r.expectAllIngress('x/c', false);
      if (port === 80) r.expect('x/b', 'x/a', true);
      else for (const p of ['a', 'b', 'c']) for (const to of ['x/a', 'x/c']) r.expect(`y/${p}`, to, true);
    },
  },
];

function cluster(policies: NetworkPolicy[], pods: Pod[] = PODS): PolicyCluster {
  return { pods, namespaces: NAMESPACES, policies };
}

// ---------------------------------------------------------------------------------------------------------------
// Reachability, as the e2e framework's: every (from, to) true, then expectations; loopback is always allowed

const key = (p: Pick<Pod, 'namespace' | 'name'>): string => `${p.namespace}/${p.name}`;

interface PeerFilter {
  readonly namespace?: string;
  readonly pod?: string;
  readonly host?: string;
}

class Reachability {
  readonly cells = new Map<string, boolean>();
  readonly from: readonly (Pod | Host)[];
  readonly to: readonly Pod[];
  constructor(from: readonly (Pod | Host)[], to: readonly Pod[]) {
    this.from = from;
    this.to = to;
    for (const f of from) for (const t of to) this.cells.set(`${name(f)} -> ${key(t)}`, true);
  }
  private static fits(x: Pod | Host, f: PeerFilter): boolean {
    if ('namespace' in x) return f.host === undefined && (f.namespace === undefined || f.namespace === x.namespace) && (f.pod === undefined || f.pod === x.name);
    return f.namespace === undefined && f.pod === undefined && (f.host === undefined || f.host === x.ip);
  }
  expectPeer(from: PeerFilter, to: PeerFilter, v: boolean): void {
    for (const f of this.from) for (const t of this.to) if (Reachability.fits(f, from) && Reachability.fits(t, to)) this.set(f, t, v);
  }
  expect(from: string, to: string, v: boolean): void {
    const f = this.from.find((x) => name(x) === from);
    const t = this.to.find((x) => key(x) === to);
    assert.ok(f && t, `${from} -> ${to} is in the matrix`);
    this.set(f, t, v);
  }
  expectAllIngress(to: string, v: boolean): void {
    for (const f of this.from) this.expect(name(f), to, v);
  }
  private set(f: Pod | Host, t: Pod, v: boolean): void {
    // loopback: a pod reaching itself never leaves its namespace (the e2e tests ignore it): always allowed
    this.cells.set(`${name(f)} -> ${key(t)}`, v || name(f) === key(t));
  }
}

function isPod(x: Pod | Host): x is Pod {
  return 'namespace' in x;
}

function name(x: Pod | Host): string {
  return isPod(x) ? key(x) : x.ip;
}

function matrix(c: Case, port: number): Reachability {
  const to = PODS.filter(c.to ?? ((p) => p.namespace !== 'kube-system'));
  const r = new Reachability([...PODS.filter((p) => p.namespace !== 'kube-system'), ...(c.hosts ?? [])], to);
  c.expect(r, port);
  return r;
}

function observedTable(cells: Map<string, boolean>): string {
  return [...cells].map(([k, v]) => `${v ? 'ALLOW' : 'deny '} ${k}`).join('\n');
}

// ---------------------------------------------------------------------------------------------------------------

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
        for (const f of want.from) for (const t of want.to) got.set(`${name(f)} -> ${key(t)}`, expectedAllowed(model, f, t, port, protocol));
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
      const file = join(GOLDEN, `${c.name}.n1.rules`);
      if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, text);
      assert.equal(text, readFileSync(file, 'utf8'), `rules of ${c.name} changed; rerun with UPDATE_GOLDEN=1 if that is intended`);
    });
  }

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

  it('iptables-restore --test accepts every golden file (root, in a scratch namespace)', function () {
    if (!canUseNetns() || !tool('iptables-restore')) this.skip();
    const ns = `nslpol-${process.pid}-syntax`;
    sh('ip', ['netns', 'add', ns]);
    try {
      for (const c of CASES) {
        const r = spawnSync('ip', ['netns', 'exec', ns, 'iptables-restore', '--test'], { input: policyRules({ ...cluster(c.policies), node: 'n1' }), encoding: 'utf8' });
        assert.equal(r.status, 0, `${c.name}: ${r.stderr}`);
      }
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The real kernel: node namespace with bridge br0 (10.99.1.0/24) holding pods x/a, x/b, y/a; pod y/b routed on
// its own veth (10.99.2.0/24). Listeners on TCP 80 and 81 in every pod; probes with nc -z -w 1.

function canUseNetns(): boolean {
  return process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;
}

function tool(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function sh(cmd: string, args: readonly string[], input?: string): string {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const run = promisify(execFile);

/** A kernel truth table as text: a row per source, a column per destination:port (`.` for loopback). */
function matrixText(title: string, cells: readonly { cell: string; ok: boolean }[]): string {
  const parsed = cells.map((c) => ({ ...c, from: c.cell.split(' -> ')[0], to: c.cell.split(' -> ')[1] }));
  const froms = [...new Set(parsed.map((c) => c.from))];
  const tos = [...new Set(parsed.map((c) => c.to))].sort();
  const w = Math.max(...froms.map((f) => f.length));
  return [
    `      ${title}`,
    `        ${''.padEnd(w)}  ${tos.join(' ')}`,
    ...froms.map((f) => `        ${f.padEnd(w)}  ${tos.map((t) => { const c = parsed.find((x) => x.from === f && x.to === t); return (c ? (c.ok ? '+' : '-') : '.').padEnd(t.length); }).join(' ')}`.trimEnd()),
  ].join('\n');
}

describe('cluster: NetworkPolicy on a real kernel (root)', function () {
  this.timeout(120_000);
  const tag = `nslpol-${process.pid}`;
  const nodeNs = `${tag}-node`;
  const KPODS: Pod[] = [
    { ...pod('x', 'a', 'k1', '10.99.1.2'), hostIf: 'veth-a' },
    { ...pod('x', 'b', 'k1', '10.99.1.3'), hostIf: 'veth-b' },
    { ...pod('y', 'a', 'k1', '10.99.1.4'), hostIf: 'veth-c' },
    { ...pod('y', 'b', 'k1', '10.99.2.2'), hostIf: 'veth-d' },
  ];
  const NODE_HOSTS: Host[] = [{ ip: '10.99.1.1', node: 'k1' }];
  const podNs = (p: Pod): string => `${tag}-${p.hostIf.slice(-1)}`;
  const listeners: ChildProcess[] = [];
  const created: string[] = [];
  const observed: string[] = [];

  before(function () {
    if (!canUseNetns() || !['iptables-restore', 'nc', 'socat'].every(tool)) this.skip();
    if (!existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) this.skip(); // br_netfilter not loaded
    const ipn = (ns: string, ...args: string[]): string => sh('ip', ['-n', ns, ...args]);
    for (const ns of [nodeNs, ...KPODS.map(podNs)]) {
      sh('ip', ['netns', 'add', ns]);
      created.push(ns);
      ipn(ns, 'link', 'set', 'lo', 'up');
    }
    sh('ip', ['netns', 'exec', nodeNs, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.bridge.bridge-nf-call-iptables=1']);
    ipn(nodeNs, 'link', 'add', 'br0', 'type', 'bridge');
    ipn(nodeNs, 'addr', 'add', '10.99.1.1/24', 'dev', 'br0');
    ipn(nodeNs, 'link', 'set', 'br0', 'up');
    for (const p of KPODS) {
      const routed = p.ip.startsWith('10.99.2.');
      ipn(nodeNs, 'link', 'add', p.hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', podNs(p));
      if (routed) ipn(nodeNs, 'addr', 'add', '10.99.2.1/24', 'dev', p.hostIf);
      else ipn(nodeNs, 'link', 'set', p.hostIf, 'master', 'br0');
      ipn(nodeNs, 'link', 'set', p.hostIf, 'up');
      ipn(podNs(p), 'addr', 'add', `${p.ip}/24`, 'dev', 'eth0');
      ipn(podNs(p), 'link', 'set', 'eth0', 'up');
      ipn(podNs(p), 'route', 'add', 'default', 'via', routed ? '10.99.2.1' : '10.99.1.1');
      for (const port of [80, 81]) {
        const l = spawn('ip', ['netns', 'exec', podNs(p), 'socat', `TCP-LISTEN:${port},fork,reuseaddr`, 'SYSTEM:true'], { stdio: 'ignore' });
        listeners.push(l);
      }
    }
  });

  after(async function () {
    // the listeners by PID, and wait for them before the namespaces go
    const exited = listeners.map((l) => (l.exitCode !== null || l.signalCode !== null ? Promise.resolve() : new Promise<void>((res) => l.once('exit', () => res()))));
    for (const l of listeners) if (l.pid !== undefined && l.exitCode === null && l.signalCode === null) process.kill(l.pid, 'SIGTERM');
    await Promise.race([Promise.all(exited), new Promise((res) => setTimeout(res, 5000))]);
    for (const ns of created) spawnSync('ip', ['netns', 'del', ns]);
    // NSLAB_SHOW_TABLES=1 prints what the kernel did (rows: from; columns: to:port; + connected, - refused by policy)
    if (process.env.NSLAB_SHOW_TABLES && observed.length) console.log(observed.join('\n'));
  });

  async function probe(from: Pod | Host, to: Pod, port: number): Promise<boolean> {
    const ns = isPod(from) ? podNs(from) : nodeNs;
    try {
      await run('ip', ['netns', 'exec', ns, 'nc', '-z', '-w', '1', to.ip, String(port)]);
      return true;
    } catch {
      return false;
    }
  }

  async function listening(): Promise<void> {
    // the node reaches every pod before any rule: wait for the listeners
    for (let i = 0; i < 50; i++) {
      const ok = await Promise.all(KPODS.flatMap((p) => [80, 81].map((port) => probe(NODE_HOSTS[0], p, port))));
      if (ok.every(Boolean)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the listeners did not come up');
  }

  const KERNEL_CASES: { name: string; policies: NetworkPolicy[] }[] = [
    { name: 'no policy', policies: [] },
    ...CASES.filter((c) => ['default-deny-ingress', 'allow-from-pod-label', 'pod-and-namespace-selector-one-peer', 'pod-or-namespace-selector-two-peers', 'named-port', 'union-of-two-policies'].includes(c.name)),
    { name: 'default-deny-egress', policies: [policy('deny-egress', 'x', { podSelector: {}, policyTypes: ['Egress'] })] },
    { name: 'egress-to-y-81', policies: [policy('egress-y-81', 'x', { podSelector: podA, policyTypes: ['Egress'], egress: [{ peers: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ protocol: 'TCP', port: 81 }] }] })] },
    {
      name: 'ipblock-except-routed',
      policies: [policy('cidr', 'y', { podSelector: podB, policyTypes: ['Ingress'], ingress: [{ peers: [{ ipBlock: { cidr: '10.99.1.0/24', except: ['10.99.1.3/32'] } }] }] })],
    },
  ];

  for (const kc of KERNEL_CASES) {
    it(`${kc.name}: the kernel's matrix is expectedAllowed's`, async function () {
      await listening();
      const model: PolicyInput = { node: 'k1', pods: KPODS, namespaces: NAMESPACES, policies: kc.policies };
      sh('ip', ['netns', 'exec', nodeNs, 'iptables-restore'], policyRules(model));
      const cells: { cell: string; want: boolean; got: Promise<boolean> }[] = [];
      for (const from of [...KPODS, ...NODE_HOSTS])
        for (const to of KPODS)
          for (const port of [80, 81]) {
            if (isPod(from) && key(from) === key(to)) continue; // loopback never reaches the node
            cells.push({ cell: `${name(from)} -> ${key(to)}:${port}`, want: expectedAllowed(model, from, to, port, 'TCP'), got: probe(from, to, port) });
          }
      const got = await Promise.all(cells.map((c) => c.got));
      const table = (which: 'want' | 'got'): string => cells.map((c, i) => `${(which === 'want' ? c.want : got[i]) ? 'ALLOW' : 'deny '} ${c.cell}`).join('\n');
      observed.push(matrixText(kc.name, cells.map((c, i) => ({ cell: c.cell, ok: got[i] }))));
      assert.equal(table('got'), table('want'));
    });
  }
});
