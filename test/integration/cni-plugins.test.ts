/**
 * cni: { conflist } on the real kernel with Debian's real containernetworking-plugins (issue 14.2): ADD, CHECK and
 * DEL as a container runtime runs them, every plugin's result recorded (state, lab status, the per-pod record),
 * delete-pod running DEL, a plugin's error reported with the plugin, its CNI error and the conflist's line, and
 * `lab down` leaving nothing — no namespace, no state, no host-local lease — and nothing ever made in the root
 * namespace (no cni0, no CNI-… chain, no /var/lib/cni). Then the same small cluster under the emulated `cni: bridge`
 * backend and under the real plugins: the kernel objects that should agree do (addresses, routes, cni0's address
 * and its members); what differs is listed in labs/cni-by-hand/README.md.
 *
 * Only labs named tn-cni-* are brought up (copies of labs/cni-by-hand), and taken down again.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expectOk, lab, labLeftovers, ROOT, tempDir } from './helpers.ts';

const REAL = 'tn-cni-real';
const EMU = 'tn-cni-emu';
const BAD = 'tn-cni-bad';
const PTP = 'tn-cni-ptp';
const MACVLAN = 'tn-cni-macvlan';
const LABS = [REAL, EMU, BAD, PTP, MACVLAN];

async function inNs(ns: string, argv: readonly string[]): Promise<string> {
  const r = await execa('ip', ['netns', 'exec', ns, ...argv], { reject: false });
  assert.equal(r.exitCode, 0, `${argv.join(' ')} in ${ns} exited ${r.exitCode}: ${String(r.stderr)}`);
  return String(r.stdout);
}

/** What the root namespace holds that a CNI plugin could have made there. */
async function rootView(): Promise<{ cni0: boolean; chains: string[]; varLibCni: boolean }> {
  const links = String((await execa('ip', ['-o', 'link', 'show'])).stdout);
  const ipt = String((await execa('iptables-save', [], { reject: false })).stdout);
  return { cni0: /\d+: cni0[:@]/.test(links), chains: ipt.split('\n').filter((l) => /^:CNI-/.test(l)), varLibCni: existsSync('/var/lib/cni') };
}

/** The cni-by-hand cluster (its conflist inline), under `name`, with extra tests. */
function labFile(dir: string, name: string, cni: 'real' | 'emulated', conflist: string, tests = ''): string {
  const conf = JSON.parse(readFileSync(join(ROOT, 'labs/cni-by-hand/10-cbr0.conflist'), 'utf8')) as unknown;
  const text = [
    `name: ${name}`,
    'cluster:',
    cni === 'real' ? `  cni:\n    conflist: ${conflist || JSON.stringify(conf)}` : '  cni: bridge',
    '  dns: false',
    '  nodes:',
    '    node-1: {}',
    '  pods:',
    '    web: { labels: { app: web } }',
    '    client: { labels: { app: client } }',
    '  services:',
    '    web: { selector: { app: web }, ports: [{ port: 80 }] }',
    tests ? `tests:\n${tests}` : '',
  ].join('\n');
  const file = join(dir, `${name}.lab.yaml`);
  writeFileSync(file, `${text}\n`);
  return file;
}

interface CniRecordJson {
  pod: string;
  check?: string;
  calls: { plugin: string; env: Record<string, string>; config: { ipam?: { dataDir?: string } } }[];
  results: { plugin: string; result: { ips?: { address: string; gateway?: string }[]; interfaces?: { name: string; sandbox?: string }[] } }[];
}

