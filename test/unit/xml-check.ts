/** Test helper: a strict XML well-formedness check for the JUnit reports (no XML library needed). */
import { strict as assert } from 'node:assert';

/** A strict little well-formedness check: one root, balanced tags, quoted attributes, known entities, no raw < or &. */
export function checkXml(xml: string): { name: string; attrs: Record<string, string>; text: string }[] {
  const entity = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
  const decode = (s: string): string => {
    assert.ok(!/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s), `bare & in ${JSON.stringify(s)}`);
    return s.replace(entity, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e as 'amp'] ?? String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : Number(e.slice(1))));
  };
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
  const body = xml.slice(xml.indexOf('?>') + 2);
  type El = { name: string; attrs: Record<string, string>; text: string };
  const stack: El[] = [];
  const elements: El[] = [];
  let roots = 0;
  const token = /<(\/?)([A-Za-z][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = token.exec(body))) {
    assert.equal(m.index, last, 'tokens are contiguous');
    last = token.lastIndex;
    assert.equal(m[6], undefined, `a stray < at ${m.index}: ${body.slice(m.index, m.index + 40)}`);
    if (m[5] !== undefined) {
      const text = decode(m[5]);
      if (stack.length) stack[stack.length - 1].text += text;
      else assert.equal(text.trim(), '', 'text outside the root');
      continue;
    }
    const [, close, name, attrText, selfClose] = m;
    if (close) {
      assert.equal(stack.pop()?.name, name, `</${name}> closes the open element`);
      continue;
    }
    if (!stack.length) roots++;
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([\w.-]+)="([^"]*)"/g)) {
      assert.ok(!(a[1] in attrs), `duplicate attribute ${a[1]}`);
      attrs[a[1]] = decode(a[2]);
    }
    const el: El = { name, attrs, text: '' };
    elements.push(el);
    if (!selfClose) stack.push(el);
  }
  assert.equal(last, body.length);
  assert.deepEqual(stack, [], 'every element is closed');
  assert.equal(roots, 1, 'one root element');
  return elements;
}
