/** Link impairments: parsing (runner/model/impair.ts), the compiled tc / nft text (runner/plan/impair.ts), the netem check. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileContext, loadLab, planContextFor, planOf } from '../../runner/api.ts';
import { featuresToProbe } from '../../runner/model/features.ts';
import { formatDiagnostic, LabError, type Diagnostic } from '../../runner/config/diagnostics.ts';
import { displayPath } from '../../runner/config/load.ts';
import {
  checkImpairments,
  defaultBurst,
  impairFeatures,
  netemDiagnostics,
  parseDelayUs,
  parseImpairRate,
  parseLoss,
  parseSize,
  type NetemProbe,
} from '../../runner/model/impair.ts';
import type { ResolvedLab } from '../../runner/model/types.ts';
import type { CompileContext } from '../../runner/plan/context.ts';
import { numgen, tableName, tcRate, tcTime } from '../../runner/plan/impair.ts';
import { PHASES, type Plan } from '../../runner/plan/ops.ts';
import { printPlan } from '../../runner/plan/print.ts';

let dir: string;
let n = 0;
before(() => (dir = mkdtempSync(join(tmpdir(), 'nslab-impair-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(text: string): string {
  const path = join(dir, `lab-${++n}.yaml`);
  writeFileSync(path, text);
  return path;
}

function load(text: string): { lab: ResolvedLab; file: string } {
  const path = write(text);
  try {
    return { lab: loadLab(path).lab, file: displayPath(path) };
  } catch (e) {
    if (e instanceof LabError) assert.fail(`the lab was rejected:\n${e.diagnostics.map((d) => `${d.pos?.line}:${d.pos?.col} ${d.code}: ${d.message}`).join('\n')}`);
    throw e;
  }
}

function reject(text: string): readonly Diagnostic[] {
  try {
    loadLab(write(text));
  } catch (e) {
    assert.ok(e instanceof LabError, `expected a LabError, got ${String(e)}`);
    return e.diagnostics;
  }
  return assert.fail('the lab was accepted');
}

/** A two-node lab whose a:eth0 has this impair mapping (written as YAML flow). */
const pair = (impair: string, extra = ''): string => `name: imp-unit
nodes:
  a:
    interfaces:
      eth0: { addresses: [10.0.0.1/24]${extra}, impair: ${impair} }
  b:
    interfaces:
      eth0: { addresses: [10.0.0.2/24] }
links:
  - [a:eth0, b:eth0]
`;

const ctx = (features?: { netem: boolean }): CompileContext => ({ ...compileContext('imp-golden', ['lab'], {}), ...(features ? { features } : {}) });

/** The impair phase exactly as `lab plan` prints it ('' when there is none). */
function impairPhase(plan: Plan): string {
  const text = printPlan(plan);
  const start = text.indexOf('\n# ── impair:');
  if (start < 0) return '';
  const end = text.indexOf('\n# ──', start + 1);
  return text.slice(start + 1, end < 0 ? undefined : end + 1);
}

