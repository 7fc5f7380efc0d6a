/** Split a command string into words the way a shell would (quotes, backslashes), without running a shell. */

export type SplitResult = { ok: true; argv: string[] } | { ok: false; message: string };

const META = /[|&;<>()$`]/;

export function splitWords(s: string): SplitResult {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") {
      const j = s.indexOf("'", i + 1);
      if (j < 0) return { ok: false, message: 'unterminated single quote' };
      cur += s.slice(i + 1, j);
      i = j;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '$' || s[j] === '`') return { ok: false, message: `${JSON.stringify(s[j])} inside double quotes would need a shell, and commands are not run by one` };
        // as in a shell: inside double quotes a backslash escapes only $ ` " \ and newline
        if (s[j] === '\\' && j + 1 < s.length && '$`"\\\n'.includes(s[j + 1])) j++;
        cur += s[j];
      }
      if (j >= s.length) return { ok: false, message: 'unterminated double quote' };
      i = j;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < s.length) cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      if (META.test(c)) {
        return { ok: false, message: `${JSON.stringify(c)} would need a shell, and commands are not run by one` };
      }
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  if (out.length === 0) return { ok: false, message: 'empty command' };
  return { ok: true, argv: out };
}

export function toArgv(cmd: unknown): SplitResult {
  if (Array.isArray(cmd)) return cmd.length ? { ok: true, argv: cmd.map(String) } : { ok: false, message: 'empty command' };
  if (typeof cmd === 'string') return splitWords(cmd);
  return { ok: false, message: 'a command is a string or a list of words' };
}

/** Quote a word for a POSIX shell, for printing only. */
export function shellQuote(w: string): string {
  if (w !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(w)) return w;
  return `'${w.replace(/'/g, `'\\''`)}'`;
}
