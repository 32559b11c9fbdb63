/**
 * Test support (not exported): random one-market books for the stress property
 * tests. Traders of random deposit, leverage and size, long or short, each filled
 * at 30,000 against one maker that rests exactly what the trader takes (so no order
 * is left resting: the live ladder's book path is not needed to compare), BTCUSDT
 * marks = index, a call level of 5× MM so random shocks land in the call band too.
 */
import fc from 'fast-check';
import { RiskHarness, USDT, btcSubticks, btcTicks, riskConfig, withFundSeed } from '../risk-harness.test-support.js';
import type { RiskEngineConfig } from '../risk-config.js';

export interface Trader {
  readonly depositUsdt: number;
  readonly leverage: number;
  readonly lots: number;
  readonly long: boolean;
}

export const trader: fc.Arbitrary<Trader> = fc.record({
  depositUsdt: fc.integer({ min: 200, max: 6_000 }),
  leverage: fc.integer({ min: 2, max: 50 }),
  lots: fc.integer({ min: 50, max: 1_500 }),
  long: fc.boolean(),
});

const MAKER = 1_000;

export function book(traders: readonly Trader[], fundSeedUsdt: number): { h: RiskHarness; config: RiskEngineConfig } {
  const config = withFundSeed(riskConfig({ markMethod: 'INDEX', marginCallLevelE8: 500_000_000 }), fundSeedUsdt * USDT);
  const h = new RiskHarness(config);
  h.wireCheck = false;
  h.index('BTCUSDT', btcSubticks('30000'));
  h.deposit(MAKER, 10_000_000 * USDT);
  traders.forEach((t, i) => {
    const id = i + 1;
    h.deposit(id, t.depositUsdt * USDT);
    h.setLeverage(id, 'BTCUSDT', t.leverage);
    // the maker rests exactly what the trader takes, and withdraws the rest if the trader is refused
    h.place({ account: MAKER, side: t.long ? 'sell' : 'buy', priceTicks: btcTicks('30000'), lots: t.lots, orderId: 10_000 + id });
    if (h.place({ account: id, side: t.long ? 'buy' : 'sell', priceTicks: btcTicks('30000'), lots: t.lots }) !== '') h.cancel(MAKER, 10_000 + id);
  });
  return { h, config };
}

