import { crc32c } from '@gregor/records';

describe('crc32c', () => {
  it('matches the published CRC-32C check value for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('continues from a previous result so data can be checksummed in pieces', () => {
    const partial = crc32c(Buffer.from('1234'));
    expect(crc32c(Buffer.from('56789'), partial)).toBe(0xe3069283);
  });
});
