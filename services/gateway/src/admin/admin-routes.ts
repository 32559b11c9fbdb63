/**
 * The operator API under /v1/admin (a fastify plugin; register it with
 * `{prefix: '/v1/admin'}`). Every route needs `Authorization: Bearer <token>`
 * (admin-token.ts); without it the answer is 401 and nothing runs.
 *
 * Accounts and keys live in the gateway's registry; money and market state in
 * the core, reached through `OperatorCorePort`. Amounts are exact decimal strings,
 * converted to the asset's smallest unit without floats (a finer amount than the
 * asset has decimals is refused, never rounded). Each action is logged at info
 * with what it did; a secret key, the token or a full API key never is.
 */
import { amountToUnits, DomainError, formatAmount } from '@perpcore/domain';
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import type { AccountRegistry } from '../auth/account-registry.js';
import { RegistryRefusal, RegistryUnavailable } from '../auth/account-registry.js';
import { generateApiCredentials } from '../auth/api-credentials.js';
import type { Permission } from '../auth/authenticated-request.js';
import { BinanceError } from '../binance/binance-error.js';
import { AdminError } from './admin-error.js';
import { adminSchemas } from './admin-schemas.js';
import { registerStressRoute } from './admin-stress-route.js';
import type { AdminToken } from './admin-token.js';
import type { CoreAnswer, OperatorCorePort } from './operator-core-port.js';

export interface AdminRoutesDeps {
  readonly registry: AccountRegistry;
  readonly core: OperatorCorePort;
  readonly token: AdminToken;
  readonly nowMs?: () => number;
}

const REFUSAL_STATUS: Record<RegistryRefusal['code'], number> = {
  UNKNOWN_ACCOUNT: 404,
  UNKNOWN_KEY: 404,
  DUPLICATE_KEY: 409,
  DUPLICATE_ACCOUNT: 409,
  BAD_PERMISSIONS: 400,
  ACCOUNTS_EXHAUSTED: 409,
};

/** An API key as it may appear in a log line: enough to tell keys apart, not enough to use one. */
export function keyHint(apiKey: string): string {
  return `${apiKey.slice(0, 6)}…`;
}

