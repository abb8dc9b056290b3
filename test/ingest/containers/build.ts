// Builders for hostile test archives, written structure by structure so a test can lie where an
// attacker would (sizes, names) and stay small on disk.
import { constants, crc32, deflateRawSync } from 'node:zlib';

export interface ZipMember {
  readonly name: string | Buffer;
  /** Stored bytes (already compressed when method is 8). */
  readonly data: Buffer;
  readonly method?: number;
  readonly crc?: number;
  readonly size?: number;
  readonly flags?: number;
}

export function stored(name: string | Buffer, content: Buffer | string): ZipMember {
  const data = Buffer.from(content);
  return { name, data, method: 0, crc: crc32(data), size: data.length };
}

export function deflated(name: string | Buffer, content: Buffer | string): ZipMember {
  const raw = Buffer.from(content);
  return { name, data: deflateRawSync(raw), method: 8, crc: crc32(raw), size: raw.length };
}

export function buildZip(members: readonly ZipMember[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name);
    const common = Buffer.alloc(26);
    common.writeUInt16LE(20, 0); // version needed
    common.writeUInt16LE(m.flags ?? 0, 2);
    common.writeUInt16LE(m.method ?? 0, 4);
    common.writeUInt32LE(0, 6); // DOS time and date
    common.writeUInt32LE(m.crc ?? 0, 10);
    common.writeUInt32LE(m.data.length, 14);
    common.writeUInt32LE(m.size ?? m.data.length, 18);
    common.writeUInt16LE(name.length, 22);
    common.writeUInt16LE(0, 24); // extra length
    const local = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), common, name, m.data]);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    common.copy(central, 6);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    locals.push(local);
    offset += local.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * Raw deflate of `mib` MiB of zeros without holding them: one full-flushed 1 MiB block repeated (a
 * full flush resets the dictionary, so blocks stand alone), then an empty final block.
 */
export function zeroDeflate(mib: number): { data: Buffer; crc: number; size: number } {
  const mb = Buffer.alloc(1024 * 1024);
  const block = deflateRawSync(mb, { finishFlush: constants.Z_FULL_FLUSH });
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = crc32(mb, crc);
  const parts: Buffer[] = new Array<Buffer>(mib).fill(block);
  parts.push(Buffer.from([0x03, 0x00]));
  return { data: Buffer.concat(parts), crc, size: mib * 1024 * 1024 };
}

/** A gzip of `mib` MiB of zeros, about 1 KiB per MiB. */
export function zeroGzip(mib: number): Buffer {
  const { data, crc, size } = zeroDeflate(mib);
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  return Buffer.concat([header, data, trailer]);
}
