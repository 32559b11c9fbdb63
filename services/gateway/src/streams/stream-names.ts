/**
 * Binance market stream names → what they carry. Names are case-sensitive as Binance
 * spells them (`btcusdt@aggTrade`, `!markPrice@arr@1s`): the symbol part is lower case,
 * the kind camelCase. Periods: 0 = pushed on each event; otherwise the stream is
 * produced on the clock's tick of that period (Binance's update speeds).
 *
 * | name                                   | kind          | period |
 * |----------------------------------------|---------------|--------|
 * | s@depth, s@depth@100ms/250ms/500ms/0ms | depthDiff     | 250 / rate; 0ms = each delta |
 * | s@depth5/10/20[@100ms/250ms/500ms]     | depthPartial  | 250 / rate |
 * | s@trade, s@aggTrade, s@bookTicker, s@forceOrder | (same) | 0 |
 * | s@markPrice, s@markPrice@1s            | markPrice     | 3000 / 1000 |
 * | s@miniTicker, s@ticker                 | (same)        | 500 |
 * | !markPrice@arr[@1s], !miniTicker@arr, !ticker@arr | all… | 3000 (1000) / 1000 |
 * | !bookTicker, !forceOrder@arr           | all…          | 0 |
 * | !lendingHealth@arr (the project's own)  | allLendingHealth | 0 |
 *
 * `!lendingHealth@arr` is the liquidators' event stream of the lending pool: every
 * position's health-factor transition (below 1, recovered) with the position sequence a
 * liquidation call must name. Public, as pool positions are to liquidators.
 */
export type StreamKind =
  | 'depthDiff'
  | 'depthPartial'
  | 'trade'
  | 'aggTrade'
  | 'bookTicker'
  | 'forceOrder'
  | 'markPrice'
  | 'miniTicker'
  | 'ticker'
  | 'allMarkPrice'
  | 'allMiniTicker'
  | 'allTicker'
  | 'allBookTicker'
  | 'allForceOrder'
  | 'allLendingHealth';

export interface StreamDescriptor {
  readonly name: string;
  readonly kind: StreamKind;
  /** The Binance symbol (upper case) for per-symbol streams; '' for `!…` streams. */
  readonly symbol: string;
  readonly periodMs: number;
  /** depthPartial: levels per side. */
  readonly levels: number;
}

export const STREAM_PERIODS_MS = [100, 250, 500, 1_000, 3_000] as const;

const SYMBOL_STREAM = /^([a-z0-9]{2,30})@(depth|depth5|depth10|depth20|trade|aggTrade|bookTicker|forceOrder|markPrice|miniTicker|ticker)(?:@(0ms|100ms|250ms|500ms|1s))?$/;

const ALL_STREAMS: Readonly<Record<string, Omit<StreamDescriptor, 'name' | 'symbol' | 'levels'>>> = {
  '!markPrice@arr': { kind: 'allMarkPrice', periodMs: 3_000 },
  '!markPrice@arr@1s': { kind: 'allMarkPrice', periodMs: 1_000 },
  '!miniTicker@arr': { kind: 'allMiniTicker', periodMs: 1_000 },
  '!ticker@arr': { kind: 'allTicker', periodMs: 1_000 },
  '!bookTicker': { kind: 'allBookTicker', periodMs: 0 },
  '!forceOrder@arr': { kind: 'allForceOrder', periodMs: 0 },
  '!lendingHealth@arr': { kind: 'allLendingHealth', periodMs: 0 },
};

const RATE_MS: Readonly<Record<string, number>> = { '0ms': 0, '100ms': 100, '250ms': 250, '500ms': 500, '1s': 1_000 };

/** The stream a name denotes, or undefined when it is not one this server serves. */
export function parseStreamName(name: string): StreamDescriptor | undefined {
  const all = ALL_STREAMS[name];
  if (all !== undefined) return { name, symbol: '', levels: 0, ...all };
  const m = SYMBOL_STREAM.exec(name);
  if (m === null) return undefined;
  const [, lowerSymbol, kindText, rateText] = m;
  const symbol = lowerSymbol.toUpperCase();
  const rate = rateText === undefined ? undefined : RATE_MS[rateText];
  const base = { name, symbol, levels: 0 };
  switch (kindText) {
    case 'depth':
      if (rate === 1_000) return undefined;
      return { ...base, kind: 'depthDiff', periodMs: rate ?? 250 };
    case 'depth5':
    case 'depth10':
    case 'depth20':
      if (rate === 0 || rate === 1_000) return undefined;
      return { ...base, kind: 'depthPartial', periodMs: rate ?? 250, levels: Number(kindText.slice(5)) };
    case 'markPrice':
      if (rate !== undefined && rate !== 1_000) return undefined;
      return { ...base, kind: 'markPrice', periodMs: rate ?? 3_000 };
    default:
      if (rate !== undefined) return undefined;
      if (kindText === 'miniTicker' || kindText === 'ticker') return { ...base, kind: kindText, periodMs: 500 };
      return { ...base, kind: kindText as 'trade' | 'aggTrade' | 'bookTicker' | 'forceOrder', periodMs: 0 };
  }
}
