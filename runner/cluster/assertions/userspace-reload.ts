/**
 * kube-proxy userspace mode (issue 14.5): how an action that changes the endpoints (delete-pod, k8s-node, and any
 * later live change) hands them to a node's running proxy, without restarting it: the new configuration is written
 * beside the old one and renamed over it (the proxy watches the file, and re-reads it on SIGHUP too), then the
 * action waits until the proxy's record (`<node>.applied.json`) names the new generation.
 */
import { createHash } from 'node:crypto';
import type { ExecResult, RunContext } from '../../../assertions/types.ts';
import { userspacePaths } from '../kube-proxy-userspace.ts';

/** The generation the proxy records for a configuration text: the first 16 hex digits of its SHA-256. */
export const configGeneration = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

const APPLY_TIMEOUT_MS = 5000;

/** Write `config` as `node`'s proxy configuration and wait until its proxy applied it; failures go to `check`/`failures`. */
export async function reloadUserspaceProxy(ctx: RunContext, node: string, config: string, check: (r: ExecResult, what: string) => void, failures: string[]): Promise<void> {
  if (!ctx.labDir) {
    failures.push(`${node}: no lab behind this run: the proxy's configuration has no place`);
    return;
  }
  const p = userspacePaths(ctx.labDir, node);
  const tmp = `${p.config}.new`;
  const w = await ctx.exec(node, ['tee', tmp], { input: config, timeoutMs: 10000 });
  check({ ...w, stdout: '' }, `${node}: write ${tmp}`);
  if (w.exitCode !== 0) return;
  const mv = await ctx.exec(node, ['mv', '-f', tmp, p.config], { timeoutMs: 10000 });
  check(mv, `${node}: mv ${tmp} ${p.config}`);
  if (mv.exitCode !== 0) return;
  const want = configGeneration(config);
  const t0 = Date.now();
  let seen = '';
  while (Date.now() - t0 < APPLY_TIMEOUT_MS) {
    const r = await ctx.exec(node, ['cat', p.applied], { timeoutMs: 5000 });
    try {
      seen = (JSON.parse(r.stdout) as { generation?: string }).generation ?? '';
    } catch {
      seen = '';
    }
    if (seen === want) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  failures.push(`${node}: the user-space proxy did not apply its new configuration (generation ${want}) within ${APPLY_TIMEOUT_MS} ms; it reports ${seen || 'nothing'} in ${p.applied}`);
}
