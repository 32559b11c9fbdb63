/**
 * Getting a kafkajs client connected, and its logs into ours.
 *
 * An unreachable broker at start-up is normal in a cluster (services and broker
 * start together), so `connectWithRetry` retries with exponential backoff
 * (250 ms doubling to 5 s), logging each miss at warn with the broker list, and
 * gives up after `connectTimeoutMs` with one clear error naming the brokers and
 * the last cause. It never exits the process: the caller decides.
 *
 * kafkajs logs every retriable protocol error at ERROR (e.g. "coordinator is
 * loading" right after a broker start) and recovers by itself; what it cannot
 * recover from reaches us as a rejected promise, which we log ourselves. So its
 * levels are shifted one down: ERROR → warn, WARN → info, INFO → debug.
 */
import type { Logger } from '@perpcore/observability';
import { type LogEntry, logLevel } from 'kafkajs';

export class BusConnectError extends Error {
  readonly code = 'BUS_BROKER_UNREACHABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BusConnectError';
  }
}

export interface ConnectRetryOptions {
  brokers: readonly string[];
  connectTimeoutMs: number;
  logger: Logger | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function connectWithRetry(what: string, connect: () => Promise<void>, options: ConnectRetryOptions): Promise<void> {
  const deadline = Date.now() + options.connectTimeoutMs;
  let delayMs = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await connect();
      if (attempt > 1) options.logger?.warn({ brokers: options.brokers, attempt }, `${what}: connected`);
      return;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (Date.now() + delayMs > deadline) {
        throw new BusConnectError(
          `${what}: Kafka broker ${options.brokers.join(',')} unreachable for ${options.connectTimeoutMs} ms after ${attempt} attempts (last error: ${reason}). ` +
            'Is it running? For development: npm run kafka:start, then set PERPCORE_KAFKA_BROKERS.',
          { cause: error },
        );
      }
      options.logger?.warn({ brokers: options.brokers, attempt, retryInMs: delayMs, reason }, `${what}: Kafka broker unreachable; retrying`);
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, 5_000);
    }
  }
}

/** A kafkajs `logCreator` writing into a pino logger (levels shifted one down, see above). */
export function kafkajsLogCreator(logger: Logger | undefined) {
  return () =>
    ({ namespace, level, log }: LogEntry): void => {
      if (logger === undefined) return;
      const { message, timestamp: _timestamp, ...extra } = log;
      const fields = { kafkajs: namespace, ...extra };
      if (level === logLevel.ERROR) logger.warn(fields, message);
      else if (level === logLevel.WARN) logger.info(fields, message);
      else if (level === logLevel.INFO) logger.debug(fields, message);
      else logger.trace(fields, message);
    };
}
