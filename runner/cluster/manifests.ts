/**
 * Kubernetes manifests as written (`cluster.manifests: [FILE|DIR…]`): multi-document YAML with Namespaces, Pods,
 * Deployments, ReplicaSets, StatefulSets, DaemonSets, Services, NetworkPolicies and Ingresses, turned into the entries of the
 * `cluster:` section they stand for. Each entry keeps a position lookup into its manifest, so a later error about it
 * (from the schema or from the cluster checks) points at the manifest's file:line:col. Kinds that do not concern
 * the network (ConfigMap, Secret, …) get one warning each and are ignored. Pure apart from reading the files.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { error, warning, type Diagnostic, type SourcePos } from '../config/diagnostics.ts';
import { displayPath, parseYamlDocuments, type LoadedDocument, type PathSeg } from '../config/load.ts';
import { asObj, isObj, str, stripNulls, type Obj } from '../util/obj.ts';

export type ClusterSection = 'namespaces' | 'pods' | 'services' | 'network-policies' | 'virtual-services' | 'destination-rules' | 'ingresses';

/** One `cluster:` entry made from a manifest. */
export interface ManifestEntry {
  readonly section: ClusterSection;
  readonly name: string;
  readonly value: Obj;
  /** Position of a path below the entry (as in `cluster.<section>.<name>`), in the manifest. */
  at(path: readonly PathSeg[], key?: boolean): SourcePos;
  /** Where the object is written (its kind: line). */
  readonly origin: SourcePos;
}

export interface ManifestSet {
  readonly entries: readonly ManifestEntry[];
  readonly diagnostics: readonly Diagnostic[];
  /** File → text, for code frames in messages. */
  readonly sources: ReadonlyMap<string, string>;
}

/** Kinds with a network meaning, by kind: the apiVersions the API server serves them under. */
const NETWORK_KINDS: Readonly<Record<string, readonly string[]>> = {
  Namespace: ['v1'],
  Pod: ['v1'],
  Service: ['v1'],
  Deployment: ['apps/v1'],
  ReplicaSet: ['apps/v1'],
  StatefulSet: ['apps/v1'],
  DaemonSet: ['apps/v1'],
  NetworkPolicy: ['networking.k8s.io/v1'],
  // Istio's traffic management (issue 13.3): the sidecar's routes
  VirtualService: ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'],
  DestinationRule: ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'],
  Ingress: ['networking.k8s.io/v1'],
};
/** The spec fields of Istio's kinds that nslab's sidecar applies; others get a warning each and are ignored. */
const ISTIO_FIELDS: Readonly<Record<string, readonly string[]>> = { VirtualService: ['hosts', 'http'], DestinationRule: ['host', 'subsets'] };
const WORKLOADS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);

/** The files a `manifests:` item names: a file, or every *.yaml / *.yml / *.json directly in a directory, sorted. */
export function manifestFiles(baseDir: string, item: string): string[] | string {
  const p = resolve(baseDir, item);
  let st;
  try {
    st = statSync(p);
  } catch {
    return `no such file or directory: ${displayPath(p)}`;
  }
  if (!st.isDirectory()) return [p];
  const files = readdirSync(p)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => join(p, f));
  return files.length ? files : `the directory ${displayPath(p)} holds no .yaml, .yml or .json file`;
}

/**
 * Load the manifests one `cluster.manifests` list names. `items` are the list's strings with their positions (for
 * "no such file"); `nodes` are the cluster's node names (a DaemonSet makes one pod on each).
 */
export function loadManifests(baseDir: string, items: readonly { value: string; pos: SourcePos }[], nodes: readonly string[]): ManifestSet {
  const entries: ManifestEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  for (const item of items) {
    const files = manifestFiles(baseDir, item.value);
    if (typeof files === 'string') {
      diagnostics.push(error('manifest.missing', `cannot read manifests ${JSON.stringify(item.value)}: ${files}`, item.pos, 'a path relative to the lab file: a manifest file, or a directory of them'));
      continue;
    }
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const parsed = parseYamlDocuments(f, text);
      sources.set(displayPath(f), text);
      diagnostics.push(...parsed.diagnostics);
      for (const doc of parsed.docs) convertDocument(doc, doc.data, [], nodes, entries, diagnostics);
    }
  }
  return { entries, diagnostics, sources };
}

