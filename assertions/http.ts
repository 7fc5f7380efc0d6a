/**
 * http: an HTTP request from a node, made with curl inside it; judged on the status, headers and body that came back.
 * curl's `-w '%{json}'` (its own account of the transfer: exit code, error, status, remote address, time) is the last
 * line of its output, after the response itself (`-i`: status line, headers, body).
 */
import { isIP } from 'node:net';
import { formatMs } from '../runner/util/units.ts';
import { abnormalEnd, excerpt, fail, ParamReader, pass, targetText } from './common.ts';
import type { FlowRequest } from '../runner/model/trace.ts';
import type { AssertionDef, ExecResult, Outcome, ResolveContext } from './types.ts';
import schema from './http.schema.json' with { type: 'json' };
import { defaultTolerance, globbedUrl, judgeSplit, parseManyCurl, requestsForTolerance, SPLIT_REQUESTS, SPLIT_WARN, splitRisk, type SplitShare } from './http-split.ts';
import { parsePercent } from '../runner/util/units.ts';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

export interface HttpParams {
  readonly from: string;
  /** The URL curl is given: the host as written (a node name, an address). */
  readonly url: string;
  /** `host:port:address` for curl's --resolve, when the URL names a node (nodes have no DNS names). */
  readonly resolve?: string;
  /** The URL as it reads in texts: `http://h2:8080/` or `http://h2 (10.0.0.2):8080/`. */
  readonly shown: string;
  readonly method: (typeof HTTP_METHODS)[number];
  readonly status: number;
  readonly bodyContains?: string;
  /** Headers that must be there, each with a piece its value must contain (names compared case-blind). */
  readonly headers: readonly { readonly name: string; readonly contains: string }[];
  readonly timeoutMs: number;
  /** Many requests (issue 13.3): how many, and the split by version they must show (assertions/http-split.ts). */
  readonly requests?: number;
  readonly split?: readonly SplitShare[];
  /** Each share's allowed distance, a fraction (0.05 = ±5 points); written, or the binomial default. */
  readonly tolerance?: number;
  readonly toleranceWritten?: boolean;
  /** `host:port:address:port` for curl's --connect-to: an ingress host reached through the controller's Service. */
  readonly connectTo?: string;
  /** Headers sent with the request (`headers:`), e.g. Host. */
  readonly sendHeaders?: readonly { readonly name: string; readonly value: string }[];
  /** The CA file curl trusts for https (the lab CA by default, where the lab has one). */
  readonly cacert?: string;
  /** expect.body: a regular expression the body must match. */
  readonly bodyMatch?: string;
  /** expect.headers: headers that must be there, each with a regular expression its value must match. */
  readonly headerMatch?: readonly { readonly name: string; readonly pattern: string }[];
}

/** What curl's `%{json}` says of the transfer (the fields used here). */
export interface CurlSummary {
  readonly exitcode: number;
  readonly errormsg: string | null;
  readonly response_code: number;
  readonly remote_ip: string;
  readonly remote_port: number;
  readonly time_total: number;
  readonly size_download: number;
}

export interface HttpResponse {
  readonly summary: CurlSummary;
  /** The status line (`HTTP/1.1 200 OK`), when a response came. */
  readonly statusLine?: string;
  /** Header lines of the final response, names in lower case. */
  readonly headers: readonly { readonly name: string; readonly value: string }[];
  readonly body: string;
}

const bracket = (address: string): string => (address.includes(':') ? `[${address}]` : address);

/** The readable part: the response with its headers; `-w` and its JSON are for the judge. */
export function curlArgv(p: HttpParams, withSummary = true): string[] {
  const argv = ['curl', '-sS', p.method === 'HEAD' ? '-I' : '-i'];
  if (p.method !== 'GET' && p.method !== 'HEAD') argv.push('-X', p.method);
  argv.push('--max-time', String(p.timeoutMs / 1000));
  if (p.resolve) argv.push('--resolve', p.resolve);
  argv.push(...ingressCurlArgs(p));
  if (withSummary) argv.push('-w', '\\n%{json}');
  argv.push(p.url);
  return argv;
}

