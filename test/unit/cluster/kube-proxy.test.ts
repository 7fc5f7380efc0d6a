/**
 * kube-proxy's rules as nslab writes them (runner/cluster/kube-proxy-{iptables,nftables}.ts): golden files for a
 * two-node cluster's typical services, structural checks (hash-named chains, every service chain reaching each of
 * its endpoints with the right odds). The services are test/fixtures/kube-proxy-services.ts; the same rules on a
 * real kernel (root) are test/integration/kube-proxy-kernel.test.ts.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { nftHashAndTruncate, portProtoHash, endpointHash, probability, proxiedServicePorts } from '../../../runner/cluster/hash.ts';
import { iptablesRules } from '../../../runner/cluster/kube-proxy-iptables.ts';
import { nftablesRules } from '../../../runner/cluster/kube-proxy-nftables.ts';
import type { KubeProxyInput } from '../../../runner/cluster/types.ts';
import { CASES, dns, empty, emptyNodePort, external, hairpin, headless, inputFor, renders, sticky, web, webNodePort } from '../../fixtures/kube-proxy-services.ts';
import { expectGolden, expectNoStrayGoldens } from '../golden.ts';

const GOLDEN = 'test/unit/golden/kube-proxy';

// ---------------------------------------------------------------------------------------------------------------
// Reading the iptables text back.

interface Rule {
  readonly table: string;
  readonly chain: string;
  readonly text: string;
  readonly target?: string;
}

function parseIptables(text: string): { chains: Map<string, Set<string>>; rules: Rule[] } {
  const chains = new Map<string, Set<string>>();
  const rules: Rule[] = [];
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      table = line.slice(1);
      chains.set(table, new Set());
    } else if (line.startsWith(':')) chains.get(table)!.add(line.slice(1).split(' ')[0]);
    else if (line.startsWith('-A ')) {
      const chain = line.split(' ')[1];
      rules.push({ table, chain, text: line, target: / -j (\S+)/.exec(line)?.[1] });
    }
  }
  return { chains, rules };
}

const HASHED = /^KUBE-(SVC|SVL|EXT|FW|SEP)-(.*)$/;

// ---------------------------------------------------------------------------------------------------------------

describe('kube-proxy rules: names and bookkeeping', () => {
  it('hashes chain names as kube-proxy does (vectors from its own tests)', () => {
    assert.equal(portProtoHash('ns1/svc1:p80', 'tcp'), 'XPGD46QRK7WJZT7O');
    assert.equal(endpointHash('ns1/svc1:p80', 'tcp', '10.180.0.1:80'), 'SXIVWICOYRO3J4NJ');
    assert.equal(endpointHash('ns1/svc1:p80', 'tcp', '10.180.2.1:80'), 'ZX7GRIZKSNUQ3LAJ');
    assert.equal(nftHashAndTruncate('ns1/svc1/tcp/p80'), 'ULMVA6XW-ns1/svc1/tcp/p80');
    assert.equal(nftHashAndTruncate('ns1/svc1/tcp/p80__10.180.0.1/80'), '5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80');
    assert.equal(nftHashAndTruncate('x'.repeat(300)).length, 240);
  });

  it('prints probabilities as kube-proxy does', () => {
    assert.deepEqual([3, 2, 4, 7].map(probability), ['0.3333333333', '0.5000000000', '0.2500000000', '0.1428571429']);
  });

  it('sorts endpoints by "ip:port", drops duplicates, skips headless and ExternalName services', () => {
    const input = inputFor('node1', [web, headless, external]);
    const shuffled: KubeProxyInput = {
      ...input,
      services: input.services.map((s) => ({ ...s, endpoints: [...s.endpoints, s.endpoints[0]].reverse() })).reverse(),
    };
    const sps = proxiedServicePorts(shuffled);
    assert.deepEqual(sps.map((s) => s.name), ['default/web:http']);
    assert.deepEqual(sps[0].clusterEndpoints.map((e) => e.addr), ['10.244.1.2:8080', '10.244.1.3:8080', '10.244.2.2:8080']);
  });

  it('is deterministic: the order of services and endpoints in the input does not matter', () => {
    const input = inputFor('node1', CASES.cluster.defs);
    const reordered: KubeProxyInput = {
      ...input,
      services: [...input.services].reverse().map((s) => ({ ...s, endpoints: [...s.endpoints].reverse() })),
    };
    assert.equal(iptablesRules(reordered), iptablesRules(input));
    assert.equal(nftablesRules(reordered), nftablesRules(input));
  });
});

describe('kube-proxy rules: golden files', () => {
  for (const r of renders()) {
    it(`${r.file} is its golden file`, () => expectGolden(join(GOLDEN, r.file), r.text));
  }
  it('every golden file belongs to a case', () => {
    const files = [...renders()].map((r) => r.file);
    assert.ok(files.length >= 20, `${files.length} golden files`);
    expectNoStrayGoldens(GOLDEN, '', files);
  });
});

describe('kube-proxy rules: iptables structure', () => {
  const node1 = parseIptables(iptablesRules(inputFor('node1', CASES.cluster.defs)));
  const node2 = parseIptables(iptablesRules(inputFor('node2', CASES.cluster.defs)));

  it('names every per-service chain with a 16-character base32 hash, and declares every chain it jumps to', () => {
    for (const { chains, rules } of [node1, node2]) {
      const hashed = [...chains.get('nat')!].map((c) => HASHED.exec(c)).filter((m): m is RegExpExecArray => m !== null);
      assert.ok(hashed.length >= 10, `${hashed.length} hash-named chains`);
      for (const m of hashed) assert.match(m[2], /^[A-Z2-7]{16}$/, m[0]);
      for (const r of rules) {
        if (r.target?.startsWith('KUBE-')) assert.ok(chains.get(r.table)!.has(r.target), `${r.text}: ${r.target} is declared`);
        assert.ok(chains.get(r.table)!.has(r.chain), `${r.chain} is declared`);
      }
    }
  });

  it('every KUBE-SVC chain jumps to each of its KUBE-SEP chains, with odds that give each endpoint 1/n', () => {
    for (const { chains, rules } of [node1, node2]) {
      const svcChains = [...chains.get('nat')!].filter((c) => c.startsWith('KUBE-SVC-') || c.startsWith('KUBE-SVL-'));
      assert.ok(svcChains.length >= 10);
      for (const chain of svcChains) {
        const lb = rules.filter((r) => r.chain === chain && r.target?.startsWith('KUBE-SEP-') && !r.text.includes('--rcheck'));
        // The service's endpoint chains: those whose DNAT rule carries the same service comment.
        const svcName = /--comment "(\S+) -> /.exec(lb[0].text)![1];
        const seps = new Set(rules.filter((r) => r.chain.startsWith('KUBE-SEP-') && r.text.includes(`--comment ${svcName} `)).map((r) => r.chain));
        const targets = lb.map((r) => r.target!);
        assert.equal(new Set(targets).size, targets.length, `${chain} jumps to each endpoint once`);
        if (chain.startsWith('KUBE-SVC-')) assert.deepEqual(new Set(targets), seps, `${chain} reaches every endpoint of ${svcName}`);
        else for (const t of targets) assert.ok(seps.has(t), `${chain} → ${t} is an endpoint of ${svcName}`);
        // Odds: each rule but the last has --probability 1/(n-i); the last has none.
        let remaining = 1;
        let sum = 0;
        lb.forEach((r, i) => {
          const m = /--probability (\S+)/.exec(r.text);
          if (i === lb.length - 1) {
            assert.equal(m, null, `${r.text}: the last rule always matches`);
            sum += remaining;
            assert.ok(Math.abs(remaining - 1 / lb.length) < 1e-9);
          } else {
            const p = Number(m![1]);
            assert.equal(m![1], probability(lb.length - i));
            sum += remaining * p;
            assert.ok(Math.abs(remaining * p - 1 / lb.length) < 1e-9, `${r.text}: effective odds 1/${lb.length}`);
            remaining *= 1 - p;
          }
        });
        assert.ok(Math.abs(sum - 1) < 1e-9, `${chain}: odds sum to 1`);
      }
    }
  });

  it('three endpoints: --probability 0.3333333333, then 0.5000000000, then none', () => {
    const { rules } = parseIptables(iptablesRules(inputFor('node1', [web])));
    const lb = rules.filter((r) => r.chain.startsWith('KUBE-SVC-') && r.target?.startsWith('KUBE-SEP-'));
    assert.deepEqual(lb.map((r) => /--probability (\S+)/.exec(r.text)?.[1] ?? null), ['0.3333333333', '0.5000000000', null]);
  });

  it('every KUBE-SEP chain masquerades hairpin traffic from its own endpoint, then DNATs to it', () => {
    const { rules } = parseIptables(iptablesRules(inputFor('node1', [hairpin])));
    const sep = rules.filter((r) => r.chain.startsWith('KUBE-SEP-'));
    assert.equal(sep.length, 2);
    assert.match(sep[0].text, / -s 10\.244\.1\.8 -j KUBE-MARK-MASQ$/);
    assert.match(sep[1].text, / -m tcp -p tcp -j DNAT --to-destination 10\.244\.1\.8:7007$/);
  });

  it('NodePorts: KUBE-SERVICES ends with the addrtype LOCAL jump to KUBE-NODEPORTS; external traffic is masqueraded', () => {
    const { rules } = node1;
    const services = rules.filter((r) => r.table === 'nat' && r.chain === 'KUBE-SERVICES');
    assert.match(services.at(-1)!.text, /-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS$/);
    const np = rules.find((r) => r.chain === 'KUBE-NODEPORTS' && r.text.includes('--dport 30080'))!;
    assert.match(np.target!, /^KUBE-EXT-/);
    assert.ok(rules.some((r) => r.chain === np.target && r.target === 'KUBE-MARK-MASQ'));
    assert.ok(rules.some((r) => r.text === '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully'));
    assert.ok(rules.some((r) => r.text.includes('-A KUBE-FORWARD') && r.text.includes('--mark 0x4000/0x4000 -j ACCEPT')));
    const lb = rules.find((r) => r.text.includes('"default/web-lb:https loadbalancer IP"'))!;
    assert.match(lb.text, /-d 192\.168\.100\.10 --dport 443 -j KUBE-EXT-/);
  });

  it('ClusterIPs masquerade traffic from outside the cluster CIDR only', () => {
    const masq = node1.rules.filter((r) => r.chain.startsWith('KUBE-SVC-') && r.target === 'KUBE-MARK-MASQ');
    assert.ok(masq.length > 0);
    for (const r of masq) assert.match(r.text, /cluster IP" .* ! -s 10\.244\.0\.0\/16 -j KUBE-MARK-MASQ$/);
    const all = parseIptables(iptablesRules(inputFor('node1', [web]), { masqueradeAll: true }));
    assert.ok(all.rules.some((r) => r.chain.startsWith('KUBE-SVC-') && r.target === 'KUBE-MARK-MASQ' && !r.text.includes('! -s')));
  });

  it('externalTrafficPolicy Local: KUBE-SVL with local endpoints only; none on this node → DROP, no KUBE-SVL', () => {
    const hash = portProtoHash('default/local-np', 'tcp');
    // node2 has the endpoint.
    assert.ok(node2.chains.get('nat')!.has(`KUBE-SVL-${hash}`));
    const ext2 = node2.rules.filter((r) => r.chain === `KUBE-EXT-${hash}`);
    assert.deepEqual(
      ext2.map((r) => r.target),
      [`KUBE-SVC-${hash}`, 'KUBE-MARK-MASQ', `KUBE-SVC-${hash}`, `KUBE-SVL-${hash}`],
    );
    assert.ok(!ext2.some((r) => r.target === 'KUBE-MARK-MASQ' && !r.text.includes('--src-type LOCAL')), 'external clients keep their address');
    // node1 has none: the EXT chain only short-circuits pod and node traffic, the filter table drops the rest.
    assert.ok(!node1.chains.get('nat')!.has(`KUBE-SVL-${hash}`));
    assert.deepEqual(
      node1.rules.filter((r) => r.chain === `KUBE-EXT-${hash}`).map((r) => r.target),
      [`KUBE-SVC-${hash}`, 'KUBE-MARK-MASQ', `KUBE-SVC-${hash}`],
    );
    const drop = node1.rules.filter((r) => r.table === 'filter' && r.text.includes('"default/local-np has no local endpoints"'));
    assert.equal(drop.length, 1);
    assert.match(drop[0].text, /^-A KUBE-EXTERNAL-SERVICES .*-m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30090 -j DROP$/);
    // The ClusterIP still reaches the endpoint on the other node.
    assert.ok(node1.rules.some((r) => r.chain === 'KUBE-SERVICES' && r.target === `KUBE-SVC-${hash}`));
  });

  it('ClientIP affinity: recent --rcheck in the service chain, recent --set in the endpoint chain', () => {
    const { rules } = parseIptables(iptablesRules(inputFor('node1', [sticky])));
    const checks = rules.filter((r) => r.text.includes('--rcheck'));
    assert.equal(checks.length, 2);
    for (const r of checks) assert.match(r.text, /-m recent --name (KUBE-SEP-\S+) --rcheck --seconds 10800 --reap -j \1$/);
    assert.equal(rules.filter((r) => r.chain.startsWith('KUBE-SEP-') && / -m recent --name (\S+) --set /.test(r.text)).length, 2);
  });

  it('no endpoints: REJECT in the filter table, no nat chains; headless and ExternalName: nothing', () => {
    const { chains, rules } = parseIptables(iptablesRules(inputFor('node1', [empty, emptyNodePort, headless, external])));
    assert.equal([...chains.get('nat')!].filter((c) => HASHED.test(c)).length, 0);
    const rejects = rules.filter((r) => r.target === 'REJECT').map((r) => r.text);
    assert.deepEqual(rejects, [
      '-A KUBE-SERVICES -m comment --comment "default/empty has no endpoints" -m tcp -p tcp -d 10.96.0.20 --dport 80 -j REJECT',
      '-A KUBE-SERVICES -m comment --comment "default/empty-np has no endpoints" -m tcp -p tcp -d 10.96.0.21 --dport 80 -j REJECT',
      '-A KUBE-EXTERNAL-SERVICES -m comment --comment "default/empty-np has no endpoints" -m tcp -p tcp -d 192.168.100.12 --dport 80 -j REJECT',
      '-A KUBE-EXTERNAL-SERVICES -m comment --comment "default/empty-np has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30092 -j REJECT',
    ]);
    assert.doesNotMatch(iptablesRules(inputFor('node1', [headless, external])), /default\/(db|ext)/);
  });

  it('UDP services use -m udp -p udp', () => {
    const text = iptablesRules(inputFor('node1', [dns]));
    assert.match(text, /--comment "kube-system\/kube-dns:dns cluster IP" -m udp -p udp -d 10\.96\.0\.53 --dport 53 -j KUBE-SVC-/);
    assert.match(text, /-m udp -p udp -j DNAT --to-destination 10\.244\.1\.10:53/);
    assert.match(text, /--comment "kube-system\/kube-dns:dns-tcp cluster IP" -m tcp -p tcp -d 10\.96\.0\.53 --dport 53 -j KUBE-SVC-/);
  });

  it('localhostNodePorts: false excludes 127.0.0.0/8 from NodePorts and drops the localnet guard', () => {
    const text = iptablesRules(inputFor('node1', [webNodePort]), { localhostNodePorts: false });
    assert.match(text, /-m addrtype --dst-type LOCAL ! -d 127\.0\.0\.0\/8 -j KUBE-NODEPORTS\n/);
    assert.doesNotMatch(text, /block incoming localnet connections/);
  });
});

describe('kube-proxy rules: nftables structure', () => {
  const texts = [nftablesRules(inputFor('node1', CASES.cluster.defs)), nftablesRules(inputFor('node2', CASES.cluster.defs))];

  it('starts by replacing the table, and declares every chain before anything refers to it', () => {
    for (const text of texts) {
      const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
      assert.deepEqual(lines.slice(0, 3), ['add table ip kube-proxy', 'delete table ip kube-proxy', 'add table ip kube-proxy { comment "rules for kube-proxy" ; }']);
      const declared = new Set<string>();
      let rules = 0;
      for (const l of lines) {
        const c = /^add chain ip kube-proxy (\S+)/.exec(l);
        if (c) declared.add(c[1]);
        const r = /^add rule ip kube-proxy (\S+)/.exec(l);
        if (r) {
          rules++;
          assert.ok(declared.has(r[1]), `${l}: chain declared first`);
        }
        for (const m of l.matchAll(/(?:goto|jump) ([^\s,}]+)/g)) assert.ok(declared.has(m[1]), `${l}: ${m[1]} declared first`);
      }
      assert.ok(rules >= 10, `${rules} rules`);
    }
  });

  it('names service and endpoint chains "<prefix>-HASH8-ns/name/proto/port[__ip/port]"', () => {
    for (const text of texts) {
      for (const m of text.matchAll(/^add chain ip kube-proxy ((service|local|external|endpoint)-\S*\/\S*)$/gm)) {
        assert.match(m[1], /^(service|local|external|endpoint)-[A-Z2-7]{8}-[a-z0-9-]+\/[a-z0-9-]+\/(tcp|udp)\/[a-z0-9-]*(__\d+\.\d+\.\d+\.\d+\/\d+)?$/);
      }
    }
  });

  it('every service chain picks each of its endpoints with numgen random mod N over 0..N-1', () => {
    for (const text of texts) {
      const picks = [...text.matchAll(/^add rule ip kube-proxy ((?:service|local)-\S+) numgen random mod (\d+) vmap \{ (.*) \}$/gm)];
      assert.ok(picks.length >= 10);
      for (const [, chain, n, body] of picks) {
        const entries = body.split(' , ').map((e) => /^(\d+) : goto (endpoint-\S+)$/.exec(e)!);
        assert.deepEqual(entries.map((e) => Number(e[1])), [...Array(Number(n)).keys()], chain);
        const base = chain.replace(/^(service|local)-/, '').replace(/^[A-Z2-7]{8}-/, '');
        for (const e of entries) assert.ok(e[2].includes(`-${base}__`), `${chain} → ${e[2]} belongs to the service`);
        if (chain.startsWith('service-')) {
          const all = new Set([...text.matchAll(new RegExp(`^add chain ip kube-proxy (endpoint-[A-Z2-7]{8}-${base.replace(/[/.]/g, '\\$&')}__\\S+)$`, 'gm'))].map((m) => m[1]));
          assert.deepEqual(new Set(entries.map((e) => e[2])), all, `${chain} reaches every endpoint`);
        }
      }
    }
  });

  it('externalTrafficPolicy Local without a local endpoint: drop in no-endpoint-nodeports; no endpoints: reject-chain', () => {
    const [node1, node2] = texts;
    assert.match(node1, /^add element ip kube-proxy no-endpoint-nodeports \{ tcp \. 30090 comment "default\/local-np" : drop \}$/m);
    assert.doesNotMatch(node2, /no-endpoint-nodeports \{ tcp \. 30090/);
    assert.match(node2, /^add rule ip kube-proxy external-\S+local-np\S+ goto local-\S+local-np\/tcp\/$/m);
    assert.match(node1, /^add element ip kube-proxy no-endpoint-services \{ 10\.96\.0\.20 \. tcp \. 80 comment "default\/empty" : goto reject-chain \}$/m);
    assert.match(node1, /^add element ip kube-proxy nodeport-ips \{ 192\.168\.50\.11 \}$/m);
  });

  it('ClientIP affinity: a timed set per endpoint, checked in the service chain and updated in the endpoint chain', () => {
    const text = nftablesRules(inputFor('node1', [sticky]));
    assert.equal(text.match(/^add set ip kube-proxy affinity-\S+ \{ type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; \}$/gm)?.length, 2);
    assert.equal(text.match(/^add rule ip kube-proxy service-\S+ ip saddr @affinity-\S+ goto endpoint-\S+$/gm)?.length, 2);
    assert.equal(text.match(/^add rule ip kube-proxy endpoint-\S+ update @affinity-\S+ \{ ip saddr \}$/gm)?.length, 2);
  });
});
