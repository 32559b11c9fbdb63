/**
 * Range rules for values on the wire, applied to every message the codecs encode
 * or decode. They follow from the int64-as-number decision (protobuf-runtime.ts):
 *
 * - A number must be a safe integer (|x| ≤ 2^53 − 1). The schema has no float or
 *   double fields (a test pins that), so every number on the wire is an integer,
 *   and a 64-bit value beyond 2^53 would decode rounded: it is rejected instead.
 * - Exception, timestamps: a field whose name ends in `Ns` (`tsNs`, `fundingTimeNs`)
 *   holds nanoseconds since the epoch (~1.7e18, beyond 2^53). It is carried as an
 *   integer-valued double: any such double round-trips through int64 bit-exactly
 *   (LongBits splits it into two exact 32-bit halves), so what the producer held is
 *   what the consumer gets. It must be an integer with |x| < 2^63. Timestamps are
 *   metadata: ordering and dedup use `seq`, never time.
 * - A string field whose name ends in `Units` is a money total that may outgrow
 *   2^53: a canonical decimal integer (`0`, `-12`, no `+`, no leading zeros), at
 *   most 40 digits, or empty for "not applicable". Consumers parse it with `BigInt()`.
 *
 * The walk visits own enumerable properties only: fields absent on the wire read
 * their defaults (0, "") from the message prototype, which are always in range.
 */
/** A `…Units` string on the wire: a canonical decimal integer of at most 40 digits, or empty. */
export const DECIMAL_INTEGER = /^(|0|-?[1-9][0-9]{0,39})$/;
/** A `…Ns` number on the wire: an integer of magnitude below this. */
export const TWO_POW_63 = 2 ** 63;

/** Returns null when every field is in range, else a message naming the first bad field's path. */
export function findOutOfRange(message: object, path = ''): string | null {
  const record = message as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (typeof value === 'number') {
      if (key.endsWith('Ns')) {
        if (!Number.isInteger(value) || Math.abs(value) >= TWO_POW_63) return `${path}${key} = ${value} is not an integer nanosecond count below 2^63`;
      } else if (!Number.isSafeInteger(value)) {
        return `${path}${key} = ${value} is not a safe integer (|x| <= 2^53 - 1)`;
      }
    } else if (typeof value === 'string') {
      if (key.endsWith('Units') && !DECIMAL_INTEGER.test(value)) return `${path}${key} = ${JSON.stringify(value)} is not a decimal integer string`;
    } else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (typeof item === 'number' && !Number.isSafeInteger(item)) return `${path}${key}[${i}] = ${item} is not a safe integer`;
          if (typeof item === 'object' && item !== null && !(item instanceof Uint8Array)) {
            const bad = findOutOfRange(item, `${path}${key}[${i}].`);
            if (bad !== null) return bad;
          }
        }
      } else {
        const bad = findOutOfRange(value, `${path}${key}.`);
        if (bad !== null) return bad;
      }
    }
  }
  return null;
}
