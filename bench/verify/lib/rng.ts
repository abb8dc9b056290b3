/**
 * Seeded randomness for the benchmark corpus. Everything the generator decides comes from here, so a
 * seed and a message count name one corpus, byte for byte, on any machine.
 */
import { createCipheriv, createHash } from 'node:crypto';

/** 32 bytes derived from a seed and a label: independent streams for independent purposes. */
export function deriveBytes(seed: string, label: string): Buffer {
  return createHash('sha256').update(`leakproof-bench\0${seed}\0${label}`).digest();
}

/** sfc32: a small, fast generator with a 128-bit state; good enough for choosing sizes and words. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string, label: string) {
    const s = deriveBytes(seed, label);
    this.a = s.readUInt32LE(0);
    this.b = s.readUInt32LE(4);
    this.c = s.readUInt32LE(8);
    this.d = s.readUInt32LE(12) | 1;
    for (let i = 0; i < 16; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Picks by weight: `[[value, weight], ...]`. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of choices) total += w;
    let r = this.next() * total;
    for (const [value, w] of choices) {
      r -= w;
      if (r < 0) return value;
    }
    const last = choices[choices.length - 1];
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last[0];
  }

  /** Log-uniform in [min, max]: many small values, a long tail of large ones. */
  logUniform(min: number, max: number): number {
    return Math.round(Math.exp(Math.log(min) + this.next() * (Math.log(max) - Math.log(min))));
  }

  /** Log-normal with the given median and spread (sigma of the underlying normal), clamped. */
  logNormal(median: number, sigma: number, min: number, max: number): number {
    const u1 = 1 - this.next();
    const u2 = this.next();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return Math.min(max, Math.max(min, Math.round(median * Math.exp(sigma * z))));
  }

  /** `n` bytes from this generator (small amounts: salts, candidates for primes). */
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.nextU32() & 0xff;
    return out;
  }
}

/** Bulk pseudo-random bytes (attachment payloads): an AES-128-CTR keystream, fast and seeded. */
export function keystream(seed: string, label: string, length: number): Buffer {
  const k = deriveBytes(seed, label);
  const cipher = createCipheriv('aes-128-ctr', k.subarray(0, 16), k.subarray(16, 32));
  return cipher.update(Buffer.alloc(length));
}
