/**
 * UTF-8 helpers for header keys, which are short: a JS loop beats a native call per string at these sizes.
 * Longer strings go to Buffer's native routines.
 */
const SHORT_STRING = 64;

/** Bytes `text` takes in UTF-8, counting a lone surrogate as the 3-byte U+FFFD that Buffer writes for it. */
export function utf8Length(text: string): number {
  const length = text.length;
  if (length > SHORT_STRING) return Buffer.byteLength(text, 'utf8');
  let bytes = length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2;
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

/** Writes `text`, whose UTF-8 length is `byteLength`, at `pos`; returns the position after it. */
export function writeUtf8(buf: Buffer, pos: number, text: string, byteLength: number): number {
  if (byteLength !== text.length) return pos + buf.write(text, pos, byteLength, 'utf8');
  for (let i = 0; i < byteLength; i++) buf[pos + i] = text.charCodeAt(i);
  return pos + byteLength;
}
