// The KRaft cluster id that `kafka-storage format -t <id>` takes: 16 random bytes
// as unpadded base64url (22 characters), the text form of Kafka's `Uuid`.
//
// Rules (those of Kafka's own `Uuid.randomUuid()`):
// - the id never starts with '-': the storage tool's argument parser would read
//   it as an option and fail. The first character encodes the top six bits of the
//   first byte; '-' is value 62, i.e. a first byte 0xF8–0xFB, one draw in 64.
// - the two reserved ids (all zero, and zero with a last byte of 1, the metadata
//   topic's id) are never returned.
// Such a draw is thrown away and drawn again, so every id that can be returned
// stays equally likely. Plain Node ESM, no build step (deploy scripts use it).
import { randomBytes } from 'node:crypto';

const UUID_BYTES = 16;

/** The base64url id of 16 bytes, or null when Kafka cannot take it (leading '-', reserved). */
export function clusterIdFromBytes(bytes) {
  if (bytes.length !== UUID_BYTES) throw new Error(`a cluster id is ${UUID_BYTES} bytes, got ${bytes.length}`);
  let zeroPrefix = true;
  for (let i = 0; i < UUID_BYTES - 1; i++) if (bytes[i] !== 0) zeroPrefix = false;
  if (zeroPrefix && bytes[UUID_BYTES - 1] <= 1) return null;
  const id = Buffer.from(bytes).toString('base64url');
  return id.startsWith('-') ? null : id;
}

/** A fresh cluster id; `draw(n)` returns n random bytes (injectable for tests). */
export function clusterId(draw = randomBytes) {
  for (;;) {
    const id = clusterIdFromBytes(draw(UUID_BYTES));
    if (id !== null) return id;
  }
}
