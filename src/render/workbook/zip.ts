/**
 * The zip container of the .ods and .xlsx workbooks, written as their parts are made.
 *
 * A part is compressed as it comes, a piece at a time, so a sheet of a quarter of a million rows
 * is never held as text. Parts up to 4 MiB (every part of an ordinary release) are compressed
 * with pako at level 6 and laid out exactly as JSZip lays out a zip on UNIX with a fixed date,
 * so ordinary workbooks keep the bytes they have always had. Larger parts go through Node's own
 * zlib at level 3, which works in a thread of its own while the next rows are made and is about
 * fifteen times faster than pako at level 6 (for files about a third larger); its bytes differ
 * from pako's, but are the same for the same data on the same Node. Either way the same
 * workbook gives the same file.
 */
import zlib from 'node:zlib';
import pako from 'pako';

export interface ZipPart {
  name: string;
  /** The part, whole or as pieces made when they are read. */
  content: string | Uint8Array | (() => Iterable<Uint8Array>);
  /** Stored without compression (an OpenDocument mimetype must be). */
  store?: boolean;
}

/** Parts above this many bytes are compressed by Node's zlib instead of pako. */
export const LARGE_PART = 4 * 1024 * 1024;
const LEVEL = 6;
/**
 * Level 3 for large parts: from level 4 zlib searches lazily for longer matches, which on these
 * sheets costs five times the time for files a fifth smaller.
 */
const LARGE_LEVEL = 3;

/** CRC-32 of `data`, continuing from `crc`. */
const crc32: (data: Uint8Array, crc?: number) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (zlib as unknown as { crc32: (data: Uint8Array, crc?: number) => number }).crc32
    : (() => {
        const table = new Int32Array(256);
        for (let n = 0; n < 256; n++) {
          let c = n;
          for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
          table[n] = c;
        }
        return (data: Uint8Array, crc = 0) => {
          let c = crc ^ -1;
          for (let i = 0; i < data.length; i++) c = (c >>> 8) ^ table[(c ^ data[i]!) & 0xff]!;
          return (c ^ -1) >>> 0;
        };
      })();

interface Compressed {
  data: Buffer[];
  size: number;
  compressedSize: number;
  crc: number;
}

/** Compresses a part's pieces as they are made; pako for a small part, zlib once it is large. */
async function compress(pieces: Iterable<Uint8Array>, store: boolean): Promise<Compressed> {
  let crc = 0;
  let size = 0;
  const head: Uint8Array[] = [];
  const iterator = pieces[Symbol.iterator]();
  let next = iterator.next();
  // The first 4 MiB decide: a part that ends within them is small.
  while (!next.done && (store || size <= LARGE_PART)) {
    head.push(next.value);
    crc = crc32(next.value, crc);
    size += next.value.byteLength;
    next = iterator.next();
  }
  if (store || next.done) {
    const whole = Buffer.concat(head);
    // An empty part is stored, as JSZip does.
    const data = store || size === 0 ? whole : Buffer.from(pako.deflateRaw(whole, { level: LEVEL }));
    return { data: [data], size, compressedSize: data.byteLength, crc };
  }
  // A megabyte of rows may wait for zlib, so that making them and compressing them overlap.
  const deflate = zlib.createDeflateRaw({ level: LARGE_LEVEL, highWaterMark: 1 << 20 } as zlib.ZlibOptions);
  const out: Buffer[] = [];
  let compressedSize = 0;
  deflate.on('data', (chunk: Buffer) => {
    out.push(chunk);
    compressedSize += chunk.byteLength;
  });
  const finished = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  // Rows are made while zlib compresses the ones before, in its own thread.
  const put = async (piece: Uint8Array) => {
    if (!deflate.write(piece)) await new Promise((resolve) => deflate.once('drain', resolve));
  };
  for (const piece of head) await put(piece);
  for (; !next.done; next = iterator.next()) {
    crc = crc32(next.value, crc);
    size += next.value.byteLength;
    await put(next.value);
  }
  deflate.end();
  await finished;
  return { data: out, size, compressedSize, crc };
}

function piecesOf(content: ZipPart['content']): Iterable<Uint8Array> {
  if (typeof content === 'string') return [Buffer.from(content, 'utf8')];
  if (content instanceof Uint8Array) return [content];
  return content();
}

/** DOS time and date of a moment, read in UTC, as JSZip writes them. */
function dosStamp(date: Date): { time: number; date: number } {
  return {
    time: (((date.getUTCHours() << 6) | date.getUTCMinutes()) << 5) | (date.getUTCSeconds() / 2),
    date: ((((date.getUTCFullYear() - 1980) << 4) | (date.getUTCMonth() + 1)) << 5) | date.getUTCDate(),
  };
}

/** A zip file of `parts`, in their order, each stamped with `date`. */
export async function writeZip(parts: readonly ZipPart[], date: Date): Promise<Uint8Array> {
  const stamp = dosStamp(date);
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name, 'utf8');
    if (name.byteLength !== part.name.length) throw new Error(`zip part names are ASCII: ${part.name}`);
    const { data, size, compressedSize, crc } = await compress(piecesOf(part.content), part.store === true);
    if (size > 0xffffffff || offset + compressedSize > 0xffffffff) throw new Error('a workbook part is larger than a zip file can hold (4 GB)');
    const store = part.store === true || size === 0;
    // The fields the local and central headers share.
    const common = Buffer.alloc(26);
    common.writeUInt16LE(10, 0); // version needed to extract
    common.writeUInt16LE(0, 2); // flags
    common.writeUInt16LE(store ? 0 : 8, 4); // stored or deflated
    common.writeUInt16LE(stamp.time, 6);
    common.writeUInt16LE(stamp.date, 8);
    common.writeUInt32LE(crc >>> 0, 10);
    common.writeUInt32LE(compressedSize, 14);
    common.writeUInt32LE(size, 18);
    common.writeUInt16LE(name.byteLength, 22);
    common.writeUInt16LE(0, 24); // extra field length
    const local = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), common, name]);
    chunks.push(local, ...data);
    const tail = Buffer.alloc(16);
    tail.writeUInt16LE(0, 0); // comment length
    tail.writeUInt16LE(0, 2); // disk number
    tail.writeUInt16LE(0, 4); // internal attributes
    tail.writeUInt32LE((0x81b4 << 16) >>> 0, 6); // a UNIX file, rw-rw-r--
    tail.writeUInt32LE(offset, 10);
    const versionMadeBy = Buffer.alloc(2);
    versionMadeBy.writeUInt16LE(0x031e, 0); // UNIX, zip 3.0
    central.push(Buffer.concat([Buffer.from([0x50, 0x4b, 0x01, 0x02]), versionMadeBy, common, tail.subarray(0, 14), name]));
    offset += local.byteLength + compressedSize;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.byteLength, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20);
  return new Uint8Array(Buffer.concat([...chunks, directory, end]));
}
