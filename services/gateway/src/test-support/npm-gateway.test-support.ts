/**
 * The embedded core and gateway composed as `npm start --data-dir DIR --snapshot-every N
 * --http-port 0` composes them (services/gateway main.ts), in-process, so a test can
 * stop and restart it on the same directory. Snapshots are taken only when the test
 * asks (`snapshotIfDue(core, true)`).
 */
import { type EmbeddedCore, journalAcknowledgementHooks, type SnapshotSection, startEmbeddedCore } from '@perpcore/exchange';
import { createLogger } from '@perpcore/observability';
import { createEmbeddedGateway, GATEWAY_SNAPSHOT_SECTION } from '../embedded-gateway.js';
import type { GatewayServer } from '../gateway-server.js';

export interface NpmGateway {
  readonly core: EmbeddedCore;
  readonly gateway: GatewayServer;
  readonly section: SnapshotSection;
  readonly base: string;
}

export async function startNpmGateway(dataDir: string, adminToken: string, seed = 3): Promise<NpmGateway> {
  const logger = createLogger('test', 'silent');
  let gateway: GatewayServer | undefined;
  let section: SnapshotSection | undefined;
  const core = await startEmbeddedCore({
    logger,
    seed,
    dataDir,
    snapshotPolicy: { everyRecords: 0, everyEventNs: 0, keepNewest: 2 },
    snapshotSections: [GATEWAY_SNAPSHOT_SECTION],
    beforeReplay: async (exchange) => {
      const embedded = await createEmbeddedGateway(exchange, { logger, acknowledgement: journalAcknowledgementHooks(exchange.inputs), dataDir, env: { PERPCORE_ADMIN_TOKEN: adminToken } });
      gateway = embedded.server;
      section = embedded.snapshotSection;
      return [section];
    },
  });
  const server = gateway as unknown as GatewayServer;
  return { core, gateway: server, section: section as SnapshotSection, base: await server.listen(0) };
}