describe('impair: parsing', () => {
  it('rates: with a unit, SI, per second', () => {
    assert.equal(parseImpairRate('10 mbit'), 10e6);
    assert.equal(parseImpairRate('10mbit'), 10e6);
    assert.equal(parseImpairRate('1.5 gbit'), 1.5e9);
    assert.equal(parseImpairRate('100kbit'), 100e3);
    assert.equal(parseImpairRate('20 Mbit/s'), 20e6);
    for (const bad of ['fast', '10 furlongs', '100', 100, '', '-5mbit', '0 mbit', 'mbit']) assert.equal(parseImpairRate(bad), undefined, JSON.stringify(bad));
  });
  it('loss: percent from 0 to 100, with or without %', () => {
    assert.equal(parseLoss('5%'), 5);
    assert.equal(parseLoss('5'), 5);
    assert.equal(parseLoss(5), 5);
    assert.equal(parseLoss('0.5%'), 0.5);
    assert.equal(parseLoss('100%'), 100);
    assert.equal(parseLoss('0.12345%'), 0.123);
    for (const bad of ['150%', 150, -3, 'lots', '5 %%', '']) assert.equal(parseLoss(bad), undefined, JSON.stringify(bad));
  });
  it('delay and jitter: durations with a unit, in µs', () => {
    assert.equal(parseDelayUs('20ms'), 20_000);
    assert.equal(parseDelayUs('1s'), 1_000_000);
    assert.equal(parseDelayUs('0.5ms'), 500);
    assert.equal(parseDelayUs('500us'), 500);
    for (const bad of [20, '20', '1h', 'soon', '-5ms']) assert.equal(parseDelayUs(bad), undefined, JSON.stringify(bad));
  });
  it('burst: bits or bytes, always with a unit', () => {
    assert.equal(parseSize('32kbit'), 4000);
    assert.equal(parseSize('4000b'), 4000);
    assert.equal(parseSize('16kb'), 16_000);
    assert.equal(parseSize('16kib'), 16_384);
    assert.equal(parseSize('1mb'), 1_000_000);
    for (const bad of [4000, '4000', '10 furlongs', 'big']) assert.equal(parseSize(bad), undefined, JSON.stringify(bad));
  });
  it('the default burst is 4 ms at the rate, at least two full-size frames', () => {
    assert.equal(defaultBurst(100e6), 50_000);
    assert.equal(defaultBurst(1e9), 500_000);
    assert.equal(defaultBurst(1e6), 3028);
    assert.equal(defaultBurst(1e6, 9000), 18_028);
  });
  it('tc and nft words', () => {
    assert.equal(tcRate(100e6), '100mbit');
    assert.equal(tcRate(1.5e9), '1500mbit');
    assert.equal(tcRate(2e9), '2gbit');
    assert.equal(tcRate(64_500), '64500bit');
    assert.equal(tcTime(20_000), '20ms');
    assert.equal(tcTime(1500), '1500us');
    assert.equal(numgen(20), 'numgen random mod 100 < 20');
    assert.equal(numgen(0.5), 'numgen random mod 1000 < 5');
    assert.equal(numgen(0.125), 'numgen random mod 100000 < 125');
    assert.equal(numgen(100), 'numgen random mod 100 < 100');
    assert.equal(tableName('br-a.eth0'), 'nslab_impair_br_a_eth0');
  });

  it('a lab file: every form from the docs is accepted', () => {
    const { lab } = load(pair('{ rate: 1.5 gbit, burst: 32kbit, loss: 0.5%, delay: 1s, jitter: 5ms }'));
    const im = lab.nodes[0].interfaces.find((i) => i.name === 'eth0')!.impair!;
    assert.equal(im.rateBps, 1.5e9);
    assert.equal(im.burstBytes, 4000);
    assert.equal(im.lossPct, 0.5);
    assert.equal(im.delayUs, 1e6);
    assert.equal(im.jitterUs, 5000);
    assert.equal(im.netemPos?.line, 5);
    assert.equal(load(pair('{ rate: 10 mbit }')).lab.nodes[0].interfaces[0].impair?.burstBytes, 5000);
    assert.equal(load(pair('{}')).lab.nodes[0].interfaces[0].impair, undefined);
  });

  it('nonsense is an error at the value, with the accepted forms in the hint', () => {
    const cases: [string, string, RegExp, RegExp][] = [
      ['{ rate: fast }', 'impair.rate', /"fast" is not a rate/, /10 mbit, 10mbit, 1\.5 gbit, 100kbit/],
      ['{ rate: 10 furlongs }', 'impair.rate', /"10 furlongs" is not a rate/, /10 mbit/],
      ['{ rate: 100 }', 'impair.rate', /100 has no unit/, /10 mbit/],
      ['{ loss: 150% }', 'impair.loss', /"150%" is not a percentage from 0 to 100/, /5%, 5, 0\.5%/],
      ['{ delay: 20 }', 'impair.delay', /20 has no unit/, /20ms, 1s/],
      ['{ delay: 20ms, jitter: lots }', 'impair.jitter', /"lots" is not a duration/, /5ms/],
      ['{ jitter: 5ms }', 'impair.jitter', /jitter varies a delay, and there is no delay/, /add delay/],
      ['{ burst: 32kbit }', 'impair.burst', /there is no rate/, /add `rate:`/],
      ['{ rate: 10mbit, burst: 1kbit }', 'impair.burst', /125 bytes, smaller than one full-size frame \(1514 bytes at MTU 1500\)/, /at least 1514 bytes/],
    ];
    for (const [impair, code, message, hint] of cases) {
      const ds = reject(pair(impair)).filter((d) => d.severity === 'error');
      assert.equal(ds.length, 1, `${impair}: ${ds.map((d) => d.message).join('; ')}`);
      assert.equal(ds[0].code, code, impair);
      assert.match(ds[0].message, message, impair);
      assert.match(ds[0].hint ?? '', hint, impair);
      assert.equal(ds[0].pos?.line, 5, `${impair}: points at the interface's line`);
      assert.ok(ds[0].pos!.col > 40, `${impair}: points at the value, not the line start (col ${ds[0].pos!.col})`);
    }
  });

  it('impair on lo is an error', () => {
    const ds = reject(`name: imp-unit
nodes:
  a:
    interfaces:
      lo: { addresses: [10.9.9.9/32], impair: { loss: 5% } }
`);
    assert.deepEqual(
      ds.map((d) => d.code),
      ['impair.loopback'],
    );
  });
});

