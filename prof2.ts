import { execa } from 'execa';
import { spawn } from 'node:child_process';
const N = 100;
const names = Array.from({ length: N }, (_, i) => `pp${i}`);
await execa('ip', ['-batch', '-'], { input: names.map((n) => `netns add ${n}`).join('\n') + '\n' });
async function pool(conc: number, fn: (n: string) => Promise<unknown>) {
  const q = [...names];
  const t = performance.now();
  await Promise.all(Array.from({ length: conc }, async () => { for (let n = q.shift(); n; n = q.shift()) await fn(n); }));
  return (performance.now() - t).toFixed(0);
}
const viaSpawn = (args: string[], input: string) => new Promise<void>((res, rej) => { const c = spawn(args[0], args.slice(1), { stdio: ['pipe', 'ignore', 'pipe'] }); c.stdin.end(input); c.on('exit', (code) => (code === 0 ? res() : rej(new Error(String(code))))); });
for (const conc of [2, 4, 8]) {
  console.log('execa lo-only conc', conc, await pool(conc, (n) => execa('ip', ['-n', n, '-batch', '-'], { input: 'link set lo up\n' })));
  console.log('spawn lo-only conc', conc, await pool(conc, (n) => viaSpawn(['ip', '-n', n, '-batch', '-'], 'link set lo up\n')));
  console.log('spawn sysctl conc', conc, await pool(conc, (n) => viaSpawn(['ip', '-n', n, '-batch', '-'], `netns exec ${n} sysctl -qw net.ipv4.ip_forward=0\nlink set lo up\n`)));
}
await execa('ip', ['-batch', '-'], { input: names.map((n) => `netns del ${n}`).join('\n') + '\n' });
