import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ReplayGuard } from './replay-guard.js';

describe('ReplayGuard', () => {
  it('admits a signature once per window and forgets it after', () => {
    const g = new ReplayGuard();
    assert.equal(g.admit('a', 1_000, 0), true);
    assert.equal(g.admit('a', 1_000, 999), false);
    assert.equal(g.admit('a', 3_000, 1_000), true, 'its window is over: the entry is gone');
  });

  it('stays within its cap, dropping the oldest first, and expires as it goes', () => {
    const g = new ReplayGuard(100);
    for (let i = 0; i < 10_000; i++) g.admit(`s${i}`, 1e12, i);
    assert.equal(g.size, 100);
    assert.equal(g.admit('s9999', 1e12, 10_000), false, 'the newest are kept');
    const h = new ReplayGuard();
    for (let i = 0; i < 1_000; i++) h.admit(`s${i}`, i + 10, i);
    assert.ok(h.size < 30, `expired entries are dropped while admitting (${h.size})`);
  });
});
