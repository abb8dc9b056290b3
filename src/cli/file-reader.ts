import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Reads whole files into one buffer that is reused from file to file, so verifying a directory of
 * a million messages does not allocate a million buffers. The bytes returned are valid only until
 * the next read: copy them to keep them.
 */
export class ReusableFileReader {
  #buffer = Buffer.allocUnsafe(1024 * 1024);
  readonly #maxBytes: number;

  constructor(maxBytes: number) {
    if (!(maxBytes > 0)) throw new RangeError('maxBytes must be positive');
    this.#maxBytes = maxBytes;
  }

  /**
   * The file's bytes, or 'too-large' past maxBytes. `probe` sees the first bytes before the rest is
   * read and may stop the read by returning false (the file is then handled some other way).
   */
  read(path: string, probe?: (head: Buffer) => boolean): Buffer | 'too-large' | 'stopped' {
    const fd = openSync(path, 'r');
    try {
      let length = readSync(fd, this.#buffer, 0, Math.min(this.#buffer.length, 4096), 0);
      if (probe && !probe(this.#buffer.subarray(0, length))) return 'stopped';
      for (;;) {
        if (length === this.#buffer.length) {
          if (length >= this.#maxBytes) return 'too-large';
          const grown = Buffer.allocUnsafe(Math.min(this.#buffer.length * 2, this.#maxBytes + 1));
          this.#buffer.copy(grown, 0, 0, length);
          this.#buffer = grown;
        }
        const n = readSync(fd, this.#buffer, length, this.#buffer.length - length, length);
        if (n === 0) break;
        length += n;
      }
      return length > this.#maxBytes ? 'too-large' : this.#buffer.subarray(0, length);
    } finally {
      closeSync(fd);
    }
  }
}
