/**
 * A small XML reader for the parts of office files (OpenDocument, Office Open XML): elements with
 * their qualified names and attributes, and text. No validation, no namespaces resolved (the
 * prefixes are kept as written), no DTDs: enough to read back what a renderer or an office suite
 * wrote, independently of the code that wrote it.
 */

export interface XmlElement {
  /** Qualified name as written, e.g. `table:table-cell`. */
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Replaces XML's character and predefined entity references. */
export function decodeXml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] === '#') return String.fromCodePoint(ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : Number(ref.slice(1)));
    return NAMED[ref] ?? whole;
  });
}

const TOKEN = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<!DOCTYPE[^>]*>|<\/([^\s>]+)\s*>|<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
const ATTR = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** Parses a document and returns its root element. Throws on mismatched or unclosed tags. */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: {}, children: [] };
  const stack: XmlElement[] = [root];
  for (const m of xml.matchAll(TOKEN)) {
    const parent = stack[stack.length - 1]!;
    if (m[1] !== undefined) parent.children.push(m[1]);
    else if (m[2] !== undefined) {
      if (parent.name !== m[2]) throw new Error(`XML: </${m[2]}> closes <${parent.name}>`);
      stack.pop();
    } else if (m[3] !== undefined) {
      const attrs: Record<string, string> = {};
      for (const a of (m[4] ?? '').matchAll(ATTR)) attrs[a[1]!] = decodeXml(a[2] ?? a[3] ?? '');
      const element: XmlElement = { name: m[3], attrs, children: [] };
      parent.children.push(element);
      if (m[5] !== '/') stack.push(element);
    } else if (m[6] !== undefined) parent.children.push(decodeXml(m[6]));
  }
  if (stack.length !== 1) throw new Error(`XML: <${stack[stack.length - 1]!.name}> is not closed`);
  const first = root.children.find((c): c is XmlElement => typeof c !== 'string');
  if (!first) throw new Error('XML: no root element');
  return first;
}

/** Child elements, optionally only those with this name. */
export function elements(node: XmlElement, name?: string): XmlElement[] {
  return node.children.filter((c): c is XmlElement => typeof c !== 'string' && (name === undefined || c.name === name));
}

/** The first descendant (depth first) with this name. */
export function find(node: XmlElement, name: string): XmlElement | undefined {
  for (const child of node.children) {
    if (typeof child === 'string') continue;
    if (child.name === name) return child;
    const deeper = find(child, name);
    if (deeper) return deeper;
  }
  return undefined;
}

/** Every descendant with this name, in document order. */
export function findAll(node: XmlElement, name: string, out: XmlElement[] = []): XmlElement[] {
  for (const child of node.children) {
    if (typeof child === 'string') continue;
    if (child.name === name) out.push(child);
    findAll(child, name, out);
  }
  return out;
}
