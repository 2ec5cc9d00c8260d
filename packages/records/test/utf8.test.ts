import fc from 'fast-check';
import { utf8Length, writeUtf8 } from '../src/utf8';
import { withSeed } from './helpers';

function viaJs(text: string): Buffer {
  const length = utf8Length(text);
  const buf = Buffer.alloc(length + 2, 0xaa);
  expect(writeUtf8(buf, 1, text, length)).toBe(1 + length);
  expect(buf[0]).toBe(0xaa);
  expect(buf[length + 1]).toBe(0xaa);
  return buf.subarray(1, 1 + length);
}

describe('utf8Length and writeUtf8', () => {
  it.each(['', 'trace-id', 'é', '€', '😀', 'a\ud800b', '\udc00', 'x'.repeat(65), 'é'.repeat(70)])(
    'agree with Buffer for %j',
    (text) => {
      expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
      expect(viaJs(text).equals(Buffer.from(text, 'utf8'))).toBe(true);
    },
  );

  it('agree with Buffer for any UTF-16 string, lone surrogates included', () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    const text = fc.oneof(fc.string({ unit: codeUnit, maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 80 }));
    withSeed('utf8 agreement', (seed) =>
      fc.assert(
        fc.property(text, (t) => {
          expect(utf8Length(t)).toBe(Buffer.byteLength(t, 'utf8'));
          expect(viaJs(t).toString('hex')).toBe(Buffer.from(t, 'utf8').toString('hex'));
        }),
        { seed, numRuns: 2000 },
      ),
    );
  });
});
