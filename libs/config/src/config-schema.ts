/**
 * Configuration composed from parts (each library exports its schema; a service
 * spreads the ones it uses into its own) and validated once at start: a bad or
 * missing value stops the process with a message naming the environment variable.
 * Units are in the names (`…_MS`, `…_BYTES`, `…_S`).
 *
 * Example:
 *   const config = readConfig({ ...kafkaConfigSchema, port: integerField('PERPCORE_HTTP_PORT', { min: 0, max: 65535, fallback: 0 }) });
 */
export interface ConfigField<T> {
  readonly env: string;
  readonly description: string;
  parse(text: string | undefined): T;
}

export type ConfigSchema = Record<string, ConfigField<unknown>>;
export type ConfigOf<S extends ConfigSchema> = { [K in keyof S]: S[K] extends ConfigField<infer T> ? T : never };

export class ConfigError extends Error {
  constructor(readonly env: string, message: string) {
    super(`${env}: ${message}`);
    this.name = 'ConfigError';
  }
}

export function readConfig<S extends ConfigSchema>(schema: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const [key, field] of Object.entries(schema)) {
    try {
      out[key] = field.parse(env[field.env]);
    } catch (error) {
      errors.push(error instanceof ConfigError ? error.message : `${field.env}: ${(error as Error).message}`);
    }
  }
  if (errors.length > 0) throw new Error(`invalid configuration:\n  ${errors.join('\n  ')}`);
  return out as ConfigOf<S>;
}

export function integerField(env: string, options: { min: number; max: number; fallback?: number; description?: string }): ConfigField<number> {
  return {
    env,
    description: options.description ?? '',
    parse(text) {
      if (text === undefined || text === '') {
        if (options.fallback === undefined) throw new ConfigError(env, 'is required');
        return options.fallback;
      }
      if (!/^-?\d+$/.test(text)) throw new ConfigError(env, `must be an integer, got ${JSON.stringify(text)}`);
      const n = Number(text);
      if (!Number.isSafeInteger(n) || n < options.min || n > options.max) throw new ConfigError(env, `must be in [${options.min}, ${options.max}], got ${text}`);
      return n;
    },
  };
}

export function stringField(env: string, options: { fallback?: string; pattern?: RegExp; description?: string } = {}): ConfigField<string> {
  return {
    env,
    description: options.description ?? '',
    parse(text) {
      const value = text === undefined || text === '' ? options.fallback : text;
      if (value === undefined) throw new ConfigError(env, 'is required');
      if (options.pattern !== undefined && !options.pattern.test(value)) throw new ConfigError(env, `must match ${options.pattern}, got ${JSON.stringify(value)}`);
      return value;
    },
  };
}

export function listField(env: string, options: { fallback?: string[]; itemPattern?: RegExp; description?: string } = {}): ConfigField<string[]> {
  return {
    env,
    description: options.description ?? '',
    parse(text) {
      if (text === undefined || text.trim() === '') {
        if (options.fallback === undefined) throw new ConfigError(env, 'is required (comma-separated)');
        return options.fallback;
      }
      const items = text.split(',').map((s) => s.trim());
      for (const item of items) {
        if (item === '' || (options.itemPattern !== undefined && !options.itemPattern.test(item))) {
          throw new ConfigError(env, `item ${JSON.stringify(item)} is invalid${options.itemPattern ? ` (must match ${options.itemPattern})` : ''}`);
        }
      }
      return items;
    },
  };
}

export function enumField<T extends string>(env: string, values: readonly T[], fallback?: T): ConfigField<T> {
  return {
    env,
    description: `one of ${values.join(', ')}`,
    parse(text) {
      const value = text === undefined || text === '' ? fallback : text;
      if (value === undefined) throw new ConfigError(env, `is required (one of ${values.join(', ')})`);
      if (!(values as readonly string[]).includes(value)) throw new ConfigError(env, `must be one of ${values.join(', ')}, got ${JSON.stringify(value)}`);
      return value as T;
    },
  };
}