/** One Kubernetes object (or a List of them) → cluster entries. `base` is its path inside the document. */
function convertDocument(doc: LoadedDocument, data: unknown, base: PathSeg[], nodes: readonly string[], out: ManifestEntry[], diags: Diagnostic[]): void {
  const at = (p: readonly PathSeg[], key = false): SourcePos => doc.at([...base, ...p], key);
  if (!isObj(data) || typeof data.kind !== 'string' || typeof data.apiVersion !== 'string') {
    diags.push(error('manifest.not-kubernetes', 'this document is not a Kubernetes object: it needs apiVersion and kind', at([]), 'a manifest as `kubectl apply -f` takes it: apiVersion, kind, metadata, spec'));
    return;
  }
  const kind = data.kind;
  if (kind === 'List' || kind.endsWith('List')) {
    (Array.isArray(data.items) ? data.items : []).forEach((it, i) => convertDocument(doc, it, [...base, 'items', i], nodes, out, diags));
    return;
  }
  const versions = NETWORK_KINDS[kind];
  if (!versions) {
    diags.push(warning('manifest.ignored', `${kind} ${str(asObj(data.metadata).name) ?? ''} does not concern the network: ignored`.replace(/ +:/, ':'), at(['kind']), 'nslab builds Namespaces, Pods, Deployments, ReplicaSets, StatefulSets, DaemonSets, Services, NetworkPolicies and Ingresses (and Istio\'s VirtualServices and DestinationRules)'));
    return;
  }
  if (!versions.includes(data.apiVersion)) {
    diags.push(error('manifest.api-version', `${kind} is served as apiVersion ${versions.join(' or ')}, not ${data.apiVersion}`, at(['apiVersion']), `write apiVersion: ${versions[0]}`));
    return;
  }
  const meta = asObj(data.metadata);
  const name = str(meta.name);
  if (!name) {
    diags.push(error('manifest.no-name', `${kind} without metadata.name`, at(['metadata']), 'every object needs metadata.name (generateName is not supported)'));
    return;
  }
  const origin = at(['kind']);
  const ns = str(meta.namespace);
  const withNs = (v: Obj): Obj => (ns && kind !== 'Namespace' ? { namespace: ns, ...v } : v);
  const entry = (section: ClusterSection, entryName: string, value: Obj, map: (p: readonly PathSeg[]) => PathSeg[]): void => {
    out.push({ section, name: entryName, value: withNs(value), origin, at: (p, key) => (p[0] === 'namespace' ? at(['metadata', 'namespace'], key) : at(map(p), key)) });
  };
  const spec = asObj(data.spec);
  if (kind === 'Namespace') entry('namespaces', name, asObj(meta.labels), (p) => ['metadata', 'labels', ...p]);
  else if (kind === 'Service') convertService(name, spec, at, diags, entry);
  else if (kind === 'NetworkPolicy') entry('network-policies', name, stripNulls(spec), (p) => ['spec', ...p]);
  else if (kind in ISTIO_FIELDS) convertIstio(kind, name, stripNulls(spec), at, diags, entry);
  else if (kind === 'Ingress') entry('ingresses', name, stripNulls(spec), (p) => ['spec', ...p]);
  else if (kind === 'Pod') convertPod(name, meta, spec, ['spec'], at, diags, entry);
  else if (WORKLOADS.has(kind)) convertWorkload(kind, name, spec, nodes, at, diags, entry);
}

type At = (p: readonly PathSeg[], key?: boolean) => SourcePos;
type Emit = (section: ClusterSection, name: string, value: Obj, map: (p: readonly PathSeg[]) => PathSeg[]) => void;

