/**
 * `runServiceProcess`: what every cluster service's `main.ts` does around its
 * composition root, written once.
 *
 * 1. Configuration: the service's schema plus the runtime's own variables, read
 *    from the environment and validated before anything starts. A bad value prints
 *    `<name>: invalid configuration: PERPCORE_…: …` and exits 2 (no retry: a
 *    restart cannot fix it).
 * 2. Start: `start({ config, logger })` builds the service (e.g. `KafkaBus.connect`,
 *    which retries an unreachable broker with backoff for
 *    PERPCORE_KAFKA_CONNECT_TIMEOUT_MS). A start that fails prints one clear line and
 *    exits 1, once: the orchestrator's restart policy decides what happens next.
 * 3. Stop: SIGTERM, SIGINT, a `{ type: 'stop' }` message, the parent going away
 *    (the IPC channel closes), or the service's `finished` promise → `close()` (flush producers, commit offsets), bounded
 *    by PERPCORE_SHUTDOWN_TIMEOUT_MS, then exit 0 (1 if it failed or timed out).
 *    A stop during start exits at once: nothing was applied yet.
 * 4. Reporting, when started with an IPC channel (the cluster launcher): `ready`
 *    once started, `stats` every PERPCORE_STATS_INTERVAL_MS, on `{ type: 'stats' }` and
 *    once more after a clean close (the final counters).
 *    Any other `{ type }` message goes to the service's `onParentMessage`.
 *    Without a channel the same counters go to the log at info.
 */
import { type ConfigOf, type ConfigSchema, enumField, integerField, readConfig } from '@perpcore/config';
import { createLogger, type Logger, type LogLevel } from '@perpcore/observability';

export interface RunningService {
  /** Stops consuming, flushes what was published, commits offsets, releases connections. */
  close(): Promise<void>;
  /** Counters for the launcher and the log (plain JSON values). */
  stats?(): Record<string, unknown>;
  /** A finite job (e.g. a simulated run of N seconds): when it resolves the process stops cleanly, as on SIGTERM. */
  finished?: Promise<void>;
  /**
   * A message from the parent other than `stop` and `stats` (e.g. the cluster launcher
   * telling the simulated oracle to arm its shock). Unknown messages are the service's
   * to refuse; without this hook they are logged and ignored.
   */
  onParentMessage?(message: { type: string } & Record<string, unknown>): void;
}

export interface ServiceDefinition<S extends ConfigSchema> {
  /** Process name in logs and messages, e.g. "matching". */
  readonly name: string;
  readonly schema: S;
  start(context: { config: ConfigOf<S>; logger: Logger }): Promise<RunningService>;
}

/** Messages a service process sends its parent over IPC. */
export type ServiceReport =
  | { type: 'ready'; name: string; pid: number }
  | { type: 'stats'; name: string; stats: Record<string, unknown> }
  | { type: 'stopping'; name: string; reason: string };

export const runtimeConfigSchema = {
  logLevel: enumField<LogLevel>('PERPCORE_LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  shutdownTimeoutMs: integerField('PERPCORE_SHUTDOWN_TIMEOUT_MS', { min: 100, max: 600_000, fallback: 15_000 }),
  statsIntervalMs: integerField('PERPCORE_STATS_INTERVAL_MS', { min: 0, max: 3_600_000, fallback: 1_000, description: '0 = off' }),
};

export const ExitCode = { Ok: 0, Failed: 1, BadConfig: 2 } as const;

export function runServiceProcess<S extends ConfigSchema>(definition: ServiceDefinition<S>): void {
  const { name } = definition;
  let config: ConfigOf<S> & ConfigOf<typeof runtimeConfigSchema>;
  try {
    config = readConfig({ ...definition.schema, ...runtimeConfigSchema });
  } catch (error) {
    process.stderr.write(`${name}: ${(error as Error).message}\n`);
    process.exit(ExitCode.BadConfig);
  }
  const logger = createLogger(name, config.logLevel);
  const send = (report: ServiceReport): void => {
    if (process.send !== undefined && process.connected) process.send(report);
  };
  let service: RunningService | undefined;
  let stopping = false;
  let failed = false;
  let statsTimer: NodeJS.Timeout | undefined;

  const exit = (code: number): void => {
    process.exitCode = code;
    logger.flush();
    // let the asynchronous log destination drain before leaving
    setTimeout(() => process.exit(code), 50);
  };

  const reportStats = (): void => {
    if (service?.stats === undefined) return;
    const stats = service.stats();
    if (process.send !== undefined && process.connected) send({ type: 'stats', name, stats });
    else logger.info({ stats }, 'stats');
  };

  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    send({ type: 'stopping', name, reason });
    if (statsTimer !== undefined) clearInterval(statsTimer);
    if (service === undefined) {
      logger.warn({ reason }, 'stopped during start-up');
      exit(ExitCode.Failed);
      return;
    }
    logger.info({ reason }, 'stopping: flushing and committing');
    const running = service;
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs).unref());
    Promise.race([running.close().then(() => 'closed' as const), timeout]).then(
      (outcome) => {
        if (outcome === 'timeout') {
          logger.error({ shutdownTimeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out; exiting without a clean close');
          exit(ExitCode.Failed);
          return;
        }
        logger.info('stopped cleanly');
        // the final counters, once nothing more can happen (the cluster launcher reconciles a stopped gateway's)
        reportStats();
        exit(failed ? ExitCode.Failed : ExitCode.Ok);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'close failed');
        exit(ExitCode.Failed);
      },
    );
  };

  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  if (process.send !== undefined) {
    process.on('disconnect', () => stop('parent process went away'));
    process.on('message', (message: unknown) => {
      const type = (message as { type?: unknown } | null)?.type;
      if (type === 'stop') stop('stop requested');
      else if (type === 'stats') reportStats();
      else if (typeof type === 'string' && service?.onParentMessage !== undefined) service.onParentMessage(message as { type: string } & Record<string, unknown>);
      else logger.warn({ type }, 'message from the parent process ignored');
    });
  }
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    process.stderr.write(`${name}: uncaught exception: ${error.stack ?? error.message}\n`);
    exit(ExitCode.Failed);
  });
  process.on('unhandledRejection', (error) => {
    logger.fatal({ err: error }, 'unhandled rejection');
    process.stderr.write(`${name}: unhandled rejection: ${(error as Error)?.stack ?? String(error)}\n`);
    exit(ExitCode.Failed);
  });

  definition.start({ config, logger }).then(
    (started) => {
      if (stopping) return; // stopped during start-up: already exiting
      service = started;
      logger.info({ pid: process.pid }, `${name} ready`);
      send({ type: 'ready', name, pid: process.pid });
      if (config.statsIntervalMs > 0 && started.stats !== undefined) {
        statsTimer = setInterval(reportStats, config.statsIntervalMs);
        statsTimer.unref();
      }
      started.finished?.then(
        () => {
          reportStats();
          stop('finished');
        },
        (error: unknown) => {
          logger.error({ err: error }, 'failed');
          process.stderr.write(`${name}: failed: ${(error as Error).message}\n`);
          failed = true;
          stop('failed');
        },
      );
    },
    (error: unknown) => {
      const err = error as Error & { code?: string };
      logger.fatal({ err, code: err.code }, 'start failed');
      process.stderr.write(`${name}: cannot start: ${err.message}\n`);
      exit(ExitCode.Failed);
    },
  );
}
