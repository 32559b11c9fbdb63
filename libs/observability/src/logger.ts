/**
 * `createLogger(name, level)`: the project's one way to log, a thin wrapper on
 * pino writing JSON lines to stderr (stdout stays free for CLI and benchmark
 * output). Quiet by default: `warn` unless the caller or PERPCORE_LOG_LEVEL says
 * otherwise, so tests and benchmarks print nothing on the happy path.
 */
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

const LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
export const DEFAULT_LOG_LEVEL: LogLevel = 'warn';

/** Resolves the level: explicit argument, else PERPCORE_LOG_LEVEL, else `warn`. An unknown name is an error, not a silent default. */
export function resolveLogLevel(level: string | undefined, env: NodeJS.ProcessEnv = process.env): LogLevel {
  const chosen = level ?? env.PERPCORE_LOG_LEVEL ?? DEFAULT_LOG_LEVEL;
  if (!(LEVELS as readonly string[]).includes(chosen)) {
    throw new Error(`log level must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(chosen)} (PERPCORE_LOG_LEVEL or createLogger argument)`);
  }
  return chosen as LogLevel;
}

export interface LoggerOptions {
  /** Where the JSON lines go; stderr unless a test captures them. */
  destination?: { write(line: string): unknown };
}

export function createLogger(name: string, level?: LogLevel, options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? pino.destination({ fd: 2, sync: false });
  return pino({ name, level: resolveLogLevel(level), base: { name } }, destination);
}
