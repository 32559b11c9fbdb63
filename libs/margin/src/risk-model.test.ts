import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@perpcore/domain';
import type { MarketRiskParamsInput } from './market-risk-params.js';
import { LINEAR_MODEL } from './risk-model.js';
import { btcParams, ethParams } from './venue-fixtures.js';

const rejects = (overrides: Partial<MarketRiskParamsInput>, key: RegExp) =>
  assert.throws(() => btcParams(overrides), (e: unknown) => e instanceof DomainError && e.code === 'RISK_INVALID_MARKET_PARAMS' && key.test(e.message));

const ramp = { baseImfE8: 5_000_000, lowerCapUnits: 0, upperCapUnits: 1_000 };

describe('market model selection (validated at load)', () => {
  it('defaults to linear, fixed IM, tiered MM', () => {
    assert.deepEqual(btcParams().model, LINEAR_MODEL);
  });

  it('accepts inverse with a contract value and the IMF ramp', () => {
    const p = btcParams({ model: { contract: 'INVERSE', contractValueQuote: '100', initialMargin: 'IMF_RAMP', imfRamp: ramp } });
    assert.equal(p.model.contract, 'INVERSE');
    assert.deepEqual(p.model.contractValueQuote, { mantissa: 100n, scale: 0 });
    assert.deepEqual(p.model.imfRamp, ramp);
  });

  it('the old Binance BTC brackets are already 1 / (2 × max leverage): HYPERLIQUID accepts them', () => {
    assert.equal(btcParams({ model: { maintenanceMargin: 'HYPERLIQUID' } }).model.maintenanceMargin, 'HYPERLIQUID');
  });

  it('names the bad key', () => {
    rejects({ model: { contract: 'QUANTO' as never } }, /BTCUSDT\.model\.contract/);
    rejects({ model: { contract: 'INVERSE' } }, /model\.contractValueQuote is required/);
    rejects({ model: { contract: 'INVERSE', contractValueQuote: '0' } }, /contractValueQuote must be positive/);
    rejects({ model: { contract: 'INVERSE', contractValueQuote: '1e3' } }, /contractValueQuote/);
    rejects({ model: { contractValueQuote: '1' } }, /only allowed for an INVERSE/);
    rejects({ model: { initialMargin: 'IMF_RAMP' } }, /model\.imfRamp must be an object/);
    rejects({ model: { imfRamp: ramp } }, /imfRamp is only allowed/);
    rejects({ model: { initialMargin: 'IMF_RAMP', imfRamp: { ...ramp, baseImfE8: 400_000 } } }, /baseImfE8 must exceed/);
    rejects({ model: { initialMargin: 'IMF_RAMP', imfRamp: { ...ramp, upperCapUnits: 0 } } }, /upperCapUnits must be >/);
    rejects({ model: { initialMargin: 'IMF_RAMP', imfRamp: { ...ramp, lowerCapUnits: Number.NaN } } }, /lowerCapUnits/);
    rejects({ model: { initialMargin: 'IMF_RAMP', imfRamp: { ...ramp, extra: 1 } as never } }, /imfRamp\.extra/);
    assert.throws(() => ethParams({ model: { maintenanceMargin: 'HYPERLIQUID' } }), /ETHUSDT\.tiers\[1\]\.mmrE8 must be ceil\(1e8 \/ \(2 × 75\)\) = 666667/);
    rejects({ model: { typo: 1 } as never }, /model\.typo is not a model key/);
    rejects({ fundingCap: { kind: 'IMF_MMF_MULTIPLE', multipleE8: 600_000_000 } }, /IMF_MMF_MULTIPLE needs/);
  });
});
