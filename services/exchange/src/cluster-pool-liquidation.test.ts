/**
 * An external liquidator against the cluster risk shard's lending pool, through the
 * `KafkaExchangeClient` and the shard's query responder, on one in-process bus (the
 * composition cluster-risk.js runs over Kafka; the broker run of the pool flow is
 * cluster-lending-kafka.test.ts). The index alone moves a borrower below health
 * factor 1; the liquidator finds it through the candidates query, calls with the
 * position sequence it saw and is paid the bonus; a second call on the same
 * sequence is refused (first valid call wins) and changes nothing; the shard's
 * audit holds after.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InProcessBus, Topics } from '@perpcore/bus';
import { defaultMarketSpecs, defaultVenueMarkets } from '@perpcore/markets';
import { createLogger } from '@perpcore/observability';
import { SCHEMA_MAJOR_V1, type OracleEventV1 } from '@perpcore/proto';
import { serveAccountQueries } from './account-query-responder.js';
import { createRiskShard } from './cluster-risk-shard.js';
import { KafkaExchangeClient } from './client/kafka-exchange-client.js';

const logger = createLogger('pool-liquidation-test', 'silent');
const T0 = 1_767_225_600_000_000_000;
const S = 1_000_000_000;
const USDT = 1_000_000;
const BTC = 100_000_000;
/** BTCUSDT index in subticks (100 per 0.1 USDT tick): 30,000.00 USDT. */
const indexAt = (usdt: number) => usdt * 1_000;

describe('cluster risk shard: an external liquidator through the client', () => {
  it('finds the borrower the index took below HF 1, liquidates it once with the bonus; a second call on the same sequence is refused', async () => {
    const bus = new InProcessBus();
    const shard = await createRiskShard(bus, { source: 'risk-p', specs: defaultMarketSpecs, fundSeedUnits: 0, liquidationSource: 'liquidation-p', lending: { loans: false, lendingPool: true } }, logger);
    await shard.start();
    let nowNs = T0;
    let indexSeq = 0;
    const index = (usdt: number) => {
      nowNs += S;
      bus.publish(Topics.oracleIndexPrices, { schemaMajor: SCHEMA_MAJOR_V1, seq: ++indexSeq, tsNs: nowNs, source: 'oracle-p', symbol: 'BTCUSDT', event: 'indexPrice', indexPrice: { priceSubticks: indexAt(usdt), sources: [] } } as OracleEventV1);
    };
    const engine = shard.risk.engine;
    const queries = await serveAccountQueries(bus, 'risk-p', 'risk-p', {
      accountReport: (id) => engine.accountReport(id),
      adlBucket: () => undefined,
      liquidationCandidates: () => engine.liquidationCandidates(),
      halted: () => '',
      nowNs: () => nowNs,
    });
    const client = await KafkaExchangeClient.create({ bus, venue: defaultVenueMarkets(defaultMarketSpecs), source: 'liquidator-gw', timeoutMs: 1_000, nowNs: () => nowNs });
    try {
      index(30_000);
      const [supplier, borrower, liquidator] = [601, 602, 603];
      assert.equal((await client.deposit(supplier, 'USDT', 50_000 * USDT)).rejection, null);
      assert.equal((await client.poolSupply(supplier, 'USDT', 50_000 * USDT)).rejection, null);
      assert.equal((await client.deposit(borrower, 'BTC', BTC)).rejection, null);
      assert.equal((await client.poolSupply(borrower, 'BTC', BTC)).rejection, null);
      // 75 % LTV of 1 BTC at 30,000 is 22,500: 22,000 borrowed, HF = 30,000 × 0.80 / 22,000 ≈ 1.09
      assert.equal((await client.poolBorrow(borrower, 'USDT', 22_000 * USDT)).rejection, null);
      assert.equal((await client.deposit(liquidator, 'USDT', 10_000 * USDT)).rejection, null);
      assert.deepEqual(await client.liquidationCandidates(), [], 'nobody below HF 1 yet');

      index(27_000); // HF = 27,000 × 0.80 / 22,000 ≈ 0.98: above 0.95, so the close factor is 50 %
      const candidates = await client.liquidationCandidates();
      assert.deepEqual(candidates.map((c) => c.accountId), [borrower]);
      const [c] = candidates;
      assert.ok(BigInt(c.healthFactorE8) < 100_000_000n && BigInt(c.healthFactorE8) > 95_000_000n, `HF ${c.healthFactorE8} E8`);
      assert.deepEqual(c.legs.map((l) => l.asset).sort(), ['BTC', 'USDT']);

      const call = await client.liquidationCall(liquidator, borrower, 'USDT', 'BTC', 5_000 * USDT, c.positionSeq);
      assert.equal(call.rejection, null, JSON.stringify(call.rejection));
      const seized = (await client.account(liquidator))?.collateral.find((x) => x.asset === 'BTC')?.balanceUnits ?? 0;
      // 5,000 USDT of debt at 27,000 is 18,518,518.5 sat; the 5 % bonus less the protocol's 10 % share of it
      // (to the insurance fund) leaves the liquidator × 1.045 = 19,351,851.85: rounded down
      assert.equal(seized, 19_351_851, "repaid / price × (1 + bonus × (1 − protocol share)), rounded down, in the liquidator's wallet");
      assert.equal((await client.account(liquidator))?.collateral.find((x) => x.asset === 'USDT')?.balanceUnits, 5_000 * USDT);

      const hashBefore = engine.stateHash();
      const late = await client.liquidationCall(liquidator, borrower, 'USDT', 'BTC', 1_000 * USDT, c.positionSeq);
      assert.equal(late.rejection?.code, 'RISK_DEFI_POSITION_CHANGED', 'the second call on the same sequence loses');
      assert.equal(engine.stateHash(), hashBefore, 'and changes nothing');
      const audit = engine.audit();
      assert.ok(audit.ok, audit.problems.join('; '));
    } finally {
      await client.close();
      await queries.close();
      await shard.closeStages();
    }
  });
});
