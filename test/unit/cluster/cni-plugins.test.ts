/**
 * cni: { conflist } (issue 14.2) without root: the conflist read inline and from a file (errors located in the
 * file), what nslab feeds each plugin (name/cniVersion, host-local's dataDir and subnet, IP= in CNI_ARGS,
 * portmap's runtimeConfig), the CNI_* environment, the plan's sh text (env + argv + stdin, jq chaining prevResult,
 * CHECK only from 0.4.0), the installed-check of verify, CNI error JSON, and `lab status`'s line.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLab } from '../../../runner/api.ts';
import { LabError } from '../../../runner/config/diagnostics.ts';
import { clusterExtension } from '../../../runner/cluster/extension.ts';
import { containerId } from '../../../runner/cluster/cni-plugins.ts';
import { cniError, cniPlanLines, cniStdin, describeCniError, hasCheck } from '../../../runner/plan/cni-argv.ts';
import { compile } from '../../../runner/plan/compile.ts';
import { printPlan } from '../../../runner/plan/print.ts';
import type { CniOp } from '../../../runner/plan/ops.ts';
import { cniStatus } from '../../../runner/exec/lab-status.ts';
import { cniLines } from '../../../runner/cli/status-text.ts';

const CONF = { cniVersion: '1.0.0', name: 'cbr0', plugins: [{ type: 'bridge', bridge: 'cni0', isGateway: true, ipam: { type: 'host-local', routes: [{ dst: '0.0.0.0/0' }] } }, { type: 'portmap', capabilities: { portMappings: true } }, { type: 'bandwidth', ingressRate: 1000000, ingressBurst: 100000 }] };

function labText(conflist: string, name = 'cp'): string {
  return `name: ${name}\ncluster:\n  cni:\n    conflist: ${conflist}\n  dns: false\n  nodes:\n    node-1: {}\n  pods:\n    web: { labels: { app: web } }\n    client: { labels: { app: client } }\n`;
}

function write(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-cni-'));
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

const ctx = { labDir: '/run/nslab/cp', selfArgv: ['node', 'main.js'] };
const cniSteps = (file: string): CniOp[] => compile(loadLab(file).lab, ctx).steps.flatMap((s) => (s.op.type === 'cni' ? [s.op] : []));

describe('cni: { conflist } — the real CNI plugins (pure parts)', () => {
  it('reads the conflist from a file next to the lab file, and feeds each plugin as a runtime does', () => {
    const dir = write({ 'lab.yaml': labText('10-cbr0.conflist'), '10-cbr0.conflist': JSON.stringify(CONF, null, 2) });
    const ops = cniSteps(join(dir, 'lab.yaml'));
    assert.deepEqual(ops.map((o) => o.pod), ['web', 'client']);
    const web = ops[0];
    assert.equal(web.ns, 'nsl.cp.node-1', 'the plugins run in the node (the runtime\'s namespace)');
    assert.equal(web.check, true);
    assert.equal(web.record, '/run/nslab/cp/cni/web.json');
    assert.deepEqual(web.calls.map((c) => c.path), ['/usr/lib/cni/bridge', '/usr/lib/cni/portmap', '/usr/lib/cni/bandwidth']);
    const [bridge, portmap, bandwidth] = web.calls;
    const id = containerId('cp', 'web');
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.deepEqual(bridge.env, { CNI_CONTAINERID: id, CNI_NETNS: '/run/netns/nsl.cp.web', CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni', CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=${id};IP=10.244.0.2` });
    assert.equal(portmap.env.CNI_ARGS.includes('IP='), false, 'only the IPAM-using plugin is given the address');
    assert.deepEqual(bridge.config, { cniVersion: '1.0.0', name: 'cbr0', type: 'bridge', bridge: 'cni0', isGateway: true, ipam: { type: 'host-local', routes: [{ dst: '0.0.0.0/0' }], dataDir: '/run/nslab/cp/cni/node-1/host-local', ranges: [[{ subnet: '10.244.0.0/24' }]] } });
    assert.deepEqual(portmap.config, { cniVersion: '1.0.0', name: 'cbr0', type: 'portmap', capabilities: { portMappings: true }, runtimeConfig: { portMappings: [] } });
    assert.deepEqual(bandwidth.config, { cniVersion: '1.0.0', name: 'cbr0', type: 'bandwidth', ingressRate: 1000000, ingressBurst: 100000 });
    assert.equal(web.loopback?.env.CNI_IFNAME, 'lo');
    assert.deepEqual(web.loopback?.config, { cniVersion: '1.0.0', name: 'cni-loopback', type: 'loopback' });
    // each plugin's place is its entry in the conflist file
    assert.match(`${bridge.source?.file}:${bridge.source?.line}`, /10-cbr0\.conflist:5$/);
    assert.equal(portmap.source?.line, 18);
  });

  it('keeps a subnet the conflist gives (the pods must be in it), and chains prevResult on stdin', () => {
    const conf = { ...CONF, plugins: [{ ...CONF.plugins[0], ipam: { type: 'host-local', subnet: '10.244.0.0/16' } }] };
    const dir = write({ 'lab.yaml': labText(JSON.stringify(conf)) });
    const [web] = cniSteps(join(dir, 'lab.yaml'));
    assert.deepEqual(web.calls[0].config.ipam, { type: 'host-local', subnet: '10.244.0.0/16', dataDir: '/run/nslab/cp/cni/node-1/host-local' });
    assert.deepEqual(JSON.parse(cniStdin(web.calls[0], { cniVersion: '1.0.0', ips: [] })), { ...web.calls[0].config, prevResult: { cniVersion: '1.0.0', ips: [] } });
    assert.deepEqual(JSON.parse(cniStdin(web.calls[0])), web.calls[0].config);
  });

  it('prints each invocation as sh: env, argv, the configuration on stdin, jq adding prevResult; CHECK from 0.4.0 only', () => {
    const dir = write({ 'lab.yaml': labText(JSON.stringify(CONF)) });
    const text = printPlan(compile(loadLab(join(dir, 'lab.yaml')).lab, ctx));
    const id = containerId('cp', 'web');
    assert.ok(text.includes(`prev=$(CNI_COMMAND=ADD CNI_CONTAINERID=${id} CNI_NETNS=/run/netns/nsl.cp.web CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS='IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=${id};IP=10.244.0.2' ip netns exec nsl.cp.node-1 /usr/lib/cni/bridge <<'EOF'`));
    assert.ok(text.includes(`prev=$(jq -c --argjson prevResult "$prev" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=ADD CNI_CONTAINERID=${id}`));
    assert.ok(text.includes(`jq -c --argjson prevResult "$final" '. + {prevResult: $prevResult}' <<'EOF' | CNI_COMMAND=CHECK CNI_CONTAINERID=${id}`));
    const old = write({ 'lab.yaml': labText(JSON.stringify({ ...CONF, cniVersion: '0.3.1' })) });
    const [web] = cniSteps(join(old, 'lab.yaml'));
    assert.equal(web.check, false);
    assert.equal(cniPlanLines(web).some((l) => l.includes('CNI_COMMAND=CHECK')), false, 'no CHECK before 0.4.0');
    assert.equal(hasCheck('0.3.1'), false);
    assert.equal(hasCheck('0.4.0'), true);
    assert.equal(hasCheck('1.0.0'), true);
  });

  it('a conflist file is part of the lab: its content changes the lab\'s hash (lab up sees the change)', () => {
    const dir = write({ 'lab.yaml': labText('10-cbr0.conflist'), '10-cbr0.conflist': JSON.stringify(CONF) });
    const before = loadLab(join(dir, 'lab.yaml')).lab.hash;
    writeFileSync(join(dir, '10-cbr0.conflist'), JSON.stringify({ ...CONF, plugins: CONF.plugins.slice(0, 1) }));
    assert.notEqual(loadLab(join(dir, 'lab.yaml')).lab.hash, before);
  });

  it('lab plan --teardown: DEL for every pod, last first, plugins in reverse, given the recorded final result', () => {
    const dir = write({ 'lab.yaml': labText(JSON.stringify(CONF)) });
    const plan = compile(loadLab(join(dir, 'lab.yaml')).lab, ctx);
    const text = printPlan(plan, { teardown: { argv: ['ip', '-force', '-batch', '-'], input: 'netns del nsl.cp\n' } });
    const td = text.slice(text.indexOf('# ── teardown'));
    const order = [...td.matchAll(/CNI_COMMAND=DEL CNI_CONTAINERID=\S+ CNI_NETNS=\/run\/netns\/nsl\.cp\.(\w+) .*\/usr\/lib\/cni\/([\w-]+)( <<'EOF')?$/gm)].map((m) => `${m[1]}/${m[2]}`);
    assert.deepEqual(order, ['client/bandwidth', 'client/portmap', 'client/bridge', 'client/loopback', 'web/bandwidth', 'web/portmap', 'web/bridge', 'web/loopback']);
    assert.ok(td.includes(`#   final=$(jq -c '.results[-1].result' /run/nslab/cp/cni/client.json)`));
    assert.ok(td.indexOf('CNI_COMMAND=DEL') < td.indexOf('#   ip -force -batch -'), 'DEL before the namespaces go');
  });

  it('errors in a conflist file are located in that file', () => {
    const dir = write({ 'lab.yaml': labText('bad.conflist'), 'bad.conflist': '{\n  "cniVersion": "1.0.0",\n  "name": "cbr0",\n  "plugins": [\n    { "type": "vlan" }\n  ]\n}\n' });
    assert.throws(
      () => loadLab(join(dir, 'lab.yaml')),
      (e: unknown) => {
        assert.ok(e instanceof LabError);
        const d = e.diagnostics.find((x) => x.code === 'cluster.conflist');
        assert.match(d?.message ?? '', /nslab does not know how to feed plugin type vlan/);
        assert.match(`${d?.pos?.file}:${d?.pos?.line}`, /bad\.conflist:5$/);
        return true;
      },
    );
    const broken = write({ 'lab.yaml': labText('broken.conflist'), 'broken.conflist': '{ "cniVersion": "1.0.0", \n' });
    assert.throws(() => loadLab(join(broken, 'lab.yaml')), (e: unknown) => e instanceof LabError && e.diagnostics.some((x) => x.code === 'cluster.conflist-json' && /broken\.conflist is not valid JSON/.test(x.message)));
  });

  it('verify: a plugin that is not installed is a located error naming it (checked on this machine before lab up)', async () => {
    const dir = write({ 'lab.yaml': labText(JSON.stringify(CONF)) });
    const { lab } = loadLab(join(dir, 'lab.yaml'));
    const have = new Set(['/usr/lib/cni/loopback', '/usr/lib/cni/bridge', '/usr/lib/cni/host-local', '/usr/lib/cni/portmap']);
    const diags = await clusterExtension.verify!(lab, { features: async () => new Map(), executable: (p) => have.has(p) });
    assert.deepEqual(diags.map((d) => [d.code, d.message, d.pos?.line]), [['cluster.cni-plugin-missing', 'CNI plugin bandwidth is not installed: /usr/lib/cni/bandwidth is missing', 4]]);
    assert.match(diags[0].hint ?? '', /containernetworking-plugins/);
    assert.deepEqual(await clusterExtension.verify!(lab, { features: async () => new Map(), executable: () => true }), []);
  });

  it('reads a plugin\'s CNI error JSON', () => {
    const e = cniError('{\n "code": 11,\n "msg": "failed to set bridge addr",\n "details": "could not add IP address to \\"cni0\\": file exists"\n}');
    assert.deepEqual(e, { code: 11, msg: 'failed to set bridge addr', details: 'could not add IP address to "cni0": file exists' });
    assert.equal(describeCniError(e!), 'code 11: failed to set bridge addr (could not add IP address to "cni0": file exists)');
    assert.equal(cniError('not json'), undefined);
    assert.equal(cniError('{"cniVersion":"1.0.0"}'), undefined);
  });

  it('lab status: one line per pod with the chain, the final addresses and CHECK', () => {
    const call = { plugin: 'bridge', path: '/usr/lib/cni/bridge', env: {}, config: {} };
    const s = cniStatus({ pod: 'web', node: 'node-1', ns: 'nsl.cp.node-1', network: 'cbr0', cniVersion: '1.0.0', calls: [call], check: 'ok', results: [{ plugin: 'bridge', result: { interfaces: [{ name: 'cni0' }, { name: 'veth1234abcd' }, { name: 'eth0', sandbox: '/run/netns/nsl.cp.web' }], ips: [{ interface: 2, address: '10.244.0.2/24', gateway: '10.244.0.1' }] } }, { plugin: 'portmap', result: { ips: [{ address: '10.244.0.2/24', gateway: '10.244.0.1' }], interfaces: [{ name: 'cni0' }, { name: 'veth1234abcd' }, { name: 'eth0', sandbox: '/run/netns/nsl.cp.web' }] } }] });
    assert.deepEqual(cniLines([s]), ['  cni web on node-1 (network cbr0): bridge → portmap: 10.244.0.2/24 gw 10.244.0.1; interfaces cni0, veth1234abcd, eth0 (pod); CHECK ok']);
  });
});
