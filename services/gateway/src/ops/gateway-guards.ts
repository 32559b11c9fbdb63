/**
 * The security and operations side of the gateway in one call, for the server's
 * composition root (gateway-server.ts) and the tests' servers alike:
 * `gatewayServerOptions` (fastify constructor options: hardening, logger,
 * request ids, strict schemas) and `registerGatewayGuards` (form body with raw
 * text, the Binance error handler, request logs, request limits, OpenAPI, the
 * operator API under /v1/admin, /health, /ready, /metrics). The /fapi routes are
 * registered after it and use `requireCaller(guards.authenticator, …)`.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from '@perpcore/observability';
import type { AccountRegistry } from '../auth/account-registry.js';
import { registerFormBody } from '../auth/form-body.js';
import { RequestAuthenticator } from '../auth/request-authenticator.js';
import { registerAdminDocs } from '../admin/admin-docs.js';
import { adminRoutes } from '../admin/admin-routes.js';
import type { AdminToken } from '../admin/admin-token.js';
import type { OperatorCorePort } from '../admin/operator-core-port.js';
import { BinanceError } from '../binance/binance-error.js';
import { registerRequestLimits } from '../limits/limits-hooks.js';
import { RequestLimiter, type RequestLimits } from '../limits/request-limiter.js';
import { hardenedFastifyOptions, type ServerHardening } from '../limits/server-hardening.js';
import { registerGatewayErrorHandler } from './gateway-error-handler.js';
import { GatewayMetrics, type MetricsSources } from './gateway-metrics.js';
import { registerOpsRoutes } from './ops-routes.js';
import { registerRequestLogging, requestLoggingOptions } from './request-logging.js';

export function gatewayServerOptions(hardening: ServerHardening, logger: Logger) {
  return {
    ...hardenedFastifyOptions(hardening),
    ...requestLoggingOptions(),
    loggerInstance: logger,
    // no coercion and no silent stripping: a number where a string belongs, or a misspelt field, is refused
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  };
}

export interface GatewayGuardsDeps {
  readonly registry: AccountRegistry;
  readonly core: OperatorCorePort;
  readonly adminToken: AdminToken;
  readonly hardening: ServerHardening;
  readonly limits?: RequestLimits;
  readonly metricsSources: MetricsSources;
  readonly riskHalted: () => string;
  readonly ready: () => boolean;
  readonly nowMs?: () => number;
  readonly onInternalFault?: (error: unknown) => void;
}

export interface GatewayGuards {
  readonly authenticator: RequestAuthenticator;
  readonly limiter: RequestLimiter;
  readonly metrics: GatewayMetrics;
}

export async function registerGatewayGuards(app: FastifyInstance, deps: GatewayGuardsDeps): Promise<GatewayGuards> {
  const nowMs = deps.nowMs ?? Date.now;
  const authenticator = new RequestAuthenticator({ registry: deps.registry, nowMs });
  const limiter = new RequestLimiter(deps.limits);
  const metrics = new GatewayMetrics(deps.metricsSources);
  registerFormBody(app, deps.hardening.bodyLimitBytes);
  registerGatewayErrorHandler(app, { onInternalFault: deps.onInternalFault });
  registerRequestLogging(app);
  registerRequestLimits(app, { limiter, registry: deps.registry, nowMs });
  app.addHook('onError', async (_request, _reply, error) => {
    if (error instanceof BinanceError) metrics.onRefusal(error.code);
  });
  metrics.register(app);
  registerOpsRoutes(app, { riskHalted: deps.riskHalted, ready: deps.ready });
  await registerAdminDocs(app);
  await app.register(adminRoutes, { prefix: '/v1/admin', registry: deps.registry, core: deps.core, token: deps.adminToken, nowMs });
  return { authenticator, limiter, metrics };
}
