/**
 * The gateway over a journaled core (real HTTP on loopback): a reply is sent only
 * once its input is durable, a restart recovers what was acknowledged and the
 * gateway's read model sees the replayed orders, and after a journal write error
 * every request is refused with 503 (Binance -1001) and nothing more is applied.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { closeEmbeddedCore, type EmbeddedCore, journalAcknowledgementHooks, startEmbeddedCore } from '@perpcore/exchange';
import { type JournalFs, nodeJournalFs } from '@perpcore/journal';
import { createLogger } from '@perpcore/observability';
import { generateApiCredentials } from './auth/api-credentials.js';
import { createEmbeddedGateway } from './embedded-gateway.js';
import { createGatewayServer, type GatewayServer } from './gateway-server.js';
import { signed, type TestKey, testRegistry, testServerOptions, USDT } from './gateway-test-server.test-support.js';

const logger = createLogger('test', 'silent');
const credentials = generateApiCredentials();
const key: TestKey = { apiKey: credentials.apiKey, secret: credentials.secretKey, accountId: 7_101 };
const dirs: string[] = [];
const running: { core: EmbeddedCore; gateway: GatewayServer }[] = [];

async function start(dataDir: string, journalFiles?: JournalFs): Promise<{ core: EmbeddedCore; gateway: GatewayServer; base: string }> {
  let gateway: GatewayServer | undefined;
  // the operator's registry is not journaled: each start registers the same key again
  const registry = testRegistry();
  registry.apply({ kind: 'createAccount', accountId: key.accountId });
  registry.apply({ kind: 'createKey', apiKey: key.apiKey, secretKey: key.secret, accountId: key.accountId, permissions: ['read', 'trade'], createdAtMs: 0 });
  const core = await startEmbeddedCore({
    logger,
    seed: 3,
    dataDir,
    ...(journalFiles === undefined ? {} : { journalFiles }),
    beforeReplay: async (exchange) => {
      const client = await exchange.client('gateway-0');
      gateway = await createGatewayServer({ ...testServerOptions(client, registry), acknowledgement: journalAcknowledgementHooks(exchange.inputs) });
    },
  });
  const server = gateway as unknown as GatewayServer;
  running.push({ core, gateway: server });
  return { core, gateway: server, base: await server.listen(0) };
}

/** A BUY limit price 2% under the market's mark (inside the PERCENT_PRICE band, resting below the asks), whole USDT. */
async function restingBuyPrice(base: string, belowPct = 2): Promise<string> {
  const r = await fetch(`${base}/fapi/v1/premiumIndex?symbol=BTCUSDT`);
  const mark = Number(((await r.json()) as { markPrice: string }).markPrice);
  assert.ok(mark > 0, 'the core has a mark price');
  return String(Math.floor((mark * (100 - belowPct)) / 100));
}

function tempDir(): string {
  const dir = fs.mkdtempSync(join(tmpdir(), 'gateway-journal-'));
  dirs.push(dir);
  return dir;
}

function copyDir(from: string): string {
  const to = tempDir();
  for (const name of fs.readdirSync(from)) fs.copyFileSync(join(from, name), join(to, name));
  return to;
}

