import { parseYamlSubset } from './helpers/yaml-subset';

describe('parseYamlSubset', () => {
  test('nested maps, scalar lists, quoted and plain scalars, comments, empty values', () => {
    const source = [
      '# top comment',
      'name: gregor',
      'services:',
      '  a:',
      '    image: "x:1"   # trailing comment',
      "    quoted: 'it''s'",
      '    escaped: "say \\"hi\\""',
      '    ports:',
      '      - "127.0.0.1:1:2"',
      '      - plain',
      '',
      'volumes:',
      '  v1:',
      '  v2: ~',
    ].join('\n');
    expect(parseYamlSubset(source)).toEqual({
      name: 'gregor',
      services: { a: { image: 'x:1', quoted: "it's", escaped: 'say "hi"', ports: ['127.0.0.1:1:2', 'plain'] } },
      volumes: { v1: null, v2: null },
    });
  });

  test.each([
    ['tabs', 'a:\n\tb: 1', 'tabs'],
    ['flow collections', 'a: [1, 2]', 'unsupported'],
    ['block strings', 'a: |\n  text', 'unsupported'],
    ['anchors', 'a: &x 1', 'unsupported'],
    ['duplicate keys', 'a: 1\na: 2', 'duplicate key a'],
    ['stray indentation', 'a: 1\n  b: 2', 'unexpected indentation'],
    ['lists mixed into maps', 'a:\n  b: 1\n  - c', 'list item among map entries'],
    ['map list items', 'a:\n  - b: 1', 'only scalar list items'],
    ['unterminated quotes', 'a: "open', 'unterminated'],
    ['ambiguous plain scalars', 'a: b: c', 'ambiguous'],
  ])('rejects %s', (_name, source, message) => {
    expect(() => parseYamlSubset(source)).toThrow(message);
  });
});