/** What the exercise says of the options of issue 13.1. */
function ingressHint(p: HttpParams): string {
  const parts: string[] = [];
  if (p.connectTo) parts.push(`--connect-to sends the connection to ${p.connectTo.split(':').slice(2).join(':')} while the Host header and the TLS server name stay ${new URL(p.url).hostname}`);
  if (p.cacert && p.url.startsWith('https:')) parts.push('--cacert trusts the lab CA that signed the certificate');
  return parts.length ? `; ${parts.join('; ')}` : '';
}

/** The curl options of issue 13.1 (Ingress): --connect-to, the headers sent, the CA trusted for https. */
export function ingressCurlArgs(p: HttpParams): string[] {
  const argv: string[] = [];
  if (p.connectTo) argv.push('--connect-to', p.connectTo);
  for (const h of p.sendHeaders ?? []) argv.push('-H', `${h.name}: ${h.value}`);
  if (p.cacert && p.url.startsWith('https:')) argv.push('--cacert', p.cacert);
  return argv;
}

/** Many requests: one curl, the URL globbed N times; each answer's body, then (for the judge) its `%{json}` line. */
export function curlManyArgv(p: HttpParams, withSummary = true): string[] {
  const argv = ['curl', '-sS'];
  if (p.method !== 'GET') argv.push('-X', p.method);
  argv.push('--max-time', String(p.timeoutMs / 1000));
  if (p.resolve) argv.push('--resolve', p.resolve);
  argv.push(...ingressCurlArgs(p));
  if (withSummary) argv.push('-w', '\\n%{json}\\n');
  argv.push(globbedUrl(p.url, p.requests ?? 1));
  return argv;
}

const isMany = (p: HttpParams): boolean => (p.requests ?? 1) > 1 || p.split !== undefined;

export const httpExecTimeoutMs = (p: HttpParams): number => p.timeoutMs + 3000 + (isMany(p) ? (p.requests ?? 1) * 250 : 0);

/** Split curl's output into the response (status line, headers, body) and its `-w '\n%{json}'` summary. */
export function parseCurl(stdout: string): HttpResponse | undefined {
  const nl = stdout.lastIndexOf('\n');
  let summary: CurlSummary;
  try {
    summary = JSON.parse(stdout.slice(nl + 1)) as CurlSummary;
  } catch {
    return undefined;
  }
  if (typeof summary?.exitcode !== 'number') return undefined;
  let rest = nl < 0 ? '' : stdout.slice(0, nl);
  let statusLine: string | undefined;
  let headers: { name: string; value: string }[] = [];
  // interim responses (100 Continue) come first, each a block of its own
  while (/^HTTP\/[\d.]+ \d{3}/.test(rest)) {
    const end = rest.search(/\r?\n\r?\n/);
    const block = end < 0 ? rest : rest.slice(0, end);
    rest = end < 0 ? '' : rest.slice(end).replace(/^\r?\n\r?\n/, '');
    const [first, ...lines] = block.split(/\r?\n/);
    statusLine = first;
    headers = lines.filter((l) => l.includes(':')).map((l) => ({ name: l.slice(0, l.indexOf(':')).trim().toLowerCase(), value: l.slice(l.indexOf(':') + 1).trim() }));
    if (!/^HTTP\/[\d.]+ 1\d\d/.test(first)) break;
  }
  return { summary, statusLine, headers, body: rest };
}

export function expectedText(p: HttpParams): string {
  if (isMany(p)) return expectedManyText(p);
  const parts = [`${p.method} ${p.shown} from ${p.from}: status ${p.status}`];
  for (const h of p.headers) parts.push(`header ${h.name} containing ${JSON.stringify(h.contains)}`);
  if (p.bodyContains !== undefined) parts.push(`a body containing ${JSON.stringify(p.bodyContains)}`);
  parts.push(...matchExpectedText(p));
  return parts.join(', ');
}

const pctText = (x: number): string => `${Math.round(x * 1000) / 10}%`;

function expectedManyText(p: HttpParams): string {
  const sent = (p.sendHeaders ?? []).map((h) => ` with ${h.name}: ${h.value}`).join('');
  const head = `${p.requests} × ${p.method} ${p.shown}${sent} from ${p.from}: status ${p.status} every time`;
  if (!p.split) return head;
  const tol = `±${pctText(p.tolerance ?? 0)} each${p.toleranceWritten ? '' : ' (binomial, for this many requests)'}`;
  return `${head}, answered ${p.split.map((s) => `${s.version} ${pctText(s.share)}`).join(' / ')} ${tol}`;
}

