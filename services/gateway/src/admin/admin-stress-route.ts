/**
 * `POST /v1/admin/stress`: the what-if stress query (services/risk stress) for the
 * operator, under the operator API's bearer token (registered inside
 * `adminRoutes`, so its auth hook and error handler apply).
 *
 * Body (the fastify schema refuses unknown fields and wrong types, no coercion):
 * - `shocks`: per market `shockBps` (integer) or `markPrice` (exact decimal on the
 *   market's tick grid, converted to mark subticks here, without floats);
 * - `funding` (optional): per market `rateE8`, one funding settlement;
 * - `haircuts` (optional): per collateral asset a flat `ratioE8`;
 * - `maxScopes` (optional): cap on the scopes listed.
 * Ranges, unknown markets and assets are the risk stage's to judge: its
 * `RISK_STRESS_*` refusal is answered 400 with its message, and nothing runs.
 * Read-only: the answer is the report as the stage computed it (units, ticks).
 */
import { priceToTicks } from '@perpcore/domain';
import { CoreTimeoutError, type StressAnswer, type StressRequest } from '@perpcore/exchange';
import type { FastifyInstance } from 'fastify';
import { AdminError } from './admin-error.js';
import type { OperatorCorePort } from './operator-core-port.js';

const error = { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } as const;
const market = { type: 'string', minLength: 1, maxLength: 32 } as const;
const integer = { type: 'integer' } as const;
const decimal = { type: 'string', minLength: 1, maxLength: 40, pattern: '^[0-9]+(\\.[0-9]+)?$', description: 'exact decimal price on the tick grid' } as const;
const units = { type: 'integer', description: 'settle-asset units' } as const;

export const stressSchema = {
  tags: ['admin'],
  security: [{ bearer: [] }],
  summary: 'What-if stress: shock marks (and funding, haircuts) on a copy of the live state; called and liquidating scopes, projected fund loss, ADL',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['shocks'],
    properties: {
      shocks: {
        type: 'array', minItems: 1, maxItems: 64,
        items: { type: 'object', additionalProperties: false, required: ['market'], properties: { market, shockBps: { ...integer, description: 'e.g. -2000 for −20%; (−10000, 10000]' }, markPrice: decimal } },
      },
      funding: { type: 'array', maxItems: 64, items: { type: 'object', additionalProperties: false, required: ['market', 'rateE8'], properties: { market, rateE8: integer } } },
      haircuts: { type: 'array', maxItems: 64, items: { type: 'object', additionalProperties: false, required: ['asset', 'ratioE8'], properties: { asset: { type: 'string', minLength: 1, maxLength: 12 }, ratioE8: integer } } },
      maxScopes: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    },
  },
  response: {
    200: {
      type: 'object',
      additionalProperties: true,
      properties: {
        totals: {
          type: 'object',
          additionalProperties: true,
          properties: { scopesEvaluated: integer, accountsSkipped: integer, calledScopes: integer, liquidatingScopes: integer, adlLots: integer, fundLossUnits: units, clearanceFeesUnits: units },
        },
        prices: { type: 'array', items: { type: 'object', additionalProperties: true } },
        scopes: { type: 'array', items: { type: 'object', additionalProperties: true } },
        scopesTruncated: { type: 'boolean' },
        ladder: { type: 'object', additionalProperties: true },
      },
    },
    400: error,
    401: error,
    503: error,
  },
} as const;

interface StressBody {
  shocks: { market: string; shockBps?: number; markPrice?: string }[];
  funding?: { market: string; rateE8: number }[];
  haircuts?: { asset: string; ratioE8: number }[];
  maxScopes?: number;
}

/** The body as the core's request: decimal mark prices become subticks (the market must be listed to have a grid). */
export function stressRequestOf(core: OperatorCorePort, body: StressBody): StressRequest {
  return {
    ...body,
    shocks: body.shocks.map((s, i) => {
      if (s.markPrice === undefined) return { market: s.market, ...(s.shockBps === undefined ? {} : { shockBps: s.shockBps }) };
      const spec = core.marketSpec(s.market);
      if (spec === undefined) throw new AdminError(400, 'RISK_STRESS_UNKNOWN_MARKET', `shocks[${i}].market: market ${JSON.stringify(s.market)} is not listed`);
      const markSubticks = priceToTicks(spec.spec, s.markPrice, `shocks[${i}].markPrice`) * spec.markSubticksPerTick;
      return { market: s.market, markSubticks, ...(s.shockBps === undefined ? {} : { shockBps: s.shockBps }) };
    }),
  };
}

export function registerStressRoute(app: FastifyInstance, core: OperatorCorePort): void {
  app.post<{ Body: StressBody }>('/stress', { schema: stressSchema }, async (request) => {
    let answer: StressAnswer;
    try {
      answer = await core.stress(stressRequestOf(core, request.body));
    } catch (e) {
      if (e instanceof CoreTimeoutError) throw new AdminError(503, 'ADMIN_CORE_TIMEOUT', e.message);
      throw e;
    }
    if (!answer.ok) throw new AdminError(400, answer.code, answer.message);
    const t = answer.report.totals;
    request.log.info({ shocks: request.body.shocks, liquidating: t.liquidatingScopes, called: t.calledScopes, fundLossUnits: t.fundLossUnits }, 'admin: stress query');
    return answer.report;
  });
}
