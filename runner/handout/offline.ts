/**
 * What in an HTML text would make a browser fetch something from outside the file: an attribute of any tag (src,
 * href, xlink:href, action, …) holding a web address, a tag that loads something (script, link, img, iframe, …),
 * or CSS that does (@import, url(…)). Web addresses in the text (a curl command of an exercise) are words, not
 * references, and XML namespace declarations (xmlns="http://www.w3.org/2000/svg") are names. The handout tests use it.
 */
export function remoteReferences(html: string): string[] {
  const found: string[] = [];
  for (const tag of html.match(/<[a-zA-Z][^>]*>/g) ?? []) {
    for (const m of tag.matchAll(/([\w:-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/g)) {
      const [, name, value] = m;
      if (/^xmlns(:\w+)?$/i.test(name)) continue;
      if (/(https?:|ftp:|\/\/)/i.test(value)) found.push(`${name}=${value} in ${tag.slice(0, 60)}`);
    }
    if (/^<(script|link|img|iframe|object|embed|video|audio|source|base|track|portal)\b/i.test(tag)) found.push(tag.slice(0, 80));
  }
  for (const m of html.matchAll(/@import|url\(\s*['"]?(?!#)[^)]*\)/gi)) found.push(m[0]);
  return found;
}
