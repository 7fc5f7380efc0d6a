/**
 * nslab's test server: on each port it answers with the node's name and the client address it saw.
 * HTTP requests get a JSON body; a plain TCP client gets one JSON line. Used by labs to make NAT visible.
 * With UDP ports it also answers every datagram with the same JSON line, sent back to where it came from.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';

export interface WhoamiOptions {
  readonly name: string;
  readonly tcpPorts: readonly number[];
  readonly udpPorts?: readonly number[];
  /** Where to listen (default `::`, which takes IPv4 too). */
  readonly host?: string;
  /** The pod's `version` label, told in HTTP answers (canaries, subsets). */
  readonly version?: string;
}

export interface WhoamiServers {
  /** The ports actually listened on (a requested 0 becomes the port the kernel chose), in the order given. */
  readonly tcpPorts: readonly number[];
  readonly udpPorts: readonly number[];
  close(): Promise<void>;
}

const plain = (addr: string | undefined): string => `${addr?.replace(/^::ffff:/, '')}`;

function line(name: string, client: string, clientPort: number | undefined, port: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ node: name, client, clientPort, port, ...extra });
}

/** What an HTTP request asked and carried (issue 13.1): its query's status and delay, its Host and forwarding headers. */
export interface HttpAsk {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly delayMs: number;
  readonly host?: string;
  readonly xForwardedFor?: string;
  readonly xRealIp?: string;
  readonly xForwardedProto?: string;
}

/** A duration of the query (`200ms`, `1s`, `150`: milliseconds), capped at 30 s; 0 when not one. */
function queryDelayMs(v: string | null): number {
  const m = v ? /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(v) : null;
  return m ? Math.min(30_000, Number(m[1]) * (m[2] === 's' ? 1000 : 1)) : 0;
}

/** Parse an HTTP/1.x request head: the method, path, the `?status=` / `?delay=` the client asked for, and the headers shown back. */
export function parseHttpAsk(req: string): HttpAsk | undefined {
  const m = /^(GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH) (\S+) HTTP\/1\.[01]\r?\n/.exec(req);
  if (!m) return undefined;
  const head = req.split(/\r?\n\r?\n/)[0].split(/\r?\n/).slice(1);
  const header = (n: string): string | undefined => head.find((l) => l.toLowerCase().startsWith(`${n}:`))?.slice(n.length + 1).trim();
  const q = new URL(m[2], 'http://x').searchParams;
  const st = Number(q.get('status'));
  return { method: m[1], path: m[2], status: Number.isInteger(st) && st >= 200 && st <= 599 ? st : 200, delayMs: queryDelayMs(q.get('delay')), host: header('host'), xForwardedFor: header('x-forwarded-for'), xRealIp: header('x-real-ip'), xForwardedProto: header('x-forwarded-proto') };
}

const REASONS: Readonly<Record<number, string>> = { 200: 'OK', 201: 'Created', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/** The HTTP answer: the JSON body (node, version, client, host, x-forwarded-for, …) with the status asked for, after the delay asked for. */
export function httpAnswer(ask: HttpAsk, body: Record<string, unknown>): string {
  const fields: Record<string, unknown> = { ...body, path: ask.path, host: ask.host, 'x-forwarded-for': ask.xForwardedFor, 'x-real-ip': ask.xRealIp, 'x-forwarded-proto': ask.xForwardedProto };
  const payload = `${JSON.stringify(fields)}\n`;
  const noBody = ask.method === 'HEAD' || ask.status === 204;
  const extra = body.version !== undefined ? `x-nslab-version: ${String(body.version)}\r\n` : '';
  return `HTTP/1.1 ${ask.status} ${REASONS[ask.status] ?? 'Status'}\r\ncontent-type: application/json\r\ncontent-length: ${noBody ? 0 : Buffer.byteLength(payload)}\r\nx-nslab-node: ${String(body.node)}\r\n${extra}connection: close\r\n\r\n${noBody ? '' : payload}`;
}

function tcpServer(name: string, requested: number, version?: string): Server {
  let port = requested;
  const server = createServer((sock: Socket) => {
    const client = plain(sock.remoteAddress);
    const body = (extra: Record<string, unknown> = {}): string => line(name, client, sock.remotePort, port, { ...(version !== undefined ? { version } : {}), ...extra });
    let done = false;
    const timer = setTimeout(() => {
      if (!done) {
        done = true;
        sock.end(`${body()}\n`);
      }
    }, 300);
    sock.once('data', (d) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const req = d.toString('latin1');
      const ask = parseHttpAsk(req);
      if (ask) {
        const answer = httpAnswer(ask, { node: name, ...(version !== undefined ? { version } : {}), client, clientPort: sock.remotePort, port });
        if (ask.delayMs > 0) setTimeout(() => sock.end(answer), ask.delayMs);
        else sock.end(answer);
      } else {
        sock.end(`${body()}\n`);
      }
    });
    sock.on('error', () => undefined);
  });
  server.on('listening', () => {
    const a = server.address();
    if (a && typeof a === 'object') port = a.port;
  });
  return server;
}

function udpServer(name: string, host: string, requested: number): UdpSocket {
  let port = requested;
  const sock = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', ipv6Only: false });
  sock.on('listening', () => {
    port = sock.address().port;
  });
  sock.on('message', (_msg, rinfo) => {
    sock.send(`${line(name, plain(rinfo.address), rinfo.port, port)}\n`, rinfo.port, rinfo.address, () => undefined);
  });
  return sock;
}

/** Start the servers; resolves once every port listens, rejects (closing what started) when one cannot. */
export async function startWhoami(opts: WhoamiOptions): Promise<WhoamiServers> {
  const host = opts.host ?? '::';
  const tcp: Server[] = [];
  const udp: UdpSocket[] = [];
  const close = async (): Promise<void> => {
    await Promise.all([
      ...tcp.map((s) => new Promise<void>((r) => s.close(() => r()))),
      ...udp.map((s) => new Promise<void>((r) => {
        try {
          s.close(() => r());
        } catch {
          r();
        }
      })),
    ]);
  };
  try {
    for (const port of opts.tcpPorts) {
      const s = tcpServer(opts.name, port, opts.version);
      tcp.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('error', (e) => reject(new Error(`whoami: port ${port}: ${e.message}`)));
        // a long accept queue: many clients may connect at the same moment (the conntrack-snat-race lab)
        s.listen({ port, host, backlog: 4096 }, () => resolve());
      });
    }
    for (const port of opts.udpPorts ?? []) {
      const s = udpServer(opts.name, host, port);
      udp.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('error', (e) => reject(new Error(`whoami: udp port ${port}: ${e.message}`)));
        s.bind(port, host, () => resolve());
      });
      s.on('error', () => undefined);
    }
  } catch (e) {
    await close();
    throw e;
  }
  return {
    tcpPorts: tcp.map((s) => (s.address() as { port: number }).port),
    udpPorts: udp.map((s) => s.address().port),
    close,
  };
}

/** The agent: serve until SIGTERM; a port that cannot be listened on ends the process with exit code 1. */
export function whoami(name: string, ports: number[], udpPorts: number[] = [], version?: string): void {
  startWhoami({ name, tcpPorts: ports, udpPorts, version }).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
  process.on('SIGTERM', () => process.exit(0));
}
