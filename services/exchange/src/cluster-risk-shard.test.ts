/**
 * The risk shard's snapshot holds the book samples it marks on. A shard restored
 * from a snapshot taken after matching's last book sample, fed the same index prices
 * afterwards, must reach the state of the shard that ran through: its basis samples
 * (mark price) and premium samples (funding) read that book. Restored without the
 * samples (what the snapshot held before), it samples an empty book and does not.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InProcessBus, Topics } from '@perpcore/bus';
import { defaultMarketSpecs } from '@perpcore/markets';
import { createLogger } from '@perpcore/observability';
import { SCHEMA_MAJOR_V1, type MatchingEventV1, type OracleEventV1 } from '@perpcore/proto';
import { decodeValue, encodeValue } from '@perpcore/snapshot';
import { createRiskShard, type RiskShardConfig, riskShardFingerprint } from './cluster-risk-shard.js';
import { SCHEMA_MAJOR_V1 as V1, type AccountCommandV1, type RiskEventV1 } from '@perpcore/proto';

const logger = createLogger('shard-test', 'silent');
const config: RiskShardConfig = { source: 'risk-t', specs: defaultMarketSpecs, fundSeedUnits: 20_000_000_000, liquidationSource: 'liquidation-t' };
const T0 = 1_767_225_600_000_000_000;
const S = 1_000_000_000;

const index = (seq: number, tsNs: number): OracleEventV1 =>
  ({ schemaMajor: SCHEMA_MAJOR_V1, seq, tsNs, source: 'oracle-t', symbol: 'BTCUSDT', event: 'indexPrice', indexPrice: { priceSubticks: 30_000_000, sources: [] } }) as OracleEventV1;
// the book sits 1% above the index: every basis and premium sample sees it
const sample = (seq: number, tsNs: number): MatchingEventV1 =>
  ({
    schemaMajor: SCHEMA_MAJOR_V1, market: 'BTCUSDT', seq, tsNs, inputSource: 'risk-t', inputSeq: seq, event: 'bookSample',
    bookSample: { sampledAtNs: tsNs, bids: [{ priceTicks: 302_990, qtyLots: 500 }], asks: [{ priceTicks: 303_010, qtyLots: 500 }] },
  }) as MatchingEventV1;

async function shard() {
  const bus = new InProcessBus();
  const s = await createRiskShard(bus, config, logger);
  await s.start();
  return { bus, s };
}

describe('risk shard snapshot', () => {
  it('carries the book samples: a restored shard marks and samples the premium on the same book', async () => {
    const through = await shard();
    through.bus.publish(Topics.oracleIndexPrices, index(1, T0));
    through.bus.publish(Topics.matchingEvents, sample(1, T0 + S));
    through.bus.publish(Topics.oracleIndexPrices, index(2, T0 + 2 * S));
    const bytes = through.s.exportState();
    const restored = await shard();
    restored.s.importState(bytes);
    const withoutBooks = await shard();
    const s = decodeValue(bytes) as Record<string, Uint8Array>;
    withoutBooks.s.importState(encodeValue({ ...s, books: encodeValue([]) }));
    assert.equal(restored.s.stateHash(), through.s.stateHash());
    // the same index prices after the snapshot, across many sample boundaries, and no new book sample
    for (let i = 3; i <= 40; i++) for (const x of [through, restored, withoutBooks]) x.bus.publish(Topics.oracleIndexPrices, index(i, T0 + i * 5 * S));
    assert.equal(restored.s.stateHash(), through.s.stateHash(), 'the restored shard sampled the same book');
    assert.notEqual(withoutBooks.s.stateHash(), through.s.stateHash(), 'a shard restored on empty books samples another basis and premium');
    for (const x of [through, restored, withoutBooks]) await x.s.closeStages();
  });

  it('refuses a snapshot without book samples (an older build) rather than restore a shard that would mark differently', async () => {
    const through = await shard();
    const s = decodeValue(through.s.exportState()) as Record<string, Uint8Array>;
    const old = await shard();
    assert.throws(() => old.s.importState(encodeValue({ risk: s.risk, liquidation: s.liquidation })), /holds no book samples/);
    await through.s.closeStages();
    await old.s.closeStages();
  });
});

describe('risk shard lending contexts', () => {
  const command = (seq: number, accountId: number, body: Partial<AccountCommandV1>): AccountCommandV1 => ({ schemaMajor: V1, accountId, seq, tsNs: T0 + seq * S, source: 'test', commandId: seq, ...body }) as AccountCommandV1;
  const answers = async (lending: RiskShardConfig['lending']) => {
    const bus = new InProcessBus();
    const s = await createRiskShard(bus, { ...config, ...(lending === undefined ? {} : { lending }) }, logger);
    await s.start();
    const events: RiskEventV1[] = [];
    await bus.subscribe(Topics.riskAccountEvents, { groupId: 'watch', fromBeginning: true }, (m) => void events.push(m.value));
    bus.publish(Topics.oracleIndexPrices, index(1, T0));
    bus.publish(Topics.gatewayAccountCommands, command(1, 501, { command: 'deposit', deposit: { asset: lending === undefined ? 'USDT' : 'BTC', amountUnits: 100_000_000 } }));
    bus.publish(Topics.gatewayAccountCommands, command(2, 501, { command: 'openLoan', openLoan: { loanAsset: 'USDT', collateralAsset: 'BTC', principalUnits: 1_000_000_000, collateralUnits: 50_000_000 } }));
    bus.publish(Topics.gatewayAccountCommands, command(3, 502, { command: 'poolSupply', poolSupply: { asset: 'USDT', amountUnits: 1 } }));
    await s.closeStages();
    return events.filter((e) => e.event === 'commandAccepted' || e.event === 'commandRejected' || e.event === 'loanOpened').map((e) => (e.event === 'commandRejected' ? e.commandRejected?.code : e.event));
  };

  it('are off unless configured: a shard without them refuses loans and pool commands', async () => {
    assert.deepEqual(await answers(undefined), ['commandAccepted', 'RISK_LOANS_DISABLED', 'RISK_INVALID_COMMAND']);
  });

  it('with loans and the pool on, BTC is collateral: the loan opens (its event before the answer), the pool answers', async () => {
    // account 502 has no balance: the pool refuses its supply on the money, not for want of a pool
    const got = await answers({ loans: true, lendingPool: true });
    assert.deepEqual(got.slice(0, 3), ['commandAccepted', 'loanOpened', 'commandAccepted']);
    assert.notEqual(got[3], 'RISK_INVALID_COMMAND');
    assert.match(String(got[3]), /^RISK_/);
  });

  it('are part of the snapshot fingerprint; a shard without them keeps the fingerprint it always had', () => {
    const without = riskShardFingerprint(config);
    assert.equal(riskShardFingerprint({ ...config, lending: { loans: false, lendingPool: false } }), without);
    const loans = riskShardFingerprint({ ...config, lending: { loans: true, lendingPool: false } });
    const both = riskShardFingerprint({ ...config, lending: { loans: true, lendingPool: true } });
    assert.equal(new Set([without, loans, both]).size, 3);
  });
});
