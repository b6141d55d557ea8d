/**
 * The XML Pascal VOC files are written in: elements, text and entities, read into a small tree; attributes,
 * comments, CDATA-free prologs and processing instructions are skipped. Enough for VOC's plain element tree (no new
 * dependency for it); anything else is refused with the byte offset at fault.
 */

export interface XmlElement {
  name: string;
  children: XmlElement[];
  /** The element's own text, entities decoded, trimmed. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export class XmlSyntaxError extends Error {}

function decode(raw: string, at: number): string {
  return raw.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);|&/gi, (match, entity: string | undefined) => {
    if (!entity) throw new XmlSyntaxError(`a bare "&" at byte ${at}`);
    if (entity.startsWith('#x') || entity.startsWith('#X')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    const known = ENTITIES[entity];
    if (known === undefined) throw new XmlSyntaxError(`an unknown entity ${match} at byte ${at}`);
    return known;
  });
}

export function parseXml(source: string): XmlElement {
  const stack: Array<XmlElement & { texts: string[] }> = [];
  let root: XmlElement | undefined;
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('<', at);
    const text = source.slice(at, open < 0 ? source.length : open);
    if (stack.length > 0) stack[stack.length - 1].texts.push(decode(text, at));
    else if (text.trim() !== '') throw new XmlSyntaxError(`text outside the root element at byte ${at}`);
    if (open < 0) break;
    if (source.startsWith('<!--', open)) {
      const end = source.indexOf('-->', open + 4);
      if (end < 0) throw new XmlSyntaxError(`an unterminated comment at byte ${open}`);
      at = end + 3;
      continue;
    }
    const close = source.indexOf('>', open);
    if (close < 0) throw new XmlSyntaxError(`an unterminated tag at byte ${open}`);
    const tag = source.slice(open + 1, close);
    at = close + 1;
    if (tag.startsWith('?') || tag.startsWith('!')) continue;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const element = stack.pop();
      if (!element || element.name !== name) throw new XmlSyntaxError(`</${name}> at byte ${open} closes ${element ? `<${element.name}>` : 'nothing'}`);
      const done: XmlElement = { name: element.name, children: element.children, text: element.texts.join('').trim() };
      if (stack.length > 0) stack[stack.length - 1].children.push(done);
      else if (root) throw new XmlSyntaxError('more than one root element');
      else root = done;
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const name = /^[^\s/]+/.exec(tag)?.[0];
    if (!name) throw new XmlSyntaxError(`an empty tag at byte ${open}`);
    if (selfClosing) {
      const element: XmlElement = { name, children: [], text: '' };
      if (stack.length > 0) stack[stack.length - 1].children.push(element);
      else if (root) throw new XmlSyntaxError('more than one root element');
      else root = element;
    } else stack.push({ name, children: [], text: '', texts: [] });
  }
  if (stack.length > 0) throw new XmlSyntaxError(`<${stack[stack.length - 1].name}> is never closed`);
  if (!root) throw new XmlSyntaxError('no element');
  return root;
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((candidate) => candidate.name === name);
}

export function children(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((candidate) => candidate.name === name);
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