/** Many requests: every answer with the expected status, and the versions in the split's shares. */
export function judgeHttpMany(p: HttpParams, r: ExecResult): Outcome {
  const expected = expectedText(p);
  const bad = abnormalEnd(r, httpExecTimeoutMs(p));
  if (bad) return fail(expected, bad, r.command);
  const answers = parseManyCurl(r.stdout);
  const n = p.requests ?? 1;
  const failed = answers.filter((a) => a.summary.exitcode !== 0);
  const wrong = answers.filter((a) => a.summary.exitcode === 0 && a.summary.response_code !== p.status);
  const problems: string[] = [];
  if (answers.length < n) problems.push(`curl reported ${answers.length} of ${n} requests`);
  if (failed.length) problems.push(`${failed.length} of ${n} requests got no response (${failed[0].summary.errormsg ?? `curl exit code ${failed[0].summary.exitcode}`})`);
  if (wrong.length) problems.push(`${wrong.length} of ${n} answers had status ${[...new Set(wrong.map((a) => a.summary.response_code))].join('/')}, not ${p.status}${wrong[0].body ? ` (${excerpt(wrong[0].body, 1, 80)})` : ''}`);
  const good = answers.filter((a) => a.summary.exitcode === 0 && a.summary.response_code === p.status);
  const verdict = p.split ? judgeSplit(good, p.split, p.tolerance ?? 0) : undefined;
  const pods = new Set(good.map((a) => a.pod).filter(Boolean));
  const seen = `${good.length} of ${n} answered ${p.status}${verdict ? `; split ${verdict.measured}` : ''}${pods.size ? ` from ${pods.size} pod${pods.size === 1 ? '' : 's'}` : ''}`;
  if (verdict) problems.push(...verdict.problems);
  const details = { requests: n, answered: good.length, ...(verdict ? { split: verdict.counts, tolerance: p.tolerance } : {}) };
  return problems.length ? fail(expected, `${problems.join('; ')} — ${seen}`, r.command, { details }) : pass(expected, seen, r.command, { details });
}

/** requests, split, tolerance and the request headers, as written (issue 13.3). */
function manyParams(r: ParamReader, raw: Record<string, unknown>): Pick<HttpParams, 'sendHeaders' | 'requests' | 'split' | 'tolerance' | 'toleranceWritten'> {
  const sendHeaders = raw.headers && typeof raw.headers === 'object' ? Object.entries(raw.headers as Record<string, unknown>).map(([name, value]) => ({ name, value: String(value) })) : undefined;
  const out: { -readonly [K in keyof HttpParams]?: HttpParams[K] } = sendHeaders?.length ? { sendHeaders } : {};
  const rawSplit = raw.split && typeof raw.split === 'object' ? (raw.split as Record<string, unknown>) : undefined;
  const requests = r.integer('requests', rawSplit ? SPLIT_REQUESTS : 1, 1, 2000);
  if (requests > 1 || rawSplit) out.requests = requests;
  if (!rawSplit) {
    if (r.has('tolerance')) r.fail('tolerance', 'http.tolerance needs a split to apply to', 'add split: { v1: 90%, v2: 10% }, or leave tolerance out');
    return out;
  }
  const split: SplitShare[] = [];
  for (const [version, v] of Object.entries(rawSplit)) {
    const pc = parsePercent(v);
    if (pc === undefined) return (r.fail('split', `http.split.${version}: ${JSON.stringify(v)} is not a percentage`, 'write a share such as 90% or 10'), out);
    split.push({ version, share: pc / 100 });
  }
  const sum = Math.round(split.reduce((a, s) => a + s.share, 0) * 1e6) / 1e4;
  if (sum !== 100) {
    r.fail('split', `http.split adds up to ${sum}%, not 100% (${split.map((s) => `${s.version} ${pctText(s.share)}`).join(' + ')})`, 'the shares of all versions that may answer add up to 100%: e.g. { v1: 90%, v2: 10% }');
    return out;
  }
  out.split = split;
  if (r.has('tolerance')) {
    const t = parsePercent(raw.tolerance);
    if (t === undefined) return (r.shape('tolerance', 'must be a percentage, e.g. 5%'), out);
    out.tolerance = t / 100;
    out.toleranceWritten = true;
    const risk = splitRisk(requests, split, out.tolerance);
    if (risk > SPLIT_WARN) {
      const n = requestsForTolerance(split, out.tolerance);
      r.warn('tolerance', `with ${requests} requests, a true ${split.map((s) => pctText(s.share)).join('/')} split misses ±${t}% in about ${pctText(risk)} of runs (binomial)`, n ? `send requests: ${n} or more, or leave tolerance out for the sound default (±${pctText(defaultTolerance(requests, split))} at ${requests})` : `leave tolerance out for the sound default (±${pctText(defaultTolerance(requests, split))} at ${requests})`);
    }
  } else out.tolerance = defaultTolerance(requests, split);
  return out;
}

