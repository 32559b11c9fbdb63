/**
 * /health and /ready for load balancers and orchestrators (exempt from request
 * limits). /health answers 503 `halted` with the reason once the risk stage has
 * halted (an internal fault: the venue must be taken out), else 200 `ok`.
 * /ready answers 503 until the gateway can serve (core connected, markets
 * known), and 503 while shutting down, so traffic drains before the process
 * stops.
 */
import type { FastifyInstance } from 'fastify';

export interface OpsDeps {
  /** '' while the risk stage runs, else why it halted. */
  readonly riskHalted: () => string;
  readonly ready: () => boolean;
}

export function registerOpsRoutes(app: FastifyInstance, deps: OpsDeps): void {
  const exempt = { config: { limits: { weight: 0 } } };
  app.get('/health', exempt, async (_request, reply) => {
    const reason = deps.riskHalted();
    if (reason !== '') return reply.status(503).send({ status: 'halted', reason });
    return { status: 'ok' };
  });
  app.get('/ready', exempt, async (_request, reply) => {
    if (!deps.ready() || deps.riskHalted() !== '') return reply.status(503).send({ status: 'not ready' });
    return { status: 'ready' };
  });
}
