/**
 * Cluster mode end to end on a real broker: `deploy/cluster/start-cluster.mjs`
 * runs oracle, matching in two shards by market (`--matching-shards 2`), risk (+ the
 * liquidation engine) and the simulated gateway as separate processes wired only by Kafka, with npm start's leveraged crowd and a
 * −12% index gap, and its reconciliation must hold: every order passed on or
 * refused, every fill produced settled once per side, every liquidation carried to
 * its end and no scope left LIQUIDATING in risk, positions netting to zero per
 * market (fund takeovers and ADL included), risk's own open interest and
 * conservation audit agreeing.
 *
 * No wall-clock race: the shock is armed by the launcher only once the gateway saw
 * risk settle every one of the crowd's entries (and lands at the later of that and
 * --shock-at-s), and the drain waits for risk's mark of the shocked index, so "the
 * shock liquidated part of the crowd" holds however late risk runs on a loaded machine.
 *
 * While it trades, a client uses the real gateway (cluster-main.js) as a user of
 * `start:cluster -- --http-port` would: an account, an API key and a deposit through
 * the operator API, then signed REST orders (rest, cancel, an IOC through the book).
 * Those commands reach risk beside the simulated gateway's, and the reconciliation
 * must count them (it counted the simulated gateway's alone, so any REST order made
 * the run NOT RECONCILED). The operator dashboard's state (GET
 * /v1/admin/dashboard/state with the token) must show the market live over Kafka:
 * mark, index and last price, a two-sided book, ticks with fills and the fund.
 *
 * Before the cluster starts, bad input is written to the services' input topics:
 * garbage bytes, a truncated message, an unknown schema version, and well-formed
 * commands for a market nobody lists. Each must land on `<topic>.dlq` with its code
 * and original offset, and the consumers must keep going (the run after them still
 * reconciles; nothing of them was applied: an applied unknown-market order would
 * show up as a risk reject and break the order accounting).
 *
 * Needs PERPCORE_KAFKA_BROKERS (scripts/run-tests.mjs starts a broker for files
 * named *kafka*); skipped loudly without it, failed under CI.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { type DeadLetter, KafkaBus, type Topic, Topics } from '@perpcore/bus';
import { createLogger } from '@perpcore/observability';
import { type MatchingCommandV1, SCHEMA_MAJOR_V1, matchingCommandCodec, matchingEventCodec, perpcore } from '@perpcore/proto';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const brokers = process.env.PERPCORE_KAFKA_BROKERS?.trim() ?? '';
const skip = brokers === '' ? 'PERPCORE_KAFKA_BROKERS is not set (run through scripts/run-tests.mjs)' : false;
if (skip !== false) {
  if (process.env.CI) it('cluster Kafka tests must run under CI', () => assert.fail(`${skip}, and CI is set`));
  else process.stderr.write(`\n!!!!! cluster-kafka: SKIPPED: ${skip}\n\n`);
}

const run = `${process.pid}${Date.now().toString(36)}`;
const unknownMarket = `NOPE${run.toUpperCase()}`;

function place(market: string, accountId: number, orderId: number): MatchingCommandV1 {
  return {
    schemaMajor: SCHEMA_MAJOR_V1, market, seq: 1, tsNs: Date.now() * 1e6, source: `fault-${run}`, command: 'place',
    place: { orderId, accountId, side: 1, type: 1, timeInForce: 1, priceTicks: 300_000, qtyLots: 1, triggerPriceTicks: 0, triggerSource: 0, selfTradePrevention: 0, reduceOnly: false, clientOrderId: '', liquidationId: 0 },
  } as MatchingCommandV1;
}

interface Fault {
  topic: Topic<unknown>;
  key: string;
  bytes?: Uint8Array;
  value?: unknown;
  code: string;
}

function faults(): Fault[] {
  const validCommand = matchingCommandCodec.encode(place('BTCUSDT', 101, 9_000_000_001));
  const fill = matchingEventCodec.encode({
    schemaMajor: 1, market: 'BTCUSDT', seq: 1, tsNs: 1, inputSource: 'x', inputSeq: 1, event: 'filled',
    filled: { tradeSeq: 1, makerOrderId: 1, makerAccountId: 101, takerOrderId: 2, takerAccountId: 102, takerSide: 1, priceTicks: 300_000, qtyLots: 1, makerRemainingLots: 0, takerRemainingLots: 0, fillType: 1, liquidationId: 0 },
  } as never);
  const futureIndex = perpcore.oracle.v1.OracleEventV1.encode({ schemaMajor: 2, seq: 1, tsNs: 1, source: 'oracle-9', symbol: 'BTCUSDT', indexPrice: { priceSubticks: 30_000_000, sources: [] } } as never).finish();
  const garbage = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x99]);
  return [
    { topic: Topics.matchingCommands as Topic<unknown>, key: `garbage-${run}`, bytes: garbage, code: 'PROTO_MALFORMED' },
    { topic: Topics.matchingCommands as Topic<unknown>, key: `truncated-${run}`, bytes: validCommand.subarray(0, validCommand.length - 4), code: 'PROTO_MALFORMED' },
    { topic: Topics.matchingCommands as Topic<unknown>, key: unknownMarket, value: place(unknownMarket, 101, 9_000_000_002), code: 'MATCHING_UNKNOWN_MARKET' },
    { topic: Topics.gatewayOrderCommands as Topic<unknown>, key: `garbage-${run}`, bytes: garbage, code: 'PROTO_MALFORMED' },
    // raw, so that its key is this run's own (a real gateway would key it by account)
    { topic: Topics.gatewayOrderCommands as Topic<unknown>, key: `unknown-market-${run}`, bytes: matchingCommandCodec.encode(place(unknownMarket, 101, 9_000_000_003)), code: 'RISK_UNKNOWN_MARKET' },
    { topic: Topics.matchingEvents as Topic<unknown>, key: `truncated-${run}`, bytes: fill.subarray(0, fill.length - 3), code: 'PROTO_MALFORMED' },
    { topic: Topics.oracleIndexPrices as Topic<unknown>, key: `future-${run}`, bytes: futureIndex, code: 'PROTO_UNKNOWN_VERSION' },
  ];
}

interface ClusterResult {
  ok: boolean;
  problems: string[];
  matchingShards: number;
  otherShardCommands: number | null;
  ordersSent: number;
  ordersViaGateways: number;
  ordersForwarded: number;
  fillsProduced: number;
  fillsSettled: number;
  auditOk: boolean;
  crowdEntered: number;
  shock: { armed: boolean; armedAtS: number | null; crowdEntriesSettledAtArm: number | null; landedAtS: number | null };
  liquidationsTriggered: number;
  liquidationsHeld: number;
  liquidationEvents: Record<string, number>;
  perMarket: { market: string; fillsProduced: number; fillsSettled: number; longLots: number; shortLots: number; matchingCount: number; riskOpenInterest: { longLots: number; shortLots: number } }[];
  deadLetters: Record<string, number>;
  hopPeer?: { samples: number; sent: number; p50Ms: number; p99Ms: number };
  cpuDuringTrading?: { rows: { name: string; cpuPercent: number }[]; totalPercent: number };
  logDir: string;
}

const ADMIN_TOKEN = `cluster-test-operator-${run}`;

/** Starts the launcher; `trading` resolves when it says trading began, `done` at its exit. */
function startCluster(args: string[]): { trading: Promise<void>; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ['deploy/cluster/start-cluster.mjs', '--brokers', brokers, '--json', '--log-level', 'warn', '--peer-records', '0', ...args], {
    cwd: root,
    env: { ...process.env, PERPCORE_ADMIN_TOKEN: ADMIN_TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let began: () => void = () => undefined;
  const trading = new Promise<void>((resolve) => (began = resolve));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.includes('start-cluster: trading for')) began();
  });
  const done = once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { trading: Promise.race([trading, done.then(({ stderr: e }) => assert.fail(`start-cluster ended before trading:\n${e.slice(-3_000)}`))]), done };
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

