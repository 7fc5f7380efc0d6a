/**
 * Ingress (issue 13.1): `cluster.ingresses` (networking.k8s.io/v1 Ingress specs) checked against the cluster's
 * Services, and what serves them: an ingress controller pod running Debian's nginx with a configuration generated
 * the way ingress-nginx writes its nginx.conf (one upstream per backend Service port, whose servers are the
 * Service's endpoints, not its ClusterIP; one server block per host; `location = /p` for Exact, `location /p/` plus
 * `location = /p` for Prefix, so nginx's own choice — exact first, then the longest prefix — is the Ingress's;
 * the 404 default backend where no rule matches; Host, X-Real-IP and X-Forwarded-* headers toward the pods),
 * exposed by a NodePort or LoadBalancer Service like any controller. TLS: a lab CA and one certificate per
 * secretName, made offline with openssl (argv only) under the lab's state. Pure: the commands are plan steps.
 */
import { join } from 'node:path';
import { didYouMean, error, warning, type Diagnostic, type SourcePos } from '../config/diagnostics.ts';
import type { PathSeg } from '../config/load.ts';
import type { CompileContext } from '../plan/context.ts';
import type { Step } from '../plan/ops.ts';
import { asObj, type Obj, str } from '../util/obj.ts';
import type { Ingress, IngressBackend, IngressController, IngressPath, IngressPathType, ResolvedCluster, Service, ServiceEndpoints } from './types.ts';

