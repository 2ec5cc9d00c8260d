/**
 * A strict parser for the block-style YAML subset docker-compose.yml uses:
 * nested maps (`key: value`, `key:` + indented block), lists of scalars
 * (`- value`), plain, "double" and 'single' quoted scalars, comments. Scalars
 * stay strings; an empty value is null. Anything else (tabs, flow collections,
 * anchors, multi-line strings, duplicate keys, stray indentation) is an error,
 * so the test never reads a file differently from docker compose.
 */
export type YamlValue = string | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  number: number;
  indent: number;
  text: string;
}

export class YamlSubsetError extends Error {
  constructor(line: number, why: string) {
    super(`line ${line}: ${why}`);
  }
}

export function parseYamlSubset(source: string): YamlValue {
  const lines: Line[] = [];
  source.split('\n').forEach((raw, i) => {
    if (/^\s*\t/.test(raw)) throw new YamlSubsetError(i + 1, 'tabs are not allowed in indentation');
    const text = raw.trimEnd();
    const body = text.trimStart();
    if (body === '' || body.startsWith('#')) return;
    lines.push({ number: i + 1, indent: text.length - body.length, text: body });
  });
  if (lines.length === 0) return null;
  const cursor = { at: 0 };
  const value = parseBlock(lines, cursor, lines[0].indent);
  if (cursor.at < lines.length) throw new YamlSubsetError(lines[cursor.at].number, 'unexpected indentation');
  return value;
}

function parseBlock(lines: Line[], cursor: { at: number }, indent: number): YamlValue {
  return isListItem(lines[cursor.at].text) ? parseList(lines, cursor, indent) : parseMap(lines, cursor, indent);
}

function isListItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

function parseList(lines: Line[], cursor: { at: number }, indent: number): YamlValue[] {
  const items: YamlValue[] = [];
  while (cursor.at < lines.length && lines[cursor.at].indent === indent) {
    const line = lines[cursor.at];
    if (!isListItem(line.text)) throw new YamlSubsetError(line.number, 'a map entry among list items');
    const item = line.text.slice(1).trim();
    if (item === '' || /^[^"'][^:]*:(\s|$)/.test(item)) throw new YamlSubsetError(line.number, 'only scalar list items are supported');
    items.push(parseScalar(item, line.number));
    cursor.at++;
  }
  return items;
}

function parseMap(lines: Line[], cursor: { at: number }, indent: number): { [key: string]: YamlValue } {
  const map: { [key: string]: YamlValue } = {};
  while (cursor.at < lines.length && lines[cursor.at].indent === indent) {
    const line = lines[cursor.at];
    if (isListItem(line.text)) throw new YamlSubsetError(line.number, 'a list item among map entries');
    const match = /^([A-Za-z0-9_.-]+):(?:\s+(.*))?$/.exec(line.text);
    if (!match) throw new YamlSubsetError(line.number, `expected "key: value", got ${JSON.stringify(line.text)}`);
    const [, key, rest] = match;
    if (Object.prototype.hasOwnProperty.call(map, key)) throw new YamlSubsetError(line.number, `duplicate key ${key}`);
    cursor.at++;
    if (rest !== undefined && rest !== '') {
      map[key] = parseScalar(rest, line.number);
    } else if (cursor.at < lines.length && lines[cursor.at].indent > indent) {
      map[key] = parseBlock(lines, cursor, lines[cursor.at].indent);
    } else {
      map[key] = null;
    }
  }
  if (cursor.at < lines.length && lines[cursor.at].indent > indent) throw new YamlSubsetError(lines[cursor.at].number, 'unexpected indentation');
  return map;
}

function parseScalar(raw: string, line: number): string | null {
  if (raw.startsWith('"')) {
    const match = /^"((?:[^"\\]|\\["\\])*)"(\s+#.*)?$/.exec(raw);
    if (!match) throw new YamlSubsetError(line, `unterminated or unsupported double-quoted string ${raw}`);
    return match[1].replace(/\\(["\\])/g, '$1');
  }
  if (raw.startsWith("'")) {
    const match = /^'((?:[^']|'')*)'(\s+#.*)?$/.exec(raw);
    if (!match) throw new YamlSubsetError(line, `unterminated single-quoted string ${raw}`);
    return match[1].replace(/''/g, "'");
  }
  if (/^[[{|>&*!%@`]/.test(raw)) throw new YamlSubsetError(line, `unsupported YAML syntax ${raw}`);
  const plain = raw.replace(/\s+#.*$/, '');
  if (plain.includes(': ') || plain.endsWith(':')) throw new YamlSubsetError(line, `ambiguous plain scalar ${raw}; quote it`);
  return plain === '~' || plain === 'null' ? null : plain;
}
