/**
 * A load scenario (JSON in benchmarks/load/scenarios/): what the accounts send and
 * at which rate over time.
 *
 * - `phases`: consecutive slices of the run, each a share of the duration at a
 *   multiple of the base rate (a burst is a short phase at ×5).
 * - `mix`: relative weights of the operations: `make` rests a GTC limit order a few
 *   ticks away from mark, `take` crosses the book (IOC limit through the spread,
 *   inside the PERCENT_PRICE band), `cancel` cancels the account's oldest resting
 *   order (a `make` when it has none).
 * - `takeBuyShare`: share of takes that buy (0.5 = balanced; a price-shock run leans
 *   long so that the gap liquidates the harness's own accounts too).
 * - `setup`: per account deposit and leverage, set through the operator API and the
 *   signed leverage route before the load starts.
 * - `embedded`: how `--target embedded` starts the exchange: the simulated market's
 *   background order rate (it also drives event time: 20 ms per command) and the
 *   embedded oracle's index gap (`shockAtS` in simulated seconds, 0 = none).
 */
import { readFileSync } from 'node:fs';

export interface LoadPhase {
  readonly shareOfDuration: number;
  readonly rateMultiplier: number;
}

export interface LoadScenario {
  readonly name: string;
  readonly description: string;
  readonly ratePerS: number;
  readonly durationS: number;
  readonly accounts: number;
  readonly markets: readonly string[];
  readonly phases: readonly LoadPhase[];
  readonly mix: { readonly make: number; readonly take: number; readonly cancel: number };
  readonly takeBuyShare: number;
  /** Makers rest this many ticks (at least) away from mark, up to `makeOffsetTicks[1]`. */
  readonly makeOffsetTicks: readonly [number, number];
  /** Order size as a multiple of the smallest size that passes MIN_NOTIONAL. */
  readonly sizeMultiple: number;
  readonly setup: { readonly depositUsdt: string; readonly leverage: number };
  readonly embedded: { readonly backgroundRatePerS: number; readonly shockAtS: number; readonly shockE8: number };
}

function fail(source: string, message: string): never {
  throw new Error(`scenario ${source}: ${message}`);
}

function positive(source: string, name: string, v: unknown, integer: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) fail(source, `${name} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(v)}`);
  return v;
}

/** Checks every field (a typo must not silently load a default). */
export function parseScenario(source: string, json: unknown): LoadScenario {
  if (typeof json !== 'object' || json === null) fail(source, 'not a JSON object');
  const s = json as Record<string, unknown>;
  const known = ['name', 'description', 'ratePerS', 'durationS', 'accounts', 'markets', 'phases', 'mix', 'takeBuyShare', 'makeOffsetTicks', 'sizeMultiple', 'setup', 'embedded'];
  for (const key of Object.keys(s)) if (!known.includes(key)) fail(source, `unknown field ${JSON.stringify(key)}`);
  if (typeof s.name !== 'string' || s.name === '') fail(source, 'name must be a non-empty string');
  const phases = s.phases;
  if (!Array.isArray(phases) || phases.length === 0) fail(source, 'phases must be a non-empty array');
  const parsedPhases = phases.map((p: { shareOfDuration?: unknown; rateMultiplier?: unknown }, i) => ({
    shareOfDuration: positive(source, `phases[${i}].shareOfDuration`, p?.shareOfDuration, false),
    rateMultiplier: positive(source, `phases[${i}].rateMultiplier`, p?.rateMultiplier, false),
  }));
  const shares = parsedPhases.reduce((a, p) => a + p.shareOfDuration, 0);
  if (Math.abs(shares - 1) > 1e-9) fail(source, `phases' shareOfDuration must add up to 1, got ${shares}`);
  const mix = s.mix as Record<string, unknown> | undefined;
  const weight = (k: string) => {
    const v = mix?.[k];
    if (typeof v !== 'number' || !(v >= 0)) fail(source, `mix.${k} must be a number >= 0`);
    return v;
  };
  const parsedMix = { make: weight('make'), take: weight('take'), cancel: weight('cancel') };
  if (parsedMix.make + parsedMix.take + parsedMix.cancel <= 0) fail(source, 'mix must have a positive weight');
  const markets = s.markets;
  if (!Array.isArray(markets) || markets.length === 0 || !markets.every((m) => typeof m === 'string' && /^[A-Z0-9]{2,20}$/.test(m))) fail(source, 'markets must be a non-empty array of symbols');
  const offsets = s.makeOffsetTicks;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 1) || offsets[0] > offsets[1]) fail(source, 'makeOffsetTicks must be [min, max] positive integers, min <= max');
  const setup = s.setup as Record<string, unknown> | undefined;
  if (typeof setup?.depositUsdt !== 'string' || !/^[0-9]{1,12}(\.[0-9]{1,6})?$/.test(setup.depositUsdt)) fail(source, 'setup.depositUsdt must be a decimal string');
  const embedded = s.embedded as Record<string, unknown> | undefined;
  const shockAtS = embedded?.shockAtS;
  const shockE8 = embedded?.shockE8;
  if (!Number.isInteger(shockAtS) || (shockAtS as number) < 0) fail(source, 'embedded.shockAtS must be an integer >= 0');
  if (!Number.isInteger(shockE8) || Math.abs(shockE8 as number) >= 100_000_000) fail(source, 'embedded.shockE8 must be an integer in (-1e8, 1e8)');
  const takeBuyShare = s.takeBuyShare;
  if (typeof takeBuyShare !== 'number' || !(takeBuyShare >= 0 && takeBuyShare <= 1)) fail(source, 'takeBuyShare must be in [0, 1]');
  return {
    name: s.name,
    description: typeof s.description === 'string' ? s.description : '',
    ratePerS: positive(source, 'ratePerS', s.ratePerS, true),
    durationS: positive(source, 'durationS', s.durationS, true),
    accounts: positive(source, 'accounts', s.accounts, true),
    markets: markets as string[],
    phases: parsedPhases,
    mix: parsedMix,
    takeBuyShare,
    makeOffsetTicks: [offsets[0], offsets[1]],
    sizeMultiple: positive(source, 'sizeMultiple', s.sizeMultiple, true),
    setup: { depositUsdt: setup.depositUsdt, leverage: positive(source, 'setup.leverage', setup.leverage, true) },
    embedded: { backgroundRatePerS: positive(source, 'embedded.backgroundRatePerS', embedded?.backgroundRatePerS, true), shockAtS: shockAtS as number, shockE8: shockE8 as number },
  };
}

/** A bare name is a file in `scenarioDir`; anything with a slash or `.json` is a path. */
export function loadScenario(nameOrPath: string, scenarioDir: string): LoadScenario {
  const path = nameOrPath.includes('/') || nameOrPath.endsWith('.json') ? nameOrPath : `${scenarioDir}/${nameOrPath}.json`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`scenario ${JSON.stringify(nameOrPath)}: cannot read ${path}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`scenario ${path}: not JSON (${(error as Error).message})`);
  }
  return parseScenario(path, json);
}