describe('the gateway over a journaled core', () => {
  after(async () => {
    for (const { core, gateway } of running) {
      await gateway.close();
      await closeEmbeddedCore(core);
    }
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers once the input is durable; a restart recovers it, the read model knows the order, and new orders are not dropped as redeliveries', async () => {
    const dir = tempDir();
    const first = await start(dir);
    const client = await first.core.exchange.client('operator');
    await client.deposit(key.accountId, 'USDT', 1_000 * USDT);
    const placed = await signed(first.base, key, 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.005', price: await restingBuyPrice(first.base), newClientOrderId: 'durable-1' });
    assert.equal(placed.status, 200, JSON.stringify(placed.body));
    assert.ok((first.core.journal?.durableSeq ?? 0) >= first.core.exchange.inputs.appliedSeq, 'the reply came after the journal had the order on disk');

    // the gateway's order ids come from the wall clock's second (read-model/order-id-allocator.ts):
    // a restart within the second of the last order could reissue its id, so restart in the next one
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 5));
    const second = await start(copyDir(dir));
    assert.equal(second.core.recovery?.stateHash, first.core.exchange.stateHash());
    const open = await signed(second.base, key, 'GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' });
    assert.equal(open.status, 200, JSON.stringify(open.body));
    // the client order id is in no event: the read model takes it from the replayed command
    assert.deepEqual(
      (open.body as { orderId: number; clientOrderId: string }[]).map((o) => [o.orderId, o.clientOrderId]),
      [[(placed.body as { orderId: number }).orderId, 'durable-1']],
      'the read model saw the replayed order, with its client order id',
    );
    const again = await signed(second.base, key, 'POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.005', price: await restingBuyPrice(second.base, 3), newClientOrderId: 'after-restart' });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    const openAfter = await signed(second.base, key, 'GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' });
    assert.deepEqual((openAfter.body as { orderId: number }[]).map((o) => o.orderId).sort(), [(placed.body as { orderId: number }).orderId, (again.body as { orderId: number }).orderId].sort());
    assert.equal(second.core.exchange.matching.engine.book('BTCUSDT')?.restingOrderCount(), first.core.exchange.matching.engine.book('BTCUSDT')!.restingOrderCount() + 1);
  });

  it('after a journal write error every request is refused with 503 -1001 and nothing more is applied', async () => {
    let failing = false;
    const files: JournalFs = {
      ...nodeJournalFs,
      write: (fd, buffer, offset, length, position, done) => {
        if (failing) return void setImmediate(() => done(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }), 0));
        nodeJournalFs.write(fd, buffer, offset, length, position, done);
      },
    };
    const { core, base } = await start(tempDir(), files);
    const client = await core.exchange.client('operator');
    await client.deposit(key.accountId, 'USDT', 1_000 * USDT);
    await core.exchange.inputs.flush();
    const order = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.005', price: await restingBuyPrice(base) };
    failing = true;
    const first = await signed(base, key, 'POST', '/fapi/v1/order', order);
    assert.equal(first.status, 503, JSON.stringify(first.body));
    assert.equal(first.body.code, -1001);
    const applied = core.exchange.inputs.appliedSeq;
    const second = await signed(base, key, 'POST', '/fapi/v1/order', order);
    assert.equal(second.status, 503);
    assert.match(String(second.body.msg), /JOURNAL_WRITE_FAILED: input stopped: .*ENOSPC/);
    assert.equal(core.exchange.inputs.appliedSeq, applied, 'the refused request reached nothing');
  });

  it("npm start's gateway with --data-dir: accounts and keys made through the operator API work again after a restart", async () => {
    const dir = tempDir();
    const token = 'journal-test-operator-token';
    const startNpmGateway = async () => {
      let gateway: GatewayServer | undefined;
      const core = await startEmbeddedCore({
        logger,
        seed: 3,
        dataDir: dir,
        beforeReplay: async (exchange) => {
          gateway = (await createEmbeddedGateway(exchange, { logger, acknowledgement: journalAcknowledgementHooks(exchange.inputs), dataDir: dir, env: { PERPCORE_ADMIN_TOKEN: token } })).server;
        },
      });
      const server = gateway as unknown as GatewayServer;
      return { core, gateway: server, base: await server.listen(0) };
    };
    const admin = async (base: string, path: string, body: unknown) => {
      const r = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    const first = await startNpmGateway();
    const account = await admin(first.base, '/v1/admin/accounts', {});
    const accountId = Number(account.body.accountId);
    const made = await admin(first.base, '/v1/admin/api-keys', { accountId, permissions: ['read', 'trade'] });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    assert.equal((await admin(first.base, '/v1/admin/deposits', { accountId, asset: 'USDT', amount: '250' })).status, 200);
    const trader: TestKey = { apiKey: String(made.body.apiKey), secret: String(made.body.secretKey), accountId };
    await first.gateway.close();
    await closeEmbeddedCore(first.core);

    const second = await startNpmGateway();
    running.push(second);
    const balance = await signed(second.base, trader, 'GET', '/fapi/v2/balance');
    assert.equal(balance.status, 200, JSON.stringify(balance.body));
    assert.equal((balance.body as { asset: string; balance: string }[]).find((b) => b.asset === 'USDT')?.balance, '250');
    const next = await admin(second.base, '/v1/admin/accounts', {});
    assert.equal(Number(next.body.accountId), accountId + 1, 'an account id is never handed out twice across restarts');
  });
});
