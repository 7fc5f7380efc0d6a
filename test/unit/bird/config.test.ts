/** bird.conf generation: golden files for typical routers, line sources, and BIRD's own parser on every golden config. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { birdConfig } from '../../../runner/kinds/bird/config.ts';
import { checkBirdConfig, parseBirdError } from '../../../runner/kinds/bird/check.ts';
import { needTools } from '../../needs.ts';
import { expectGolden, expectNoStrayGoldens } from '../golden.ts';
import { load, resolveAll } from './helpers.ts';

const GOLDEN = 'test/unit/golden/bird';
const LABS = ['ebgp-pair', 'ibgp-mesh', 'route-reflector', 'policies', 'raw-snippet'];

function configs(lab: string): { node: string; text: string; sources: ReturnType<typeof birdConfig>['sources'] }[] {
  const { specs, diagnostics } = resolveAll(load(lab));
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), [], `${lab} resolves without errors`);
  return specs.map((s) => ({ node: s.node, ...birdConfig(s, { socket: `/run/nslab/${lab}/${s.node}/bird.ctl` }) }));
}

describe('bird: bird.conf generation', () => {
  for (const lab of LABS) {
    it(`${lab}: every router's bird.conf is its golden file`, () => {
      for (const c of configs(lab)) {
        expectGolden(join(GOLDEN, `${lab}.${c.node}.conf`), c.text);
      }
    });
  }

  it('every golden bird.conf belongs to a router of these labs', () => {
    expectNoStrayGoldens(GOLDEN, '.conf', LABS.flatMap((lab) => configs(lab).map((c) => `${lab}.${c.node}.conf`)));
  });

  it('is deterministic, and has one source per line (blank lines none)', () => {
    const a = configs('policies');
    const b = configs('policies');
    assert.deepEqual(a, b);
    for (const c of a) {
      const lines = c.text.split('\n').slice(0, -1);
      assert.equal(c.sources.length, lines.length);
      lines.forEach((l, i) => assert.equal(c.sources[i] === undefined, l.trim() === '', `line ${i + 1}: ${l}`));
    }
  });

  it('each line points at the YAML behind it: a neighbor block at its list item, an announce at its prefix', () => {
    const c = configs('ebgp-pair').find((x) => x.node === 'r2')!;
    const lines = c.text.split('\n');
    const at = (needle: string): number => c.sources[lines.findIndex((l) => l.includes(needle))]!.line;
    assert.equal(at('neighbor 10.0.12.1 as 65001;'), 22);
    assert.equal(at('route 10.2.1.0/24 blackhole;'), 23);
    assert.equal(at('router id 10.255.0.2;'), 17);
    assert.match(c.text, /^# Neighbor r1: eBGP with AS 65001 \(test\/unit\/bird\/labs\/ebgp-pair\.yaml:22:11\)$/m);
  });

  it('defaults are written out: eBGP exports announce + BGP, iBGP exports all, every import is all', () => {
    const pair = configs('ebgp-pair')[0].text;
    assert.match(pair, /export filter ebgp_export;/);
    assert.match(pair, /if proto = "announce4" \|\| proto = "announce6" then accept;\n {2}if source = RTS_BGP then accept;\n {2}reject;/);
    const mesh = configs('ibgp-mesh')[0].text;
    assert.doesNotMatch(mesh, /ebgp_export/);
    assert.equal(mesh.match(/^ {4}export all;/gm)?.length, 2);
    assert.equal(mesh.match(/^ {2}direct;/gm)?.length, 2, 'iBGP on a shared subnet is direct');
    assert.match(configs('ibgp-mesh')[2].text, /passive on;/);
  });

  it('route reflector: rr client, the cluster id and next hop self on the client sessions', () => {
    const rr = configs('route-reflector').find((x) => x.node === 'rr')!.text;
    assert.equal(rr.match(/rr client;/g)?.length, 2);
    assert.equal(rr.match(/rr cluster id 10\.255\.255\.1;/g)?.length, 2);
    assert.equal(rr.match(/next hop self;/g)?.length, 2);
  });

  it('policies: prefix sets split by family, communities, local-pref, med, prepend, reject', () => {
    const edge = configs('policies').find((x) => x.node === 'edge')!.text;
    assert.match(edge, /if !\(\(net\.type = NET_IP4 && net ~ \[ 0\.0\.0\.0\/0\{8,24\} \]\) \|\| \(net\.type = NET_IP6 && net ~ \[ fd00::\/8\+ \]\)\) then reject;/);
    assert.match(edge, /bgp_local_pref = 200;/);
    assert.match(edge, /bgp_med = 50;/);
    assert.equal(edge.match(/bgp_path\.prepend\(65001\);/g)?.length, 2);
    assert.match(edge, /bgp_community\.add\(\(65001,20\)\);\n {2}bgp_community\.add\(\(65001,21\)\);/);
    assert.match(edge, /filter policy_no_bogons \{\n {2}if \(net\.type = NET_IP4 && net ~ \[ 10\.0\.0\.0\/8\+, 192\.168\.0\.0\/16\+ \]\) then reject;\n {2}accept;\n\}/);
    assert.match(edge, /if !\(\(65010,666\) ~ bgp_community\) then reject;/);
    assert.match(edge, /multihop 3;/);
    assert.match(edge, /local 10\.255\.0\.1 as 65001;\n {2}neighbor 10\.255\.9\.9 as 65009;/, 'multihop sessions start from lo');
    assert.match(edge, /password "s3cret";/);
    assert.match(edge, /route 10\.99\.0\.0\/16 via 10\.0\.10\.254;/);
    assert.match(edge, /route 10\.98\.0\.0\/16 unreachable;/);
    assert.match(edge, /route 10\.97\.0\.0\/16 blackhole;/);
  });

  it('parses the error lines of bird -p', () => {
    assert.deepEqual(parseBirdError('bird: /tmp/x/bird.conf:3:3 syntax error, unexpected CF_SYM_UNDEFINED'), { line: 3, col: 3, message: 'syntax error, unexpected CF_SYM_UNDEFINED' });
    assert.deepEqual(parseBirdError('bird: Cannot open configuration file /x: No such file or directory\n'), { message: 'Cannot open configuration file /x: No such file or directory' });
    assert.equal(parseBirdError(''), undefined);
  });

  describe('BIRD parses what nslab writes (bird -p)', function () {
    before(() => needTools(['bird'], 'apt-get install bird2 (or `bash scripts/setup.sh`)'));
    for (const lab of LABS) {
      it(`${lab}: bird -p accepts every router's config`, async () => {
        for (const c of configs(lab)) assert.deepEqual(await checkBirdConfig(c.text, c.sources, { node: c.node }), [], `${lab}/${c.node}`);
      });
    }
    it('a syntax error in the bird: snippet is reported at the bird: key, with BIRD’s message and the line', async () => {
      const { specs } = resolveAll(load('raw-snippet-bad'));
      const c = birdConfig(specs[0], {});
      const ds = await checkBirdConfig(c.text, c.sources, { node: 'r1', fallback: specs[0].pos });
      assert.equal(ds.length, 1);
      assert.equal(ds[0].code, 'bird.config');
      assert.equal(ds[0].message, 'BIRD rejects the configuration of r1: syntax error: BIRD does not know the word "blakhole" here');
      assert.deepEqual([ds[0].pos?.file, ds[0].pos?.line, ds[0].pos?.col], ['test/unit/bird/labs/raw-snippet-bad.yaml', 8, 5]);
      assert.match(ds[0].hint!, /bird\.conf has at line \d+, column 22: "route 192\.0\.2\.0\/24 blakhole;"/);
    });
    it('an error without a usable line falls back to the node', async () => {
      const fallback = { file: 'lab.yaml', line: 3, col: 3 };
      const ds = await checkBirdConfig('router id 1.2.3.4;\nprotocol bgp x { local as 65001; neighbor 10.0.0.2 as 65002; rr client; ipv4; }\n', [], { fallback });
      assert.equal(ds.length, 1);
      assert.deepEqual(ds[0].pos, fallback);
      assert.match(ds[0].message, /Only internal neighbor can be RR client/);
    });
  });

  it('bird missing: a diagnostic that says how to install it', async () => {
    const ds = await checkBirdConfig('router id 1.2.3.4;\n', [], { node: 'r1', bird: '/nonexistent/bird' });
    assert.equal(ds.length, 1);
    assert.equal(ds[0].code, 'bird.not-installed');
    assert.match(ds[0].message, /bird is not installed/);
    assert.match(ds[0].hint!, /apt-get install bird2.*lab doctor --fix/);
  });
});
