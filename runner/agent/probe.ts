/**
 * nslab's probe: run inside a namespace, it asks nslab's whoami server(s) who answers, N times, in one process.
 *
 *   lab agent probe --to ADDR [--to ADDR…] --port N [--proto tcp|udp] [--count N] [--timeout-ms N] [--source-port N]
 *                   [--max-failures N]
 *
 * Each request is a new TCP connection (or one UDP datagram, from a fresh socket unless --source-port), so
 * kube-proxy balances each one anew. One JSON line per request, printed as it completes:
 *   {"ok":true,"to":"10.96.0.20","seq":1,"node":"web-1","client":"10.244.1.3","clientPort":40522,"port":80,"ms":1.2}
 *   {"ok":false,"to":"10.96.0.20","seq":2,"error":"timeout","ms":1000}
 * The requests to one address are sequential; several addresses are probed side by side (one after the other
 * with --source-port, which cannot be bound twice at once). With --max-failures N the series to an address stops
 * after its N-th failed request: an assertion that can no longer meet its threshold does not wait for the rest.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, isIP } from 'node:net';
import { performance } from 'node:perf_hooks';

export type ProbeProto = 'tcp' | 'udp';

export interface ProbeOptions {
  readonly to: readonly string[];
  readonly port: number;
  readonly proto: ProbeProto;
  readonly count: number;
  readonly timeoutMs: number;
  readonly sourcePort?: number;
  /** Stop the series to an address after this many failed requests. */
  readonly maxFailures?: number;
}

export type ProbeLine =
  | { readonly ok: true; readonly to: string; readonly seq: number; readonly node: string; readonly client: string; readonly clientPort: number; readonly port: number; readonly ms: number }
  | { readonly ok: false; readonly to: string; readonly seq: number; readonly error: string; readonly ms: number };

export const PROBE_USAGE = 'usage: lab agent probe --to ADDR [--to ADDR…] --port N [--proto tcp|udp] [--count N] [--timeout-ms N] [--source-port N] [--max-failures N]';

const int = (name: string, v: string | undefined, min: number, max: number): number => {
  const n = Number(v);
  if (v === undefined || !/^\d+$/.test(v) || n < min || n > max) throw new Error(`probe: --${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(v ?? '')}`);
  return n;
};

/** The probe's options from its argv (what follows `agent probe`); throws with a usage message. */
export function parseProbeArgs(argv: readonly string[]): ProbeOptions {
  const to: string[] = [];
  let port: number | undefined;
  let proto: ProbeProto = 'tcp';
  let count = 1;
  let timeoutMs = 1000;
  let sourcePort: number | undefined;
  let maxFailures: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string | undefined => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--to': {
        const v = value();
        if (!v || isIP(v) === 0) throw new Error(`probe: --to must be an IP address, not ${JSON.stringify(v ?? '')}`);
        to.push(v);
        break;
      }
      case '--port':
        port = int('port', value(), 1, 65535);
        break;
      case '--proto': {
        const v = value();
        if (v !== 'tcp' && v !== 'udp') throw new Error(`probe: --proto must be tcp or udp, not ${JSON.stringify(v ?? '')}`);
        proto = v;
        break;
      }
      case '--count':
        count = int('count', value(), 1, 100000);
        break;
      case '--timeout-ms':
        timeoutMs = int('timeout-ms', value(), 1, 600000);
        break;
      case '--source-port':
        sourcePort = int('source-port', value(), 1, 65535);
        break;
      case '--max-failures':
        maxFailures = int('max-failures', value(), 1, 100000);
        break;
      default:
        throw new Error(`probe: unknown argument ${JSON.stringify(argv[i])}\n${PROBE_USAGE}`);
    }
  }
  if (to.length === 0 || port === undefined) throw new Error(`probe: --to and --port are required\n${PROBE_USAGE}`);
  return { to, port, proto, count, timeoutMs, ...(sourcePort !== undefined ? { sourcePort } : {}), ...(maxFailures !== undefined ? { maxFailures } : {}) };
}

/** The argv after nslab's own command that runs this probe (space-separated options, as `lab`'s parser wants). */
export function probeArgv(o: ProbeOptions): string[] {
  return [
    'agent',
    'probe',
    ...o.to.flatMap((t) => ['--to', t]),
    '--port',
    String(o.port),
    '--proto',
    o.proto,
    '--count',
    String(o.count),
    '--timeout-ms',
    String(o.timeoutMs),
    ...(o.sourcePort !== undefined ? ['--source-port', String(o.sourcePort)] : []),
    ...(o.maxFailures !== undefined ? ['--max-failures', String(o.maxFailures)] : []),
  ];
}

/** How long the whole probe may take, at most, with room for starting Node inside a namespace. */
export function probeRunTimeoutMs(o: ProbeOptions): number {
  const perTarget = o.count * (o.timeoutMs + 50);
  return (o.sourcePort !== undefined ? perTarget * o.to.length : perTarget) + 10000;
}

