/** Which interfaces of a running lab are administratively down (a `link` action took them down), for the model's prediction. */
import { runProcess } from './process.ts';

/** `node:iface` of every interface that is set down, in the given node namespaces (one `ip -j link` per namespace, in parallel). */
export async function downInterfaces(nodes: readonly { readonly name: string; readonly netns: string }[]): Promise<string[]> {
  const seen = new Set<string>();
  const lists = await Promise.all(
    nodes
      .filter((n) => !seen.has(n.netns) && seen.add(n.netns))
      .map(async (n) => {
        const r = await runProcess(['ip', '-n', n.netns, '-j', 'link', 'show'], { timeoutMs: 2000 });
        try {
          const links = JSON.parse(r.stdout || '[]') as { ifname: string; flags?: string[] }[];
          return links.filter((l) => l.ifname !== 'lo' && !(l.flags ?? []).includes('UP')).map((l) => `${n.name}:${l.ifname}`);
        } catch {
          return [];
        }
      }),
  );
  return lists.flat();
}
