/**
 * nslab's kube-proxy in userspace mode (issue 14.5): `lab agent kube-proxy-userspace --config FILE`, one per node,
 * in the node's namespace. What pkg/proxy/userspace did (Kubernetes ≤ 1.22):
 * - one listening socket per service port, on its own port (the "proxy port"), on every address of the node
 *   (0.0.0.0: the nat table's REDIRECT sends pods' traffic to the address of the interface it came in by);
 * - a TCP connection accepted there is answered by a new connection from the node to an endpoint, chosen by the
 *   round-robin load balancer (LoadBalancerRR): the next endpoint in turn, or, with sessionAffinity ClientIP, the one
 *   this client address had, while it is fresh; a failed dial tries the next endpoint; bytes are copied both ways;
 * - a UDP datagram from a new client address gets a socket of its own to an endpoint, kept for the client's
 *   answers until it is idle (--udp-timeout, 250 ms);
 * - every NodePort is held open (bound) so nothing else takes it (claimNodePort);
 * - no endpoints: a TCP connection is closed at once, a datagram dropped.
 * The configuration file (service port → proxy port → endpoints, written by nslab into the lab's state) is read
 * again when it changes or on SIGHUP, without restarting: new endpoints take effect for new connections, open ones
 * stay. What was applied is written beside it (`<node>.applied.json`: pid, generation, services) for `lab status`
 * and for the actions that change it (they wait until the proxy has applied their generation).
 */
import { createHash } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync, renameSync, unwatchFile, watch, watchFile, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { basename, dirname } from 'node:path';
import { UDP_IDLE_MS, type UserspaceConfig, type UserspaceService } from '../cluster/kube-proxy-userspace.ts';

/** kube-proxy's endpointDialTimeouts: each failed dial tries the next endpoint with a longer timeout. */
const DIAL_TIMEOUTS_MS = [250, 500, 1000, 2000];

const plain = (addr: string | undefined): string => `${addr ?? ''}`.replace(/^::ffff:/, '');

/** LoadBalancerRR for one service port: round-robin, with ClientIP affinity when asked. Pure state, no sockets. */
export class RoundRobin {
  private endpoints: string[] = [];
  private index = 0;
  private readonly affinity = new Map<string, { endpoint: string; last: number }>();
  private affinitySeconds = 0;
  constructor(affinitySeconds: number, endpoints: readonly string[]) {
    this.update(endpoints, affinitySeconds);
  }
  /** New endpoints (an endpoint change): the turn starts again, clients of a gone endpoint lose their affinity. */
  update(endpoints: readonly string[], affinitySeconds: number): void {
    const same = endpoints.length === this.endpoints.length && endpoints.every((e, i) => e === this.endpoints[i]);
    this.affinitySeconds = affinitySeconds;
    if (same) return;
    this.endpoints = [...endpoints];
    this.index = 0;
    for (const [client, a] of this.affinity) if (!this.endpoints.includes(a.endpoint)) this.affinity.delete(client);
  }
  get list(): readonly string[] {
    return this.endpoints;
  }
  /** The endpoint for a new connection from `client` (NextEndpoint); undefined: none. */
  next(client: string, now = Date.now()): string | undefined {
    if (this.endpoints.length === 0) return undefined;
    if (this.affinitySeconds > 0) {
      const a = this.affinity.get(client);
      if (a && now - a.last < this.affinitySeconds * 1000 && this.endpoints.includes(a.endpoint)) {
        a.last = now;
        return a.endpoint;
      }
    }
    const ep = this.endpoints[this.index % this.endpoints.length];
    this.index = (this.index + 1) % this.endpoints.length;
    if (this.affinitySeconds > 0) this.affinity.set(client, { endpoint: ep, last: now });
    return ep;
  }
}

function split(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  return { host: addr.slice(0, i), port: Number(addr.slice(i + 1)) };
}

interface Proxied {
  readonly svc: UserspaceService;
  readonly lb: RoundRobin;
  close(): Promise<void>;
}

type Log = (line: string) => void;

