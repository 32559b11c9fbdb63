/**
 * The operator API's OpenAPI document at GET /docs/json (@fastify/swagger).
 * Register it before the admin routes, at the server's root: it collects the
 * routes added after it; only routes tagged `admin` appear (hideUntagged), so the
 * /fapi routes stay out of the operator's document.
 */
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

export async function registerAdminDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Perpcore operator API', version: '1.0.0', description: 'Accounts, API keys, custody deposits and withdrawals, market halts, the insurance fund, kill switches.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'PERPCORE_ADMIN_TOKEN, or the token printed once at start' } } },
    },
    hideUntagged: true,
  });
  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());
}
