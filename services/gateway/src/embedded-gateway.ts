/**
 * The gateway as `npm start` composes it on the embedded exchange: the core's
 * client, the operator's registry (accounts from 100,000 up, clear of the
 * simulated market's traders; system accounts from 900,001), the admin token from
 * PERPCORE_ADMIN_TOKEN or generated. main.ts and the end-to-end test both start it
 * through here, so the test drives exactly what a user runs.
 */
import type { EmbeddedExchange, SnapshotSection } from '@perpcore/exchange';
import { defaultSystemAccounts } from '@perpcore/markets';
import type { Logger } from '@perpcore/observability';
import { ADMIN_TOKEN_ENV, resolveAdminToken, type ResolvedAdminToken } from './admin/admin-token.js';
import type { FsyncPolicy } from '@perpcore/journal';
import { type AccountRegistry, InMemoryAccountRegistry } from './auth/account-registry.js';
import { JournaledAccountRegistry } from './auth/journaled-account-registry.js';
import { dashboardUrl } from './dashboard/dashboard-routes.js';
import { createGatewayServer, type GatewayServer, type GatewayServerOptions } from './gateway-server.js';
import { gatewaySnapshotSection } from './gateway-snapshot-section.js';

export { GATEWAY_SNAPSHOT_SECTION } from './gateway-snapshot-section.js';

export const FIRST_OPERATOR_ACCOUNT_ID = 100_000;

export interface EmbeddedGatewayOptions {
  readonly port: number;
  readonly host?: string;
  readonly logger: Logger;
  /** With a journal: replies wait until their input is durable, 503 after a journal failure. */
  readonly acknowledgement?: GatewayServerOptions['acknowledgement'];
  /** Where PERPCORE_ADMIN_TOKEN is read (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** `--data-dir`: the registry of accounts and API keys is journaled in DIR/registry and survives a restart. */
  readonly dataDir?: string;
  readonly fsync?: FsyncPolicy;
}

export interface EmbeddedGateway {
  readonly server: GatewayServer;
  readonly url: string;
  readonly admin: ResolvedAdminToken;
  /** Its read models' and market data's section of the core's snapshots (gateway-snapshot-section.ts): `beforeReplay` returns it. */
  readonly snapshotSection: SnapshotSection;
}

/** The gateway on the exchange, not yet listening (npm start builds it before a journal replay, so its read models see the replayed events). */
export async function createEmbeddedGateway(exchange: EmbeddedExchange, options: Omit<EmbeddedGatewayOptions, 'port' | 'host'>): Promise<Omit<EmbeddedGateway, 'url'>> {
  const client = await exchange.client('gateway-0');
  const admin = resolveAdminToken(options.env);
  const range = { firstSystemAccountId: defaultSystemAccounts.feeAccountId, firstAccountId: FIRST_OPERATOR_ACCOUNT_ID };
  const journaled =
    options.dataDir === undefined ? undefined : JournaledAccountRegistry.open({ ...range, dataDir: options.dataDir, nowNs: () => exchange.nowNs(), ...(options.fsync === undefined ? {} : { fsync: options.fsync }) });
  const registry: AccountRegistry = journaled ?? new InMemoryAccountRegistry(range);
  const server = await createGatewayServer({
    client,
    registry,
    adminToken: admin.token,
    logger: options.logger,
    ...(options.acknowledgement === undefined ? {} : { acknowledgement: options.acknowledgement }),
  });
  return { server, admin, snapshotSection: gatewaySnapshotSection(server) };
}

export async function startEmbeddedGateway(exchange: EmbeddedExchange, options: EmbeddedGatewayOptions): Promise<EmbeddedGateway> {
  const created = await createEmbeddedGateway(exchange, options);
  const url = await created.server.listen(options.port, options.host);
  return { ...created, url };
}

/** What `npm start` prints once: the generated token (if any) and the three operator calls. */
export function operatorQuickStart(url: string, admin: ResolvedAdminToken): string {
  const token = admin.generated ?? `$${ADMIN_TOKEN_ENV}`;
  const call = (path: string, body: string) => `  curl -s -X POST ${url}${path} -H "authorization: Bearer ${token}" -H 'content-type: application/json' -d '${body}'`;
  return [
    ...(admin.generated === undefined ? [] : [`perpcore: operator token (generated, shown once; set ${ADMIN_TOKEN_ENV} to choose it): ${admin.generated}`]),
    'perpcore: an account, a key and a deposit through the operator API:',
    call('/v1/admin/accounts', '{}'),
    call('/v1/admin/api-keys', `{"accountId":${FIRST_OPERATOR_ACCOUNT_ID},"permissions":["read","trade"]}`),
    call('/v1/admin/deposits', `{"accountId":${FIRST_OPERATOR_ACCOUNT_ID},"asset":"USDT","amount":"100000"}`),
    `perpcore: operator dashboard: ${dashboardUrl(url, admin)}`,
    '',
  ].join('\n');
}
