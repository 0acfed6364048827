/**
 * A small XML document that d3-selection can drive (createElementNS, appendChild, insertBefore,
 * setAttribute, textContent, simple querySelector) and that serializes to well-formed XML with
 * attributes in the order they were set, so the same drawing gives the same bytes.
 *
 * Why not d3-node's jsdom: importing jsdom takes about a second and building a 10,000-arrow ladder
 * in it about four (jsdom costs 15-20 µs per DOM call); this document costs well under a
 * microsecond per call and is all the diagrams need. The drawing code is d3 (the d3 that d3-node
 * brings); the thousands of arrows of a ladder are appended as escaped markup strings (`markup`),
 * which keeps a 10,000-arrow ladder well under the 2 s bar (bench/ladder.ts).
 */

export const SVG_NS = 'http://www.w3.org/2000/svg';

type Child = SvgElement | SvgText | SvgMarkup;

/** Markup already serialized (by `markup`), kept as it is: the hot path of large drawings. */
export class SvgMarkup {
  readonly nodeType = 0;
  parentNode: SvgElement | null = null;
  constructor(public markup: string) {}
}

export class SvgText {
  readonly nodeType = 3;
  parentNode: SvgElement | null = null;
  constructor(public data: string) {}
}

export class SvgElement {
  readonly nodeType = 1;
  parentNode: SvgElement | null = null;
  readonly childNodes: Child[] = [];
  private readonly attrs = new Map<string, string>();

  constructor(
    readonly ownerDocument: SvgDocument,
    readonly namespaceURI: string,
    readonly localName: string,
  ) {}

  get tagName(): string {
    return this.localName;
  }

  get children(): SvgElement[] {
    return this.childNodes.filter((c): c is SvgElement => c.nodeType === 1);
  }

  get firstChild(): Child | null {
    return this.childNodes[0] ?? null;
  }

  setAttribute(name: string, value: unknown): void {
    this.attrs.set(name, String(value));
  }

  setAttributeNS(_ns: string | null, name: string, value: unknown): void {
    this.attrs.set(name, String(value));
  }

  getAttribute(name: string): string | null {
    return this.attrs.get(name) ?? null;
  }

  getAttributeNS(_ns: string | null, name: string): string | null {
    return this.getAttribute(name);
  }

  hasAttribute(name: string): boolean {
    return this.attrs.has(name);
  }

  removeAttribute(name: string): void {
    this.attrs.delete(name);
  }

  removeAttributeNS(_ns: string | null, name: string): void {
    this.attrs.delete(name);
  }

  appendChild<T extends Child>(child: T): T {
    return this.insertBefore(child, null);
  }

  insertBefore<T extends Child>(child: T, ref: Child | null): T {
    if (child.parentNode) child.parentNode.removeChild(child);
    const i = ref === null ? -1 : this.childNodes.indexOf(ref);
    if (i < 0) this.childNodes.push(child);
    else this.childNodes.splice(i, 0, child);
    child.parentNode = this;
    return child;
  }

  removeChild<T extends Child>(child: T): T {
    const i = this.childNodes.indexOf(child);
    if (i >= 0) this.childNodes.splice(i, 1);
    child.parentNode = null;
    return child;
  }

  get textContent(): string {
    let s = '';
    for (const c of this.childNodes) if (c.nodeType !== 0) s += c.nodeType === 3 ? c.data : c.textContent;
    return s;
  }

  set textContent(value: string | null) {
    for (const c of this.childNodes) c.parentNode = null;
    this.childNodes.length = 0;
    if (value !== null && value !== '') this.appendChild(new SvgText(String(value)));
  }

  /** Simple selectors only: `tag`, `.class`, `tag.class`, `#id`, `*`. */
  querySelector(selector: string): SvgElement | null {
    return this.querySelectorAll(selector)[0] ?? null;
  }

  querySelectorAll(selector: string): SvgElement[] {
    const match = compile(selector);
    const out: SvgElement[] = [];
    const walk = (e: SvgElement): void => {
      for (const c of e.childNodes) {
        if (c.nodeType !== 1) continue;
        if (match(c)) out.push(c);
        walk(c);
      }
    };
    walk(this);
    return out;
  }

  /** The element as XML: attributes in insertion order, empty elements self-closed. */
  get outerHTML(): string {
    return serialize(this);
  }

  toXml(): string {
    return this.outerHTML;
  }
}

/**
 * `<name attrs>text</name>` as a string, escaped: for drawings with thousands of elements, whose
 * pieces are appended to an element with `appendMarkup` (no object per element).
 */
export function markup(name: string, attrs: Record<string, string | number>, text?: string): string {
  let out = '<' + name;
  for (const k in attrs) out += ' ' + k + '="' + escapeXmlAttr(String(attrs[k])) + '"';
  if (text === undefined || text === '') return out + '/>';
  return out + '>' + escapeXmlText(text) + '</' + name + '>';
}

export function appendMarkup(parent: SvgElement, text: string): void {
  const m = new SvgMarkup(text);
  m.parentNode = parent;
  parent.childNodes.push(m);
}

export class SvgDocument {
  readonly nodeType = 9;
  readonly documentElement: SvgElement;

  constructor() {
    this.documentElement = new SvgElement(this, SVG_NS, 'svg');
  }

  createElementNS(ns: string | null, name: string): SvgElement {
    return new SvgElement(this, ns ?? SVG_NS, name);
  }

  createElement(name: string): SvgElement {
    return new SvgElement(this, SVG_NS, name);
  }

  createTextNode(data: string): SvgText {
    return new SvgText(data);
  }
}

function compile(selector: string): (e: SvgElement) => boolean {
  const s = selector.trim();
  if (s === '*') return () => true;
  if (s.startsWith('#')) {
    const id = s.slice(1);
    return (e) => e.getAttribute('id') === id;
  }
  const [tag, ...classes] = s.split('.');
  return (e) => {
    if (tag !== '' && e.localName !== tag) return false;
    if (classes.length === 0) return true;
    const have = (e.getAttribute('class') ?? '').split(/\s+/);
    return classes.every((c) => have.includes(c));
  };
}

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

function serialize(e: SvgElement): string {
  // String concatenation (ropes) rather than an array of parts: far less garbage.
  let out = '<' + e.localName;
  for (const [k, v] of (e as unknown as { attrs: Map<string, string> }).attrs) out += ' ' + k + '="' + escapeXmlAttr(v) + '"';
  if (e.childNodes.length === 0) return out + '/>';
  out += '>';
  for (const c of e.childNodes) out += c.nodeType === 3 ? escapeXmlText(c.data) : c.nodeType === 0 ? c.markup : serialize(c);
  return out + '</' + e.localName + '>';
}
