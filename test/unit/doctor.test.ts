import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitCodeFor, formatReport, markOf, toJson } from '../../runner/cli/commands/doctor.ts';
import {
  CHECKS,
  compareVersions,
  detectFeatures,
  dockerPing,
  dockerSocket,
  packagesToInstall,
  parseIprouteVersion,
  toolsOf,
  whichSync,
  type CheckResult,
  type ProbeContext,
  type ProbeRunResult as RunResult,
} from '../../runner/exec/probes.ts';

const byName = (n: string) => {
  const c = CHECKS.find((x) => x.name === n);
  assert.ok(c, `no check ${n}`);
  return c;
};

function fakeCtx(over: Partial<ProbeContext> & { runs?: (argv: readonly string[]) => Partial<RunResult> } = {}): ProbeContext & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    ns: 'nsl-doctor.1',
    root: true,
    modules: false,
    which: (cmd) => ({ path: `/usr/sbin/${cmd}` }),
    run: async (argv) => {
      calls.push([...argv]);
      return { ok: true, out: '', err: '', missing: false, ...(over.runs?.(argv) ?? {}) };
    },
    ...over,
    calls,
  };
}

describe('doctor: the table', () => {
  it('has unique names and a fix text for every entry', () => {
    const names = CHECKS.map((c) => c.name);
    assert.equal(new Set(names).size, names.length, 'duplicate names');
    for (const c of CHECKS) {
      assert.ok(c.fix.trim().length > 10, `${c.name}: no fix text`);
      assert.equal(typeof c.probe, 'function');
      assert.match(c.name, /^[a-z0-9_-]+$/);
    }
  });

  it('names a Debian package for every tool, and apt-get install of that package in its fix', () => {
    for (const c of CHECKS.filter((x) => x.kind === 'tool')) {
      assert.ok(c.pkg, `${c.name}: no package`);
      assert.ok(c.fix.includes(`apt-get install ${c.pkg}`), `${c.name}: fix does not say apt-get install ${c.pkg}`);
    }
  });

  it('says for every kernel feature which CONFIG_ option is missing and what nslab cannot do', () => {
    const kernel = CHECKS.filter((x) => x.kind === 'kernel');
    assert.equal(kernel.length, 26);
    for (const c of kernel) {
      assert.equal(c.pkg, undefined, `${c.name}: a kernel feature has no package`);
      assert.match(c.fix, /^this kernel was built without CONFIG_[A-Z0-9_]+.*; nslab cannot .+ here/);
    }
  });

  it('covers every probe the brief lists', () => {
    const want = 'root node ip ping iperf3 nc curl tcpdump iptables iptables-restore ip6tables-restore nft sysctl nsenter tc socat dnsmasq nginx openssl bird2 debootstrap docker docker-daemon netns veth bridge vxlan macvlan tun ifb dummy ipip gre gretap sit geneve wireguard ipvlan vrf vlan bond netem tbf htb ipvs nftables nftrace iptables-rules br_netfilter';
    for (const n of new Set(want.split(' '))) byName(n);
  });

  it('marks only the optional tools, docker and the non-core kernel features as optional', () => {
    const optionalTools = CHECKS.filter((c) => c.kind === 'tool' && c.optional).map((c) => c.name);
    assert.deepEqual(optionalTools.sort(), ['bird2', 'cni-plugins', 'conntrack', 'debootstrap', 'dig', 'dnsmasq', 'docker-proxy', 'dot', 'haproxy', 'nginx', 'openssl']);
    assert.ok(CHECKS.filter((c) => c.kind === 'docker').every((c) => c.optional));
    const requiredKernel = CHECKS.filter((c) => c.kind === 'kernel' && !c.optional).map((c) => c.name);
    assert.deepEqual(requiredKernel.sort(), ['bridge', 'iptables-rules', 'netns', 'veth']);
    assert.equal(byName('root').optional, false);
    assert.equal(byName('node').optional, false);
  });
});

