import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultMarketSpecs, defaultSystemAccounts, defaultVenueMarkets, selectMarkets, SIM_DEPOSIT_UNITS, simulatedAccountIds, simulatedIndexStarts, simulatedOrderFlowConfig } from './index.js';

describe('default markets and venue', () => {
  it('builds risk parameters for every default market, settled in the venue asset', () => {
    const venue = defaultVenueMarkets();
    assert.deepEqual(venue.map((m) => m.spec.symbol), ['BTCUSDT', 'ETHUSDT']);
    for (const m of venue) {
      assert.equal(m.risk.symbol, m.spec.symbol);
      assert.equal(m.risk.lotTickUnits, m.spec.lotTickUnits);
      assert.equal(m.spec.settleAsset, 'USDT');
      assert.equal(m.risk.insuranceFundId, defaultSystemAccounts.insuranceFunds[0].fundId);
      assert.ok(m.makerFeeRateE8 + m.takerFeeRateE8 >= 0);
    }
  });

  it('selects a risk model per market, validated at load, naming the bad key or symbol', () => {
    const ramp = { initialMargin: 'IMF_RAMP', imfRamp: { baseImfE8: 5_000_000, lowerCapUnits: 0, upperCapUnits: 100_000_000_000 } } as const;
    const venue = defaultVenueMarkets(defaultMarketSpecs, {}, { ETHUSDT: ramp });
    assert.equal(venue[0].risk.model.initialMargin, 'FIXED');
    assert.deepEqual(venue[1].risk.model.imfRamp, ramp.imfRamp);
    assert.equal(defaultVenueMarkets()[0].risk.model.contract, 'LINEAR');
    assert.throws(() => defaultVenueMarkets(defaultMarketSpecs, {}, { DOGEUSDT: ramp }), /model is given for DOGEUSDT, which is not listed/);
    assert.throws(() => defaultVenueMarkets(defaultMarketSpecs, {}, { BTCUSDT: { initialMargin: 'IMF_RAMP' } }), /BTCUSDT\.model\.imfRamp must be an object/);
  });

  it('selects markets by symbol and names an unknown one', () => {
    assert.deepEqual(selectMarkets(['ETHUSDT']).map((s) => s.symbol), ['ETHUSDT']);
    assert.throws(() => selectMarkets(['BTCUSDT', 'DOGEUSDT']), /market "DOGEUSDT" is not listed \(listed: BTCUSDT, ETHUSDT\)/);
  });
});

describe('simulated market', () => {
  const config = simulatedOrderFlowConfig(42);

  it('starts each market inside its price range and quotes on the grid the spec bounds', () => {
    config.markets.forEach((m, i) => {
      const spec = defaultMarketSpecs[i];
      assert.equal(m.symbol, spec.symbol);
      assert.ok(m.startPriceTicks > config.quoteSpacingTicks * (config.quotesPerSide + 2) && m.startPriceTicks < spec.maxPriceTicks);
      assert.ok(config.maxOrderLots <= spec.maxQtyLots);
    });
  });

  it('trades from accounts that are neither system accounts nor shared between makers and takers', () => {
    const ids = simulatedAccountIds(config);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(!ids.includes(defaultSystemAccounts.feeAccountId));
    for (const fund of defaultSystemAccounts.insuranceFunds) assert.ok(!ids.includes(fund.accountId));
    assert.ok(Number.isSafeInteger(SIM_DEPOSIT_UNITS));
  });

  it('starts the index where the flow starts, at mark resolution', () => {
    assert.deepEqual(simulatedIndexStarts(config, () => 100), [
      { symbol: 'BTCUSDT', startPriceSubticks: 30_000_000 },
      { symbol: 'ETHUSDT', startPriceSubticks: 20_000_000 },
    ]);
  });

  it('is a plain value: two calls give equal, independent configs', () => {
    const other = simulatedOrderFlowConfig(42);
    assert.deepEqual(other, config);
    other.makerAccounts.push(99);
    assert.notDeepEqual(other.makerAccounts, config.makerAccounts);
  });
});
