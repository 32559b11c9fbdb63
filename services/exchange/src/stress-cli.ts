/**
 * `npm run stress -- --shock BTCUSDT=-20% [--shock ETHUSDT=1850.5] [--funding BTCUSDT=0.05%]
 *  [--haircut BTC=80%] [--max-scopes N] [--json] (--url URL [--token T] | --journal DIR)`:
 * the what-if stress query (services/risk stress) from the command line.
 *
 * - Against a running gateway (`--url`): `POST /v1/admin/stress` with the operator
 *   token (`--token`, else `PERPCORE_ADMIN_TOKEN`).
 * - Offline (`--journal DIR`, an `npm start --data-dir DIR` journal): the journal is
 *   replayed into a fresh pipeline (journal-replay.ts; nothing is written) and the
 *   recovered risk engine answers.
 * Values are exact decimals, parsed without floats: a shock `-20%` (to 0.01%, i.e.
 * whole bps) or an absolute mark price on the market's tick grid; a funding rate
 * and a haircut ratio in % (to 1e-6 %, i.e. whole 1e-8). Prints a summary, or the
 * whole report with `--json`. Exit code 0 answered, 2 bad usage, 1 refused.
 */
import { priceToTicks } from '@perpcore/domain';
import { createLogger } from '@perpcore/observability';
import { type StressReport, type StressRequest, StressRequestError } from '@perpcore/risk';
import { replayJournal } from './durability/journal-replay.js';

export interface StressCliOptions {
  readonly shocks: { market: string; shockBps?: number; markPrice?: string }[];
  readonly funding: { market: string; rateE8: number }[];
  readonly haircuts: { asset: string; ratioE8: number }[];
  readonly maxScopes: number | undefined;
  readonly json: boolean;
  readonly url: string | undefined;
  readonly token: string | undefined;
  readonly journal: string | undefined;
}

const USAGE = 'usage: npm run stress -- --shock MARKET=-20%|PRICE [--shock ...] [--funding MARKET=RATE%] [--haircut ASSET=RATIO%] [--max-scopes N] [--json] (--url URL [--token T] | --journal DIR)';

/** "-20%" → −2000 bps; "12.5" with `fractionDigits` 2 → 1250: exact, or an error naming the flag. */
export function percentToScaled(flag: string, text: string, fractionDigits: number): number {
  const m = /^([+-]?)(\d{1,9})(?:\.(\d+))?%$/.exec(text);
  if (m === null) throw new Error(`--${flag}: ${JSON.stringify(text)} is not a percentage like -20% or 0.05%`);
  const fraction = m[3] ?? '';
  if (fraction.length > fractionDigits) throw new Error(`--${flag}: ${text} is finer than ${fractionDigits} decimals of a percent`);
  const scaled = Number(m[2]) * 10 ** fractionDigits + Number(fraction.padEnd(fractionDigits, '0') || '0');
  return m[1] === '-' ? -scaled : scaled;
}

function pair(flag: string, text: string | undefined): [string, string] {
  const at = text?.indexOf('=') ?? -1;
  if (text === undefined || at <= 0 || at === text.length - 1) throw new Error(`--${flag} needs NAME=VALUE, got ${JSON.stringify(text)}`);
  return [text.slice(0, at), text.slice(at + 1)];
}

export function parseStressCliOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): StressCliOptions {
  const o = { shocks: [] as StressCliOptions['shocks'], funding: [] as StressCliOptions['funding'], haircuts: [] as StressCliOptions['haircuts'], maxScopes: undefined as number | undefined, json: false, url: undefined as string | undefined, token: env.PERPCORE_ADMIN_TOKEN, journal: undefined as string | undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(arg)}\n${USAGE}`);
    const [flag, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === 'shock') {
      const [market, v] = pair(flag, value());
      o.shocks.push(v.endsWith('%') ? { market, shockBps: percentToScaled(flag, v, 2) } : { market, markPrice: v });
    } else if (flag === 'funding') {
      const [market, v] = pair(flag, value());
      o.funding.push({ market, rateE8: percentToScaled(flag, v, 6) });
    } else if (flag === 'haircut') {
      const [asset, v] = pair(flag, value());
      o.haircuts.push({ asset, ratioE8: percentToScaled(flag, v, 6) });
    } else if (flag === 'max-scopes') {
      const n = Number(value());
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--max-scopes must be a non-negative integer`);
      o.maxScopes = n;
    } else if (flag === 'json') o.json = true;
    else if (flag === 'url') o.url = value();
    else if (flag === 'token') o.token = value();
    else if (flag === 'journal') o.journal = value();
    else throw new Error(`unknown option ${JSON.stringify(arg)}\n${USAGE}`);
  }
  if (o.shocks.length === 0) throw new Error(`at least one --shock\n${USAGE}`);
  if ((o.url === undefined) === (o.journal === undefined)) throw new Error(`exactly one of --url and --journal\n${USAGE}`);
  if (o.url !== undefined && (o.token === undefined || o.token === '')) throw new Error('--url needs the operator token: --token T or PERPCORE_ADMIN_TOKEN');
  return o;
}