describe('doctor: kernel probes (with a fake context, no root needed)', () => {
  it('creates interfaces with ip -n <scratch> link add, never in the host namespace', async () => {
    const ctx = fakeCtx();
    for (const c of CHECKS.filter((x) => x.kind === 'kernel')) {
      ctx.calls.length = 0;
      const r = await c.probe(ctx);
      assert.equal(r.ok, true, `${c.name}: ${r.detail}`);
      assert.ok(ctx.calls.length > 0, c.name);
      for (const argv of ctx.calls) {
        assert.ok(argv.includes('nsl-doctor.1'), `${c.name} ran outside the scratch namespace: ${argv.join(' ')}`);
        if (argv[0] === 'ip' && argv.includes('link') && argv.includes('add')) assert.deepEqual(argv.slice(0, 3), ['ip', '-n', 'nsl-doctor.1']);
        // interface names (after add / name / dev / link) fit IFNAMSIZ
        argv.forEach((w, i) => {
          if (i > 0 && ['add', 'name', 'dev', 'link'].includes(argv[i - 1]) && w !== 'dev') assert.ok(w.length <= 15, `${c.name}: interface name ${w} is too long`);
        });
      }
    }
  });

  it('feeds rule sets on stdin', async () => {
    const inputs: (string | undefined)[] = [];
    const ctx: ProbeContext = { ...fakeCtx(), run: async (_argv, input) => (inputs.push(input), { ok: true, out: '', err: '', missing: false }) };
    await byName('nftables').probe(ctx);
    await byName('iptables-rules').probe(ctx);
    assert.match(String(inputs[0]), /^table inet /);
    assert.match(String(inputs[1]), /^\*filter\n[\s\S]*COMMIT\n$/);
  });

  it('says the kernel was built without the option when it cannot load modules', async () => {
    const ctx = fakeCtx({ runs: (argv) => (argv.includes('dummy') ? { ok: false, err: 'Error: Unknown device type.\n' } : {}) });
    const r = await byName('dummy').probe(ctx);
    assert.equal(r.ok, false);
    assert.match(r.detail, /Unknown device type/);
    assert.match(String(r.hint), /built without CONFIG_DUMMY/);
  });

  it('suggests modprobe when the kernel can load modules', async () => {
    const ctx = fakeCtx({ modules: true, runs: (argv) => (argv.includes('netem') ? { ok: false, err: 'Error: Specified qdisc kind is unknown.' } : {}) });
    const r = await byName('netem').probe(ctx);
    assert.equal(r.ok, false);
    assert.match(String(r.hint), /modprobe sch_netem/);
  });

  it('does not blame the kernel for a permission error', async () => {
    const ctx = fakeCtx({ runs: () => ({ ok: false, err: 'RTNETLINK answers: Operation not permitted' }) });
    const r = await byName('vxlan').probe(ctx);
    assert.equal(r.ok, false);
    assert.doesNotMatch(String(r.hint), /CONFIG_/);
    assert.match(String(r.hint), /CAP_NET_ADMIN/);
  });

  it('names the package when the tool a probe needs is missing, without running anything', async () => {
    const ctx = fakeCtx({ which: (cmd) => (cmd === 'tc' ? {} : { path: `/usr/sbin/${cmd}` }) });
    const r = await byName('htb').probe(ctx);
    assert.equal(r.ok, false);
    assert.match(r.detail, /tc is not installed/);
    assert.match(String(r.hint), /apt-get install iproute2/);
    assert.equal(ctx.calls.length, 0);
  });

  it('does not try anything without root or without a scratch namespace', async () => {
    const noRoot = fakeCtx({ root: false });
    assert.match(String((await byName('veth').probe(noRoot)).hint), /root/);
    const noNs = fakeCtx({ ns: '', nsError: 'ip netns add nsl-doctor.1: Operation not permitted' });
    const r = await byName('bridge').probe(noNs);
    assert.equal(r.ok, false);
    assert.match(r.detail, /not tested/);
    assert.equal(noRoot.calls.length + noNs.calls.length, 0);
  });

  it('blames a missing ip, not the kernel, when there is no ip to make the scratch namespace with', async () => {
    const ctx = fakeCtx({ ns: '', nsError: 'ip (iproute2) is not installed', which: () => ({}) });
    const r = await byName('netns').probe(ctx);
    assert.match(String(r.hint), /apt-get install iproute2/);
  });

  it('finds the tools a probe needs, also behind ip netns exec', () => {
    assert.deepEqual(toolsOf([{ argv: ['ip', 'netns', 'exec', 'ns', 'nft', '-f', '-'] }, { argv: ['tc', '-n', 'ns', 'qdisc'] }]), ['ip', 'nft', 'tc']);
  });
});

