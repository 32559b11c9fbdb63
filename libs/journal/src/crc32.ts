/**
 * CRC-32 (IEEE 802.3, the zlib / PNG polynomial) over a byte range. Node 20.15+
 * ships it in `node:zlib` (native, fast); older 20.x get the table-driven version
 * below, which gives the same value (the test compares both).
 */
import * as zlib from 'node:zlib';

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The portable CRC-32 (the fallback when zlib has none). */
export function crc32Table(bytes: Uint8Array, initial = 0): number {
  let crc = (initial ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) crc = (TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 of `bytes`, continuing from `initial` (0 for a fresh checksum). */
export const crc32: (bytes: Uint8Array, initial?: number) => number = native === undefined ? crc32Table : (bytes, initial = 0) => native(bytes, initial) >>> 0;
