import type { CompressionCodec } from './compression';
import { RecordsError } from './errors';

/**
 * A codec whose native package loads on first use, so a process that never uses it (the broker, which never
 * decompresses) needs no binary for it: the Docker image installs without running zstd-napi's build. A binary
 * that cannot load is UNSUPPORTED_COMPRESSION, like a codec that does not exist.
 */
export function lazyCodec(name: string, load: () => CompressionCodec): CompressionCodec {
  let codec: CompressionCodec | undefined;
  const loaded = (): CompressionCodec => {
    if (codec === undefined) {
      try {
        codec = load();
      } catch (err) {
        throw new RecordsError('UNSUPPORTED_COMPRESSION', `the ${name} codec cannot load: ${(err as Error).message}`);
      }
    }
    return codec;
  };
  return {
    compress: (data) => loaded().compress(data),
    decompress: (data, maxOutputBytes) => loaded().decompress(data, maxOutputBytes),
  };
}
