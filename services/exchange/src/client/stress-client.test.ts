import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@perpcore/observability';
import { SCHEMA_MAJOR_V1, type GatewayQueryV1, gatewayReplyCodec } from '@perpcore/proto';
import { answerStressQuery } from '../account-query-responder.js';
import { EmbeddedExchange } from '../embedded-exchange.js';
import type { ExchangeClient } from './exchange-client.js';

describe('ExchangeClient.stress (embedded) and the cluster shard’s stress reply', () => {
  let exchange: EmbeddedExchange;
  let client: ExchangeClient;
  const crash = { shocks: [{ market: 'BTCUSDT', shockBps: -2_000 }] };

  before(async () => {
    exchange = await EmbeddedExchange.create({ logger: createLogger('test', 'silent'), seed: 7 });
    client = await exchange.client('gateway-stress');
    exchange.step(20_000); // the simulated traders open their leveraged positions
  });
  after(async () => exchange.close());

  it('answers the risk engine’s report, changing nothing', async () => {
    const hash = exchange.stateHash();
    const answer = await client.stress(crash);
    assert.equal(exchange.stateHash(), hash);
    assert.ok(answer.ok);
    assert.deepEqual(answer.report, exchange.risk.engine.stress(crash));
    assert.ok(answer.report.totals.liquidatingScopes > 0, 'a −20% gap liquidates some of the 2×–20× traders');
    assert.ok(answer.report.totals.accountsSkipped > 0, 'the breach index skips the far ones');
  });

  it('a bad request answers its code and message', async () => {
    const answer = await client.stress({ shocks: [{ market: 'BTCUSDT', shockBps: -10_000 }] });
    assert.deepEqual(answer.ok ? null : [answer.code, /beyond ±100%/.test(answer.message)], ['RISK_STRESS_SHOCK_OUT_OF_RANGE', true]);
  });

  it('the shard’s reply (tags 20/21) carries the same report through the wire codec', () => {
    const query = { schemaMajor: SCHEMA_MAJOR_V1, seq: 9, tsNs: 1, source: 'gateway-x', query: 'stress', stress: { requestJson: JSON.stringify(crash) } } as GatewayQueryV1;
    const state = { accountReport: () => null, adlBucket: () => undefined, stress: (r: unknown) => exchange.risk.engine.stress(r), halted: () => '', nowNs: () => 2 };
    const decoded = gatewayReplyCodec.decode(gatewayReplyCodec.encode(answerStressQuery(query, 'risk-0', state)));
    assert.ok(decoded.ok);
    const reply = decoded.value;
    assert.deepEqual([reply.replyTo, Number(reply.seq), reply.reply, reply.stress?.ok], ['gateway-x', 9, 'stress', true]);
    assert.deepEqual(JSON.parse(reply.stress?.reportJson ?? ''), JSON.parse(JSON.stringify(exchange.risk.engine.stress(crash))));
    const bad = answerStressQuery({ ...query, stress: { requestJson: '{"shocks":[{"market":"NOPE","shockBps":1}]}' } } as GatewayQueryV1, 'risk-0', state);
    assert.deepEqual([bad.stress?.ok, bad.stress?.code], [false, 'RISK_STRESS_UNKNOWN_MARKET']);
    const notJson = answerStressQuery({ ...query, stress: { requestJson: '{' } } as GatewayQueryV1, 'risk-0', state);
    assert.equal(notJson.stress?.code, 'RISK_STRESS_INVALID_REQUEST');
  });
});
