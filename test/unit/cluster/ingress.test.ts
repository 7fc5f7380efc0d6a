/**
 * Ingress (issue 13.1): the controller pod and Service a cluster with ingresses gets, the nginx.conf generated as
 * ingress-nginx generates it, the openssl commands of the lab CA, the http assertion's ingress/Service URL forms and
 * the test server's HTTP answers. Pure: no root, no processes.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadLab } from '../../../runner/resolve/load.ts';
import { nginxConf, tlsCommands } from '../../../runner/cluster/ingress.ts';
import { curlArgv, type HttpParams } from '../../../assertions/http.ts';
import { httpAnswer, parseHttpAsk } from '../../../runner/agent/whoami.ts';

const LAB = join(import.meta.dirname, '../../../labs/k8s-ingress/lab.yaml');

describe('ingress: the controller and its nginx.conf (labs/k8s-ingress)', () => {
  const { lab } = loadLab(LAB);
  const c = lab.cluster!;
  const ic = c.ingress!;
  const conf = nginxConf(c, ic);

  it('a controller pod in namespace ingress-nginx behind a NodePort Service with the NodePorts asked for', () => {
    const pod = c.pods.find((p) => p.name === 'ingress-nginx')!;
    assert.equal(pod.namespace, 'ingress-nginx');
    assert.equal(pod.node, 'node-1');
    const svc = c.services.find((s) => s.name === 'ingress-nginx-controller')!;
    assert.equal(svc.type, 'NodePort');
    assert.deepEqual(svc.ports.map((p) => [p.name, p.port, p.nodePort]), [['http', 80, 30080], ['https', 443, 30443]]);
    assert.deepEqual(ic.ingresses.map((i) => i.name), ['shop', 'blog']);
  });

  it("the controller's Service keeps externalTrafficPolicy Cluster by default; labs/k8s-ways-in sets Local (nginx sees the client)", () => {
    assert.equal(c.services.find((s) => s.name === 'ingress-nginx-controller')!.externalTrafficPolicy ?? 'Cluster', 'Cluster');
    const ways = loadLab(join('labs', 'k8s-ways-in', 'lab.yaml')).lab.cluster!;
    const svc = ways.services.find((s) => s.name === 'ingress-nginx-controller')!;
    assert.deepEqual([svc.type, svc.externalTrafficPolicy, svc.ports.map((p) => p.nodePort)], ['NodePort', 'Local', [30090, 30453]]);
    assert.equal(ways.pods.find((p) => p.name === 'ingress-nginx')!.node, 'node-2');
  });

  it('upstreams are the endpoints of the Services, not their ClusterIPs', () => {
    const shop = c.endpoints.find((e) => e.service.name === 'shop')!;
    const block = /upstream default-shop-80 \{[^}]*\}/.exec(conf)![0];
    for (const e of shop.endpoints) assert.match(block, new RegExp(`server ${e.ip.replace(/\./g, '\\.')}:80 `));
    assert.doesNotMatch(block, new RegExp(`server ${shop.service.clusterIP!.replace(/\./g, '\\.')}:`));
    // a port by name: Service api's port http (8080) is the pods' port 80
    assert.match(conf, /upstream default-api-http \{[^}]*server 10\.244\.\d+\.\d+:80 /);
  });

  it('Prefix is two locations (element-wise), Exact one, the default server answers 404, a TLS host redirects http', () => {
    const shop = /## start server shop\.example[\s\S]*?## end server shop\.example/.exec(conf)![0];
    assert.match(shop, /location \/api\/ \{[^}]*proxy_pass http:\/\/default-api-http;/);
    assert.match(shop, /location = \/api \{[^}]*proxy_pass http:\/\/default-api-http;/);
    assert.match(shop, /location = \/status \{[^}]*proxy_pass http:\/\/default-blog-80;/);
    assert.match(shop, /return 308 https:\/\/\$host\$request_uri;/);
    assert.match(shop, /ssl_certificate \/\S+\/tls\/default-shop-tls\.crt;/);
    const def = /## start server _[\s\S]*?## end server _/.exec(conf)![0];
    assert.match(def, /listen 80 default_server;/);
    assert.match(def, /return 404 "default backend - 404\\n";/);
    const blog = /## start server blog\.example[\s\S]*?## end server blog\.example/.exec(conf)![0];
    assert.doesNotMatch(blog, /return 308/);
    for (const h of ['Host $host', 'X-Real-IP $remote_addr', 'X-Forwarded-For $remote_addr', 'X-Forwarded-Proto $scheme', 'X-Forwarded-Host $host']) assert.ok(shop.includes(`proxy_set_header ${h};`), h);
  });

  it("every file nginx writes is under the lab's state, never /etc/nginx or /var/log/nginx", () => {
    for (const m of conf.matchAll(/^\s*(?:pid|error_log|access_log|\w+_temp_path|ssl_certificate(?:_key)?) (\S+)/gm)) assert.ok(m[1].startsWith(ic.dir), m[0]);
    assert.doesNotMatch(conf, /\/etc\/nginx|\/var\/log\/nginx|\/var\/lib\/nginx/);
  });

  it('a service without endpoints is a 503 location, as ingress-nginx answers', () => {
    const empty = { ...c, endpoints: c.endpoints.map((e) => (e.service.name === 'blog' ? { ...e, endpoints: [] } : e)) };
    const text = nginxConf(empty, ic);
    assert.match(text, /location = \/status \{[^}]*return 503;/);
    assert.doesNotMatch(text, /upstream default-blog-80/);
  });

  it('the lab CA, then the fake certificate, then one certificate per secret with the hosts as SANs: openssl argv, files under the state', () => {
    const cmds = tlsCommands(ic, 'k8s-ingress');
    assert.deepEqual(cmds.map((x) => x.id), ['ca', 'default-fake-certificate', 'default-shop-tls']);
    const shop = cmds[2].argv;
    assert.equal(shop[0], 'openssl');
    assert.ok(shop.includes('subjectAltName=DNS:shop.example'));
    assert.equal(shop[shop.indexOf('-CA') + 1], ic.caFile);
    for (const x of cmds) for (const a of x.argv) if (a.startsWith('/') && !a.startsWith('/O=')) assert.ok(a.startsWith(ic.dir), a);
  });
});

describe('http: ingress hosts, Service names, https with the lab CA', () => {
  const { lab } = loadLab(LAB);
  const test = (name: RegExp): HttpParams => lab.tests.find((t) => name.test(t.name))!.params as unknown as HttpParams;

  it('an ingress host from outside the cluster: a node\'s NodePort with --connect-to (Host and SNI kept), the lab CA trusted', () => {
    const p = test(/^https:\/\/shop\.example\/ from outside/);
    assert.equal(p.connectTo, 'shop.example:443:192.168.56.11:30443');
    const argv = curlArgv(p);
    assert.equal(argv[argv.indexOf('--cacert') + 1], lab.cluster!.ingress!.caFile);
    assert.equal(argv[argv.length - 1], 'https://shop.example/');
  });

  it("an ingress host from a pod: the controller Service's ClusterIP", () => {
    const p = test(/^blog\.example over plain http/);
    const svc = lab.cluster!.services.find((s) => s.name === 'ingress-nginx-controller')!;
    assert.equal(p.connectTo, `blog.example:80:${svc.clusterIP}:80`);
    assert.ok(!curlArgv(p).includes('--cacert'), 'no CA for plain http');
  });

  it('a node name comes before a Service name: http://api/ is the pod api, http://shop/ the Service shop', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-ingress-'));
    try {
      const text = readFileSync(LAB, 'utf8').replace(/^tests:\n/m, 'tests:\n  - http: { from: blog, url: "http://api/" }\n');
      writeFileSync(join(dir, 'lab.yaml'), text);
      const { lab: l } = loadLab(join(dir, 'lab.yaml'));
      const api = l.cluster!.pods.find((p) => p.name === 'api')!;
      assert.equal((l.tests[0].params as unknown as HttpParams).resolve, `api:80:${api.ip}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const shop = lab.cluster!.services.find((s) => s.name === 'shop')!;
    assert.equal(test(/a Service name as the URL's host/).resolve, `shop:80:${shop.clusterIP}`);
  });

  it('headers sent and regular expressions expected', () => {
    const p = test(/default backend answers 404/);
    assert.deepEqual(p.sendHeaders, [{ name: 'Host', value: 'nobody.example' }]);
    const argv = curlArgv(p);
    assert.equal(argv[argv.indexOf('-H') + 1], 'Host: nobody.example');
    assert.equal(test(/redirected to https/).headerMatch![0].name, 'location');
  });
});

describe('whoami: HTTP answers for ingress and canary labs', () => {
  it('reads the status and delay asked for and the forwarding headers', () => {
    const ask = parseHttpAsk('GET /x?status=503&delay=200ms HTTP/1.1\r\nHost: shop.example\r\nX-Forwarded-For: 10.244.0.1\r\nX-Real-IP: 10.244.0.1\r\nX-Forwarded-Proto: https\r\n\r\n')!;
    assert.deepEqual(ask, { method: 'GET', path: '/x?status=503&delay=200ms', status: 503, delayMs: 200, host: 'shop.example', xForwardedFor: '10.244.0.1', xRealIp: '10.244.0.1', xForwardedProto: 'https' });
    assert.equal(parseHttpAsk('GET /?delay=1s&status=99 HTTP/1.0\r\n\r\n')!.delayMs, 1000);
    assert.equal(parseHttpAsk('GET /?status=99 HTTP/1.0\r\n\r\n')!.status, 200);
    assert.equal(parseHttpAsk('hello\n'), undefined);
  });

  it('answers with the status, the pod name, its version and the client address it saw', () => {
    const ask = parseHttpAsk('GET /?status=503 HTTP/1.1\r\nHost: a\r\n\r\n')!;
    const text = httpAnswer(ask, { node: 'shop-1', version: 'v2', client: '10.244.0.3', port: 80 });
    assert.match(text, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.match(text, /\r\nx-nslab-version: v2\r\n/);
    const body = JSON.parse(text.split('\r\n\r\n')[1]);
    assert.equal(body.node, 'shop-1');
    assert.equal(body.version, 'v2');
    assert.equal(body.client, '10.244.0.3');
    assert.equal(body.host, 'a');
  });
});

describe('ingress: a LoadBalancer controller (calico-bgp with a BGP peer)', () => {
  it('gets an address from the pool, and an ingress host from outside goes to it on 80/443', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-ingress-'));
    try {
      writeFileSync(join(dir, 'lab.yaml'), `name: ti-lb
nodes:
  ext: { kind: bird, runtime: netns, asn: 64500, interfaces: { eth0: { addresses: [192.168.56.100/24] } } }
links: [[ext:eth0, k8s-net]]
cluster:
  cni: calico-bgp
  bgp: { peers: [{ node: ext }] }
  nodes: { node-1: {} }
  pods: { web: { labels: { app: web } } }
  services: { web: { selector: { app: web }, ports: [{ port: 80 }] } }
  ingress-controller: { type: LoadBalancer }
  ingresses:
    web:
      tls: [{ hosts: [web.example], secretName: web-tls }]
      rules: [{ host: web.example, http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }] } }]
tests:
  - http: { from: ext, url: "https://web.example/" }
`);
      const { lab } = loadLab(join(dir, 'lab.yaml'));
      const svc = lab.cluster!.services.find((s) => s.name === 'ingress-nginx-controller')!;
      assert.equal(svc.type, 'LoadBalancer');
      assert.equal(svc.loadBalancerIP, '172.30.0.1');
      assert.equal((lab.tests[0].params as unknown as HttpParams).connectTo, 'web.example:443:172.30.0.1:443');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ingress: warnings', () => {
  const load = (cluster: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-ingress-'));
    try {
      writeFileSync(join(dir, 'lab.yaml'), `name: ti-warn\ncluster:\n  cni: bridge\n  nodes: { node-1: {} }\n  pods: { web: { labels: { app: web } } }\n  services: { web: { selector: { app: web }, ports: [{ port: 80 }] } }\n${cluster}`);
      return loadLab(join(dir, 'lab.yaml'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('an ingress of another class is not served (a warning), and with none left no controller is made', () => {
    const { lab, warnings } = load('  ingresses:\n    web:\n      ingressClassName: traefik\n      defaultBackend: { service: { name: web, port: { number: 80 } } }\n');
    assert.deepEqual(warnings.map((w) => w.code), ['cluster.ingress-class']);
    assert.deepEqual(lab.cluster!.ingress!.ingresses, []);
  });

  it('ingress-controller without ingresses: a warning, and no controller pod', () => {
    const { lab, warnings } = load('  ingress-controller: { node: node-1 }\n');
    assert.deepEqual(warnings.map((w) => w.code), ['cluster.ingress-controller']);
    assert.equal(lab.cluster!.ingress, undefined);
    assert.ok(!lab.cluster!.pods.some((p) => p.name === 'ingress-nginx'));
  });
});
