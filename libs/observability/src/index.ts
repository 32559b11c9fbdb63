export { createLogger, resolveLogLevel, DEFAULT_LOG_LEVEL, type Logger, type LogLevel, type LoggerOptions } from './logger.js';
