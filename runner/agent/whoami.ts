/**
 * nslab's test server: on each port it answers with the node's name and the client address it saw.
 * HTTP requests get a JSON body; a plain TCP client gets one JSON line. Used by labs to make NAT visible.
 */
import { createServer, type Socket } from 'node:net';

export function whoami(name: string, ports: number[]): void {
  for (const port of ports) {
    const server = createServer((sock: Socket) => {
      const client = `${sock.remoteAddress?.replace(/^::ffff:/, '')}`;
      const body = (extra: Record<string, unknown> = {}): string => JSON.stringify({ node: name, client, clientPort: sock.remotePort, port, ...extra });
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
    server.on('error', (e) => {
      process.stderr.write(`whoami: port ${port}: ${e.message}\n`);
      process.exit(1);
    });
    server.listen(port, '::');
  }
  process.on('SIGTERM', () => process.exit(0));
}
