/**
 * Key → partition, the same function Kafka's Java client and kafkajs's default
 * partitioner use: `(murmur2(utf8(key)) & 0x7fffffff) % partitions`. Both bus
 * adapters route with it, so a key lands in the same partition in embedded and
 * cluster mode, and any other Kafka client producing to our topics agrees.
 *
 * ASCII keys (symbols, decimal account ids) are hashed from their char codes
 * without allocating; other keys go through a UTF-8 encoding first.
 */
const SEED = 0x9747b28c;
const M = 0x5bd1e995;

function isAscii(key: string): boolean {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) > 0x7f) return false;
  return true;
}

function byteAt(key: string, bytes: Uint8Array | null, i: number): number {
  return bytes === null ? key.charCodeAt(i) : bytes[i];
}

/** Kafka's murmur2 (32-bit), over the UTF-8 bytes of `key`. */
export function murmur2(key: string): number {
  const bytes = isAscii(key) ? null : Buffer.from(key, 'utf8');
  const length = bytes === null ? key.length : bytes.length;
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i << 2;
    let k = byteAt(key, bytes, i4) | (byteAt(key, bytes, i4 + 1) << 8) | (byteAt(key, bytes, i4 + 2) << 16) | (byteAt(key, bytes, i4 + 3) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  if (rest === 3) h ^= byteAt(key, bytes, tail + 2) << 16;
  if (rest >= 2) h ^= byteAt(key, bytes, tail + 1) << 8;
  if (rest >= 1) {
    h ^= byteAt(key, bytes, tail);
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

export function partitionForKey(key: string, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}