describe('doctor: tools', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nslab-doctor-'));
    writeFileSync(join(dir, 'runme'), '#!/bin/sh\n');
    chmodSync(join(dir, 'runme'), 0o755);
    writeFileSync(join(dir, 'notexec'), '');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds executables on PATH only', () => {
    assert.deepEqual(whichSync('runme', `/nonexistent:${dir}`), { path: join(dir, 'runme') });
    assert.deepEqual(whichSync('notexec', dir), {});
    assert.deepEqual(whichSync('no-such-tool-nslab', dir), {});
  });

  it('tells when a tool exists in an sbin directory that is not on PATH', () => {
    const w = whichSync('sh', dir);
    assert.equal(w.path, undefined);
    assert.match(String(w.offPath), /\/sh$/);
  });

  it('reads the iproute2 version in both forms', () => {
    assert.deepEqual(parseIprouteVersion('ip utility, iproute2-6.1.0, libbpf 1.1.2'), { major: 6, minor: 1, text: 'iproute2-6.1' });
    assert.equal(parseIprouteVersion('ip utility, iproute2-5.15.0, libbpf 0.5.0')?.major, 5);
    assert.equal(parseIprouteVersion('ip utility, iproute2-ss200127')?.major, 5);
    assert.equal(parseIprouteVersion('ip utility, iproute2-ss180813')?.major, 4);
    assert.equal(parseIprouteVersion('BusyBox v1.36.1'), undefined);
  });

  it('rejects an old iproute2 and one without -batch', async () => {
    const old = fakeCtx({ runs: (argv) => (argv[1] === '-V' ? { out: 'ip utility, iproute2-ss180813' } : {}) });
    assert.equal((await byName('ip').probe(old)).ok, false);
    const nobatch = fakeCtx({ runs: (argv) => (argv[1] === '-V' ? { out: 'ip utility, iproute2-6.1.0' } : { ok: false, err: 'Option "-batch" is unknown' }) });
    const r = await byName('ip').probe(nobatch);
    assert.equal(r.ok, false);
    assert.match(r.detail, /-batch/);
    const good = fakeCtx({ runs: (argv) => (argv[1] === '-V' ? { out: 'ip utility, iproute2-6.1.0, libbpf 1.1.2' } : {}) });
    assert.deepEqual(await byName('ip').probe(good), { ok: true, detail: 'iproute2-6.1, -batch ok (/usr/sbin/ip)' });
  });

  it('wants BIRD 2, not 1.x', async () => {
    const v1 = fakeCtx({ runs: () => ({ err: 'BIRD version 1.6.8' }) });
    assert.equal((await byName('bird2').probe(v1)).ok, false);
    const v2 = fakeCtx({ runs: () => ({ err: 'BIRD version 2.0.12' }) });
    assert.equal((await byName('bird2').probe(v2)).ok, true);
  });

  it('compares versions', () => {
    assert.ok(compareVersions('24.21.0', '22.18.0') > 0);
    assert.ok(compareVersions('v22.12.0', '22.18.0') < 0);
    assert.equal(compareVersions('22.18', '22.18.0'), 0);
  });
});

const sample: CheckResult[] = [
  { name: 'root', kind: 'host', optional: false, ok: true, detail: 'uid 0' },
  { name: 'ip', kind: 'tool', optional: false, ok: true, detail: 'iproute2-6.1', pkg: 'iproute2' },
  { name: 'iptables', kind: 'tool', optional: false, ok: false, detail: 'iptables is not on PATH', fix: 'apt-get install iptables', pkg: 'iptables' },
  { name: 'iptables-restore', kind: 'tool', optional: false, ok: false, detail: 'iptables-restore is not on PATH', fix: 'apt-get install iptables', pkg: 'iptables' },
  { name: 'bird2', kind: 'tool', optional: true, ok: false, detail: 'bird is not on PATH', fix: 'apt-get install bird2', pkg: 'bird2' },
  { name: 'netem', kind: 'kernel', optional: true, ok: false, detail: 'Error: Specified qdisc kind is unknown.', fix: 'this kernel was built without CONFIG_NET_SCH_NETEM; nslab cannot add netem here' },
  { name: 'docker', kind: 'docker', optional: true, ok: false, detail: 'docker is not on PATH', fix: 'apt-get install docker.io', pkg: 'docker.io' },
];