/** Dial endpoints in turn (tryConnectEndpoints) until one answers; undefined when none does. */
function dial(lb: RoundRobin, client: string, log: Log, name: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const attempt = (i: number): void => {
      const ep = lb.next(client);
      if (!ep || i >= DIAL_TIMEOUTS_MS.length) {
        resolve(undefined);
        return;
      }
      const { host, port } = split(ep);
      const out = connect({ host, port });
      const timer = setTimeout(() => out.destroy(new Error('dial timeout')), DIAL_TIMEOUTS_MS[i]);
      out.once('connect', () => {
        clearTimeout(timer);
        out.removeAllListeners('error');
        resolve(out);
      });
      out.once('error', (e) => {
        clearTimeout(timer);
        log(`${name}: dial ${ep} for ${client} failed: ${e.message}`);
        attempt(i + 1);
      });
    };
    attempt(0);
  });
}

function tcpProxy(svc: UserspaceService, lb: RoundRobin, log: Log): Promise<Proxied> {
  const server: Server = createServer((inConn) => {
    const client = plain(inConn.remoteAddress);
    inConn.on('error', () => undefined);
    inConn.pause();
    void dial(lb, client, log, svc.name).then((out) => {
      if (!out) {
        // no endpoint answers: the client's connection is closed (kube-proxy: "Failed to connect to balancer")
        inConn.destroy();
        return;
      }
      out.on('error', () => inConn.destroy());
      inConn.on('error', () => out.destroy());
      inConn.on('close', () => out.destroy());
      out.on('close', () => inConn.destroy());
      inConn.pipe(out);
      out.pipe(inConn);
      inConn.resume();
    });
  });
  return listenTcp(server, svc.proxyPort).then(() => ({ svc, lb, close: () => new Promise<void>((r) => server.close(() => r())) }));
}

function listenTcp(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '0.0.0.0', backlog: 4096 }, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

function bindUdp(sock: UdpSocket, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, '0.0.0.0', () => {
      sock.removeListener('error', reject);
      sock.on('error', () => undefined);
      resolve();
    });
  });
}

function udpProxy(svc: UserspaceService, lb: RoundRobin, log: Log): Promise<Proxied> {
  const sock = createSocket('udp4');
  // one socket per client address to its endpoint (kube-proxy's udpProxySocket clientCache)
  const clients = new Map<string, { out: UdpSocket; timer: NodeJS.Timeout }>();
  const idle = (key: string): NodeJS.Timeout =>
    setTimeout(() => {
      const c = clients.get(key);
      clients.delete(key);
      try {
        c?.out.close();
      } catch {
        /* closed */
      }
    }, UDP_IDLE_MS);
  sock.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let c = clients.get(key);
    if (!c) {
      const ep = lb.next(rinfo.address);
      if (!ep) return;
      const { host, port } = split(ep);
      const out = createSocket('udp4');
      out.on('error', (e) => log(`${svc.name}: udp ${ep} for ${key}: ${e.message}`));
      out.on('message', (reply) => {
        const cur = clients.get(key);
        if (cur) {
          clearTimeout(cur.timer);
          cur.timer = idle(key);
        }
        sock.send(reply, rinfo.port, rinfo.address, () => undefined);
      });
      out.connect(port, host);
      c = { out, timer: idle(key) };
      clients.set(key, c);
      const ready = c;
      out.once('connect', () => ready.out.send(msg));
      return;
    }
    clearTimeout(c.timer);
    c.timer = idle(key);
    try {
      c.out.send(msg);
    } catch {
      /* not connected yet: the first datagram is still on its way */
    }
  });
  return bindUdp(sock, svc.proxyPort).then(() => ({
    svc,
    lb,
    close: () =>
      new Promise<void>((r) => {
        for (const c of clients.values()) {
          clearTimeout(c.timer);
          try {
            c.out.close();
          } catch {
            /* closed */
          }
        }
        sock.close(() => r());
      }),
  }));
}

/** claimNodePort: hold the NodePort itself open, so nothing else on the node can take it. */
async function holdNodePort(svc: UserspaceService): Promise<() => Promise<void>> {
  if (svc.protocol === 'udp') {
    const s = createSocket('udp4');
    await bindUdp(s, svc.nodePort);
    return () => new Promise<void>((r) => s.close(() => r()));
  }
  const server = createServer((c) => c.destroy());
  await listenTcp(server, svc.nodePort);
  return () => new Promise<void>((r) => server.close(() => r()));
}

const keyOf = (s: UserspaceService): string => `${s.name}/${s.protocol}/${s.proxyPort}/${s.nodePort}`;

export interface RunningProxy {
  /** Read the configuration again and apply it; resolves with the generation applied. */
  reload(): Promise<string>;
  readonly generation: string;
  close(): Promise<void>;
}

