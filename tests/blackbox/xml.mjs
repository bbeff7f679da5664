// xml.mjs — a small STRICT XML well-formedness checker for the tests (no
// dependency): used on every SVG the server sends (observatory.test.mjs).
//
// checkXml(text) returns null when the text is one well-formed XML
// element (optionally preceded by an XML declaration and comments), else
// a message with the offset. It checks what a real XML parser refuses:
// names, quoted attributes without "<", no duplicate attribute, every
// start tag closed by the matching end tag in order, "&" only in the five
// predefined entities or character references (so no "&nbsp;"), no "<" or
// "]]>" in text, one root, nothing but white space and comments around it.
// No DTD is accepted. Namespaces are not resolved (not needed for SVG).
const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const REF = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y;

function checkRefs(s, base) {
  for (let i = s.indexOf('&'); i >= 0; i = s.indexOf('&', i + 1)) {
    REF.lastIndex = i;
    const m = REF.exec(s);
    if (!m) return `bad entity or bare & at ${base + i}: ${JSON.stringify(s.slice(i, i + 12))}`;
    const num = m[0].startsWith('&#x') ? parseInt(m[0].slice(3), 16) : m[0].startsWith('&#') ? parseInt(m[0].slice(2), 10) : 0x41;
    if (!(num === 0x9 || num === 0xa || num === 0xd || (num >= 0x20 && num <= 0xd7ff) || (num >= 0xe000 && num <= 0xfffd) || (num >= 0x10000 && num <= 0x10ffff)))
      return `invalid character reference ${m[0]} at ${base + i}`;
  }
  return null;
}

export function checkXml(text) {
  let i = 0;
  const n = text.length;
  const stack = [];
  let roots = 0;
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(text)) return 'a character not allowed in XML';
  if (text.startsWith('<?xml')) {
    const e = text.indexOf('?>');
    if (e < 0) return 'unterminated XML declaration';
    i = e + 2;
  }
  while (i < n) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt < 0 ? n : lt);
    if (chunk.length) {
      if (stack.length === 0 && chunk.trim()) return `text outside the root at ${i}`;
      if (chunk.includes(']]>')) return `"]]>" in text at ${i}`;
      const bad = checkRefs(chunk, i);
      if (bad) return bad;
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      const e = text.indexOf('-->', i + 4);
      if (e < 0) return `unterminated comment at ${i}`;
      if (text.slice(i + 4, e).includes('--')) return `"--" inside a comment at ${i}`;
      i = e + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', i)) {
      if (!stack.length) return `CDATA outside the root at ${i}`;
      const e = text.indexOf(']]>', i);
      if (e < 0) return `unterminated CDATA at ${i}`;
      i = e + 3;
      continue;
    }
    if (text.startsWith('<!', i) || text.startsWith('<?', i)) return `declaration or processing instruction at ${i}`;
    if (text.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(text);
      if (!m) return `bad end tag at ${i}`;
      let j = i + 2 + m[0].length;
      while (/\s/.test(text[j] || '')) j++;
      if (text[j] !== '>') return `bad end tag at ${i}`;
      const open = stack.pop();
      if (open !== m[0]) return `</${m[0]}> at ${i} closes <${open}>`;
      i = j + 1;
      continue;
    }
    NAME.lastIndex = i + 1;
    const m = NAME.exec(text);
    if (!m) return `bad start tag at ${i}: ${JSON.stringify(text.slice(i, i + 20))}`;
    if (stack.length === 0 && roots++ > 0) return `a second root element at ${i}`;
    let j = i + 1 + m[0].length;
    const seen = new Set();
    for (;;) {
      const ws = j;
      while (/\s/.test(text[j] || '')) j++;
      if (text[j] === '>' || text.startsWith('/>', j)) break;
      if (j === ws) return `missing space before an attribute at ${j}`;
      NAME.lastIndex = j;
      const a = NAME.exec(text);
      if (!a) return `bad attribute at ${j}: ${JSON.stringify(text.slice(j, j + 20))}`;
      if (seen.has(a[0])) return `duplicate attribute ${a[0]} at ${j}`;
      seen.add(a[0]);
      j += a[0].length;
      while (/\s/.test(text[j] || '')) j++;
      if (text[j] !== '=') return `attribute ${a[0]} without a value at ${j}`;
      j++;
      while (/\s/.test(text[j] || '')) j++;
      const q = text[j];
      if (q !== '"' && q !== "'") return `unquoted attribute ${a[0]} at ${j}`;
      const e = text.indexOf(q, j + 1);
      if (e < 0) return `unterminated attribute ${a[0]} at ${j}`;
      const v = text.slice(j + 1, e);
      if (v.includes('<')) return `"<" in attribute ${a[0]} at ${j}`;
      const bad = checkRefs(v, j + 1);
      if (bad) return bad;
      j = e + 1;
    }
    if (text[j] === '>') {
      stack.push(m[0]);
      i = j + 1;
    } else {
      i = j + 2;
    }
  }
  if (stack.length) return `unclosed <${stack[stack.length - 1]}>`;
  if (roots !== 1) return 'no root element';
  return null;
}
