/**
 * The uninterrupted run the crash test compares against: the same seed, markets,
 * scenario and risk overrides as the journal's header records (so it runs exactly
 * what the killed process ran, whatever `npm start`'s defaults are), in this
 * process, never killed, without a journal. `referencePoints(seqs)` runs it until
 * its last wanted input is applied and returns, for each wanted journal position,
 * the state hash and fill count exactly then (the gate's `onApplied` hook reads
 * them between two inputs, so one market turn producing several inputs is fine).
 */
import type { Logger } from '@perpcore/observability';
import { EmbeddedExchange } from '../embedded-exchange.js';
import { CoreInputGate } from './core-input-gate.js';
import { type EmbeddedJournalMeta, metaMarkets } from './journal-header.js';

export interface ReferencePoint {
  seq: number;
  stateHash: string;
  /** Fills matching produced up to here (the simulated market's counter). */
  fills: number;
}

export async function referencePoints(options: { logger: Logger; meta: EmbeddedJournalMeta }, seqs: Iterable<number>): Promise<Map<number, ReferencePoint>> {
  const wanted = new Set(seqs);
  const points = new Map<number, ReferencePoint>();
  const last = Math.max(0, ...wanted);
  let exchange: EmbeddedExchange | undefined;
  const { meta } = options;
  exchange = await EmbeddedExchange.create({
    logger: options.logger,
    seed: meta.seed,
    markets: metaMarkets(meta),
    scenario: meta.scenario,
    riskOverrides: meta.riskOverrides,
    inputGate: (targets) => {
      if (wanted.has(0)) points.set(0, { seq: 0, stateHash: targets.stateHash(), fills: 0 });
      return new CoreInputGate({
        targets,
        onApplied: (seq) => {
          if (wanted.has(seq)) points.set(seq, { seq, stateHash: targets.stateHash(), fills: exchange?.counters.fills ?? 0 });
        },
      });
    },
  });
  while (exchange.inputs.appliedSeq < last) exchange.step(1);
  await exchange.close();
  return points;
}
