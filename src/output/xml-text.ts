/** Escaping for XML text and attribute values (the SVG diagrams are XML). */

// Control characters are what these look for (XML 1.0 forbids them).
/* eslint-disable no-control-regex */
const TEXT_SPECIAL = /[&<>\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const ATTR_SPECIAL = /[&<"\n\r\t\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
/* eslint-enable no-control-regex */

export function escapeXmlText(s: string): string {
  if (!TEXT_SPECIAL.test(s)) return s;
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;')).replace(INVALID_XML, '\uFFFD');
}

export function escapeXmlAttr(s: string): string {
  if (!ATTR_SPECIAL.test(s)) return s;
  return s
    .replace(/[&<"\n\r\t]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '"' ? '&quot;' : c === '\n' ? '&#10;' : c === '\r' ? '&#13;' : '&#9;'))
    .replace(INVALID_XML, '\uFFFD');
}

/** Characters XML 1.0 does not allow anywhere (controls other than tab, newline, return). */
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