/** The controller's pod, namespace and Service, named as ingress-nginx's manifests name them. */
export const INGRESS_POD = 'ingress-nginx';
export const INGRESS_NAMESPACE = 'ingress-nginx';
export const INGRESS_SERVICE = 'ingress-nginx-controller';
export const INGRESS_LABELS: Readonly<Record<string, string>> = { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' };
/** The subject of the certificate ingress-nginx serves where no TLS section names the host. */
const FAKE_CERT = 'default-fake-certificate';

type At = (path: readonly PathSeg[], key?: boolean) => SourcePos;

/** Whether the cluster section asks for a controller: it has at least one ingress. */
export const wantsIngress = (C: Obj): boolean => Object.keys(asObj(C.ingresses)).length > 0;

/** The controller's Service as a `cluster.services` entry (its ports named http and https, NodePorts as asked). */
export function controllerServiceEntry(C: Obj): Obj {
  const ic = asObj(C['ingress-controller']);
  const np = (k: string): Obj => (typeof ic[k] === 'number' ? { nodePort: ic[k] } : {});
  return {
    namespace: INGRESS_NAMESPACE,
    type: str(ic.type) ?? 'NodePort',
    ...(str(ic.externalTrafficPolicy) ? { externalTrafficPolicy: str(ic.externalTrafficPolicy) } : {}),
    selector: { ...INGRESS_LABELS },
    ports: [
      { name: 'http', port: 80, targetPort: 'http', ...np('http-node-port') },
      { name: 'https', port: 443, targetPort: 'https', ...np('https-node-port') },
    ],
  };
}

/** Positions for the controller's Service (it is not written under services:): its type and NodePorts where ingress-controller sets them. */
export function controllerServiceAt(C: Obj, at: At): At {
  const base: PathSeg[] = C['ingress-controller'] !== undefined ? ['cluster', 'ingress-controller'] : ['cluster', 'ingresses'];
  return (path, key) => {
    if (path[0] !== 'cluster' || path[1] !== 'services' || path[2] !== INGRESS_SERVICE) return at(path, key);
    const rest = path.slice(3);
    const ic = asObj(C['ingress-controller']);
    if (rest[0] === 'type' && ic.type !== undefined) return at([...base, 'type'], key);
    if (rest[0] === 'externalTrafficPolicy' && ic.externalTrafficPolicy !== undefined) return at([...base, 'externalTrafficPolicy'], key);
    if (rest[0] === 'ports' && rest[2] === 'nodePort') {
      const k = rest[1] === 0 ? 'http-node-port' : 'https-node-port';
      if (ic[k] !== undefined) return at([...base, k], key);
    }
    return at(base, true);
  };
}

/** The controller pod as a pod entry: ports http 80 and https 443. */
export function controllerPodEntry(): Obj {
  return { labels: { ...INGRESS_LABELS }, ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https' }] };
}

/** The path an Ingress's Prefix path stands for, for comparing (`/a/` and `/a` are one Prefix path). */
const pathKey = (p: IngressPath): string => (p.pathType === 'Prefix' && p.path.length > 1 ? p.path.replace(/\/+$/, '') : p.path);

function backendOf(raw: unknown): IngressBackend | undefined {
  const svc = asObj(asObj(raw).service);
  const name = str(svc.name);
  const port = asObj(svc.port);
  const p = typeof port.number === 'number' ? port.number : str(port.name);
  return name && p !== undefined ? { service: name, port: p } : undefined;
}

/** The ServiceEndpoints a backend names (the port by number or by name), if the Service has that port. */
export function backendEndpoints(c: Pick<ResolvedCluster, 'endpoints'>, namespace: string, b: IngressBackend): ServiceEndpoints | undefined {
  return c.endpoints.find((e) => e.service.name === b.service && e.service.namespace === namespace && e.port.protocol === 'TCP' && (typeof b.port === 'number' ? e.port.port === b.port : e.port.name === b.port));
}

/** Check one backend: its Service exists in the namespace, and has the port. */
function checkBackend(b: IngressBackend, ns: string, where: string, path: readonly PathSeg[], services: readonly Service[], at: At, diags: Diagnostic[]): boolean {
  const svc = services.find((s) => s.name === b.service && s.namespace === ns);
  if (!svc) {
    const names = services.filter((s) => s.namespace === ns && s.name !== INGRESS_SERVICE).map((s) => s.name);
    const guess = didYouMean(b.service, names);
    diags.push(error('cluster.ingress-backend', `${where}: no Service ${JSON.stringify(b.service)} in namespace ${ns}`, at([...path, 'service', 'name']), `${guess ? `did you mean ${guess}? ` : ''}${names.length ? `Services in ${ns}: ${names.join(', ')}` : `namespace ${ns} has no Service`} (an Ingress routes only to Services of its own namespace)`));
    return false;
  }
  const port = svc.ports.find((p) => (typeof b.port === 'number' ? p.port === b.port : p.name === b.port));
  if (!port) {
    const key = typeof b.port === 'number' ? 'number' : 'name';
    const has = svc.ports.map((p) => (p.name ? `${p.port} (${p.name})` : String(p.port))).join(', ');
    diags.push(error('cluster.ingress-backend', `${where}: Service ${b.service} has no port ${typeof b.port === 'number' ? b.port : JSON.stringify(b.port)}`, at([...path, 'service', 'port', key]), `its ports: ${has || 'none'}; name one by number (port: {number: 80}) or by name (port: {name: http})`));
    return false;
  }
  return true;
}

/**
 * The ingresses as written, checked: every backend's Service and port exist; no host and path is routed twice (in
 * one Ingress or across them: nginx would refuse the duplicate location); every TLS host is the host of a rule.
 */
export function buildIngresses(raw: Obj, services: readonly Service[], at: At, diags: Diagnostic[]): Ingress[] {
  const out: Ingress[] = [];
  const seen = new Map<string, { where: string; pos: SourcePos }>();
  for (const [name, v] of Object.entries(raw)) {
    const o = asObj(v);
    const base: PathSeg[] = ['cluster', 'ingresses', name];
    const namespace = str(o.namespace) ?? 'default';
    const className = str(o.ingressClassName) ?? 'nginx';
    if (className !== 'nginx') {
      diags.push(warning('cluster.ingress-class', `ingress ${name}: ingressClassName ${className} is not the controller's (nginx): no controller serves it`, at([...base, 'ingressClassName']), 'the lab runs one controller, of class nginx: leave ingressClassName out or write nginx'));
      continue;
    }
    let ok = true;
    const defaultBackend = o.defaultBackend !== undefined ? backendOf(o.defaultBackend) : undefined;
    if (defaultBackend && !checkBackend(defaultBackend, namespace, `ingress ${name}: defaultBackend`, [...base, 'defaultBackend'], services, at, diags)) ok = false;
    const rules: Ingress['rules'][number][] = [];
    (Array.isArray(o.rules) ? o.rules : []).forEach((r: unknown, i: number) => {
      const ro = asObj(r);
      const host = str(ro.host);
      const paths: IngressPath[] = [];
      (Array.isArray(asObj(ro.http).paths) ? (asObj(ro.http).paths as unknown[]) : []).forEach((p: unknown, j: number) => {
        const po = asObj(p);
        const ppath: PathSeg[] = [...base, 'rules', i, 'http', 'paths', j];
        const backend = backendOf(po.backend);
        const ip: IngressPath = { path: str(po.path) ?? '/', pathType: (str(po.pathType) ?? 'Prefix') as IngressPathType, backend: backend ?? { service: '', port: 0 } };
        if (!backend || !checkBackend(backend, namespace, `ingress ${name}: rule ${i + 1} path ${ip.path}`, [...ppath, 'backend'], services, at, diags)) ok = false;
        const key = `${host ?? '*'} ${pathKey(ip)}`;
        const earlier = seen.get(key);
        const pos = at([...ppath, 'path']);
        if (earlier) {
          diags.push(error('cluster.ingress-duplicate', `ingress ${name}: host ${host ?? '(any)'} path ${ip.path} is already routed by ${earlier.where} (${earlier.pos.file}:${earlier.pos.line})`, pos, `one host and path has one backend (nginx would refuse the second location${pathKey(ip) !== ip.path ? `; Prefix ${ip.path} is the same path as ${pathKey(ip)}` : ''}): remove one, or give it another path`));
          ok = false;
        } else seen.set(key, { where: `ingress ${name} rule ${i + 1}`, pos });
        paths.push(ip);
      });
      rules.push({ host, paths });
    });
    const tls: Ingress['tls'][number][] = [];
    const ruleHosts = rules.map((r) => r.host).filter((h): h is string => !!h);
    (Array.isArray(o.tls) ? o.tls : []).forEach((t: unknown, i: number) => {
      const to = asObj(t);
      const hosts = (Array.isArray(to.hosts) ? to.hosts : []).filter((h): h is string => typeof h === 'string');
      hosts.forEach((h, k) => {
        if (ruleHosts.includes(h)) return;
        const guess = didYouMean(h, ruleHosts.filter((x) => !hosts.includes(x)));
        diags.push(error('cluster.ingress-tls-host', `ingress ${name}: TLS host ${h} is the host of none of its rules`, at([...base, 'tls', i, 'hosts', k]), `${guess ? `did you mean ${guess}? ` : ''}a certificate is served for a rule's host: add a rule with host: ${h}, or remove it from tls (rule hosts: ${ruleHosts.join(', ') || 'none'})`));
        ok = false;
      });
      tls.push({ hosts, secretName: str(to.secretName) ?? 'tls' });
    });
    if (!rules.length && !defaultBackend) diags.push(error('cluster.ingress-empty', `ingress ${name} has neither rules nor a defaultBackend`, at(base, true), 'add rules (host, http.paths) or a defaultBackend'));
    if (ok) out.push({ name, namespace, className, ...(defaultBackend ? { defaultBackend } : {}), rules, tls });
  }
  return out;
}

/** The controller: where its files go (under the lab's directory) and the ingresses it serves. */
export function ingressController(dir: string, ingresses: readonly Ingress[]): IngressController {
  return { pod: INGRESS_POD, namespace: INGRESS_NAMESPACE, service: INGRESS_SERVICE, dir, caFile: join(dir, 'tls', 'ca.crt'), ingresses };
}

/** ingress-nginx's upstream name: namespace-service-port. */
export const upstreamName = (ns: string, b: IngressBackend): string => `${ns}-${b.service}-${b.port}`;

/** Each TLS secret's files and the hosts its certificate names (hosts of one secret across its tls entries). */
export function tlsSecrets(ic: IngressController): { id: string; hosts: string[]; key: string; crt: string }[] {
  const m = new Map<string, Set<string>>();
  for (const ing of ic.ingresses) for (const t of ing.tls) {
    const id = `${ing.namespace}-${t.secretName}`;
    m.set(id, new Set([...(m.get(id) ?? []), ...t.hosts]));
  }
  return [...m].map(([id, hosts]) => ({ id, hosts: [...hosts], key: join(ic.dir, 'tls', `${id}.key`), crt: join(ic.dir, 'tls', `${id}.crt`) }));
}

const q = (s: string): string => (/^[A-Za-z0-9_./:=-]+$/.test(s) ? s : `"${s.replace(/(["\\$])/g, '\\$1')}"`);

/** The proxy settings of one location, as ingress-nginx writes them (use-forwarded-headers off: X-Forwarded-For is the peer). */
function proxyBlock(upstream: string | undefined, indent: string): string[] {
  if (!upstream) return [`${indent}set $proxy_upstream_name "upstream-default-backend";`, `${indent}return 404 "default backend - 404\\n";`];
  return [
    `${indent}set $proxy_upstream_name ${q(upstream)};`,
    `${indent}proxy_set_header Host $host;`,
    `${indent}proxy_set_header X-Request-ID $request_id;`,
    `${indent}proxy_set_header X-Real-IP $remote_addr;`,
    `${indent}proxy_set_header X-Forwarded-For $remote_addr;`,
    `${indent}proxy_set_header X-Forwarded-Host $host;`,
    `${indent}proxy_set_header X-Forwarded-Port $server_port;`,
    `${indent}proxy_set_header X-Forwarded-Proto $scheme;`,
    `${indent}proxy_set_header X-Scheme $scheme;`,
    `${indent}proxy_set_header X-Original-URI $request_uri;`,
    `${indent}proxy_set_header Connection "";`,
    `${indent}proxy_http_version 1.1;`,
    `${indent}proxy_connect_timeout 5s;`,
    `${indent}proxy_read_timeout 60s;`,
    `${indent}proxy_next_upstream error timeout;`,
    `${indent}proxy_pass http://${upstream};`,
  ];
}

interface Loc {
  readonly match: string;
  readonly upstream?: string;
  readonly noEndpoints?: boolean;
  readonly from: string;
}

/** The locations one path stands for: Exact → `= /p`; Prefix → `/p/` and `= /p` (element-wise); ImplementationSpecific → `/p`. */
function locationsOf(p: IngressPath): string[] {
  if (p.pathType === 'Exact') return [`= ${p.path}`];
  if (p.pathType === 'ImplementationSpecific') return [p.path];
  const k = pathKey(p);
  return k === '/' ? ['/'] : [`${k}/`, `= ${k}`];
}

/**
 * nginx.conf for the controller: the parts ingress-nginx's template makes (upstreams of endpoints, a server per
 * host, the default server with the 404 backend, TLS with the secret's certificate or the fake one, HTTP → HTTPS
 * redirect (308) on TLS hosts), with every file under the controller's directory (never /etc/nginx, /var/log/nginx).
 */
export function nginxConf(c: ResolvedCluster, ic: IngressController): string {
  const d = ic.dir;
  const upstreams = new Map<string, ServiceEndpoints | undefined>();
  const use = (ns: string, b: IngressBackend): { upstream?: string; noEndpoints?: boolean } => {
    const name = upstreamName(ns, b);
    const se = backendEndpoints(c, ns, b);
    if (!se || !se.endpoints.length) return { noEndpoints: true, upstream: name };
    upstreams.set(name, se);
    return { upstream: name };
  };
  const servers = new Map<string, { locs: Loc[]; cert?: string; def?: Loc }>();
  const server = (host: string) => {
    if (!servers.has(host)) servers.set(host, { locs: [] });
    return servers.get(host)!;
  };
  server('_');
  const secrets = tlsSecrets(ic);
  for (const ing of ic.ingresses) {
    for (const r of ing.rules) {
      const s = server(r.host ?? '_');
      for (const p of r.paths) for (const m of locationsOf(p)) s.locs.push({ match: m, ...use(ing.namespace, p.backend), from: `${ing.namespace}/${ing.name} ${p.pathType} ${p.path}` });
      if (ing.defaultBackend && !s.def) s.def = { match: '/', ...use(ing.namespace, ing.defaultBackend), from: `${ing.namespace}/${ing.name} defaultBackend` };
    }
    if (ing.defaultBackend && !server('_').def) server('_').def = { match: '/', ...use(ing.namespace, ing.defaultBackend), from: `${ing.namespace}/${ing.name} defaultBackend` };
    for (const t of ing.tls) for (const h of t.hosts) {
      const sec = secrets.find((x) => x.id === `${ing.namespace}-${t.secretName}`);
      if (sec && servers.has(h) && !servers.get(h)!.cert) servers.get(h)!.cert = sec.id;
    }
  }
  const L: string[] = [
    '# nginx.conf of the ingress controller, generated by nslab the way ingress-nginx generates its own',
    '# (one upstream per backend Service port, listing the endpoints; one server per Ingress host).',
    'daemon off;',
    'worker_processes 1;',
    'user root;',
    `pid ${d}/nginx.pid;`,
    `error_log ${d}/error.log notice;`,
    'events {',
    '  worker_connections 512;',
    '}',
    'http {',
    "  log_format upstreaminfo '$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\" $request_length $request_time [$proxy_upstream_name] [] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $request_id';",
    `  access_log ${d}/access.log upstreaminfo;`,
    `  client_body_temp_path ${d}/tmp/client-body;`,
    `  proxy_temp_path ${d}/tmp/proxy;`,
    `  fastcgi_temp_path ${d}/tmp/fastcgi;`,
    `  uwsgi_temp_path ${d}/tmp/uwsgi;`,
    `  scgi_temp_path ${d}/tmp/scgi;`,
    '  default_type text/plain;',
    '  server_tokens off;',
    '  server_names_hash_bucket_size 64;',
    '  ssl_protocols TLSv1.2 TLSv1.3;',
    '',
  ];
  const body: string[] = [];
  const names = ['_', ...[...servers.keys()].filter((h) => h !== '_').sort()];
  for (const host of names) {
    const s = servers.get(host)!;
    const cert = s.cert ?? FAKE_CERT;
    body.push(`  ## start server ${host}`, '  server {', `    server_name ${host};`);
    body.push(host === '_' ? '    listen 80 default_server;' : '    listen 80;', host === '_' ? '    listen 443 ssl default_server;' : '    listen 443 ssl;');
    body.push(`    ssl_certificate ${d}/tls/${cert}.crt;`, `    ssl_certificate_key ${d}/tls/${cert}.key;`);
    if (s.cert) body.push('    # ssl-redirect: a host with TLS answers plain HTTP with a permanent redirect', '    if ($scheme = http) {', '      return 308 https://$host$request_uri;', '    }');
    const locs = [...s.locs];
    if (!locs.some((l) => l.match === '/')) locs.push(s.def ?? { match: '/', from: 'the default backend' });
    for (const l of locs) {
      body.push(`    location ${l.match} {  # ${l.from}`);
      if (l.noEndpoints) body.push('      set $proxy_upstream_name ' + q(l.upstream ?? '') + ';', '      # the Service has no endpoints: ingress-nginx answers 503', '      return 503;');
      else body.push(...proxyBlock(l.upstream, '      '));
      body.push('    }');
    }
    body.push('  }', `  ## end server ${host}`, '');
  }
  for (const [name, se] of [...upstreams].sort(([a], [b]) => a.localeCompare(b))) {
    L.push(`  upstream ${name} {  # Service ${se!.service.namespace}/${se!.service.name} port ${se!.port.name ?? se!.port.port}: its endpoints, not its ClusterIP ${se!.service.clusterIP ?? ''}`.trimEnd());
    for (const e of se!.endpoints) L.push(`    server ${e.ip}:${e.port} max_fails=0 fail_timeout=0;  # pod ${e.pod} on ${e.node}`);
    L.push('  }', '');
  }
  return [...L, ...body, '}', ''].join('\n');
}

/** The openssl argv that make the lab CA, the fake certificate and each secret's certificate (EC P-256, 30 days). */
export function tlsCommands(ic: IngressController, labName: string): { id: string; argv: string[]; note: string }[] {
  const t = join(ic.dir, 'tls');
  const cmds: { id: string; argv: string[]; note: string }[] = [];
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30'];
  cmds.push({ id: 'ca', note: `the lab CA (nslab ${labName} CA): what clients in the lab trust`, argv: ['openssl', 'req', '-x509', ...newKey, '-keyout', join(t, 'ca.key'), '-out', join(t, 'ca.crt'), '-subj', `/O=nslab/CN=nslab ${labName} CA`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'] });
  const leaf = (id: string, cn: string, hosts: readonly string[], note: string): void => {
    cmds.push({ id, note, argv: ['openssl', 'req', '-x509', '-CA', join(t, 'ca.crt'), '-CAkey', join(t, 'ca.key'), ...newKey, '-keyout', join(t, `${id}.key`), '-out', join(t, `${id}.crt`), '-subj', `/O=nslab/CN=${cn}`, ...(hosts.length ? ['-addext', `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`] : []), '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'extendedKeyUsage=serverAuth'] });
  };
  leaf(FAKE_CERT, 'Kubernetes Ingress Controller Fake Certificate', ['ingress.local'], 'the certificate the default server presents (as ingress-nginx\'s fake one)');
  for (const s of tlsSecrets(ic)) leaf(s.id, s.hosts[0], s.hosts, `Secret ${s.id.replace('-', '/')}: a certificate for ${s.hosts.join(', ')} signed by the lab CA`);
  return cmds;
}

/** The plan steps of the controller: its files, the TLS material (openssl in the pod's namespace), nginx as a daemon. */
export function ingressSteps(c: ResolvedCluster, ns: string, ctx: CompileContext, labName: string, source: SourcePos): Step[] {
  const ic = c.ingress;
  if (!ic) return [];
  const steps: Step[] = [];
  const conf = join(ic.dir, 'nginx.conf');
  steps.push({ id: `${ic.pod}.nginx.conf`, phase: 'exec', order: 1, op: { type: 'file', path: conf, content: nginxConf(c, ic), lane: ns }, source, note: 'the ingress controller: nginx.conf generated from the Ingresses and the endpoints of their Services', creates: { kind: 'file', name: ic.dir } });
  for (const sub of ['client-body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) steps.push({ id: `${ic.pod}.tmp.${sub}`, phase: 'exec', order: 1, op: { type: 'file', path: join(ic.dir, 'tmp', sub, '.keep'), content: '', lane: ns }, source, note: `nginx's ${sub} temp directory, under the lab's state` });
  steps.push({ id: `${ic.pod}.tls.dir`, phase: 'exec', order: 1, op: { type: 'file', path: join(ic.dir, 'tls', 'README'), content: 'The lab CA and the certificates of the TLS secrets of the Ingresses, made by nslab with openssl.\n', lane: ns }, source, note: 'the TLS directory' });
  for (const t of tlsCommands(ic, labName)) steps.push({ id: `${ic.pod}.tls.${t.id}`, phase: 'exec', order: 2, op: { type: 'exec', ns, argv: t.argv }, source, note: t.note });
  const argv = ['nginx', '-e', join(ic.dir, 'error.log'), '-p', `${ic.dir}/`, '-c', conf];
  steps.push({ id: `${ic.pod}.nginx`, phase: 'daemons', order: 0, op: { type: 'daemon', ns, node: ic.pod, name: 'nginx', argv, log: join(ctx.labDir, 'logs', `${ic.pod}.nginx.log`), reload: [...argv, '-s', 'reload'] }, source, note: 'the ingress controller: nginx, in the pod\'s namespace, with the generated configuration', creates: { kind: 'process', name: 'nginx', ns } });
  return steps;
}