function convertService(name: string, spec: Obj, at: At, diags: Diagnostic[], emit: Emit): void {
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  let ok = true;
  ports.forEach((p, i) => {
    if (!isObj(p) || typeof p.port !== 'number') {
      diags.push(error('manifest.service-port', `Service ${name}: spec.ports[${i}] has no port number`, at(['spec', 'ports', i]), 'each service port needs `port:` (a number); targetPort defaults to it'));
      ok = false;
    }
  });
  if (!ok) return;
  const affinity = asObj(asObj(asObj(spec.sessionAffinityConfig).clientIP)).timeoutSeconds;
  const keep = ['type', 'selector', 'clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy', 'loadBalancerIP', 'externalName', 'sessionAffinity', 'externalTrafficPolicy'];
  const value: Obj = {};
  for (const k of keep) if (spec[k] !== undefined && spec[k] !== null) value[k] = spec[k];
  if (ports.length) value.ports = ports.map((p) => pick(asObj(p), ['name', 'protocol', 'port', 'targetPort', 'nodePort']));
  if (typeof affinity === 'number') value.sessionAffinityTimeout = affinity;
  emit('services', name, value, (p) => (p[0] === 'sessionAffinityTimeout' ? ['spec', 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds'] : ['spec', ...p]));
}

/** A pod template's containers' ports → the cluster's pod ports, with the manifest path of each. */
function podPorts(spec: Obj, specPath: PathSeg[]): { ports: Obj[]; paths: PathSeg[][] } {
  const ports: Obj[] = [];
  const paths: PathSeg[][] = [];
  (Array.isArray(spec.containers) ? spec.containers : []).forEach((c, ci) => {
    (Array.isArray(asObj(c).ports) ? (asObj(c).ports as unknown[]) : []).forEach((p, pi) => {
      const o = asObj(p);
      const port: Obj = { port: o.containerPort };
      if (o.name !== undefined) port.name = o.name;
      if (o.protocol !== undefined) port.protocol = o.protocol;
      if (o.hostPort !== undefined) port.hostPort = o.hostPort;
      if (o.hostIP !== undefined) port.hostIP = o.hostIP;
      ports.push(port);
      paths.push([...specPath, 'containers', ci, 'ports', pi]);
    });
  });
  return { ports, paths };
}

function convertPod(name: string, meta: Obj, spec: Obj, specPath: PathSeg[], at: At, diags: Diagnostic[], emit: Emit, extra: Obj = {}, extraMap: (p: readonly PathSeg[]) => PathSeg[] | undefined = () => undefined): void {
  if (!Array.isArray(spec.containers) || !spec.containers.length) {
    diags.push(error('manifest.no-containers', `${name}: the pod spec has no containers`, at(specPath), 'a pod spec needs `containers:` with at least one container'));
    return;
  }
  const { ports, paths } = podPorts(spec, specPath);
  const labelsPath = specPath.length > 1 ? [...specPath.slice(0, -1), 'metadata', 'labels'] : ['metadata', 'labels'];
  const value: Obj = { ...extra };
  if (isObj(meta.labels)) value.labels = meta.labels;
  if (typeof spec.nodeName === 'string') value.node = spec.nodeName;
  if (spec.hostNetwork !== undefined && spec.hostNetwork !== null) value.hostNetwork = spec.hostNetwork;
  if (ports.length) value.ports = ports;
  // Istio's injection: the annotation asks for a sidecar (the traffic.sidecar.istio.io/* annotations tune its capture)
  const annotations = asObj(meta.annotations);
  const annotationsPath = specPath.length > 1 ? [...specPath.slice(0, -1), 'metadata', 'annotations'] : ['metadata', 'annotations'];
  if (annotations['sidecar.istio.io/inject'] === 'true' || annotations['sidecar.istio.io/inject'] === true) value.sidecar = istioAnnotations(annotations);
  // securityContext.runAsUser: the pod's, or its first container's
  const runAsUser = asObj(asObj((spec.containers as unknown[])[0]).securityContext).runAsUser ?? asObj(spec.securityContext).runAsUser;
  const runAsUserPath: PathSeg[] = typeof asObj(asObj((spec.containers as unknown[])[0]).securityContext).runAsUser === 'number' ? [...specPath, 'containers', 0, 'securityContext', 'runAsUser'] : [...specPath, 'securityContext', 'runAsUser'];
  if (typeof runAsUser === 'number') value['run-as-user'] = runAsUser;
  for (const k of ['hostname', 'subdomain'] as const) if (typeof spec[k] === 'string') value[k] = spec[k];
  emit('pods', name, value, (p) => {
    const e = extraMap(p);
    if (e) return e;
    if (p[0] === 'sidecar') return p.length > 1 ? [...annotationsPath, ISTIO_ANNOTATION[String(p[1])] ?? 'sidecar.istio.io/inject'] : [...annotationsPath, 'sidecar.istio.io/inject'];
    if (p[0] === 'run-as-user') return runAsUserPath;
    if (p[0] === 'labels') return [...labelsPath, ...p.slice(1)];
    if (p[0] === 'node') return [...specPath, 'nodeName'];
    if (p[0] === 'hostname' || p[0] === 'subdomain') return [...specPath, p[0]];
    if (p[0] === 'hostNetwork') return [...specPath, 'hostNetwork'];
    if (p[0] === 'ports' && typeof p[1] === 'number' && paths[p[1]]) {
      const rest = p.slice(2).map((s) => (s === 'port' ? 'containerPort' : s));
      return [...paths[p[1]], ...rest];
    }
    return ['metadata', 'name'];
  });
}

function convertWorkload(kind: string, name: string, spec: Obj, nodes: readonly string[], at: At, diags: Diagnostic[], emit: Emit): void {
  const template = asObj(spec.template);
  const tmeta = asObj(template.metadata);
  const tspec = asObj(template.spec);
  const selector = spec.selector;
  if (!isObj(selector)) {
    diags.push(error('manifest.no-selector', `${kind} ${name} has no spec.selector`, at(['spec'], true), `apps/v1 requires it: spec.selector.matchLabels with the labels of spec.template.metadata.labels`));
    return;
  }
  const labels = asObj(tmeta.labels);
  const unmatched = Object.entries(asObj(selector.matchLabels)).filter(([k, v]) => labels[k] !== v);
  if (unmatched.length) {
    diags.push(error('manifest.selector-mismatch', `${kind} ${name}: selector does not match template labels (${unmatched.map(([k, v]) => `${k}=${String(v)}`).join(', ')})`, at(['spec', 'selector']), 'the API server refuses this: give spec.template.metadata.labels every label of spec.selector.matchLabels'));
    return;
  }
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const tspecPath: PathSeg[] = ['spec', 'template', 'spec'];
  if (kind === 'StatefulSet') {
    // a StatefulSet's pods are <name>-0 … <name>-(N-1), each with a stable name, its hostname, and spec.serviceName
    // (the governing headless Service) as its subdomain: <name>-0.<serviceName>.<ns>.svc.cluster.local
    const sub = typeof spec.serviceName === 'string' && spec.serviceName ? { subdomain: spec.serviceName } : {};
    for (let i = 0; i < replicas; i++) convertPod(`${name}-${i}`, tmeta, { ...tspec, hostname: `${name}-${i}`, ...sub }, tspecPath, at, diags, emit, {}, (p) => (p[0] === 'subdomain' ? ['spec', 'serviceName'] : p[0] === 'hostname' ? ['metadata', 'name'] : undefined));
  } else if (kind === 'DaemonSet') {
    for (const node of nodes) convertPod(`${name}-${node}`, tmeta, { ...tspec, nodeName: node }, tspecPath, at, diags, emit);
  } else if (replicas > 0) {
    // replicas: 0 is a scaled-down Deployment: no pods, its Services have no endpoints
    convertPod(name, tmeta, tspec, tspecPath, at, diags, emit, { replicas }, (p) => (p[0] === 'replicas' ? ['spec', 'replicas'] : undefined));
  }
}

/** A VirtualService or DestinationRule: its spec as the cluster's entry; the fields nslab does not apply, warned about. */
function convertIstio(kind: string, name: string, spec: Obj, at: At, diags: Diagnostic[], emit: Emit): void {
  const fields = ISTIO_FIELDS[kind];
  for (const k of Object.keys(spec)) {
    if (!fields.includes(k)) diags.push(warning('manifest.ignored', `${kind} ${name}: spec.${k} is not applied by nslab's sidecar: ignored`, at(['spec', k], true), `nslab applies ${fields.map((f) => `spec.${f}`).join(' and ')}`));
  }
  emit(kind === 'VirtualService' ? 'virtual-services' : 'destination-rules', name, pick(spec, fields), (p) => ['spec', ...p]);
}

function pick(o: Obj, keys: readonly string[]): Obj {
  const r: Obj = {};
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) r[k] = o[k];
  return r;
}

/** A lab file whose `cluster:` has the manifests' entries merged in, positions of those entries in the manifests. */
export interface MergedManifests<F extends { readonly data: unknown; at(path: readonly PathSeg[], key?: boolean): SourcePos }> {
  readonly file: F;
  readonly diagnostics: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
}

/**
 * Merge `cluster.manifests` into `cluster:`: each manifest object becomes the entry it stands for, as if written in
 * the lab file, and a name written in both places is an error at both. The result's `at()` answers for a merged
 * entry with its place in the manifest. A lab without manifests comes back unchanged.
 */
export function mergeManifests<F extends { readonly path: string; readonly data: unknown; at(path: readonly PathSeg[], key?: boolean): SourcePos }>(file: F): MergedManifests<F> {
  const raw = asObj(file.data);
  const cluster = raw.cluster;
  if (!isObj(cluster) || !Array.isArray(cluster.manifests)) return { file, diagnostics: [], sources: new Map() };
  const items = cluster.manifests.flatMap((v, i) => (typeof v === 'string' ? [{ value: v, pos: file.at(['cluster', 'manifests', i]) }] : []));
  const baseDir = join(file.path, '..');
  const set = loadManifests(baseDir, items, Object.keys(asObj(cluster.nodes)));
  const diagnostics = [...set.diagnostics];
  const merged: Obj = { ...cluster };
  const owner = new Map<string, ManifestEntry>();
  for (const e of set.entries) {
    const section = { ...asObj(merged[e.section]) };
    const key = `${e.section}/${e.name}`;
    const earlier = owner.get(key);
    if (section[e.name] !== undefined || earlier) {
      const where = earlier ? `${earlier.origin.file}:${earlier.origin.line}` : `${file.at(['cluster', e.section, e.name], true).file}:${file.at(['cluster', e.section, e.name], true).line}`;
      const what = e.section === 'namespaces' ? 'namespace' : e.section === 'pods' ? 'pod' : e.section === 'services' ? 'service' : e.section === 'ingresses' ? 'ingress' : e.section === 'virtual-services' ? 'VirtualService' : e.section === 'destination-rules' ? 'DestinationRule' : 'network policy';
      diagnostics.push(error('manifest.duplicate', `${what} ${JSON.stringify(e.name)} is defined twice (also at ${where})`, e.origin, e.section === 'namespaces' ? 'define each namespace once' : `nslab names ${what}s across namespaces (each pod is a lab node): rename one`));
      continue;
    }
    section[e.name] = e.value;
    merged[e.section] = section;
    owner.set(key, e);
  }
  const data = { ...raw, cluster: merged };
  const at = (p: readonly PathSeg[], key?: boolean): SourcePos => {
    if (p[0] === 'cluster' && typeof p[1] === 'string' && typeof p[2] === 'string') {
      const e = owner.get(`${p[1]}/${p[2]}`);
      if (e) return p.length === 3 && key ? e.origin : e.at(p.slice(3), key);
    }
    return file.at(p, key);
  };
  return { file: { ...file, data, at }, diagnostics, sources: set.sources };
}

/** The traffic.sidecar.istio.io/* annotations and the sidecar keys they set. */
const ISTIO_ANNOTATION: Record<string, string> = {
  'include-inbound-ports': 'traffic.sidecar.istio.io/includeInboundPorts',
  'exclude-inbound-ports': 'traffic.sidecar.istio.io/excludeInboundPorts',
  'exclude-outbound-ports': 'traffic.sidecar.istio.io/excludeOutboundPorts',
  'include-outbound-cidrs': 'traffic.sidecar.istio.io/includeOutboundIPRanges',
  'exclude-outbound-cidrs': 'traffic.sidecar.istio.io/excludeOutboundIPRanges',
};

/** A pod's Istio annotations as a `sidecar:` (comma-separated lists; `*` for every port or address). */
function istioAnnotations(a: Obj): Obj {
  const out: Obj = {};
  for (const [key, ann] of Object.entries(ISTIO_ANNOTATION)) {
    const v = a[ann];
    if (typeof v !== 'string') continue;
    const items = v.split(',').map((x) => x.trim()).filter(Boolean);
    if (key.endsWith('-cidrs')) out[key] = v.trim() === '*' ? '*' : items;
    else out[key] = v.trim() === '*' ? '*' : items.map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  }
  return out;
}
