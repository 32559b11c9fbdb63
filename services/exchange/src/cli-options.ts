/**
 * Command-line options of `npm start`, validated up front: a bad flag stops the
 * process with a message that names it, before anything starts.
 */
import { type FsyncPolicy, parseFsyncPolicy } from '@perpcore/journal';

export interface ExchangeOptions {
  durationS: number;
  seed: number;
  logLevel: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /** Commands per second to offer; 0 = as fast as the pipeline goes. */
  ratePerS: number;
  /** Simulated second at which the index gaps (liquidations, fund takeovers, ADL); 0 = no shock. */
  shockAtS: number;
  /** Size of the shock as a fraction in 1e-8 of the price (negative = down). */
  shockE8: number;
  /** Serve the HTTP API on 127.0.0.1:port while running; 0 = off. */
  httpPort: number;
  /** Journal every input to this directory and recover from it at start; undefined = in memory only. */
  dataDir: string | undefined;
  /** When the journal syncs (libs/journal fsync-policy.ts); only with --data-dir. */
  fsync: FsyncPolicy;
  /** Snapshot after this many journal records (0 = no snapshots); only with --data-dir. */
  snapshotEveryRecords: number;
  /** Snapshots kept; the journal keeps what the oldest kept one needs. */
  snapshotKeep: number;
}

const DEFAULTS: ExchangeOptions = {
  durationS: 10,
  seed: 42,
  logLevel: 'warn',
  ratePerS: 0,
  shockAtS: 1_200,
  shockE8: -12_000_000,
  httpPort: 0,
  dataDir: undefined,
  fsync: 'batch',
  snapshotEveryRecords: 500_000,
  snapshotKeep: 2,
};

const LEVELS = new Set(['silent', 'error', 'warn', 'info', 'debug']);

function parseNumberFlag(flag: string, text: string | undefined, min: number, max: number, integer: boolean): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new Error(`--${flag} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(text)}`);
  }
  return value;
}

export function parseExchangeOptions(argv: readonly string[]): ExchangeOptions {
  const options = { ...DEFAULTS };
  let fsyncGiven = false;
  let snapshotGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') ? (arg.slice(2).split('=', 2) as [string, string | undefined]) : [arg, undefined];
    const value = (): string | undefined => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case 'duration-s':
        options.durationS = parseNumberFlag(flag, value(), 1, 86_400, false);
        break;
      case 'seed':
        options.seed = parseNumberFlag(flag, value(), 0, 0xffff_ffff, true);
        break;
      case 'rate-per-s':
        options.ratePerS = parseNumberFlag(flag, value(), 0, 100_000_000, true);
        break;
      case 'shock-at-s':
        options.shockAtS = parseNumberFlag(flag, value(), 0, 86_400, false);
        break;
      case 'shock-e8':
        options.shockE8 = parseNumberFlag(flag, value(), -90_000_000, 90_000_000, true);
        break;
      case 'http-port':
        options.httpPort = parseNumberFlag(flag, value(), 0, 65_535, true);
        break;
      case 'log-level': {
        const level = value();
        if (level === undefined || !LEVELS.has(level)) throw new Error(`--log-level must be one of ${[...LEVELS].join(', ')}, got ${JSON.stringify(level)}`);
        options.logLevel = level as ExchangeOptions['logLevel'];
        break;
      }
      case 'data-dir': {
        const dir = value();
        if (dir === undefined || dir.trim() === '' || dir.startsWith('--')) throw new Error(`--data-dir needs a directory, got ${JSON.stringify(dir)}`);
        options.dataDir = dir;
        break;
      }
      case 'fsync':
        try {
          options.fsync = parseFsyncPolicy(value());
        } catch (error) {
          throw new Error(`--${(error as Error).message}`);
        }
        fsyncGiven = true;
        break;
      case 'snapshot-every':
        options.snapshotEveryRecords = parseNumberFlag(flag, value(), 0, Number.MAX_SAFE_INTEGER, true);
        snapshotGiven = true;
        break;
      case 'snapshot-keep':
        options.snapshotKeep = parseNumberFlag(flag, value(), 1, 1_000, true);
        snapshotGiven = true;
        break;
      case 'verbose':
        options.logLevel = 'info';
        break;
      default:
        throw new Error(`unknown option ${JSON.stringify(arg)} (known: --duration-s, --seed, --rate-per-s, --shock-at-s, --shock-e8, --http-port, --data-dir, --fsync, --snapshot-every, --snapshot-keep, --log-level, --verbose)`);
    }
  }
  if (fsyncGiven && options.dataDir === undefined) throw new Error('--fsync only applies with --data-dir DIR');
  if (snapshotGiven && options.dataDir === undefined) throw new Error('--snapshot-every and --snapshot-keep only apply with --data-dir DIR');
  return options;
}
