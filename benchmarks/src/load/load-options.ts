/**
 * Command-line options of `npm run load`, validated up front: a bad flag stops the
 * harness with a message naming it, before anything starts. Values a scenario
 * file also sets (rate, duration, accounts, markets) are taken from the flag when
 * given, else from the scenario.
 */
export type LoadApi = 'rest' | 'ws' | 'ws-order' | 'client';

export interface LoadOptions {
  /** 'embedded' (the harness starts `npm start`'s gateway, or composes the core in-process for --api client) or a base URL. */
  readonly target: 'embedded' | URL;
  readonly api: LoadApi;
  readonly ratePerS: number | undefined;
  readonly durationS: number | undefined;
  readonly connections: number;
  readonly scenario: string;
  readonly seed: number;
  readonly out: string;
  readonly accounts: number | undefined;
  readonly markets: readonly string[] | undefined;
  readonly progress: boolean;
  readonly help: boolean;
}

export const LOAD_USAGE = `usage: npm run load -- [options]

Open-loop load through the gateway: orders are scheduled at their intended send
time at --rate; latency is measured from that intended time (coordinated omission
corrected: a stalled server or a full connection pool shows up as latency).

  --target T         embedded (default): start the embedded exchange with its gateway on a free port
                     (node services/gateway/dist/main.js --http-port P, i.e. npm start), or compose the
                     core in-process for --api client; or a base URL (http://127.0.0.1:8080) of a running
                     gateway (npm start -- --http-port 8080, or npm run start:cluster -- --http-port 8080)
                     with PERPCORE_ADMIN_TOKEN set to its operator token
  --api A            rest (default): signed POST/DELETE /fapi/v1/order over a keep-alive pool;
                     ws: the same orders, latency until the user-data stream's ORDER_TRADE_UPDATE;
                     ws-order: the same orders as order.place / order.cancel over the WebSocket API
                     (/ws-fapi/v1), latency until the reply frame; client: the typed ExchangeClient
                     in-process (embedded only)
  --rate N           orders per second (scenario's rate when omitted)
  --duration N       seconds of load (scenario's when omitted)
  --connections N    keep-alive connections in the pool (default 16; at least one per account's address)
  --scenario S       a name in benchmarks/load/scenarios/ (steady, burst, price-shock, many-accounts) or a
                     path to a JSON file (default steady)
  --seed N           seeds the order flow (default 1)
  --out DIR          where load-report.json and load-report.html go (default benchmarks/results/load)
  --accounts N       trading accounts (scenario's when omitted; raised so that no key exceeds the
                     gateway's per-key order limit, see the README)
  --markets A,B      symbols to trade (scenario's when omitted)
  --no-progress      no live line on stderr
  --help`;

const DEFAULTS = { api: 'rest' as LoadApi, connections: 16, scenario: 'steady', seed: 1, out: 'benchmarks/results/load' };

function integer(flag: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new Error(`--${flag} must be an integer in [${min}, ${max}], got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function nonEmpty(flag: string, text: string | undefined, what: string): string {
  if (text === undefined || text === '') throw new Error(`--${flag} needs ${what}`);
  return text;
}

function targetOf(text: string | undefined): 'embedded' | URL {
  if (text === 'embedded') return 'embedded';
  let url: URL;
  try {
    url = new URL(text ?? '');
  } catch {
    throw new Error(`--target must be "embedded" or an http(s) URL, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--target must be "embedded" or an http(s) URL, got ${JSON.stringify(text)}`);
  return url;
}

export function parseLoadOptions(argv: readonly string[]): LoadOptions {
  let target: 'embedded' | URL = 'embedded';
  let api = DEFAULTS.api;
  let ratePerS: number | undefined;
  let durationS: number | undefined;
  let connections = DEFAULTS.connections;
  let scenario = DEFAULTS.scenario;
  let seed = DEFAULTS.seed;
  let out = DEFAULTS.out;
  let accounts: number | undefined;
  let markets: string[] | undefined;
  let progress = true;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(arg)} (options start with --; see --help)`);
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const value = (): string | undefined => (eq >= 0 ? arg.slice(eq + 1) : argv[++i]);
    switch (flag) {
      case 'target': target = targetOf(value()); break;
      case 'api': {
        const a = value();
        if (a !== 'rest' && a !== 'ws' && a !== 'ws-order' && a !== 'client') throw new Error(`--api must be rest, ws, ws-order or client, got ${JSON.stringify(a)}`);
        api = a;
        break;
      }
      case 'rate': ratePerS = integer(flag, value(), 1, 1_000_000); break;
      case 'duration': durationS = integer(flag, value(), 1, 86_400); break;
      case 'connections': connections = integer(flag, value(), 1, 10_000); break;
      case 'scenario': scenario = nonEmpty(flag, value(), 'a name or a path'); break;
      case 'seed': seed = integer(flag, value(), 0, 0xffff_ffff); break;
      case 'out': out = nonEmpty(flag, value(), 'a directory'); break;
      case 'accounts': accounts = integer(flag, value(), 1, 50_000); break;
      case 'markets': {
        const m = value();
        if (m === undefined || !/^[A-Z0-9]{2,20}(,[A-Z0-9]{2,20})*$/.test(m)) throw new Error(`--markets must be comma-separated symbols (BTCUSDT,ETHUSDT), got ${JSON.stringify(m)}`);
        markets = m.split(',');
        break;
      }
      case 'no-progress': progress = false; break;
      case 'help': help = true; break;
      default: throw new Error(`unknown option --${flag} (see --help)`);
    }
  }
  if (api === 'client' && target !== 'embedded') throw new Error('--api client drives the core in-process: only with --target embedded');
  return { target, api, ratePerS, durationS, connections, scenario, seed, out, accounts, markets, progress, help };
}
