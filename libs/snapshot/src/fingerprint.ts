/**
 * A configuration's fingerprint: SHA-256 over a canonical text of the value (object
 * keys sorted, Maps as sorted entries, bigints tagged, functions left out), so two
 * processes with the same markets, risk parameters and system accounts agree, and a
 * snapshot taken under another configuration is recognised as such.
 */
import { createHash } from 'node:crypto';

function canonical(v: unknown, depth = 0): unknown {
  if (depth > 64) throw new RangeError('fingerprint: value nested deeper than 64 levels');
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (typeof v === 'function' || typeof v === 'symbol') return undefined;
  if (v === null || typeof v !== 'object') return v;
  if (ArrayBuffer.isView(v)) return { $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (Array.isArray(v)) return v.map((x) => canonical(x, depth + 1) ?? null);
  if (v instanceof Map) {
    return { $map: [...v.entries()].map(([k, x]) => [canonical(k, depth + 1), canonical(x, depth + 1)]).sort((a, b) => (JSON.stringify(a[0]) < JSON.stringify(b[0]) ? -1 : 1)) };
  }
  if (v instanceof Set) return { $set: [...v].map((x) => JSON.stringify(canonical(x, depth + 1))).sort() };
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const c = canonical((v as Record<string, unknown>)[k], depth + 1);
    if (c !== undefined) out[k] = c;
  }
  return out;
}

/** Hex SHA-256 of the canonical form of `value`. */
export function configFingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex');
}
