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

function tcpServer(name: string, requested: number): Server {
  let port = requested;
  const server = createServer((sock: Socket) => {
    const client = plain(sock.remoteAddress);
    const body = (extra: Record<string, unknown> = {}): string => line(name, client, sock.remotePort, port, extra);
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
      const m = /^(GET|HEAD|POST|PUT|DELETE|OPTIONS) (\S+) HTTP\/1\.[01]/.exec(req);
      if (m) {
        const payload = `${body({ path: m[2] })}\n`;
        sock.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\nconnection: close\r\n\r\n${m[1] === 'HEAD' ? '' : payload}`);
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
      const s = tcpServer(opts.name, port);
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
export function whoami(name: string, ports: number[], udpPorts: number[] = []): void {
  startWhoami({ name, tcpPorts: ports, udpPorts }).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
  process.on('SIGTERM', () => process.exit(0));
}
