import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FundHistory } from './fund-history.js';

const fund = (balanceUnits: number) => [{ fundId: 'shared', accountId: 900_002, asset: 'USDT', balanceUnits, markets: ['BTCUSDT'] }];

describe('insurance fund history for the dashboard', () => {
  it('keeps exact balances, newest samples only', () => {
    const h = new FundHistory(6, 2);
    h.record(1_000, fund(2_000_000_001));
    h.record(2_000, fund(1_999_999_999));
    h.record(3_000, fund(0));
    assert.deepEqual(h.all(), [
      { tMs: 2_000, balances: { shared: '1999.999999' } },
      { tMs: 3_000, balances: { shared: '0' } },
    ]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    for (const capacity of [0, 2.5, -3]) assert.throws(() => new FundHistory(6, capacity), RangeError);
  });
});