/** Start the proxy on `configPath`; what it applied goes to `appliedPath` (atomically). */
export async function startUserspaceProxy(configPath: string, appliedPath: string, log: Log): Promise<RunningProxy> {
  const running = new Map<string, Proxied & { closeNodePort?: () => Promise<void> }>();
  let generation = '';
  let chain: Promise<unknown> = Promise.resolve();
  const apply = async (): Promise<string> => {
    const text = readFileSync(configPath, 'utf8');
    const gen = createHash('sha256').update(text).digest('hex').slice(0, 16);
    if (gen === generation) return gen;
    const cfg = JSON.parse(text) as UserspaceConfig;
    const wanted = new Map(cfg.services.map((s) => [keyOf(s), s]));
    for (const [k, p] of running) {
      if (wanted.has(k)) continue;
      running.delete(k);
      await p.close();
      await p.closeNodePort?.();
      log(`closed ${p.svc.name} (${p.svc.protocol}) on proxy port ${p.svc.proxyPort}`);
    }
    for (const [k, s] of wanted) {
      const have = running.get(k);
      if (have) {
        const before = have.lb.list.join(', ');
        have.lb.update(s.endpoints, s.affinitySeconds);
        const after = have.lb.list.join(', ');
        if (before !== after) log(`${s.name}: endpoints ${before || '(none)'} → ${after || '(none)'}`);
        continue;
      }
      const lb = new RoundRobin(s.affinitySeconds, s.endpoints);
      const p = s.protocol === 'udp' ? await udpProxy(s, lb, log) : await tcpProxy(s, lb, log);
      const closeNodePort = s.nodePort ? await holdNodePort(s) : undefined;
      running.set(k, { ...p, closeNodePort });
      log(`opened ${s.name} (${s.protocol}) ${s.clusterIP}:${s.port}${s.nodePort ? ` and node port ${s.nodePort}` : ''} on proxy port ${s.proxyPort} → ${s.endpoints.join(', ') || '(no endpoints)'}${s.affinitySeconds ? ` (ClientIP affinity ${s.affinitySeconds}s)` : ''}`);
    }
    generation = gen;
    const applied = { pid: process.pid, node: cfg.node, generation: gen, appliedAt: new Date().toISOString(), services: [...running.values()].map((p) => ({ name: p.svc.name, protocol: p.svc.protocol, clusterIP: p.svc.clusterIP, port: p.svc.port, nodePort: p.svc.nodePort, proxyPort: p.svc.proxyPort, endpoints: p.lb.list })) };
    const tmp = `${appliedPath}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(applied, null, 2)}\n`);
    renameSync(tmp, appliedPath);
    return gen;
  };
  const reload = (): Promise<string> => {
    const next = chain.then(apply, apply);
    chain = next.catch((e: unknown) => log(`reload failed: ${e instanceof Error ? e.message : String(e)}`));
    return next;
  };
  await reload();
  // the file is replaced by a rename: watch its directory, and poll as a fallback
  let timer: NodeJS.Timeout | undefined;
  const soon = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void reload().catch(() => undefined), 20);
  };
  const watcher = watch(dirname(configPath), (_ev, name) => {
    if (name === basename(configPath)) soon();
  });
  watchFile(configPath, { interval: 1000 }, soon);
  return {
    reload,
    get generation() {
      return generation;
    },
    async close() {
      watcher.close();
      unwatchFile(configPath);
      if (timer) clearTimeout(timer);
      for (const p of running.values()) {
        await p.close();
        await p.closeNodePort?.();
      }
    },
  };
}

/** The agent: serve until SIGTERM; SIGHUP reads the configuration again. A port that cannot be opened ends it (exit 1). */
export function userspaceProxyAgent(configPath: string, appliedPath: string): void {
  const log: Log = (l) => process.stdout.write(`${new Date().toISOString()} ${l}\n`);
  startUserspaceProxy(configPath, appliedPath, log)
    .then((p) => {
      log(`kube-proxy (userspace mode) pid ${process.pid}: serving ${configPath}, generation ${p.generation}`);
      process.on('SIGHUP', () => {
        log('SIGHUP: reading the configuration again');
        void p.reload().catch(() => undefined);
      });
    })
    .catch((e: unknown) => {
      process.stderr.write(`kube-proxy-userspace: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    });
  process.on('SIGTERM', () => process.exit(0));
}