function seenText(res: HttpResponse): string {
  const s = res.summary;
  const type = res.headers.find((h) => h.name === 'content-type')?.value;
  const bytes = `${s.size_download} byte${s.size_download === 1 ? '' : 's'}${type ? ` of ${type.split(';')[0]}` : ''}`;
  const body = excerpt(res.body, 1, 120);
  return `${res.statusLine ?? `HTTP ${s.response_code}`} (${bytes}) from ${bracket(s.remote_ip)}:${s.remote_port} in ${formatMs(s.time_total * 1000)}${body ? `; body: ${body}` : ''}`;
}

export function judgeHttp(p: HttpParams, r: ExecResult): Outcome {
  const expected = expectedText(p);
  const bad = abnormalEnd(r, httpExecTimeoutMs(p));
  if (bad) return fail(expected, bad, r.command);
  const res = parseCurl(r.stdout);
  if (!res) return fail(expected, `curl printed no summary (exit code ${r.exitCode})${r.stderr ? `: ${excerpt(r.stderr, 2)}` : ''}`, r.command);
  const s = res.summary;
  if (s.exitcode !== 0) return fail(expected, `no response: ${s.errormsg ?? excerpt(r.stderr, 2)} (curl exit code ${s.exitcode})`, r.command, { details: { exitcode: s.exitcode } });
  const seen = seenText(res);
  const details = { status: s.response_code, remote: `${s.remote_ip}:${s.remote_port}`, timeMs: s.time_total * 1000, headers: res.headers };
  const problems: string[] = [];
  if (s.response_code !== p.status) problems.push(`status ${s.response_code}, not ${p.status}`);
  for (const h of p.headers) {
    const got = res.headers.filter((x) => x.name === h.name.toLowerCase());
    if (!got.length) problems.push(`no header ${h.name}`);
    else if (!got.some((x) => x.value.includes(h.contains))) problems.push(`header ${h.name} is ${JSON.stringify(got[0].value)}`);
  }
  if (p.bodyContains !== undefined && !res.body.includes(p.bodyContains)) problems.push(`the body does not contain ${JSON.stringify(p.bodyContains)}`);
  problems.push(...matchProblems(p, res));
  return problems.length ? fail(expected, `${problems.join('; ')} — ${seen}`, r.command, { details }) : pass(expected, seen, r.command, { details });
}

const listText = (xs: readonly string[]): string => (xs.length > 1 ? `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}` : xs[0]);

interface Place {
  readonly url: string;
  readonly shown: string;
  readonly resolve?: string;
  readonly connectTo?: string;
}

/**
 * A URL host of the cluster (issue 13.1): an ingress rule's host, reached through the controller's Service (its
 * ClusterIP from inside the cluster; from outside, its LoadBalancer address or a node's NodePort; curl's
 * --connect-to keeps Host and SNI).
 */