const GOLDEN_LAB = `name: imp-golden
nodes:
  a:
    interfaces:
      eth0: { addresses: [10.0.0.1/24], impair: { rate: 100 mbit, loss: 20% } }
      eth1: { addresses: [10.0.1.1/24], impair: { rate: 1.5 gbit, burst: 64kbit, delay: 20ms, jitter: 5ms, loss: 0.5% } }
      eth2: { addresses: [10.0.2.1/24], impair: { loss: 1% } }
  b:
    interfaces:
      eth0: { addresses: [10.0.0.2/24], impair: { rate: 10mbit } }
  c:
    interfaces:
      eth0: { addresses: [10.0.1.2/24] }
bridges:
  sw: {}
links:
  - [a:eth0, b:eth0]
  - [a:eth1, c:eth0]
  - [a:eth2, sw]
`;

describe('impair: compiled commands (golden)', () => {
  it('loss: 100% drops every packet with a plain drop (nft refuses `numgen random mod 100 < 100`)', () => {
    const { lab } = load(GOLDEN_LAB.replace('impair: { loss: 1% }', 'impair: { loss: 100% }'));
    const text = impairPhase(planOf(lab, ctx()));
    assert.match(text, /a:eth2 impair\.loss 100%[^\n]*\n[^]*?priority -500; policy accept;\n    drop\n  \}/);
    assert.doesNotMatch(text, /< 100 drop/);
  });
  it('no netem known: tbf, netem where delay asks for it, loss as an nft drop on the peer end', () => {
    const { lab, file } = load(GOLDEN_LAB);
    assert.equal(
      impairPhase(planOf(lab, ctx())),
      `# ── impair: link impairments: rate (tc tbf), delay and jitter (tc netem), loss (netem, or an nftables drop on the peer's ingress)
nsenter --net=/run/netns/nsl.imp-golden.a tc -batch - <<'EOF'
# ${file}:5:41 — a:eth0 egress: rate 100mbit, bucket 50000 bytes (tbf)
qdisc add dev eth0 root tbf rate 100mbit burst 50000b latency 50ms
# ${file}:6:41 — a:eth1 egress: delay 20ms ± 5ms, loss 0.5% (netem)
qdisc add dev eth1 root handle 1: netem delay 20ms 5ms loss 0.5%
# ${file}:6:41 — a:eth1 egress: rate 1500mbit, bucket 8000 bytes (tbf under the netem)
qdisc add dev eth1 parent 1:1 handle 10: tbf rate 1500mbit burst 8000b latency 50ms
EOF
nsenter --net=/run/netns/nsl.imp-golden.b tc -batch - <<'EOF'
# ${file}:10:41 — b:eth0 egress: rate 10mbit, bucket 5000 bytes (tbf)
qdisc add dev eth0 root tbf rate 10mbit burst 5000b latency 50ms
EOF
# a:eth0 egress: loss 20%, dropped on b:eth0's ingress (nftables; netem not checked)
ip netns exec nsl.imp-golden.b nft -f - <<'EOF'
# a:eth0 impair.loss 20% (${file}:5:41): packets leaving a:eth0 are dropped as they arrive on b:eth0
table netdev nslab_impair_eth0 {
  chain ingress {
    type filter hook ingress device "eth0" priority -500; policy accept;
    numgen random mod 100 < 20 drop
  }
}
EOF
# a:eth2 egress: loss 1%, dropped on a-eth2 (port of bridge sw)'s ingress (nftables; netem not checked)
ip netns exec nsl.imp-golden nft -f - <<'EOF'
# a:eth2 impair.loss 1% (${file}:7:41): packets leaving a:eth2 are dropped as they arrive on a-eth2 (port of bridge sw)
table netdev nslab_impair_a_eth2 {
  chain ingress {
    type filter hook ingress device "a-eth2" priority -500; policy accept;
    numgen random mod 100 < 1 drop
  }
}
EOF
`,
    );
  });

  it('netem present: loss goes into netem on this end, with tbf under it; no nft', () => {
    const { lab, file } = load(GOLDEN_LAB);
    assert.equal(
      impairPhase(planOf(lab, ctx({ netem: true }))),
      `# ── impair: link impairments: rate (tc tbf), delay and jitter (tc netem), loss (netem, or an nftables drop on the peer's ingress)
# one batch file per namespace, run 4 at a time by xargs
mkdir -p /run/nslab/imp-golden/batch
cat >/run/nslab/imp-golden/batch/nsl.imp-golden.a.tc <<'EOF'
# ${file}:5:41 — a:eth0 egress: loss 20% (netem)
qdisc add dev eth0 root handle 1: netem loss 20%
# ${file}:5:41 — a:eth0 egress: rate 100mbit, bucket 50000 bytes (tbf under the netem)
qdisc add dev eth0 parent 1:1 handle 10: tbf rate 100mbit burst 50000b latency 50ms
# ${file}:6:41 — a:eth1 egress: delay 20ms ± 5ms, loss 0.5% (netem)
qdisc add dev eth1 root handle 1: netem delay 20ms 5ms loss 0.5%
# ${file}:6:41 — a:eth1 egress: rate 1500mbit, bucket 8000 bytes (tbf under the netem)
qdisc add dev eth1 parent 1:1 handle 10: tbf rate 1500mbit burst 8000b latency 50ms
# ${file}:7:41 — a:eth2 egress: loss 1% (netem)
qdisc add dev eth2 root handle 1: netem loss 1%
EOF
cat >/run/nslab/imp-golden/batch/nsl.imp-golden.b.tc <<'EOF'
# ${file}:10:41 — b:eth0 egress: rate 10mbit, bucket 5000 bytes (tbf)
qdisc add dev eth0 root tbf rate 10mbit burst 5000b latency 50ms
EOF
xargs -P 4 -L 1 nsenter <<'EOF'
--net=/run/netns/nsl.imp-golden.a tc -batch /run/nslab/imp-golden/batch/nsl.imp-golden.a.tc
--net=/run/netns/nsl.imp-golden.b tc -batch /run/nslab/imp-golden/batch/nsl.imp-golden.b.tc
EOF
`,
    );
  });

  it('netem known absent compiles like unknown, and says so', () => {
    const { lab } = load(GOLDEN_LAB);
    const absent = planOf(lab, ctx({ netem: false }));
    const unknown = planOf(lab, ctx());
    const ops = (p: Plan): unknown[] => p.steps.filter((s) => s.phase === 'impair').map((s) => s.op);
    assert.deepEqual(ops(absent), ops(unknown));
    const note = (p: Plan): string | undefined => p.steps.find((s) => s.id === 'a.eth0.impair.loss')?.note;
    assert.match(note(absent)!, /netem absent/);
    assert.match(note(unknown)!, /netem not checked/);
  });

  it('the printed plan has the impair phase after the firewall, and lab down needs nothing extra', () => {
    const { lab } = load(GOLDEN_LAB);
    const plan = planOf(lab, ctx());
    const text = printPlan(plan);
    assert.equal(PHASES.indexOf('impair'), PHASES.indexOf('firewall') + 1, 'after the firewall: a rule set that flushes nftables cannot remove the drop tables');
    assert.ok(text.includes("nsenter --net=/run/netns/nsl.imp-golden.a tc -batch - <<'EOF'\n"));
    assert.ok(text.includes('qdisc add dev eth0 root tbf rate 100mbit burst 50000b latency 50ms\n'));
    // everything lives in the lab's namespaces
    for (const s of plan.steps.filter((x) => x.phase === 'impair')) assert.ok(plan.namespaces.includes((s.op as { ns: string }).ns), s.id);
  });

  it('an end with no veth peer (macvlan): the drop goes into its own namespace, on postrouting', () => {
    const { lab, file } = load(`name: imp-mv
nodes:
  c:
    interfaces:
      eth0: { addresses: [10.0.1.1/24] }
      mv0: { type: macvlan, dev: eth0, addresses: [10.0.1.11/24], impair: { loss: 10% } }
  d: { interfaces: { eth0: { addresses: [10.0.1.2/24] } } }
bridges:
  lan: {}
links:
  - [c:eth0, lan]
  - [d:eth0, lan]
`);
    assert.equal(
      impairPhase(planOf(lab, ctx({ netem: false }))),
      `# ── impair: link impairments: rate (tc tbf), delay and jitter (tc netem), loss (netem, or an nftables drop on the peer's ingress)
# c:mv0 egress: loss 10% (nftables postrouting; netem absent)
ip netns exec nsl.imp-mv.c nft -f - <<'EOF'
# c:mv0 impair.loss 10% (${file}:6:67): IP packets leaving c:mv0 are dropped on their way out (no veth peer to drop them on)
table inet nslab_impair_mv0 {
  chain postrouting {
    type filter hook postrouting priority 500; policy accept;
    oifname "mv0" numgen random mod 100 < 10 drop
  }
}
EOF
`,
    );
  });

  it('a lab without impairments has no impair phase and probes nothing', async () => {
    const { lab } = load(`name: imp-none
nodes: { a: {}, b: {} }
links: [[a:eth0, b:eth0]]
`);
    assert.equal(impairPhase(planOf(lab, ctx())), '');
    assert.deepEqual(featuresToProbe(lab), [], 'nothing to probe');
    assert.deepEqual(impairFeatures(lab, { ok: false, detail: 'x' }), {});
    assert.deepEqual(checkImpairments(lab, { ok: false, detail: 'x' }), []);
  });
});

