// Command-line options of `npm run start:cluster`, validated up front: a bad flag
// stops the launcher with a message naming it, before anything starts.
export const USAGE = `usage: npm run start:cluster -- [options]

  --duration-s N          seconds of simulated trading (default 10)
  --rate-per-s N          order commands per second from the simulated gateway (default 1000)
  --seed N                order-flow seed (default 42, as npm start)
  --crowd-accounts N      leveraged traders entering early in the run (default 300, as npm start; 0 = none)
  --shock-at-s N          seconds into the run at which the index gaps (default 60% of the run; 0 = no shock);
                          never before risk settled the crowd's entries (later on a loaded machine)
  --shock-e8 N            size of the gap in 1e-8 (default -12000000 = -12%, as npm start)
  --batch-max-messages N  producer batch size of every service (PERPCORE_KAFKA_BATCH_MAX_MESSAGES, default 2000)
  --linger-ms N           producer linger of every service (PERPCORE_KAFKA_LINGER_MS, default 2)
  --matching-shards N     matching processes, each booking its share of the markets (default 1; at most one per market)
  --gateways N            real gateway processes serving Binance /fapi REST over Kafka (default 1; 0 = none)
  --http-port N           port of the first real gateway (default 0 = a free port, printed)
  --brokers HOST:PORT     use this Kafka instead of starting a throw-away broker (also: PERPCORE_KAFKA_BROKERS)
  --drain-timeout-s N     how long the pipeline may take to drain after the run (default 120)
  --log-level LEVEL       services' log level, written to per-service log files (default info)
  --peer-records N        records of the bare-kafkajs peer measured on the broker first (default 200000; 0 = skip)
  --hop-probe-rate N      records/s of the bare-kafkajs one-hop probe run beside the trading (default 200; 0 = skip)
  --json                  print the summary as one JSON line on stdout as well
  --help`;

const DEFAULTS = {
  durationS: 10,
  ratePerS: 1_000,
  seed: 42,
  crowdAccounts: 300,
  shockAtS: undefined,
  shockE8: -12_000_000,
  batchMaxMessages: undefined,
  lingerMs: undefined,
  brokers: undefined,
  drainTimeoutS: 120,
  matchingShards: 1,
  gateways: 1,
  httpPort: 0,
  logLevel: 'info',
  peerRecords: 200_000,
  hopProbeRatePerS: 200,
  json: false,
  help: false,
};

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function integer(flag, text, min, max) {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new Error(`--${flag} must be an integer in [${min}, ${max}], got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

export function parseClusterOptions(argv, env = process.env) {
  const o = { ...DEFAULTS, brokers: env.PERPCORE_KAFKA_BROKERS?.trim() || undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') ? arg.slice(2).split('=', 2) : [arg, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case 'duration-s': o.durationS = integer(flag, value(), 1, 86_400); break;
      case 'rate-per-s': o.ratePerS = integer(flag, value(), 1, 1_000_000); break;
      case 'seed': o.seed = integer(flag, value(), 0, 0xffff_ffff); break;
      case 'crowd-accounts': o.crowdAccounts = integer(flag, value(), 0, 100_000); break;
      case 'shock-at-s': o.shockAtS = integer(flag, value(), 0, 86_400); break;
      case 'shock-e8': {
        const text = value();
        if (text === undefined || !/^-?\d+$/.test(text) || Math.abs(Number(text)) >= 100_000_000) throw new Error(`--shock-e8 must be an integer in (-1e8, 1e8), got ${JSON.stringify(text)}`);
        o.shockE8 = Number(text);
        break;
      }
      case 'batch-max-messages': o.batchMaxMessages = integer(flag, value(), 1, 100_000); break;
      case 'linger-ms': o.lingerMs = integer(flag, value(), 0, 10_000); break;
      case 'matching-shards': o.matchingShards = integer(flag, value(), 1, 64); break;
      case 'gateways': o.gateways = integer(flag, value(), 0, 8); break;
      case 'http-port': o.httpPort = integer(flag, value(), 0, 65_535); break;
      case 'drain-timeout-s': o.drainTimeoutS = integer(flag, value(), 1, 3_600); break;
      case 'brokers': {
        const b = value();
        if (b === undefined || !/^[A-Za-z0-9._-]+:\d{1,5}(,[A-Za-z0-9._-]+:\d{1,5})*$/.test(b)) throw new Error(`--brokers must be host:port[,host:port…], got ${JSON.stringify(b)}`);
        o.brokers = b;
        break;
      }
      case 'log-level': {
        const level = value();
        if (!LEVELS.has(level)) throw new Error(`--log-level must be one of ${[...LEVELS].join(', ')}, got ${JSON.stringify(level)}`);
        o.logLevel = level;
        break;
      }
      case 'peer-records': o.peerRecords = integer(flag, value(), 0, 10_000_000); break;
      case 'hop-probe-rate': o.hopProbeRatePerS = integer(flag, value(), 0, 5_000); break;
      case 'json': o.json = true; break;
      case 'help': case 'h': o.help = true; break;
      default: throw new Error(`unknown option ${JSON.stringify(arg)}\n${USAGE}`);
    }
  }
  if (o.shockAtS === undefined) o.shockAtS = Math.max(1, Math.round(o.durationS * 0.6));
  return o;
}