export const adminRoutes: FastifyPluginAsync<AdminRoutesDeps> = async (app, deps) => {
  const { registry, core, token } = deps;
  const nowMs = deps.nowMs ?? Date.now;
  const assets = new Map(core.assets.map((a) => [a.asset, a]));
  const spotAssets = new Map(core.spotAssets.map((a) => [a.asset, a]));
  const markets = new Set(core.markets);

  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof AdminError) return reply.status(error.statusCode).send(error.body());
    if (error instanceof RegistryRefusal) return reply.status(REFUSAL_STATUS[error.code]).send({ code: `ADMIN_${error.code}`, message: error.message });
    if (error instanceof RegistryUnavailable) return reply.status(503).send({ code: 'ADMIN_REGISTRY_UNAVAILABLE', message: error.message });
    if (error instanceof DomainError) return reply.status(400).send({ code: error.code, message: error.message });
    // the server-wide form parser and request limiter refuse in Binance terms: the operator gets it in this API's shape
    if (error instanceof BinanceError) {
      const limited = error.httpStatus === 429 || error.httpStatus === 418;
      return reply.status(error.httpStatus).send({ code: limited ? 'ADMIN_RATE_LIMITED' : 'ADMIN_INVALID_REQUEST', message: error.message });
    }
    const status = (error as FastifyError).statusCode;
    if (status !== undefined && status >= 400 && status < 500) return reply.status(status).send({ code: 'ADMIN_INVALID_REQUEST', message: error.message });
    request.log.error({ err: error }, 'admin route failed');
    return reply.status(500).send({ code: 'ADMIN_INTERNAL', message: 'internal error' });
  });

  app.addHook('onRequest', async (request) => {
    if (!token.matches(request.headers.authorization)) throw new AdminError(401, 'ADMIN_UNAUTHORIZED', 'Authorization: Bearer <admin token> is required');
  });

  const knownAccount = (text: string | number): number => {
    const id = Number(text);
    if (!registry.hasAccount(id)) throw new AdminError(404, 'ADMIN_UNKNOWN_ACCOUNT', `account ${id} does not exist`);
    return id;
  };
  const coreAnswer = (answer: CoreAnswer): Record<string, string> => {
    if (answer.ok) return answer.detail ?? {};
    if (answer.code === 'ADMIN_CORE_TIMEOUT' || answer.code === 'ADMIN_CORE_CLOSED') throw new AdminError(503, answer.code, answer.message);
    throw new AdminError(400, answer.code, answer.message);
  };
  const knownMarket = (market: string): string => {
    if (!markets.has(market)) throw new AdminError(404, 'ADMIN_UNKNOWN_MARKET', `market ${JSON.stringify(market.slice(0, 32))} is not listed`);
    return market;
  };

  app.post('/accounts', { schema: adminSchemas.createAccount }, async (request) => {
    const accountId = registry.nextAccountId();
    await registry.apply({ kind: 'createAccount', accountId });
    request.log.info({ accountId }, 'admin: account created');
    return { accountId };
  });

  app.get<{ Params: { accountId: string } }>('/accounts/:accountId', { schema: adminSchemas.getAccount }, async (request) => {
    const accountId = knownAccount(request.params.accountId);
    return { accountId, apiKeys: registry.keysOfAccount(accountId).map((k) => ({ apiKey: k.apiKey, permissions: [...k.permissions], createdAtMs: k.createdAtMs })) };
  });

  app.post<{ Body: { accountId: number; permissions: Permission[] } }>('/api-keys', { schema: adminSchemas.createApiKey }, async (request) => {
    const { accountId, permissions } = request.body;
    const credentials = generateApiCredentials();
    await registry.apply({ kind: 'createKey', ...credentials, accountId, permissions, createdAtMs: nowMs() });
    request.log.info({ accountId, apiKey: keyHint(credentials.apiKey), permissions }, 'admin: API key created');
    return { apiKey: credentials.apiKey, secretKey: credentials.secretKey, accountId, permissions };
  });

  app.delete<{ Params: { apiKey: string } }>('/api-keys/:apiKey', { schema: adminSchemas.revokeApiKey }, async (request) => {
    const { apiKey } = request.params;
    await registry.apply({ kind: 'revokeKey', apiKey });
    request.log.info({ apiKey: keyHint(apiKey) }, 'admin: API key revoked');
    return { apiKey, revoked: true };
  });

  /** One custody route: the perps wallet (`transfer`) or the spot-margin ledger (`spotTransfer`), each with its own assets. */
  const custody = (ledger: 'perps' | 'spot', kind: 'deposit' | 'withdraw') => async (request: { body: { accountId: number; asset: string; amount: string }; log: { info: (o: object, m: string) => void } }) => {
    const { asset: code, amount } = request.body;
    const accountId = knownAccount(request.body.accountId);
    const asset = (ledger === 'perps' ? assets : spotAssets).get(code);
    if (asset === undefined) {
      if (ledger === 'spot' && spotAssets.size === 0) throw new AdminError(404, 'ADMIN_SPOT_NOT_LISTED', 'this venue runs no spot-margin ledger');
      throw new AdminError(400, 'ADMIN_UNKNOWN_ASSET', `asset ${JSON.stringify(code)} is not held in ${ledger === 'perps' ? '' : 'spot-margin '}custody`);
    }
    const units = amountToUnits(asset, amount);
    if (units <= 0n || units > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new AdminError(400, 'ADMIN_INVALID_AMOUNT', `amount must be within (0, ${formatAmount(asset, Number.MAX_SAFE_INTEGER)}] ${asset.asset}`);
    }
    const move = ledger === 'perps' ? core.transfer.bind(core) : core.spotTransfer.bind(core);
    const detail = coreAnswer(await move(kind, accountId, asset.asset, Number(units)));
    const what = kind === 'deposit' ? 'deposit credited' : 'withdrawal debited';
    request.log.info({ accountId, asset: asset.asset, amountUnits: String(units), ledger }, `admin: ${ledger === 'perps' ? '' : 'spot-margin '}${what}`);
    const balanceAfter = detail.balanceAfterUnits === undefined ? undefined : formatAmount(asset, BigInt(detail.balanceAfterUnits));
    return { accountId, asset: asset.asset, amount: formatAmount(asset, units), ...(balanceAfter === undefined ? {} : { balanceAfter }) };
  };
  app.post('/deposits', { schema: adminSchemas.transfer('Credit a deposit from custody') }, custody('perps', 'deposit') as never);
  app.post('/withdrawals', { schema: adminSchemas.transfer('Debit a withdrawal to custody') }, custody('perps', 'withdraw') as never);
  app.post('/spot-deposits', { schema: adminSchemas.transfer("Credit a deposit from custody into the account's spot-margin ledger (BTC, USDT)") }, custody('spot', 'deposit') as never);
  app.post('/spot-withdrawals', { schema: adminSchemas.transfer("Debit a withdrawal from the account's spot-margin ledger to custody") }, custody('spot', 'withdraw') as never);

  app.get<{ Params: { accountId: string } }>('/accounts/:accountId/spot-margin', { schema: adminSchemas.spotAccount }, async (request) => {
    const accountId = knownAccount(request.params.accountId);
    const report = await core.spotAccount(accountId);
    if (report === null) throw new AdminError(404, 'ADMIN_NO_SPOT_ROWS', `account ${accountId} has no spot-margin rows`);
    return report;
  });

  app.post<{ Params: { market: string }; Body: { reason?: string } | undefined }>('/markets/:market/halt', { schema: adminSchemas.market('Halt a market: new orders and amends refused, book kept, cancels allowed', true) }, async (request) => {
    const market = knownMarket(request.params.market);
    coreAnswer(await core.haltMarket(market, request.body?.reason ?? ''));
    request.log.info({ market }, 'admin: market halted');
    return { market, halted: true };
  });

  app.post<{ Params: { market: string } }>('/markets/:market/resume', { schema: adminSchemas.market('Resume a halted market', false) }, async (request) => {
    const market = knownMarket(request.params.market);
    coreAnswer(await core.resumeMarket(market));
    request.log.info({ market }, 'admin: market resumed');
    return { market, halted: false };
  });

  app.get('/insurance-funds', { schema: adminSchemas.insuranceFunds }, async () => ({
    funds: core.insuranceFunds().map((f) => {
      const asset = assets.get(f.asset);
      return { fundId: f.fundId, accountId: f.accountId, asset: f.asset, balance: asset === undefined ? String(f.balanceUnits) : formatAmount(asset, f.balanceUnits), markets: [...f.markets] };
    }),
  }));

  app.post<{ Params: { accountId: string }; Body: { engaged: boolean } }>('/accounts/:accountId/kill-switch', { schema: adminSchemas.killSwitch }, async (request) => {
    const accountId = knownAccount(request.params.accountId);
    const { engaged } = request.body;
    coreAnswer(await core.setKillSwitch(accountId, engaged));
    request.log.info({ accountId, engaged }, engaged ? 'admin: kill switch engaged' : 'admin: kill switch released');
    return { accountId, killSwitch: engaged };
  });

  // a backstop liquidator takes over liquidated positions at their bankruptcy price before the fund (risk's backstop-liquidators.ts)
  app.put<{ Params: { accountId: string }; Body: { enabled: boolean; markets?: string[]; maxPositionNotional?: string } }>('/accounts/:accountId/backstop-liquidator', { schema: adminSchemas.backstopLiquidator }, async (request) => {
    const accountId = knownAccount(request.params.accountId);
    const { enabled } = request.body;
    const listed = (request.body.markets ?? []).map(knownMarket);
    let maxPositionNotionalUnits = 0;
    const settle = assets.get(core.marketSpec(core.markets[0] as string)?.spec.settleAsset ?? '');
    if (enabled) {
      if (request.body.maxPositionNotional === undefined) throw new AdminError(400, 'ADMIN_INVALID_AMOUNT', 'maxPositionNotional is required to enable a backstop liquidator');
      if (settle === undefined) throw new AdminError(400, 'ADMIN_UNKNOWN_ASSET', 'the markets settle in an asset the core does not hold');
      const units = amountToUnits(settle, request.body.maxPositionNotional);
      if (units <= 0n || units > BigInt(Number.MAX_SAFE_INTEGER)) throw new AdminError(400, 'ADMIN_INVALID_AMOUNT', `maxPositionNotional must be within (0, ${formatAmount(settle, Number.MAX_SAFE_INTEGER)}] ${settle.asset}`);
      maxPositionNotionalUnits = Number(units);
    }
    coreAnswer(await core.setBackstopLiquidator(accountId, { enabled, markets: listed, maxPositionNotionalUnits }));
    request.log.info({ accountId, enabled, markets: listed, maxPositionNotionalUnits }, enabled ? 'admin: backstop liquidator terms set' : 'admin: backstop liquidator removed');
    const markets = [...listed].sort();
    return enabled ? { accountId, enabled, markets, maxPositionNotional: formatAmount(settle!, maxPositionNotionalUnits) } : { accountId, enabled, markets: [] };
  });

  registerStressRoute(app, core);
};