/** The JSON lines a probe printed (other lines are ignored). */
export function parseProbeOutput(stdout: string): ProbeLine[] {
  const out: ProbeLine[] = [];
  for (const l of stdout.split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      const v = JSON.parse(l) as Record<string, unknown>;
      if (typeof v.ok === 'boolean' && typeof v.to === 'string') out.push(v as unknown as ProbeLine);
    } catch {
      /* not a probe line */
    }
  }
  return out;
}

const ERRORS: Record<string, string> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EACCES: 'not permitted',
  EPERM: 'not permitted',
  EADDRINUSE: 'source port in use',
};

function why(e: unknown): string {
  const code = (e as { code?: string } | undefined)?.code;
  if (code && ERRORS[code]) return ERRORS[code];
  return e instanceof Error ? e.message : String(e);
}

type Answer = { node: string; client: string; clientPort: number; port: number };

function parseAnswer(text: string): Answer | string {
  const first = text.split('\n').find((l) => l.trim() !== '') ?? '';
  try {
    const v = JSON.parse(first) as Record<string, unknown>;
    if (typeof v.node === 'string' && typeof v.client === 'string') {
      return { node: v.node, client: v.client, clientPort: Number(v.clientPort), port: Number(v.port) };
    }
  } catch {
    /* below */
  }
  return `not a whoami answer: ${JSON.stringify(first.slice(0, 80))}`;
}

/** One TCP request: connect, send a newline, read the JSON line. */
function tcpOnce(to: string, o: ProbeOptions): Promise<Answer | string> {
  return new Promise((resolve) => {
    let data = '';
    let settled = false;
    const sock = connect({ host: to, port: o.port, ...(o.sourcePort !== undefined ? { localPort: o.sourcePort } : {}) });
    const finish = (r: Answer | string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish('timeout'), o.timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write('\n'));
    sock.on('data', (d: string) => {
      data += d;
      if (data.includes('\n')) finish(parseAnswer(data));
    });
    sock.on('end', () => finish(data ? parseAnswer(data) : 'closed without an answer'));
    sock.on('error', (e) => finish(why(e)));
  });
}

/** One UDP request on a connected socket: send a newline, wait for the JSON datagram. */
function udpOnce(sock: UdpSocket, o: ProbeOptions): Promise<Answer | string> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: Answer | string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.off('message', onMessage);
      sock.off('error', onError);
      resolve(r);
    };
    const onMessage = (msg: Buffer): void => finish(parseAnswer(msg.toString('utf8')));
    const onError = (e: Error): void => finish(why(e));
    const timer = setTimeout(() => finish('timeout'), o.timeoutMs);
    sock.on('message', onMessage);
    sock.on('error', onError);
    sock.send('\n', (e) => {
      if (e) finish(why(e));
    });
  });
}

async function udpSocket(to: string, o: ProbeOptions): Promise<UdpSocket> {
  const sock = createSocket({ type: isIP(to) === 6 ? 'udp6' : 'udp4', reuseAddr: o.sourcePort !== undefined });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(o.sourcePort ?? 0, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.connect(o.port, to, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  return sock;
}

function closeUdp(sock: UdpSocket | undefined): void {
  try {
    sock?.close();
  } catch {
    /* already closed */
  }
}

async function probeTarget(to: string, o: ProbeOptions, write: (l: ProbeLine) => void): Promise<void> {
  let shared: UdpSocket | undefined;
  let failures = 0;
  try {
    for (let seq = 1; seq <= o.count && !(o.maxFailures !== undefined && failures >= o.maxFailures); seq++) {
      const t0 = performance.now();
      let r: Answer | string;
      if (o.proto === 'tcp') r = await tcpOnce(to, o);
      else {
        let sock: UdpSocket | undefined;
        try {
          sock = o.sourcePort !== undefined ? (shared ??= await udpSocket(to, o)) : await udpSocket(to, o);
          r = await udpOnce(sock, o);
        } catch (e) {
          r = why(e);
        } finally {
          if (o.sourcePort === undefined) closeUdp(sock);
        }
      }
      const ms = Math.round((performance.now() - t0) * 100) / 100;
      if (typeof r === 'string') failures++;
      write(typeof r === 'string' ? { ok: false, to, seq, error: r, ms } : { ok: true, to, seq, ...r, ms });
    }
  } finally {
    closeUdp(shared);
  }
}

/** Run every request, calling `write` with each line as it completes; resolves with all of them. */
export async function runProbe(o: ProbeOptions, write: (l: ProbeLine) => void = () => undefined): Promise<ProbeLine[]> {
  const lines: ProbeLine[] = [];
  const emit = (l: ProbeLine): void => {
    lines.push(l);
    write(l);
  };
  if (o.sourcePort !== undefined) for (const to of o.to) await probeTarget(to, o, emit);
  else await Promise.all(o.to.map((to) => probeTarget(to, o, emit)));
  return lines;
}