function ingressPlace(u: URL, from: string | undefined, ctx: ResolveContext): Place | undefined {
  const c = ctx.cluster?.();
  if (!c) return undefined;
  const https = u.protocol === 'https:';
  const port = Number(u.port || (https ? 443 : 80));
  const host = u.hostname;
  const rest = `${u.pathname}${u.search}`;
  const ic = c.ingress;
  if (ic && ic.ingresses.some((i) => i.rules.some((r) => r.host === host || (r.host?.startsWith('*.') && host.endsWith(r.host.slice(1)))))) {
    const svc = c.services.find((s) => s.name === ic.service && s.namespace === ic.namespace);
    const sp = svc?.ports.find((p) => p.port === (https ? 443 : 80));
    if (!svc || !sp) return undefined;
    const inCluster = from !== undefined && (c.pods.some((p) => p.name === from) || c.nodes.some((n) => n.name === from));
    if (inCluster && svc.clusterIP) return { url: u.toString(), shown: `${u.protocol}//${host} (Service ${ic.namespace}/${ic.service} ${svc.clusterIP}:${sp.port})${rest}`, connectTo: `${host}:${port}:${svc.clusterIP}:${sp.port}` };
    if (svc.type === 'LoadBalancer' && svc.loadBalancerIP) return { url: u.toString(), shown: `${u.protocol}//${host} (LoadBalancer ${svc.loadBalancerIP}:${sp.port})${rest}`, connectTo: `${host}:${port}:${svc.loadBalancerIP}:${sp.port}` };
    const node = c.nodes[0];
    if (node && sp.nodePort) return { url: u.toString(), shown: `${u.protocol}//${host} (NodePort ${node.name} ${node.ip}:${sp.nodePort})${rest}`, connectTo: `${host}:${port}:${node.ip}:${sp.nodePort}` };
  }
  return undefined;
}

/** A Service name as a URL host (`web`, `web.ns`, `web.ns.svc`, `web.ns.svc.cluster.local`): its ClusterIP, told to curl with --resolve. */
function servicePlace(u: URL, ctx: ResolveContext): Place | undefined {
  const c = ctx.cluster?.();
  if (!c) return undefined;
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const host = u.hostname;
  const rest = `${u.pathname}${u.search}`;
  const [name, ns] = host.split('.');
  const svc = c.services.find((s) => s.name === name && (ns === undefined || s.namespace === ns) && s.clusterIP && s.clusterIP !== 'None');
  if (svc && (host === name || host === `${name}.${svc.namespace}` || host === `${name}.${svc.namespace}.svc` || host === `${name}.${svc.namespace}.svc.cluster.local`)) {
    return { url: u.toString(), shown: `${u.protocol}//${host} (Service ${svc.clusterIP})${u.port ? `:${u.port}` : ''}${rest}`, resolve: `${host}:${port}:${svc.clusterIP}` };
  }
  return undefined;
}

/** `headers:` (sent) and `ca:` of issue 13.1: the request's headers, and the CA file for https (the lab's by default). */
function requestExtras(r: ParamReader, ctx: ResolveContext): Pick<HttpParams, 'sendHeaders' | 'cacert'> {
  const raw = r.raw.headers;
  const sendHeaders = raw && typeof raw === 'object' ? Object.entries(raw as Record<string, unknown>).map(([name, value]) => ({ name, value: String(value) })) : [];
  const ca = typeof r.raw.ca === 'string' ? r.raw.ca : 'lab';
  const labCa = ctx.cluster?.()?.ingress?.caFile;
  if (ca === 'lab' && typeof r.raw.url === 'string' && r.raw.url.startsWith('https:') && !labCa && r.raw.ca !== undefined) r.fail('ca', 'http.ca: lab, and this lab has no CA (it is made for a cluster with ingresses)', 'leave ca out, or give the path of a CA certificate');
  const cacert = ca === 'lab' ? labCa : ca === 'system' ? undefined : ca;
  return { ...(sendHeaders.length ? { sendHeaders } : {}), ...(cacert ? { cacert } : {}) };
}

/** expect.body and expect.headers: regular expressions (checked when the test is read). */
function matchExpect(r: ParamReader): Pick<HttpParams, 'bodyMatch' | 'headerMatch'> {
  const expect = (r.raw.expect && typeof r.raw.expect === 'object' ? r.raw.expect : {}) as Record<string, unknown>;
  const ok = (pattern: string, what: string): boolean => {
    try {
      new RegExp(pattern);
      return true;
    } catch (e) {
      r.fail('expect', `http.expect.${what}: ${JSON.stringify(pattern)} is not a regular expression: ${e instanceof Error ? e.message : String(e)}`, 'a JavaScript regular expression, e.g. "node\\W+web-1"');
      return false;
    }
  };
  const bodyMatch = typeof expect.body === 'string' && ok(expect.body, 'body') ? expect.body : undefined;
  const hs = expect.headers && typeof expect.headers === 'object' ? Object.entries(expect.headers as Record<string, unknown>) : [];
  const headerMatch = hs.filter(([name, v]) => ok(String(v), `headers.${name}`)).map(([name, v]) => ({ name, pattern: String(v) }));
  return { ...(bodyMatch !== undefined ? { bodyMatch } : {}), ...(headerMatch.length ? { headerMatch } : {}) };
}