describe('impair: delay on a kernel without netem', () => {
  const MISSING: NetemProbe = { ok: false, detail: 'tc qdisc add dev dnetema root netem delay 1ms: Error: Specified qdisc kind is unknown.', hint: 'this kernel cannot load modules' };

  it('is an error at the delay, naming CONFIG_NET_SCH_NETEM and what still works', async () => {
    const path = write(pair('{ rate: 10 mbit, loss: 1%, delay: 20ms, jitter: 5ms }'));
    const loaded = loadLab(path);
    const ds = checkImpairments(loaded.lab, MISSING);
    assert.equal(ds.length, 1);
    const d = ds[0];
    assert.equal(d.severity, 'error');
    assert.equal(d.code, 'impair.netem-missing');
    assert.deepEqual([d.pos?.line, d.pos?.col], [5, 76]);
    const text = formatDiagnostic(d, { sources: loaded.sources });
    assert.equal(
      text,
      `${displayPath(path)}:5:76: error: a:eth0 impair: delay and jitter need the kernel's netem qdisc (CONFIG_NET_SCH_NETEM, module sch_netem), and this kernel has none (doctor's probe: ${MISSING.detail})
  5 |       eth0: { addresses: [10.0.0.1/24], impair: { rate: 10 mbit, loss: 1%, delay: 20ms, jitter: 5ms } }
    |                                                                            ^^^^^
  hint: rate (tc tbf) and loss (an nftables drop) still work on this kernel: remove delay and jitter to keep them, or run the lab on a kernel built with CONFIG_NET_SCH_NETEM; nothing was built`,
    );
  });

  it('netem present: no diagnostic; not root (untested): a warning', () => {
    const { lab } = load(pair('{ delay: 20ms }'));
    assert.deepEqual(netemDiagnostics(lab, { ok: true, detail: 'ok' }), []);
    const ds = netemDiagnostics(lab, { ok: false, detail: 'not tested: kernel features are tried in a scratch namespace, which needs root' });
    assert.deepEqual(
      ds.map((d) => [d.severity, d.code]),
      [['warning', 'impair.netem-unchecked']],
    );
    assert.match(ds[0].message, /^a:eth0 impair: delay needs the kernel's netem qdisc/);
  });

  it('rate and loss alone never need netem', async () => {
    const { lab } = load(pair('{ rate: 10 mbit, loss: 5% }'));
    assert.deepEqual(checkImpairments(lab, MISSING), []);
    assert.deepEqual(impairFeatures(lab, MISSING), { features: { netem: false } });
    assert.deepEqual(impairFeatures(lab, { ok: false, detail: 'not tested: needs root' }), {});
    assert.deepEqual(impairFeatures(lab, undefined), {}, 'not probed: nothing known');
    // rate alone: nothing to probe; loss with delay: netem is needed, but the plan is the same whatever the answer
    const rate = load(pair('{ rate: 10 mbit }')).lab;
    assert.deepEqual([featuresToProbe(rate), impairFeatures(rate, MISSING)], [[], {}]);
    const both = load(pair('{ loss: 5%, delay: 20ms }')).lab;
    assert.deepEqual([featuresToProbe(both), impairFeatures(both, MISSING)], [['netem'], {}]);
  });

  it('lab plan assumes netem for delay (and says so) instead of probing it; loss alone stays unknown', () => {
    const { lab } = load(pair('{ loss: 5%, delay: 20ms }'));
    const c = planContextFor(lab, ctx());
    assert.deepEqual([c.assumed, c.features], [['netem'], undefined]);
    const plan = planOf(lab, c);
    assert.ok(plan.notes?.some((n) => n.startsWith('assumes: netem ')), JSON.stringify(plan.notes));
    assert.match(printPlan(plan), /^# assumes: netem /m);
    const loss = load(pair('{ loss: 5% }')).lab;
    assert.deepEqual([featuresToProbe(loss), planContextFor(loss, ctx())], [['netem'], ctx()], 'lab up probes it; lab plan compiles the nftables drop');
    assert.match(impairPhase(planOf(loss, planContextFor(loss, ctx()))), /netem not checked/);
    assert.deepEqual(planContextFor(load(pair('{ rate: 10 mbit }')).lab, ctx()), ctx(), 'nothing assumed where nothing depends on the host');
  });
});
