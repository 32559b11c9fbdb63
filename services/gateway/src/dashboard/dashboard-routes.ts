/**
 * The dashboard's HTTP side (a fastify plugin, registered after the stream routes so
 * the WebSocket plugin is in place):
 *
 * | route | who | what |
 * |-------|-----|------|
 * | `GET /dashboard` | anyone | the page shell: a login form, no data |
 * | `GET /dashboard/assets/:name` | anyone | the page's code and styles (no data) |
 * | `GET /v1/admin/dashboard/state` | operator (`Authorization: Bearer`) | the state the page draws from |
 * | `GET /v1/admin/stream` (WebSocket) | operator (AUTH frame or Bearer) | the live risk feed, accounts, funds, stages |
 *
 * Market data (depth, mark, index, funding, trades) comes from the public streams at
 * `/stream`, as any client gets it. Without the token nothing but the shell and its
 * code is served.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { WebSocket } from 'ws';
import { ADMIN_TOKEN_ENV, type AdminToken, type ResolvedAdminToken } from '../admin/admin-token.js';
import type { DashboardAsset } from './dashboard-assets.js';
import type { OperatorDashboard } from './operator-dashboard.js';

export interface DashboardRoutesOptions {
  readonly dashboard: OperatorDashboard;
  readonly assets: ReadonlyMap<string, DashboardAsset>;
  readonly token: AdminToken;
}

export const dashboardRoutes: FastifyPluginAsync<DashboardRoutesOptions> = async (app, opts) => {
  const { dashboard, assets, token } = opts;
  const page = assets.get('index.html') as DashboardAsset;
  const sendPage = async (_request: unknown, reply: import('fastify').FastifyReply) => reply.type(page.contentType).header('cache-control', 'no-store').send(page.body);
  app.get('/dashboard', sendPage);
  app.get('/dashboard/', sendPage);
  app.get<{ Params: { name: string } }>('/dashboard/assets/:name', async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (asset === undefined) return reply.status(404).send({ code: 'DASHBOARD_UNKNOWN_ASSET', message: 'no such dashboard file' });
    return reply.type(asset.contentType).header('cache-control', 'no-cache').send(asset.body);
  });
  app.get('/v1/admin/dashboard/state', async (request, reply) => {
    if (!token.matches(request.headers.authorization)) return reply.status(401).send({ code: 'ADMIN_UNAUTHORIZED', message: 'Authorization: Bearer <admin token> is required' });
    return reply.header('cache-control', 'no-store').send(dashboard.state());
  });
  app.get('/v1/admin/stream', { websocket: true }, (socket: WebSocket, request) => dashboard.stream.open(socket, request.headers.authorization));
};

/** The dashboard's address with the token in the fragment (a fragment never reaches a server or its logs). */
export function dashboardUrl(url: string, admin: ResolvedAdminToken): string {
  return `${url}/dashboard#token=${admin.generated ?? `$${ADMIN_TOKEN_ENV}`}`;
}
