/**
 * A node's `nat:` as iptables-restore input: MASQUERADE out of an interface, DNAT for published ports, and Docker's
 * whole layout (`docker:`), written line for line as dockerd 20.10 writes it (test/unit/fixtures/docker/ holds what
 * the real dockerd wrote on this machine, and test/unit/nat-docker.test.ts compares).
 */
import type { DockerNat, ResolvedNode } from '../model/types.ts';

function hostPort(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** The filter table of Docker's layout: FORWARD policy DROP, DOCKER-USER first, isolation, then the bridge's rules. */
export function dockerFilter(nets: readonly DockerNat[]): string[] {
  const lines = ['*filter', ':FORWARD DROP [0:0]', ':DOCKER - [0:0]', ':DOCKER-ISOLATION-STAGE-1 - [0:0]', ':DOCKER-ISOLATION-STAGE-2 - [0:0]', ':DOCKER-USER - [0:0]'];
  lines.push('-A FORWARD -j DOCKER-USER', '-A FORWARD -j DOCKER-ISOLATION-STAGE-1');
  for (const d of nets) {
    const br = d.bridge;
    lines.push(
      `-A FORWARD -o ${br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
      `-A FORWARD -o ${br} -j DOCKER`,
      `-A FORWARD -i ${br} ! -o ${br} -j ACCEPT`,
      `-A FORWARD -i ${br} -o ${br} -j ACCEPT`,
    );
  }
  for (const d of nets) for (const p of d.publish) lines.push(`-A DOCKER -d ${p.toAddr}/32 ! -i ${d.bridge} -o ${d.bridge} -p ${p.proto} -m ${p.proto} --dport ${p.toPort} -j ACCEPT`);
  for (const d of nets) lines.push(`-A DOCKER-ISOLATION-STAGE-1 -i ${d.bridge} ! -o ${d.bridge} -j DOCKER-ISOLATION-STAGE-2`);
  lines.push('-A DOCKER-ISOLATION-STAGE-1 -j RETURN');
  for (const d of nets) lines.push(`-A DOCKER-ISOLATION-STAGE-2 -o ${d.bridge} -j DROP`);
  lines.push('-A DOCKER-ISOLATION-STAGE-2 -j RETURN', '-A DOCKER-USER -j RETURN', 'COMMIT');
  return lines;
}

/** The nat rules of Docker's layout, in dockerd's order (its chains are declared by the caller). */
function dockerNat(nets: readonly DockerNat[]): { hooks: string[]; postrouting: string[]; docker: string[] } {
  // without the proxy, the host's own packets to 127.0.0.1:PORT are DNATed too (route_localnet lets them out)
  const proxy = nets.every((d) => d.userlandProxy);
  const hooks = ['-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER', `-A OUTPUT ${proxy ? '! -d 127.0.0.0/8 ' : ''}-m addrtype --dst-type LOCAL -j DOCKER`];
  const postrouting: string[] = [];
  const docker: string[] = [];
  for (const d of nets) {
    // without the proxy: the host's own addresses (127.0.0.1 too) masqueraded toward the bridge
    if (!d.userlandProxy) postrouting.push(`-A POSTROUTING -o ${d.bridge} -m addrtype --src-type LOCAL -j MASQUERADE`);
    postrouting.push(`-A POSTROUTING -s ${d.subnet} ! -o ${d.bridge} -j MASQUERADE`);
    // a container reaching its own published port (hairpin): only with the userland proxy off does it happen
    for (const p of d.publish) postrouting.push(`-A POSTROUTING -s ${p.toAddr}/32 -d ${p.toAddr}/32 -p ${p.proto} -m ${p.proto} --dport ${p.toPort} -j MASQUERADE`);
    if (d.userlandProxy) docker.push(`-A DOCKER -i ${d.bridge} -j RETURN`);
  }
  for (const d of nets) {
    for (const p of d.publish) docker.push(`-A DOCKER ${d.userlandProxy ? `! -i ${d.bridge} ` : ''}-p ${p.proto} -m ${p.proto} --dport ${p.port} -j DNAT --to-destination ${hostPort(p.toAddr, p.toPort)}`);
  }
  return { hooks, postrouting, docker };
}

export function natRules(node: ResolvedNode): string | undefined {
  if (!node.nat.length) return undefined;
  const nets = node.nat.filter((r): r is DockerNat => r.type === 'docker');
  const lines = nets.length ? dockerFilter(nets) : [];
  lines.push('*nat');
  const d = nets.length ? dockerNat(nets) : undefined;
  if (d) lines.push(':DOCKER - [0:0]', ...d.hooks);
  for (const r of node.nat) {
    if (r.type === 'masquerade') {
      lines.push(['-A', 'POSTROUTING', ...(r.from ? ['-s', r.from] : []), '-o', r.out, '-j', 'MASQUERADE'].join(' '));
    } else if (r.type === 'dnat') {
      lines.push(['-A', 'PREROUTING', ...(r.in ? ['-i', r.in] : []), '-p', r.proto, '-m', r.proto, '--dport', String(r.port), '-j', 'DNAT', '--to-destination', hostPort(r.toAddr, r.toPort)].join(' '));
    }
  }
  if (d) lines.push(...d.postrouting, ...d.docker);
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** The docker-proxy processes of Docker's layout: one per published port, as dockerd starts them (IPv4 only here; none with userland-proxy: false). */
export function dockerProxies(node: ResolvedNode): { name: string; argv: string[]; rule: DockerNat }[] {
  return node.nat
    .filter((r): r is DockerNat => r.type === 'docker' && r.userlandProxy)
    .flatMap((r) =>
      r.publish.map((p) => ({
        name: `docker-proxy-${p.proto}-${p.port}`,
        argv: ['docker-proxy', '-proto', p.proto, '-host-ip', '0.0.0.0', '-host-port', String(p.port), '-container-ip', p.toAddr, '-container-port', String(p.toPort)],
        rule: r,
      })),
    );
}
