/**
 * JSON schemas of the operator API: validation (no unknown fields, no coercion)
 * and the OpenAPI document served at /docs/json, from one source.
 */
const error = { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } as const;
const accountId = { type: 'integer', minimum: 1, maximum: 4_294_967_295 } as const;
const decimal = { type: 'string', minLength: 1, maxLength: 40, pattern: '^[0-9]+(\\.[0-9]+)?$', description: 'exact decimal string, e.g. "1000.5"' } as const;
const asset = { type: 'string', minLength: 1, maxLength: 12, pattern: '^[A-Z0-9]+$' } as const;
const refusals = { 400: error, 401: error, 404: error, 409: error } as const;
/** `:accountId` in a path: digits only (the route checks the registry). */
const accountIdParams = { type: 'object', required: ['accountId'], properties: { accountId: { type: 'string', pattern: '^[0-9]{1,10}$' } } } as const;
const tags = ['admin'];
const security = [{ bearer: [] }];

export const adminSchemas = {
  createAccount: {
    tags, security, summary: 'Create an account',
    body: { type: 'object', additionalProperties: false, properties: {} },
    response: { 200: { type: 'object', required: ['accountId'], properties: { accountId } }, ...refusals },
  },
  getAccount: {
    tags, security, summary: "An account's API keys (never their secrets)",
    params: accountIdParams,
    response: {
      200: {
        type: 'object',
        properties: {
          accountId,
          apiKeys: { type: 'array', items: { type: 'object', properties: { apiKey: { type: 'string' }, permissions: { type: 'array', items: { type: 'string' } }, createdAtMs: { type: 'integer' } } } },
        },
      },
      ...refusals,
    },
  },
  createApiKey: {
    tags, security, summary: 'Create an API key for an account; the secret is returned once',
    body: {
      type: 'object', additionalProperties: false, required: ['accountId', 'permissions'],
      properties: { accountId, permissions: { type: 'array', minItems: 1, maxItems: 2, uniqueItems: true, items: { type: 'string', enum: ['read', 'trade'] } } },
    },
    response: { 200: { type: 'object', properties: { apiKey: { type: 'string' }, secretKey: { type: 'string' }, accountId, permissions: { type: 'array', items: { type: 'string' } } } }, ...refusals },
  },
  revokeApiKey: {
    tags, security, summary: 'Revoke an API key (at once, for every later request)',
    params: { type: 'object', required: ['apiKey'], properties: { apiKey: { type: 'string', minLength: 1, maxLength: 128 } } },
    response: { 200: { type: 'object', properties: { apiKey: { type: 'string' }, revoked: { type: 'boolean' } } }, ...refusals },
  },
  transfer: (what: string) => ({
    tags, security, summary: what,
    body: { type: 'object', additionalProperties: false, required: ['accountId', 'asset', 'amount'], properties: { accountId, asset, amount: decimal } },
    response: { 200: { type: 'object', properties: { accountId, asset: { type: 'string' }, amount: { type: 'string' }, balanceAfter: { type: 'string' } } }, ...refusals },
  }),
  spotAccount: {
    tags, security,
    summary: "Spot margin's three questions: accepted collateral after haircuts, each asset's trigger feed with its call and liquidation prices, distance to call and liquidation (values in the settle asset's smallest unit, prices in the pair's ticks)",
    params: accountIdParams,
    response: {
      200: {
        type: 'object',
        properties: {
          accountId,
          state: { type: 'string' },
          acceptedCollateralUnits: { type: 'integer' },
          equityUnits: { type: 'integer' },
          usedMarginUnits: { type: 'integer' },
          levelE8: { type: ['integer', 'null'] },
          marginCallLevelE8: { type: 'integer' },
          liquidationLevelE8: { type: 'integer' },
          distanceToCallUnits: { type: 'integer' },
          distanceToLiquidationUnits: { type: 'integer' },
          assets: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                asset: { type: 'string' },
                balanceUnits: { type: 'integer' },
                heldUnits: { type: 'integer' },
                debtUnits: { type: 'integer' },
                principalUnits: { type: 'integer' },
                acceptedUnits: { type: 'integer' },
                debtValueUnits: { type: 'integer' },
                usedMarginUnits: { type: 'integer' },
                priceFeed: { type: 'string' },
                indexPriceTicks: { type: ['integer', 'null'] },
                callPriceTicks: { type: ['integer', 'null'] },
                liquidationPriceTicks: { type: ['integer', 'null'] },
              },
            },
          },
        },
      },
      ...refusals,
    },
  },
  market: (what: string, withReason: boolean) => ({
    tags, security, summary: what,
    params: { type: 'object', required: ['market'], properties: { market: { type: 'string', minLength: 1, maxLength: 32 } } },
    ...(withReason ? { body: { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', maxLength: 200 } } } } : {}),
    response: { 200: { type: 'object', properties: { market: { type: 'string' }, halted: { type: 'boolean' } } }, ...refusals },
  }),
  insuranceFunds: {
    tags, security, summary: "The insurance funds' balances (from the risk stage)",
    response: {
      200: {
        type: 'object',
        properties: {
          funds: { type: 'array', items: { type: 'object', properties: { fundId: { type: 'string' }, accountId, asset: { type: 'string' }, balance: { type: 'string' }, markets: { type: 'array', items: { type: 'string' } } } } },
        },
      },
      ...refusals,
    },
  },
  killSwitch: {
    tags, security, summary: "Engage (cancel all the account's orders, refuse new ones) or release an account's kill switch",
    params: accountIdParams,
    body: { type: 'object', additionalProperties: false, required: ['engaged'], properties: { engaged: { type: 'boolean' } } },
    response: { 200: { type: 'object', properties: { accountId, killSwitch: { type: 'boolean' } } }, ...refusals },
  },
  backstopLiquidator: {
    tags, security, summary: 'Sign an account up as a backstop liquidator (it takes over liquidated positions at their bankruptcy price before the insurance fund, within its margin and terms), change its terms, or remove it',
    params: accountIdParams,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['enabled'],
      properties: {
        enabled: { type: 'boolean' },
        markets: { type: 'array', maxItems: 64, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 32 }, description: 'markets it takes positions in; omitted or empty = every market' },
        maxPositionNotional: { ...decimal, description: 'cap on |position| × mark per market after a takeover, in the settle asset; required when enabled' },
      },
    },
    response: { 200: { type: 'object', properties: { accountId, enabled: { type: 'boolean' }, markets: { type: 'array', items: { type: 'string' } }, maxPositionNotional: { type: 'string' } } }, ...refusals },
  },
} as const;