/** The operator API's body (mark prices stay decimals: the gateway converts them on the market's grid). */
export function stressBody(o: StressCliOptions): Record<string, unknown> {
  return {
    shocks: o.shocks,
    ...(o.funding.length > 0 ? { funding: o.funding } : {}),
    ...(o.haircuts.length > 0 ? { haircuts: o.haircuts } : {}),
    ...(o.maxScopes === undefined ? {} : { maxScopes: o.maxScopes }),
  };
}

type Answer = { ok: true; report: StressReport } | { ok: false; code: string; message: string };

async function askGateway(o: StressCliOptions): Promise<Answer> {
  const r = await fetch(new URL('/v1/admin/stress', o.url), { method: 'POST', headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' }, body: JSON.stringify(stressBody(o)) });
  const body = (await r.json()) as StressReport & { code?: string; message?: string };
  return r.status === 200 ? { ok: true, report: body } : { ok: false, code: body.code ?? `HTTP_${r.status}`, message: body.message ?? '' };
}

async function askJournal(dir: string, o: StressCliOptions): Promise<Answer> {
  const replayed = await replayJournal(dir, { logger: createLogger('stress', 'warn') });
  try {
    const engine = replayed.pipeline.risk.engine;
    const request: StressRequest = {
      ...(stressBody(o) as Omit<StressRequest, 'shocks'>),
      shocks: o.shocks.map((s) => {
        if (s.markPrice === undefined) return s;
        const m = engine.marketIndex(s.market);
        if (m < 0) return { market: s.market, markSubticks: 0 }; // refused by the engine, with its code
        const market = engine.state.markets[m];
        return { market: s.market, markSubticks: priceToTicks(market.spec, s.markPrice, `--shock ${s.market}`) * market.params.markSubticksPerTick };
      }),
    };
    return { ok: true, report: engine.stress(request) };
  } catch (error) {
    if (error instanceof StressRequestError) return { ok: false, code: error.code, message: error.message };
    throw error;
  } finally {
    await replayed.pipeline.close();
  }
}

export function formatStressReport(report: StressReport): string {
  const t = report.totals;
  const lines = [
    ...report.prices.map((p) => `${p.market}: mark ${p.markSubticks} → ${p.stressedMarkSubticks} subticks (index → ${p.stressedIndexSubticks})`),
    `scopes: ${t.scopesEvaluated} evaluated, ${t.accountsSkipped} of ${t.traderAccounts} accounts skipped by the breach index`,
    `called ${t.calledScopes} (${t.newlyCalledScopes} new), liquidating ${t.liquidatingScopes} (${t.newlyLiquidatingScopes} new)`,
    `ladder: ${t.positionsClosed} positions; book ${t.bookLots} lots, backstop ${t.backstopLots} lots, fund takeover ${t.takeoverLots} lots, ADL ${t.adlLots} lots in ${t.adlLegs} legs`,
    `fund: clearance fees ${t.clearanceFeesUnits} units, projected loss ${t.fundLossUnits} units`,
  ];
  for (const s of report.scopes.slice(0, 20)) {
    lines.push(`  ${s.accountId} ${s.mode}${s.market === '' ? '' : ` ${s.market}`}: ${s.stateBefore} → ${s.stateAfter}, E ${s.equityUnits}, basis ${s.basisUnits}, to liquidation ${s.distanceToLiquidationUnits}`);
  }
  if (report.scopes.length > 20 || report.scopesTruncated) lines.push(`  … (--json for every scope)`);
  return `${lines.join('\n')}\n`;
}

export async function runStressCli(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  let o: StressCliOptions;
  try {
    o = parseStressCliOptions(argv);
  } catch (error) {
    err.write(`stress: ${(error as Error).message}\n`);
    return 2;
  }
  const answer = o.journal !== undefined ? await askJournal(o.journal, o) : await askGateway(o);
  if (!answer.ok) {
    err.write(`stress: refused: ${answer.code}: ${answer.message}\n`);
    return 1;
  }
  out.write(o.json ? `${JSON.stringify(answer.report, null, 2)}\n` : formatStressReport(answer.report));
  return 0;
}