/** A user of the cluster's real gateway: the operator API, then Binance-signed REST (HMAC-SHA256 of the form). */
class GatewayUser {
  private key = { apiKey: '', secret: '' };
  ordersAnswered = 0;

  constructor(readonly base: string) {}

  async admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const r = await fetch(`${this.base}${path}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const json = (await r.json()) as Record<string, unknown>;
    assert.equal(r.status, 200, `${method} ${path}: ${JSON.stringify(json)}`);
    return json;
  }

  async open(): Promise<void> {
    const { accountId } = await this.admin('POST', '/v1/admin/accounts', {});
    const key = await this.admin('POST', '/v1/admin/api-keys', { accountId, permissions: ['read', 'trade'] });
    this.key = { apiKey: String(key.apiKey), secret: String(key.secretKey) };
    await this.admin('POST', '/v1/admin/deposits', { accountId, asset: 'USDT', amount: '100000' });
  }

  async order(method: 'POST' | 'DELETE', params: Record<string, string>): Promise<Record<string, unknown>> {
    const { status, json } = await this.send(method, params);
    assert.equal(status, 200, `${method} /fapi/v1/order ${JSON.stringify(params)}: ${JSON.stringify(json)}`);
    return json;
  }

  /** One signed order call, answered whatever its status (counted when 200). */
  async send(method: 'POST' | 'DELETE', params: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
    const form = new URLSearchParams({ ...params, timestamp: String(Date.now()), recvWindow: '30000' }).toString();
    const signature = createHmac('sha256', this.key.secret).update(form).digest('hex');
    const payload = `${form}&signature=${signature}`;
    const r = await fetch(`${this.base}/fapi/v1/order${method === 'POST' ? '' : `?${payload}`}`, {
      method,
      headers: { 'X-MBX-APIKEY': this.key.apiKey, ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(method === 'POST' ? { body: payload } : {}),
    });
    const json = (await r.json()) as Record<string, unknown>;
    if (r.status === 200) this.ordersAnswered++;
    return { status: r.status, json };
  }

  async markPrice(symbol: string): Promise<number> {
    const r = (await (await fetch(`${this.base}/fapi/v1/premiumIndex?symbol=${symbol}`)).json()) as { markPrice: string };
    return Number(r.markPrice);
  }
}

interface LiveMarket {
  symbol: string;
  live: { markPrice: string; indexPrice: string; lastPrice: string; bestBid: [string, string]; bestAsk: [string, string]; bidLevels: number; askLevels: number; lastEventMs: number } | null;
}
interface DashboardState {
  markets: LiveMarket[];
  fundHistory: unknown[];
  last: { stages: { stage: string; what: string; total: number }[]; fund: { balances: Record<string, string> } } | null;
}

/** What the dashboard shows is live: every market priced and two-sided, a tick with fills and the fund. Null if not (yet). */
function liveProblem(state: DashboardState): string | null {
  for (const m of state.markets) {
    const l = m.live;
    if (l === null) return `${m.symbol}: no live figures`;
    if (!(Number(l.markPrice) > 0 && Number(l.indexPrice) > 0 && Number(l.lastPrice) > 0)) return `${m.symbol}: not priced yet ${JSON.stringify(l)}`;
    if (!(l.bidLevels > 0 && l.askLevels > 0 && Number(l.bestBid[0]) < Number(l.bestAsk[0]))) return `${m.symbol}: no two-sided book ${JSON.stringify(l)}`;
  }
  if (state.last === null) return 'no tick yet';
  if (!((state.last.stages.find((s) => s.stage === 'matching' && s.what === 'fills')?.total ?? 0) > 0)) return `no fills counted: ${JSON.stringify(state.last.stages)}`;
  if (Object.keys(state.last.fund.balances).length === 0 || state.fundHistory.length === 0) return 'no insurance fund figures';
  return null;
}

/** Trades through the real gateway while the cluster runs and checks its dashboard; returns the orders it placed or cancelled. */
async function useTheGateway(base: string): Promise<number> {
  const user = new GatewayUser(base);
  await user.open();
  const mark = await user.markPrice('BTCUSDT');
  assert.ok(mark > 0, 'the gateway has a mark price from risk over Kafka');
  const resting = await user.order('POST', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', price: (Math.floor(mark * 0.98 * 10) / 10).toFixed(1), quantity: '0.010' });
  assert.equal(resting.status, 'NEW', JSON.stringify(resting));
  const canceled = await user.order('DELETE', { symbol: 'BTCUSDT', orderId: String(resting.orderId) });
  assert.equal(canceled.status, 'CANCELED', JSON.stringify(canceled));
  // an IOC through the simulated makers' asks (inside PERCENT_PRICE): it fills, or expires if the book moved.
  // Priced off a fresh mark, and again if the band refuses it (-4016): the launcher's shock can land
  // between reading the mark and the order, and move the mark past the 5 % band.
  let taken: Record<string, unknown> = {};
  for (let attempt = 1; ; attempt++) {
    const now = await user.markPrice('BTCUSDT');
    const answer = await user.send('POST', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'IOC', price: (Math.ceil(now * 1.01 * 10) / 10).toFixed(1), quantity: '0.005', newOrderRespType: 'RESULT' });
    if (answer.status === 200) {
      taken = answer.json;
      break;
    }
    assert.ok(answer.json.code === -4016 && attempt < 10, `the IOC: ${answer.status} ${JSON.stringify(answer.json)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(taken.status === 'FILLED' || taken.status === 'EXPIRED' || taken.status === 'PARTIALLY_FILLED', JSON.stringify(taken));

  let problem: string | null = 'not asked';
  for (const until = Date.now() + 30_000; problem !== null; await new Promise((r) => setTimeout(r, 250))) {
    const r = await fetch(`${base}/v1/admin/dashboard/state`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(r.status, 200);
    problem = liveProblem((await r.json()) as DashboardState);
    assert.ok(problem === null || Date.now() < until, `the dashboard's state shows the cluster's market live: ${problem}`);
  }
  assert.equal((await fetch(`${base}/v1/admin/dashboard/state`)).status, 401, 'not without the token');
  return user.ordersAnswered;
}

describe('cluster mode over a real broker', { skip }, () => {
  it('reconciles a simulated run, with bad input on every service input topic dead-lettered and skipped', { timeout: 240_000 }, async (t) => {
    const injected = faults();
    const bus = await KafkaBus.connect({ brokers: brokers.split(','), clientId: `cluster-test-${run}`, logger: createLogger('cluster-test', 'silent') });
    try {
      for (const f of injected) {
        if (f.bytes !== undefined) bus.publishRaw(f.topic, f.key, f.bytes);
        else bus.publish(f.topic, f.value);
      }
      await bus.flush();

      // --shock-at-s 1: due before the crowd (entering 1–2 s into trading) can be settled, so
      // a shock on the clock would hit a crowd without positions every time, not only on a
      // loaded machine; the launcher's causal arm must hold it back until risk settled them
      const httpPort = await freePort();
      // matching in two shards by market (BTCUSDT, ETHUSDT): each reads every command and books one market
      const started = startCluster(['--duration-s', '12', '--rate-per-s', '600', '--shock-at-s', '1', '--drain-timeout-s', '90', '--http-port', String(httpPort), '--matching-shards', '2']);
      await started.trading;
      const ordersThroughGateway = await useTheGateway(`http://127.0.0.1:${httpPort}`);
      const cluster = await started.done;
      const last = cluster.stdout.trim().split('\n').at(-1) ?? '';
      assert.equal(cluster.code, 0, `start-cluster exited ${cluster.code}\n${cluster.stdout}\n${cluster.stderr.slice(-3_000)}`);
      const result = JSON.parse(last) as ClusterResult;
      assert.equal(result.ok, true, result.problems.join('\n'));
      assert.deepEqual(result.problems, []);
      assert.ok(result.ordersSent > 1_000, `orders sent: ${result.ordersSent}`);
      // the REST orders reached risk beside the simulated ones, and the reconciliation counted them
      assert.equal(result.ordersViaGateways, ordersThroughGateway, 'every order the gateway answered is one command on the topic');
      assert.ok(result.fillsProduced > 0, 'the market traded');
      assert.equal(result.fillsSettled, result.fillsProduced);
      assert.equal(result.auditOk, true);
      // npm start's leveraged crowd entered, the index gapped, and the ladder ran over Kafka to the end
      assert.equal(result.crowdEntered, 300);
      // the shock came after risk settled every entry (by causality: the launcher armed it on the gateway's word), and risk marked it
      assert.equal(result.shock.armed, true);
      assert.equal(result.shock.crowdEntriesSettledAtArm, 300);
      assert.ok(result.shock.landedAtS !== null, 'risk marked the shocked index before the drain');
      assert.ok(result.liquidationsTriggered > 0, `the shock liquidated part of the crowd\n${cluster.stdout}`);
      t.diagnostic(`shock armed at ${result.shock.armedAtS?.toFixed(1)} s (${result.shock.crowdEntriesSettledAtArm} entries settled), marked by risk by ${result.shock.landedAtS?.toFixed(1)} s; ${result.liquidationsTriggered} liquidations`);
      assert.equal((result.liquidationEvents.completed ?? 0) + (result.liquidationEvents.aborted ?? 0), result.liquidationsTriggered);
      // …and no scope is left LIQUIDATING without a ladder (a trigger the ladder read late and dropped)
      assert.equal(result.liquidationsHeld, 0);
      // the per-hop peer ran beside the trading and every record it sent crossed the broker
      assert.ok(result.hopPeer !== undefined && result.hopPeer.sent > 0, `hop probe: ${JSON.stringify(result.hopPeer)}`);
      assert.equal(result.hopPeer.samples, result.hopPeer.sent, 'every probe record was read back');
      // where the cores went while it traded (read from /proc: this machine is Linux); every stage that traded used some
      const cpuRows = new Map((result.cpuDuringTrading?.rows ?? []).map((r) => [r.name, r.cpuPercent]));
      for (const stage of ['risk', 'matching-0', 'matching-1', 'gateway-sim']) assert.ok((cpuRows.get(stage) ?? 0) > 0, `CPU of ${stage} during trading: ${JSON.stringify(result.cpuDuringTrading)}`);
      t.diagnostic(`CPU during trading: ${[...cpuRows].map(([name, pct]) => `${name} ${pct.toFixed(0)} %`).join(', ')}`);
      t.diagnostic(`bare kafkajs one hop during the run: p50 ${result.hopPeer.p50Ms.toFixed(1)} ms, p99 ${result.hopPeer.p99Ms.toFixed(1)} ms (${result.hopPeer.samples} records)`);
      assert.deepEqual(result.perMarket.map((m) => m.market).sort(), ['BTCUSDT', 'ETHUSDT']);
      // each shard skipped the other's market: every command of the run reached both, and each applied its own
      assert.equal(result.matchingShards, 2);
      assert.ok((result.otherShardCommands ?? 0) > 1_000, `commands skipped by the shard not booking their market: ${result.otherShardCommands}`);
      for (const m of result.perMarket) {
        assert.equal(m.fillsSettled, m.fillsProduced, m.market);
        assert.equal(m.matchingCount, m.fillsProduced, `${m.market}: matching's own count`);
        assert.equal(m.longLots, m.shortLots, `${m.market}: positions net to zero`);
        assert.deepEqual(m.riskOpenInterest, { longLots: m.longLots, shortLots: m.shortLots }, `${m.market}: risk's query agrees with its events`);
      }

      // every injected message is on its topic's DLQ, with its code, offset and consumer group
      for (const topic of new Set(injected.map((f) => f.topic))) {
        const letters: DeadLetter[] = await bus.deadLetters(topic.name, 30_000);
        for (const f of injected.filter((x) => x.topic === topic)) {
          // every stage consuming the topic refuses it on its own (the index: risk and the spot-margin stage;
          // the gateways' replay groups too, which this test does not name)
          // (matching.commands.v1: undecodable bytes are refused by both matching shards, an unknown market by shard 0 alone)
          const logNames: Record<string, string> = { 'matching-0': 'matching-0.log', 'matching-1': 'matching-1.log', 'risk-0': 'risk.log', 'spot-0': 'spot.log' };
          const mine = letters.filter((l) => l.key === f.key && l.code === f.code && logNames[l.groupId] !== undefined);
          assert.ok(mine.length > 0, `${topic.name}: no dead letter ${f.code} for key ${f.key} (have ${letters.map((l) => `${l.code}:${l.key}:${l.groupId}`).join(', ')})`);
          const groups = mine.map((l) => l.groupId).sort();
          if (topic.name === Topics.oracleIndexPrices.name) assert.ok(groups.includes('risk-0') && groups.includes('spot-0'), `${topic.name}: refused by ${groups.join(', ')}`);
          for (const letter of mine) {
            assert.equal(letter.topic, topic.name);
            assert.ok(Number.isInteger(letter.offset) && letter.offset >= 0);
            const logName = logNames[letter.groupId];
            // …and the refusing service logged it with topic, partition and offset
            const log = readFileSync(join(result.logDir, logName), 'utf8');
            const logged = log.split('\n').some((line) => line.includes('dead-letter') && line.includes(`"topic":"${topic.name}"`) && line.includes(`"offset":${letter.offset},`) && line.includes(`"partition":${letter.partition},`));
            assert.ok(logged, `${letter.groupId} logged ${topic.name} offset ${letter.offset}`);
            if (f.bytes !== undefined) assert.deepEqual(new Uint8Array(letter.bytes ?? []), new Uint8Array(f.bytes), 'the original bytes are kept');
          }
        }
      }
      rmSync(result.logDir, { recursive: true, force: true }); // kept only when the test fails
    } finally {
      await bus.close();
    }
  });
});
