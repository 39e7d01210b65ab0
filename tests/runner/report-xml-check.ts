/**
 * A small, strict XML 1.0 reader for the tests: it accepts only well-formed
 * documents (one root, matched tags, quoted and unique attributes, valid
 * references, only characters XML allows) and returns the element tree with
 * references decoded, so that tests can check a report's content as a CI
 * server would read it. It throws, naming the offset, at the first fault.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

function isNameStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === ':';
}

function isNameChar(c: string): boolean {
  return isNameStart(c) || (c >= '0' && c <= '9') || c === '-' || c === '.';
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

export function parseXml(doc: string): XmlElement {
  for (const char of doc) {
    if (!isXmlChar(char.codePointAt(0)!)) throw new Error(`character U+${char.codePointAt(0)!.toString(16)} is not allowed in XML 1.0`);
  }
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`not well-formed at offset ${i}: ${why}`);
  };
  const skipSpace = () => {
    while (isSpace(doc[i])) i++;
  };
  const name = (): string => {
    const start = i;
    if (!isNameStart(doc[i] ?? '')) fail('expected a name');
    while (isNameChar(doc[i] ?? '')) i++;
    return doc.slice(start, i);
  };
  const reference = (): string => {
    const end = doc.indexOf(';', i);
    if (end < 0) fail('unterminated reference');
    const body = doc.slice(i + 1, end);
    i = end + 1;
    if (body in PREDEFINED) return PREDEFINED[body]!;
    let code = Number.NaN;
    if (body.startsWith('#x') && body.length > 2 && [...body.slice(2)].every((c) => '0123456789abcdefABCDEF'.includes(c))) code = parseInt(body.slice(2), 16);
    else if (body.startsWith('#') && body.length > 1 && [...body.slice(1)].every((c) => c >= '0' && c <= '9')) code = parseInt(body.slice(1), 10);
    if (!isXmlChar(code)) fail(`bad reference &${body};`);
    return String.fromCodePoint(code);
  };
  const text = (stop: string): string => {
    let out = '';
    while (i < doc.length && doc[i] !== stop) {
      if (doc[i] === '<') fail('"<" in text or attribute value');
      if (doc[i] === '&') out += reference();
      else out += doc[i++];
    }
    return out;
  };
  const element = (): XmlElement => {
    if (doc[i] !== '<') fail('expected "<"');
    i++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: '' };
    for (;;) {
      const spaced = isSpace(doc[i]);
      skipSpace();
      if (doc.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (doc[i] === '>') {
        i++;
        break;
      }
      if (!spaced) fail('attributes must be separated by space');
      const key = name();
      if (key in el.attrs) fail(`attribute ${key} repeated`);
      skipSpace();
      if (doc[i] !== '=') fail('expected "="');
      i++;
      skipSpace();
      const quote = doc[i];
      if (quote !== '"' && quote !== "'") fail('attribute value not quoted');
      i++;
      el.attrs[key] = text(quote!);
      if (doc[i] !== quote) fail('unterminated attribute value');
      i++;
    }
    for (;;) {
      el.text += text('<');
      if (i >= doc.length) fail(`element ${el.name} not closed`);
      if (doc.startsWith('</', i)) {
        i += 2;
        if (name() !== el.name) fail(`closing tag does not match <${el.name}>`);
        skipSpace();
        if (doc[i] !== '>') fail('expected ">"');
        i++;
        return el;
      }
      el.children.push(element());
    }
  };
  if (doc.startsWith('<?xml')) {
    const end = doc.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    i = end + 2;
  }
  skipSpace();
  const root = element();
  skipSpace();
  if (i !== doc.length) fail('content after the root element');
  return root;
}

/** Every element of the tree with this name, depth first. */
export function elementsNamed(root: XmlElement, name: string): XmlElement[] {
  return [...(root.name === name ? [root] : []), ...root.children.flatMap((child) => elementsNamed(child, name))];
}
