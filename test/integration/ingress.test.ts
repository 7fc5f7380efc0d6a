/**
 * Ingress on the real kernel with a real nginx (issue 13.1): labs/k8s-ingress comes up, nginx accepts the generated
 * configuration (`nginx -t`), the lab's http tests pass (TLS with the lab CA, host and path routing, the default
 * backend, the client's address), and `lab down` leaves nothing: no nginx process, no file, no namespace. Then an
 * Ingress written as a Kubernetes manifest (with a Deployment and a Service) is served the same way.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { assertSameHost, expectOk, hostSnapshot, lab, labLeftovers, processesMatching, ROOT, tempDir } from './helpers.ts';

const NAME = 'k8s-ingress';
const DIR = `/run/nslab/${NAME}/ingress`;

/** The host as hostSnapshot sees it, with only this lab's namespaces (other engineers' labs come and go meanwhile). */
async function snapshot(): Promise<Record<string, string>> {
  const s = await hostSnapshot();
  return { ...s, netns: s.netns.split(' ').filter((n) => n === `nsl.${NAME}` || n.startsWith(`nsl.${NAME}.`)).join(' ') };
}

describe('ingress: nginx as the controller of a cluster, on the real kernel', function () {
  this.timeout(120_000);
  let snap: Record<string, string>;

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'integration tests need root');
    for (const tool of ['nginx', 'openssl', 'curl']) assert.equal((await execa('which', [tool], { reject: false })).exitCode, 0, `${tool} is missing: bash scripts/setup.sh installs it`);
    await lab(['down', NAME]);
    snap = await snapshot();
  });

  after(async () => {
    await lab(['down', NAME]);
  });

  it('comes up with nginx in the controller pod, its files under the lab state, and nginx -t accepts the configuration', async () => {
    expectOk(await lab(['up', join(ROOT, 'labs', NAME)]), 'lab up');
    const pids = processesMatching(`${DIR}/nginx.conf`);
    assert.equal(pids.length, 1, `one nginx master with the lab's configuration, got ${pids.length}`);
    for (const f of ['nginx.conf', 'nginx.pid', 'tls/ca.crt', 'tls/default-shop-tls.crt', 'tls/default-shop-tls.key']) assert.ok(existsSync(join(DIR, f)), f);
    const t = await execa('ip', ['netns', 'exec', `nsl.${NAME}.ingress-nginx`, 'nginx', '-t', '-e', join(DIR, 'error.log'), '-p', `${DIR}/`, '-c', join(DIR, 'nginx.conf')], { reject: false });
    assert.equal(t.exitCode, 0, t.stderr);
    assert.match(t.stderr, /configuration file .* test is successful/);
    // the host's own nginx service is not what runs: no nginx listens in the host's namespace
    const ss = await execa('ss', ['-Hltnp'], { reject: false });
    assert.doesNotMatch(ss.stdout, /"nginx"/, `nginx listens in the host's namespace: ${ss.stdout}`);
  });

  it("passes the lab's http tests: TLS with the lab CA, hosts, Prefix and Exact paths, the default backend, X-Forwarded-For", async () => {
    const r = await lab(['test', NAME]);
    expectOk(r, 'lab test');
    assert.match(r.stdout, /\n15 passed, 0 failed/);
  });

  it('the pod answers the status and delay asked for through the controller, and a wrong CA is refused', async () => {
    const E = `nsl.${NAME}.ext`;
    const curl = (...args: string[]) => execa('ip', ['netns', 'exec', E, 'curl', '-sS', '--connect-to', 'shop.example:443:192.168.56.11:30443', ...args], { reject: false });
    const slow = await curl('--cacert', join(DIR, 'tls/ca.crt'), '-o', '/dev/null', '-w', '%{http_code} %{time_total}', 'https://shop.example/?status=502&delay=300ms');
    const [code, secs] = slow.stdout.split(' ');
    assert.equal(code, '502');
    assert.ok(Number(secs) >= 0.3, `answered in ${secs}s, before the 300 ms delay`);
    // the system's trust store does not know the lab CA: curl refuses the certificate (exit 60)
    const untrusted = await curl('--cacert', join(DIR, 'tls/default-fake-certificate.crt'), 'https://shop.example/');
    assert.equal(untrusted.exitCode, 60, untrusted.stderr);
  });

  it('lab down leaves nothing: no nginx process, no file, no namespace, the host as it was', async () => {
    expectOk(await lab(['down', NAME]), 'lab down');
    assert.deepEqual(processesMatching(`${DIR}/nginx.conf`), []);
    assert.equal(existsSync(`/run/nslab/${NAME}`), false);
    assert.deepEqual(labLeftovers(NAME), []);
    assertSameHost(snap, await snapshot());
  });

  it('an Ingress written as a manifest is served the same way', async () => {
    const dir = tempDir();
    const name = 'ti-ingress-manifests';
    try {
      mkdirSync(join(dir, 'k8s'));
      writeFileSync(
        join(dir, 'k8s', 'app.yaml'),
        [
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  replicas: 2\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web, version: v2 } }\n    spec:\n      containers: [{ name: web, image: whoami, ports: [{ containerPort: 8080, name: http }] }]\n',
          'apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec:\n  selector: { app: web }\n  ports: [{ name: http, port: 80, targetPort: http }]\n',
          'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: web }\nspec:\n  ingressClassName: nginx\n  defaultBackend: { service: { name: web, port: { name: http } } }\n  rules:\n    - host: web.example\n      http:\n        paths:\n          - { path: /v2, pathType: Exact, backend: { service: { name: web, port: { number: 80 } } } }\n',
        ].join('---\n'),
      );
      writeFileSync(
        join(dir, 'lab.yaml'),
        `name: ${name}\ncluster:\n  cni: bridge\n  nodes: { node-1: {} }\n  pods: { client: { labels: { app: client } } }\n  manifests: [k8s]\ntests:\n` +
          '  - http: { from: client, url: "http://web.example/v2", expect: { body: \'"version":"v2"\', headers: { x-nslab-version: "^v2$" } } }\n' +
          '  - http: { from: client, url: "http://ingress-nginx-controller.ingress-nginx/", expect: { status: 200, body: \'"host":"ingress-nginx-controller.ingress-nginx"\' } }\n',
      );
      const r = await lab(['up', join(dir, 'lab.yaml'), '--test']);
      expectOk(r, 'lab up --test');
      assert.match(r.stdout + r.stderr, /2 passed, 0 failed/);
    } finally {
      await lab(['down', name]);
      assert.deepEqual(labLeftovers(name), []);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('edge cases nginx must accept: a rule without host, ImplementationSpecific, a wildcard host, a backend without endpoints (503)', async () => {
    const dir = tempDir();
    const name = 'ti-ingress-edge';
    try {
      writeFileSync(
        join(dir, 'lab.yaml'),
        `name: ${name}
cluster:
  cni: bridge
  nodes: { node-1: {} }
  pods:
    web: { labels: { app: web } }
    client: { labels: { app: client } }
  services:
    web: { selector: { app: web }, ports: [{ port: 80 }] }
    gone: { selector: { app: nothing }, ports: [{ port: 80 }] }
  ingresses:
    any-host:
      rules:
        - http:
            paths:
              - { path: /static, pathType: ImplementationSpecific, backend: { service: { name: web, port: { number: 80 } } } }
              - { path: /down, pathType: Exact, backend: { service: { name: gone, port: { number: 80 } } } }
    wild:
      rules:
        - host: "*.example"
          http:
            paths:
              - { path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }
tests:
  - http: { from: client, url: "http://a.example/x", expect: { body: '"node":"web".*"host":"a.example"' } }
  - http: { from: client, url: "http://ingress-nginx-controller.ingress-nginx/static/app.js", expect: { body: '"path":"/static/app.js"' } }
  - http: { from: client, url: "http://ingress-nginx-controller.ingress-nginx/down", expect: { status: 503 } }
  - http: { from: client, url: "http://ingress-nginx-controller.ingress-nginx/other", expect: { status: 404 } }
`,
      );
      const r = await lab(['up', join(dir, 'lab.yaml'), '--test']);
      expectOk(r, 'lab up --test');
      assert.match(r.stdout + r.stderr, /4 passed, 0 failed/);
    } finally {
      await lab(['down', name]);
      assert.deepEqual(labLeftovers(name), []);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
