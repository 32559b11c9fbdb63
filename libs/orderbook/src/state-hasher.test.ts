import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { StateHasher } from './state-hasher.js';

/** FNV-1a 64 over bytes, in bigint: the model. */
function fnvBigBytes(bytes: number[]): string {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffff_ffff_ffff_ffffn;
  }
  return h.toString(16).padStart(16, '0');
}

/** The hasher's encoding: each value as 8 little-endian bytes. */
function fnvBig(values: number[]): string {
  const bytes: number[] = [];
  for (const v of values) {
    let x = BigInt(v);
    for (let i = 0; i < 8; i++) {
      bytes.push(Number(x & 0xffn));
      x >>= 8n;
    }
  }
  return fnvBigBytes(bytes);
}

describe('StateHasher (FNV-1a 64)', () => {
  it('hashes the empty stream to the offset basis', () => {
    assert.equal(new StateHasher().digest(), 'cbf29ce484222325');
  });

  it('the bigint model gives the published FNV-1a 64 vectors', () => {
    assert.equal(fnvBigBytes([0x61]), 'af63dc4c8601ec8c');
    assert.equal(fnvBigBytes([...'foobar'].map((c) => c.charCodeAt(0))), '85944171f73967e8');
  });

  it('equals a bigint FNV-1a 64 on any stream of safe non-negative integers', () => {
    fc.assert(
      fc.property(fc.array(fc.maxSafeNat(), { maxLength: 20 }), (values) => {
        const h = new StateHasher();
        for (const v of values) h.add(v);
        assert.equal(h.digest(), fnvBig(values));
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('reset returns to the offset basis; sides map to 1 and 2', () => {
    const h = new StateHasher();
    h.add(5);
    h.reset();
    assert.equal(h.digest(), 'cbf29ce484222325');
    const a = new StateHasher();
    a.addSide(-1);
    const b = new StateHasher();
    b.add(2);
    assert.equal(a.digest(), b.digest());
  });
});