describe('doctor: report, exit code, --fix', () => {
  it('prints one line per check with ✔/✘/! and the fix under each problem', () => {
    const text = formatReport(sample, { scratch: 'nsl-doctor.42', ms: 380 });
    const lines = text.trimEnd().split('\n');
    assert.ok(lines.includes('host'));
    assert.ok(lines.includes('kernel features (tried in scratch namespace nsl-doctor.42)'));
    assert.match(text, /^ {2}✔ root +uid 0$/m);
    assert.match(text, /^ {2}✘ iptables +iptables is not on PATH\n +→ apt-get install iptables$/m);
    assert.match(text, /^ {2}! netem .*\n +→ this kernel was built without CONFIG_NET_SCH_NETEM/m);
    assert.match(text, /doctor: 2 ok, 2 missing, 3 optional missing in 0\.4 s — not ready: iptables, iptables-restore/);
    assert.doesNotMatch(text, /\x1b\[/, 'no colour unless asked');
    assert.match(formatReport(sample, { color: true }), /\x1b\[31m✘\x1b\[0m/);
  });

  it('marks required failures ✘ and optional ones !', () => {
    assert.equal(markOf({ ok: true, optional: false }), '✔');
    assert.equal(markOf({ ok: false, optional: false }), '✘');
    assert.equal(markOf({ ok: false, optional: true }), '!');
  });

  it('exits 4 only when a required check fails', () => {
    assert.equal(exitCodeFor(sample), 4);
    assert.equal(exitCodeFor(sample.filter((r) => r.optional || r.ok)), 0);
  });

  it('installs each missing package once, optional tools too, never Docker and nothing for the kernel', () => {
    assert.deepEqual(packagesToInstall(sample), ['iptables', 'bird2']);
    assert.deepEqual(packagesToInstall(sample.filter((r) => r.ok)), []);
  });

  it('computes the packages for the real table when every tool is missing', () => {
    const all: CheckResult[] = CHECKS.map((c) => ({ name: c.name, kind: c.kind, optional: c.optional, ok: false, detail: '', fix: c.fix, ...(c.pkg ? { pkg: c.pkg } : {}) }));
    assert.deepEqual(packagesToInstall(all), ['iproute2', 'iputils-ping', 'iperf3', 'netcat-openbsd', 'curl', 'tcpdump', 'iptables', 'nftables', 'procps', 'util-linux', 'socat', 'dnsmasq-base', 'haproxy', 'nginx', 'openssl', 'dnsutils', 'conntrack', 'docker.io', 'graphviz', 'bird2', 'debootstrap', 'containernetworking-plugins']);
  });

  it('gives the results as JSON', () => {
    const j = toJson(sample, 'nsl-doctor.42') as { ok: boolean; exitCode: number; checks: { name: string; fix?: string; package?: string }[] };
    assert.equal(j.ok, false);
    assert.equal(j.exitCode, 4);
    assert.equal(j.checks.length, sample.length);
    assert.equal(j.checks[0].fix, undefined);
    assert.equal(j.checks[2].package, 'iptables');
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(j)));
  });
});

describe('doctor: detectFeatures and Docker', () => {
  it('answers for host checks without a namespace and refuses unknown names', async () => {
    const m = await detectFeatures(['node', 'no-such-feature']);
    assert.equal(m.get('node')?.ok, true);
    assert.equal(m.get('no-such-feature')?.ok, false);
    assert.match(String(m.get('no-such-feature')?.detail), /no probe named/);
  });

  it('uses DOCKER_HOST when it names a unix socket', () => {
    assert.equal(dockerSocket({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }), '/run/user/1000/docker.sock');
    assert.equal(dockerSocket({}), '/var/run/docker.sock');
  });

  it('reports a missing daemon socket', async () => {
    const r = await dockerPing('/nonexistent/docker.sock');
    assert.equal(r.ok, false);
    assert.match(r.detail, /not running/);
  });

  describe('against a fake daemon on a unix socket', () => {
    let dir: string;
    let server: Server;
    let status = 200;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'nslab-docker-'));
      server = createServer((req, res) => {
        res.writeHead(req.url === '/_ping' ? status : 404, { 'Api-Version': '1.41' });
        res.end(status === 200 ? 'OK' : 'unavailable');
      });
      await new Promise<void>((r) => server.listen(join(dir, 'docker.sock'), r));
    });
    after(async () => {
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    });

    it('is ok when GET /_ping answers 200', async () => {
      status = 200;
      assert.deepEqual(await dockerPing(join(dir, 'docker.sock')), { ok: true, detail: `${join(dir, 'docker.sock')} answers (API 1.41)` });
    });

    it('is not ok when the daemon answers an error', async () => {
      status = 500;
      const r = await dockerPing(join(dir, 'docker.sock'));
      assert.equal(r.ok, false);
      assert.match(r.detail, /answered 500/);
    });
  });
});
