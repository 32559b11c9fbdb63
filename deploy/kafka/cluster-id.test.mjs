// The KRaft cluster id (cluster-id.mjs): never a leading '-', never a reserved id,
// always 22 base64url characters. Deterministic: the random source is injected.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterId, clusterIdFromBytes } from './cluster-id.mjs';

const BASE64URL_22 = /^[A-Za-z0-9_-]{22}$/;

/** A byte source that returns the given 16-byte draws in turn. */
function draws(...list) {
  let i = 0;
  return (n) => {
    assert.equal(n, 16);
    assert.ok(i < list.length, 'drew more often than the test planned');
    return Buffer.from(list[i++]);
  };
}

const bytesWithFirst = (first) => [first, ...Array.from({ length: 15 }, (_, i) => (i * 37 + 11) & 0xff)];

describe('kafka cluster id', () => {
  it('redraws exactly when the first byte is 0xF8–0xFB (a leading "-"), for every first byte', () => {
    const fallback = bytesWithFirst(0x41);
    let redrawn = 0;
    for (let first = 0; first < 256; first++) {
      const bytes = bytesWithFirst(first);
      const plain = Buffer.from(bytes).toString('base64url');
      const id = clusterId(draws(bytes, fallback));
      assert.match(id, BASE64URL_22);
      assert.ok(!id.startsWith('-'), `first byte ${first} gave ${id}`);
      if (plain.startsWith('-')) {
        redrawn++;
        assert.ok(first >= 0xf8 && first <= 0xfb, `first byte ${first}`);
        assert.equal(id, Buffer.from(fallback).toString('base64url'));
      } else {
        assert.equal(id, plain, 'any other draw is used as drawn');
      }
    }
    assert.equal(redrawn, 4, 'one first byte in 64 encodes to "-"');
  });

  it('never returns the reserved ids (all zero, and the metadata topic id 0…01)', () => {
    const zero = new Array(16).fill(0);
    const metadata = [...new Array(15).fill(0), 1];
    const ok = [...new Array(15).fill(0), 2];
    assert.equal(clusterIdFromBytes(zero), null);
    assert.equal(clusterIdFromBytes(metadata), null);
    assert.equal(clusterId(draws(zero, metadata, ok)), Buffer.from(ok).toString('base64url'));
  });

  it('refuses a byte string that is not 16 bytes', () => {
    assert.throws(() => clusterIdFromBytes(Buffer.alloc(15)), /16 bytes, got 15/);
  });

  it('draws ids Kafka can parse from the real random source', () => {
    for (let i = 0; i < 2_000; i++) {
      const id = clusterId();
      assert.match(id, BASE64URL_22);
      assert.ok(!id.startsWith('-'));
      assert.equal(Buffer.from(id, 'base64url').length, 16);
    }
  });
});
