/** kube-proxy's nftables sync, as a change to a running lab applies it (issue 15.1): only what changed, in order. */
import { strict as assert } from 'node:assert';
import { nftIncremental, parseFlat } from '../../runner/plan/nft-incremental.ts';

const HEAD = ['add table ip kp', 'delete table ip kp', 'add table ip kp { comment "k" ; }', 'add chain ip kp nat-prerouting { type nat hook prerouting priority -100 ; }', 'add chain ip kp services', 'add rule ip kp nat-prerouting jump services', 'add map ip kp service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; }', 'add rule ip kp services ip daddr . meta l4proto . th dport vmap @service-ips'];
const svc = (name: string, ip: string, eps: string[]): string[] => [
  ...eps.map((e) => `add chain ip kp ep-${name}-${e}`),
  `add chain ip kp svc-${name}`,
  `add element ip kp service-ips { ${ip} . tcp . 80 : goto svc-${name} }`,
  `add rule ip kp svc-${name} numgen random mod ${eps.length} vmap { ${eps.map((e, i) => `${i} : goto ep-${name}-${e}`).join(' , ')} }`,
  ...eps.map((e) => `add rule ip kp ep-${name}-${e} dnat to ${e}:80`),
];
const set = (...parts: string[][]): string => [...HEAD, ...parts.flat()].join('\n');

describe('nftables changed as kube-proxy syncs it (issue 15.1)', () => {
  it('an endpoint added: its chain added, the service chain refilled, nothing else', () => {
    const r = nftIncremental(set(svc('web', '10.96.0.11', ['10.244.0.3'])), set(svc('web', '10.96.0.11', ['10.244.0.3', '10.244.0.5'])))!;
    assert.equal(r.summary, '1 chain added, 1 refilled');
    assert.deepEqual(r.input.trim().split('\n'), [
      'add chain ip kp ep-web-10.244.0.5',
      'add rule ip kp ep-web-10.244.0.5 dnat to 10.244.0.5:80',
      'flush chain ip kp svc-web',
      'add rule ip kp svc-web numgen random mod 2 vmap { 0 : goto ep-web-10.244.0.3 , 1 : goto ep-web-10.244.0.5 }',
    ]);
  });

  it('a Service removed: its element deleted first, its chains flushed, then deleted (one jumps to the other)', () => {
    const r = nftIncremental(set(svc('web', '10.96.0.11', ['a']), svc('api', '10.96.0.12', ['b'])), set(svc('web', '10.96.0.11', ['a'])))!;
    assert.equal(r.summary, '2 deleted, 1 element deleted');
    assert.deepEqual(r.input.trim().split('\n'), ['delete element ip kp service-ips { 10.96.0.12 . tcp . 80 }', 'flush chain ip kp ep-api-b', 'flush chain ip kp svc-api', 'delete chain ip kp ep-api-b', 'delete chain ip kp svc-api']);
  });

  it('an element whose verdict changed: deleted by its key, added again', () => {
    const a = set(['add chain ip kp x', 'add chain ip kp y', 'add element ip kp service-ips { 10.96.0.1 . tcp . 80 : goto x }']);
    const b = set(['add chain ip kp x', 'add chain ip kp y', 'add element ip kp service-ips { 10.96.0.1 . tcp . 80 : goto y }']);
    assert.deepEqual(nftIncremental(a, b)!.input.trim().split('\n'), ['delete element ip kp service-ips { 10.96.0.1 . tcp . 80 }', 'add element ip kp service-ips { 10.96.0.1 . tcp . 80 : goto y }']);
  });

  it('the same set: an empty transaction', () => {
    const a = set(svc('web', '10.96.0.11', ['a']));
    assert.deepEqual(nftIncremental(a, a), { input: '', summary: 'nothing changed' });
  });

  it('what it cannot do in place gives undefined (the tables are then replaced whole)', () => {
    const a = set(svc('web', '10.96.0.11', ['a']));
    assert.equal(nftIncremental(a, a.replace('priority -100', 'priority -99')), undefined, 'a base chain\'s hook changed');
    assert.equal(nftIncremental(a, `${a}\nadd table ip other\ndelete table ip other\nadd table ip other`), undefined, 'a new table');
    assert.equal(nftIncremental(a, 'table ip kp {\n  chain c {\n  }\n}'), undefined, 'block syntax');
    assert.equal(parseFlat(a.replace('delete table ip kp\n', '')), undefined, 'a table written without its reset');
    assert.equal(parseFlat(`${a}\nadd rule ip kp nosuchchain accept`), undefined, 'a rule of an undeclared chain');
  });
});