function matchExpectedText(p: HttpParams): string[] {
  const parts: string[] = [];
  for (const h of p.headerMatch ?? []) parts.push(`header ${h.name} matching /${h.pattern}/`);
  if (p.bodyMatch !== undefined) parts.push(`a body matching /${p.bodyMatch}/`);
  return parts;
}

function matchProblems(p: HttpParams, res: HttpResponse): string[] {
  const problems: string[] = [];
  for (const h of p.headerMatch ?? []) {
    const got = res.headers.filter((x) => x.name === h.name.toLowerCase());
    if (!got.length) problems.push(`no header ${h.name}`);
    else if (!got.some((x) => new RegExp(h.pattern).test(x.value))) problems.push(`header ${h.name} is ${JSON.stringify(got[0].value)}, not matching /${h.pattern}/`);
  }
  if (p.bodyMatch !== undefined && !new RegExp(p.bodyMatch).test(res.body)) problems.push(`the body does not match /${p.bodyMatch}/`);
  return problems;
}

/** `url:` as written: its host is an address, or a node whose address curl is told with --resolve. */
function placeOfUrl(r: ParamReader, from: string | undefined, ctx: ResolveContext): Place | undefined {
  const text = r.string('url');
  if (text === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return r.fail('url', `http.url: ${JSON.stringify(text)} is not a URL`, 'write e.g. http://h2:8080/path');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return r.fail('url', `http.url: ${u.protocol} URLs are not supported`, 'write an http:// or https:// URL');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return { url: text, shown: text };
  const ingress = ingressPlace(u, from, ctx);
  if (ingress) return ingress;
  // family: 6 (issue 14.1): a node named in the URL stands for its IPv6 address (curl --resolve to it)
  const t = ctx.target(host, from, r.raw.family === 4 || r.raw.family === 6 ? r.raw.family : undefined);
  // a node's name first (as before Services could be named), then a Service's
  const service = t.ok ? undefined : servicePlace(u, ctx);
  if (service) return service;
  if (!t.ok) return r.fail('url', `http.url: ${t.message}`, t.hint ?? 'the host of the URL is a node name or an address', 'test.target');
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return { url: text, shown: `${u.protocol}//${targetText(host, t.address)}:${port}${u.pathname}${u.search}`, resolve: `${host}:${port}:${bracket(t.address)}` };
}

/** `to:`, `port:` and `path:`. */
function placeOfTarget(r: ParamReader, from: string | undefined): Place | undefined {
  const to = r.target('to', from);
  const port = r.integer('port', 80, 1, 65535);
  const path = r.string('path') ?? '/';
  if (!path.startsWith('/')) return r.fail('path', `http.path must start with /, not ${JSON.stringify(path)}`, `write /${path}`);
  if (!to) return undefined;
  return { url: `http://${bracket(to.address)}:${port}${path}`, shown: `http://${targetText(to.text, to.address)}:${port}${path}` };
}

function headersOf(r: ParamReader): { name: string; contains: string }[] {
  const expect = r.raw.expect;
  const raw = expect && typeof expect === 'object' ? (expect as Record<string, unknown>).header : undefined;
  if (!raw || typeof raw !== 'object') return [];
  return Object.entries(raw as Record<string, unknown>).map(([name, v]) => ({ name, contains: String(v) }));
}

/** The connection curl makes: to the address the URL's host stands for (its --resolve, or the address in it). */
export function httpFlow(p: HttpParams): FlowRequest {
  const u = new URL(p.url);
  if (p.connectTo) {
    const [, , address, port] = p.connectTo.split(':');
    return { from: p.from, to: address, proto: 'tcp', port: Number(port) };
  }
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  const address = p.resolve ? p.resolve.split(':').slice(2).join(':').replace(/^\[(.*)\]$/, '$1') : u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { from: p.from, to: address, proto: 'tcp', port };
}

/** The host a URL names, without IPv6 brackets; undefined when it does not parse. */
function urlHost(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

export const http: AssertionDef<HttpParams> = {
  type: 'http',
  schema,
  flows: (p) => [httpFlow(p)],
  nodes: (p, n) => [p.from, n.nodeOf(urlHost(p.url)), p.resolve && n.nodeOf(p.resolve.split(':').slice(2).join(':'))],
  describe: (p) => `http ${p.from} → ${p.shown}${p.method === 'GET' ? '' : ` (${p.method})`}`,
  resolve(raw, ctx) {
    const r = new ParamReader('http', raw, ctx);
    const from = r.node('from');
    if (r.has('url') && (r.has('to') || r.has('port') || r.has('path'))) r.fail('url', 'http: give url, or to (with port and path), not both', 'url: http://h2:8080/path is the same as to: h2, port: 8080, path: /path');
    else if (!r.has('url') && !r.has('to')) r.shape('url', 'url or to is required');
    const place = r.has('url') ? placeOfUrl(r, from, ctx) : placeOfTarget(r, from);
    const method = r.oneOf('method', HTTP_METHODS, 'GET');
    const expect = (raw.expect && typeof raw.expect === 'object' ? raw.expect : {}) as Record<string, unknown>;
    const status = typeof expect.status === 'number' ? expect.status : 200;
    const bodyContains = typeof expect['body-contains'] === 'string' ? expect['body-contains'] : undefined;
    if (bodyContains !== undefined && method === 'HEAD') r.fail('expect', 'http: a HEAD request gets no body', 'use GET to look at the body, or leave body-contains out');
    const timeoutMs = r.durationMs('timeout', 5000);
    if (timeoutMs <= 0) r.fail('timeout', 'http.timeout must be more than 0', 'leave it out for the default of 5s');
    const many = manyParams(r, raw as Record<string, unknown>);
    if (many.requests && many.requests > 1 && (bodyContains !== undefined || headersOf(r).length)) r.fail('expect', 'http: with requests, only expect.status is judged (on every answer)', 'make a separate test for the body or headers of one answer');
    if (!from || !place) return r.result(undefined);
    const extras = { ...requestExtras(r, ctx), ...matchExpect(r) };
    return r.result<HttpParams>({ from, ...place, method, status, bodyContains, headers: headersOf(r), timeoutMs, ...extras, ...many });
  },
  async run(p, ctx) {
    const r = await ctx.exec(p.from, isMany(p) ? curlManyArgv(p) : curlArgv(p), { timeoutMs: httpExecTimeoutMs(p) });
    return isMany(p) ? judgeHttpMany(p, r) : judgeHttp(p, r);
  },
  exercise(p, ctx) {
    if (isMany(p)) return exerciseMany(p, ctx);
    return {
      doThis: `From ${p.from}, send ${p.method} ${p.shown} with curl and read ${listText(['the status line', ...(p.headers.length ? ['the headers'] : []), ...(p.bodyContains !== undefined ? ['the body'] : [])])}.`,
      commands: [ctx.inNode(p.from, curlArgv(p, false))],
      expect: expectedText(p),
      hint: `The first line is the status (HTTP/1.1 ${p.status} …), then the headers, an empty line and the body${p.resolve ? '; --resolve tells curl the address the name stands for, as the lab has no DNS names for it' : ''}${ingressHint(p)}`,
    };
  },
};

/** The exercise of many requests: the same curl, and the answers' versions counted. */
function exerciseMany(p: HttpParams, ctx: Parameters<NonNullable<AssertionDef<HttpParams>['exercise']>>[1]): ReturnType<NonNullable<AssertionDef<HttpParams>['exercise']>> {
  return {
    doThis: `From ${p.from}, send ${p.requests} requests to ${p.shown}${(p.sendHeaders ?? []).map((h) => ` with ${h.name}: ${h.value}`).join('')} with one curl (the [1-${p.requests}] in the URL makes it ${p.requests} URLs) and count which ${p.split ? 'version' : 'pod'} answered each.`,
    commands: [ctx.inNode(p.from, curlManyArgv(p, false))],
    expect: expectedText(p),
    hint: 'Each answer is one JSON line from the pod that answered, with its name and its version label; pipe the output into `grep -o \'"version":"[^"]*"\' | sort | uniq -c` to count them',
  };
}
