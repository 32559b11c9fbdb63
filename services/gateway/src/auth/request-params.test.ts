import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseParams } from './request-params.js';

describe('parseParams', () => {
  it('decodes exactly as URLSearchParams does, for any text without duplicate names', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 12 })), { maxLength: 8 }), fc.boolean(), (pairs, raw) => {
        const text = raw ? pairs.map(([k, v]) => `${k}=${v}`).join('&') : new URLSearchParams(pairs).toString();
        // URLSearchParams drops one leading '?' of its input; a leading '?' here is data (the query starts after it)
        const reference = [...new URLSearchParams(`?${text}`)];
        if (new Set(reference.map(([k]) => k)).size !== reference.length) {
          assert.throws(() => parseParams(text), /Duplicate/);
          return;
        }
        assert.deepEqual([...parseParams(text)], reference);
      }),
      { seed: 7, numRuns: 3_000 },
    );
  });

  it('refuses a name given twice, in one text or across query and body', () => {
    assert.throws(() => parseParams('a=1&a=2'), /Duplicate/);
    assert.throws(() => parseParams('a=1', 'a=1'), /Duplicate/);
    assert.deepEqual([...parseParams('a=%zz&b=+x+&c')], [['a', '%zz'], ['b', ' x '], ['c', '']]);
  });
});