describe('cni: { conflist } — the real CNI plugins, run as a container runtime runs them (root, real kernel)', function () {
  this.timeout(90_000);
  const dir = tempDir();
  let rootBefore: Awaited<ReturnType<typeof rootView>>;

  before(async function () {
    assert.equal(process.getuid?.(), 0, 'integration tests need root');
    assert.ok(existsSync('/usr/lib/cni/bridge'), 'containernetworking-plugins is not installed (scripts/setup.sh installs it)');
    for (const n of LABS) await lab(['down', n]);
    rootBefore = await rootView();
  });

  after(async () => {
    for (const n of LABS) await lab(['down', n]);
  });

  it('ADD and CHECK: every plugin runs in the node, its result is recorded and shown; delete-pod runs DEL; lab down leaves nothing', async () => {
    const tests = [
      '  - name: web has its address, from host-local',
      '    command: { node: web, run: "ip -o -4 addr show eth0", output: "inet 10\\\\.244\\\\.0\\\\.2/24" }',
      '  - name: the Service reaches web',
      '    service: { from: client, service: web }',
      '  - name: delete web',
      '    delete-pod: { pod: web }',
      '  - name: DEL took web\'s eth0 away',
      '    command: { node: web, run: "ip link show eth0", exit: 1 }',
      "  - name: and released its lease",
      `    command: { node: node-1, run: "test ! -e /run/nslab/${REAL}/cni/node-1/host-local/cbr0/10.244.0.2" }`,
      "  - name: client keeps its lease",
      `    command: { node: node-1, run: "test -e /run/nslab/${REAL}/cni/node-1/host-local/cbr0/10.244.0.3" }`,
    ].join('\n');
    const file = labFile(dir, REAL, 'real', '', tests);
    // lab plan prints the exact invocations: env, argv, stdin
    const plan = await lab(['plan', file]);
    expectOk(plan, 'lab plan');
    assert.match(plan.stdout, new RegExp(`CNI_COMMAND=ADD CNI_CONTAINERID=[0-9a-f]{64} CNI_NETNS=/run/netns/nsl\\.${REAL}\\.web CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;[^']*IP=10\\.244\\.0\\.2' ip netns exec nsl\\.${REAL}\\.node-1 /usr/lib/cni/bridge <<'EOF'`));
    assert.match(plan.stdout, /jq -c --argjson prevResult "\$prev" '\. \+ \{prevResult: \$prevResult\}' <<'EOF' \| CNI_COMMAND=ADD .* \/usr\/lib\/cni\/portmap/);
    assert.match(plan.stdout, /CNI_COMMAND=CHECK .* \/usr\/lib\/cni\/tuning/);

    const up = await lab(['up', file]);
    expectOk(up, 'lab up');
    // the records: one per pod, each plugin's result, CHECK ok
    for (const pod of ['web', 'client']) {
      const rec = JSON.parse(readFileSync(`/run/nslab/${REAL}/cni/${pod}.json`, 'utf8')) as CniRecordJson;
      assert.deepEqual(rec.results.map((r) => r.plugin), ['bridge', 'portmap', 'firewall', 'tuning']);
      assert.equal(rec.check, 'ok', `${pod}: CHECK after ADD`);
      const final = rec.results[3].result;
      assert.equal(final.ips?.[0].address, pod === 'web' ? '10.244.0.2/24' : '10.244.0.3/24');
      assert.equal(final.ips?.[0].gateway, '10.244.0.1');
      assert.equal(final.interfaces?.find((i) => i.sandbox)?.sandbox, `/run/netns/nsl.${REAL}.${pod}`);
      assert.equal(rec.calls[0].config.ipam?.dataDir, `/run/nslab/${REAL}/cni/node-1/host-local`);
    }
    const state = JSON.parse(readFileSync(`/run/nslab/${REAL}/state.json`, 'utf8')) as { cni: CniRecordJson[] };
    assert.deepEqual(state.cni.map((r) => r.pod).sort(), ['client', 'web']);
    const status = await lab(['status', REAL]);
    expectOk(status, 'lab status');
    assert.match(status.stdout, /cni web on node-1 \(network cbr0\): bridge → portmap → firewall → tuning: 10\.244\.0\.2\/24 gw 10\.244\.0\.1; interfaces cni0, veth[0-9a-f]{8}, eth0 \(pod\); CHECK ok/);
    const json = JSON.parse((await lab(['status', REAL, '--json'])).stdout) as { cni: { pod: string; plugins: string[] }[] }[];
    assert.deepEqual(json[0].cni.find((c) => c.pod === 'client')?.plugins, ['bridge', 'portmap', 'firewall', 'tuning']);

    // the plugins' host objects are in the node's namespace…
    const node = `nsl.${REAL}.node-1`;
    assert.match(await inNs(node, ['ip', '-o', '-4', 'addr', 'show', 'cni0']), /inet 10\.244\.0\.1\/24/);
    const ipt = await inNs(node, ['iptables-save']);
    assert.match(ipt, /^:CNI-FORWARD/m, 'firewall plugin chain');
    assert.match(ipt, /^-A POSTROUTING -s 10\.244\.0\.2\/32 .*-j CNI-/m, 'bridge plugin ipMasq');
    assert.match(await inNs(`nsl.${REAL}.web`, ['sysctl', '-n', 'net.ipv4.conf.eth0.accept_redirects']), /^0$/m, 'tuning set the sysctl inside the pod');
    // …and nothing is in the root namespace
    assert.deepEqual(await rootView(), rootBefore);

    // the tests: the Service works, then delete-pod runs DEL (eth0 gone, lease released)
    const report = join(dir, 'report.json');
    const t = await lab(['test', REAL, '--reporter', 'json', '--output', report]);
    expectOk(t, 'lab test');
    const del = (JSON.parse(readFileSync(report, 'utf8')) as { tests: { name: string; seen: string }[] }).tests.find((x) => x.name === 'delete web');
    assert.match(del?.seen ?? JSON.stringify(JSON.parse(readFileSync(report, 'utf8'))).slice(0, 2000), /CNI DEL done \(web\/tuning, web\/firewall, web\/portmap, web\/bridge\)/);
    // CNI-… chains of web are gone from the node (firewall's per-pod rules), client's are still there
    const after = await inNs(node, ['iptables-save']);
    assert.doesNotMatch(after, /10\.244\.0\.2\/32/, 'DEL removed web\'s rules');
    assert.match(after, /10\.244\.0\.3\/32/);

    const down = await lab(['down', REAL]);
    expectOk(down, 'lab down');
    assert.match(down.stdout + down.stderr, /CNI DEL for 2 pod\(s\)$/m, 'DEL again after delete-pod is no failure (DEL is idempotent)');
    assert.deepEqual(labLeftovers(REAL), []);
    assert.equal(existsSync(`/run/nslab/${REAL}`), false, 'host-local\'s data dir went with the lab directory');
    assert.deepEqual(await rootView(), rootBefore);
  });

  it('a plugin that fails: the plugin, its CNI error code and message, the conflist entry\'s line; the failed up removes what the others made', async () => {
    const conf = JSON.stringify({ cniVersion: '1.0.0', name: 'cbr0', plugins: [{ type: 'bridge', bridge: 'cni0', isGateway: true, ipam: { type: 'host-local', routes: [{ dst: '0.0.0.0/0' }] } }, { type: 'tuning', sysctl: { 'net.ipv4.conf.eth0.no_such_key': '1' } }] });
    const file = labFile(dir, BAD, 'real', conf);
    const up = await lab(['up', file]);
    assert.equal(up.exitCode === 0, false, 'lab up must fail');
    assert.match(up.stderr, new RegExp(`${BAD}\\.lab\\.yaml:4:\\d+: error: CNI plugin tuning failed on ADD \\(ADD for pod (web|client) on node node-1\\): code 999: open /proc/sys/net/ipv4/conf/eth0/no_such_key: no such file or directory`));
    // a failed lab up removes what was built (DEL from the record of what ADD made so far, then the namespaces)
    assert.match(up.stdout + up.stderr, /bringing it up failed; removing what was built/);
    assert.deepEqual(labLeftovers(BAD), []);
    assert.deepEqual(await rootView(), rootBefore);
  });

  it('the same cluster, emulated (cni: bridge) and real (the plugins): the same addresses, routes and bridge membership', async () => {
    for (const n of [REAL, EMU]) await lab(['down', n]);
    const real = labFile(dir, REAL, 'real', '');
    const emu = labFile(dir, EMU, 'emulated', '');
    expectOk(await lab(['up', real]), 'lab up (real)');
    expectOk(await lab(['up', emu]), 'lab up (emulated)');
    type Addr = { ifname: string; addr_info: { family: string; local: string; prefixlen: number }[] };
    type Route = { dst: string; gateway?: string; dev?: string };
    type Link = { ifname: string; master?: string; link_netnsid?: number };
    const view = async (name: string): Promise<Record<string, unknown>> => {
      const v: Record<string, unknown> = {};
      for (const pod of ['web', 'client']) {
        const ns = `nsl.${name}.${pod}`;
        v[`${pod} eth0`] = (JSON.parse(await inNs(ns, ['ip', '-j', 'addr', 'show', 'eth0'])) as Addr[])[0].addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
        v[`${pod} routes`] = (JSON.parse(await inNs(ns, ['ip', '-j', 'route', 'show'])) as Route[]).map((r) => `${r.dst}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}`).sort();
      }
      const node = `nsl.${name}.node-1`;
      v['cni0'] = (JSON.parse(await inNs(node, ['ip', '-j', 'addr', 'show', 'cni0'])) as Addr[])[0].addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
      const links = JSON.parse(await inNs(node, ['ip', '-j', 'link', 'show'])) as Link[];
      v['cni0 members'] = links.filter((l) => l.master === 'cni0').length;
      v['node routes to the pods'] = (JSON.parse(await inNs(node, ['ip', '-j', 'route', 'show', '10.244.0.0/16'])) as Route[]).map((r) => `${r.dst} dev ${r.dev}`);
      return v;
    };
    const [r, e] = [await view(REAL), await view(EMU)];
    assert.deepEqual(r, e);
    assert.deepEqual(r['web eth0'], ['10.244.0.2/24']);
    assert.equal(r['cni0 members'], 2);
    // what differs, and why (labs/cni-by-hand/README.md): the host-side veth names, and the node's iptables
    const names = async (name: string): Promise<string[]> => (JSON.parse(await inNs(`nsl.${name}.node-1`, ['ip', '-j', 'link', 'show', 'master', 'cni0'])) as Link[]).map((l) => l.ifname).sort();
    const [rn, en] = [await names(REAL), await names(EMU)];
    assert.notDeepEqual(rn, en, 'the bridge plugin names the host ends veth + random hex, nslab from a hash of the pod');
    assert.match(await inNs(`nsl.${REAL}.node-1`, ['iptables-save']), /^:CNI-FORWARD/m);
    assert.doesNotMatch(await inNs(`nsl.${EMU}.node-1`, ['iptables-save']), /^:CNI-FORWARD/m);
    for (const n of [REAL, EMU]) {
      expectOk(await lab(['down', n]), `lab down ${n}`);
      assert.deepEqual(labLeftovers(n), []);
    }
    assert.deepEqual(await rootView(), rootBefore);
  });

  it('the other plugins nslab feeds: ptp + bandwidth + tuning + firewall (0.4.0, with CHECK), macvlan (0.3.1, no CHECK)', async () => {
    const variants: [string, string, string, string[]][] = [
      [
        PTP,
        '{"cniVersion":"0.4.0","name":"ptpnet","plugins":[{"type":"ptp","ipMasq":true,"ipam":{"type":"host-local","routes":[{"dst":"0.0.0.0/0"}]}},{"type":"bandwidth","ingressRate":10000000,"ingressBurst":100000,"egressRate":10000000,"egressBurst":100000},{"type":"tuning","mtu":1400},{"type":"firewall"}]}',
        [
          '  - name: ptp pod to pod, routed through the node',
          '    ping: { from: client, to: 10.244.0.2 }',
          '  - name: the Service',
          '    service: { from: client, service: web }',
          '  - name: tuning set the MTU',
          '    command: { node: web, run: "ip link show eth0", output: "mtu 1400" }',
          '  - name: bandwidth put a tbf on the node side',
          '    command: { node: node-1, run: "tc qdisc show", output: "tbf" }',
        ].join('\n'),
        ['ptp', 'bandwidth', 'tuning', 'firewall'],
      ],
      [
        MACVLAN,
        '{"cniVersion":"0.3.1","name":"mvnet","plugins":[{"type":"macvlan","master":"eth0","mode":"bridge","ipam":{"type":"host-local"}}]}',
        ['  - name: macvlan pod to pod (bridge mode on the node\'s eth0)', '    ping: { from: client, to: 10.244.0.2 }', '  - name: the pod\'s eth0 is a macvlan', '    command: { node: web, run: "ip -d link show eth0", output: "macvlan mode bridge" }'].join('\n'),
        ['macvlan'],
      ],
    ];
    for (const [name, conf, tests, plugins] of variants) {
      await lab(['down', name]);
      const up = await lab(['up', labFile(dir, name, 'real', conf, tests), '--test']);
      expectOk(up, `lab up --test ${name}`);
      const rec = JSON.parse(readFileSync(`/run/nslab/${name}/cni/web.json`, 'utf8')) as CniRecordJson;
      assert.deepEqual(rec.results.map((r) => r.plugin), plugins);
      assert.equal(rec.check, name === PTP ? 'ok' : undefined, 'CHECK only from cniVersion 0.4.0');
      const down = await lab(['down', name]);
      expectOk(down, `lab down ${name}`);
      assert.match(down.stdout + down.stderr, /CNI DEL for 2 pod\(s\)$/m);
      assert.deepEqual(labLeftovers(name), []);
    }
    assert.deepEqual(await rootView(), rootBefore);
  });
});
