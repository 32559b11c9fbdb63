/**
 * What a consumer pays to decode one envelope: the exported codecs (the plain fast
 * path of libs/proto plain-envelope-decoders.ts first, protobufjs behind it) against
 * the protobufjs codec alone, in the same run, on the messages cluster consumers
 * read most of: matching's fills, order acceptances, cancels and book samples (risk,
 * the gateways, the simulated gateway, the launcher's observer), order commands
 * (risk, matching, the gateways) and index prices (risk, spot). Each decode is timed
 * with hrtime; the figures are the median over rounds of each round's p50 and p99,
 * and the ratio protobufjs / exported (how many times faster the path consumers take).
 * Run: `node --expose-gc benchmarks/dist/envelope-decode.bench.js`.
 */
import { pathToFileURL } from 'node:url';
import {
  matchingCommandCodec,
  matchingEventCodec,
  oracleEventCodec,
  protobufMatchingCommandCodec,
  protobufMatchingEventCodec,
  protobufOracleEventCodec,
  type WireCodec,
} from '@perpcore/proto';
import { median, summarize } from './support/latency-stats.js';
import { isQuick, writeResults } from './support/results-file.js';

const gc = (globalThis as { gc?: () => void }).gc;

interface Case {
  name: string;
  exported: WireCodec<never>;
  reference: WireCodec<never>;
  value: (i: number) => object;
}

const head = (i: number) => ({ schemaMajor: 1, market: 'BTCUSDT', seq: 1_000_000 + i, tsNs: 1_796_000_000_000_000_000 + i * 1_000, inputSource: 'risk-0', inputSeq: 500_000 + i });
const levels = (from: number, step: number) => Array.from({ length: 50 }, (_, k) => ({ priceTicks: from + k * step, qtyLots: 1 + ((k * 7) % 40) }));

const cases: Case[] = [
  {
    name: 'fill (MatchingEventV1.filled)',
    exported: matchingEventCodec as WireCodec<never>,
    reference: protobufMatchingEventCodec as WireCodec<never>,
    value: (i) => ({
      ...head(i), event: 'filled',
      filled: { tradeSeq: 90_000 + i, makerOrderId: 2 ** 52 + i, makerAccountId: 100_001 + (i % 300), takerOrderId: 2 ** 52 + i + 1, takerAccountId: 100_400 + (i % 300), takerSide: 1 + (i % 2), priceTicks: 1_000_000 + (i % 50), qtyLots: 1 + (i % 20), makerRemainingLots: i % 5, takerRemainingLots: 0, fillType: 1, liquidationId: 0 },
    }),
  },
  {
    name: 'order accepted (MatchingEventV1.accepted)',
    exported: matchingEventCodec as WireCodec<never>,
    reference: protobufMatchingEventCodec as WireCodec<never>,
    value: (i) => ({ ...head(i), event: 'accepted', accepted: { orderId: 2 ** 52 + i, accountId: 100_001 + (i % 300), side: 1 + (i % 2), type: 1, timeInForce: 1, priceTicks: 1_000_000 + (i % 50), qtyLots: 1 + (i % 20), triggerPriceTicks: 0, reduceOnly: false, liquidationId: 0 } }),
  },
  {
    name: 'order canceled (MatchingEventV1.canceled)',
    exported: matchingEventCodec as WireCodec<never>,
    reference: protobufMatchingEventCodec as WireCodec<never>,
    value: (i) => ({ ...head(i), event: 'canceled', canceled: { orderId: 2 ** 52 + i, accountId: 100_001 + (i % 300), side: 1 + (i % 2), priceTicks: 1_000_000 + (i % 50), canceledLots: 1 + (i % 20), reason: 1 } }),
  },
  {
    name: 'book sample, 50 levels a side (MatchingEventV1.bookSample)',
    exported: matchingEventCodec as WireCodec<never>,
    reference: protobufMatchingEventCodec as WireCodec<never>,
    value: (i) => ({ ...head(i), event: 'bookSample', bookSample: { sampledAtNs: 1_796_000_000_000_000_000 + i * 1_000_000_000, bids: levels(999_950 - (i % 10), -1), asks: levels(1_000_050 + (i % 10), 1) } }),
  },
  {
    name: 'order command (MatchingCommandV1.place)',
    exported: matchingCommandCodec as WireCodec<never>,
    reference: protobufMatchingCommandCodec as WireCodec<never>,
    value: (i) => ({
      schemaMajor: 1, market: 'BTCUSDT', seq: 700_000 + i, tsNs: 1_796_000_000_000_000_000 + i * 1_000, source: 'gateway-sim', command: 'place',
      place: { orderId: 2 ** 52 + i, accountId: 100_001 + (i % 300), side: 1 + (i % 2), type: 1, timeInForce: 1, priceTicks: 1_000_000 + (i % 50), qtyLots: 1 + (i % 20), triggerPriceTicks: 0, triggerSource: 0, selfTradePrevention: 1, reduceOnly: false, clientOrderId: `c-${i}`, liquidationId: 0 },
    }),
  },
  {
    name: 'index price (OracleEventV1.indexPrice)',
    exported: oracleEventCodec as WireCodec<never>,
    reference: protobufOracleEventCodec as WireCodec<never>,
    value: (i) => ({
      schemaMajor: 1, seq: 10_000 + i, tsNs: 1_796_000_000_000_000_000 + i * 1_000_000_000, source: 'oracle-0', symbol: 'BTCUSDT', event: 'indexPrice',
      indexPrice: { priceSubticks: 100_000_000 + (i % 1_000), sources: [{ source: 'venue-a', priceSubticks: 100_000_000 + (i % 1_000), weightE8: 50_000_000, used: true }, { source: 'venue-b', priceSubticks: 100_000_100, weightE8: 50_000_000, used: true }] },
    }),
  },
];

/** p50 / p99 ns per decode of `bytes` with `codec`, every decode checked ok. */
function timeDecodes(codec: WireCodec<never>, bytes: Uint8Array[], samples: Float64Array): { p50Ns: number; p99Ns: number } {
  gc?.();
  for (let i = 0; i < bytes.length; i++) {
    const t0 = process.hrtime.bigint();
    const r = codec.decode(bytes[i] as Uint8Array);
    samples[i] = Number(process.hrtime.bigint() - t0);
    if (!r.ok) throw new Error(`${codec.messageName}: ${r.error.message}`);
  }
  return summarize(samples, bytes.length);
}

export async function run(): Promise<void> {
  const n = isQuick() ? 5_000 : 50_000;
  const rounds = isQuick() ? 2 : 5;
  const samples = new Float64Array(n);
  const figures: Record<string, { exportedP50Ns: number; exportedP99Ns: number; protobufjsP50Ns: number; protobufjsP99Ns: number; ratioP50: number }> = {};
  for (const c of cases) {
    const bytes = Array.from({ length: n }, (_, i) => c.exported.encode(c.value(i) as never));
    const per: { e: { p50Ns: number; p99Ns: number }; r: { p50Ns: number; p99Ns: number } }[] = [];
    timeDecodes(c.exported, bytes, samples); // warm-up, both paths
    timeDecodes(c.reference, bytes, samples);
    for (let round = 0; round < rounds; round++) {
      // alternated within the run, so a busy moment of the machine does not favour one side
      const e = timeDecodes(c.exported, bytes, samples);
      const r = timeDecodes(c.reference, bytes, samples);
      per.push({ e, r });
    }
    const f = {
      exportedP50Ns: median(per.map((x) => x.e.p50Ns)),
      exportedP99Ns: median(per.map((x) => x.e.p99Ns)),
      protobufjsP50Ns: median(per.map((x) => x.r.p50Ns)),
      protobufjsP99Ns: median(per.map((x) => x.r.p99Ns)),
      ratioP50: 0,
    };
    f.ratioP50 = f.protobufjsP50Ns / f.exportedP50Ns;
    figures[c.name] = f;
    process.stdout.write(
      `decode ${c.name} (${bytes[0]?.length} B): exported p50 ${f.exportedP50Ns.toFixed(0)} ns, p99 ${f.exportedP99Ns.toFixed(0)} ns; protobufjs p50 ${f.protobufjsP50Ns.toFixed(0)} ns, p99 ${f.protobufjsP99Ns.toFixed(0)} ns; ${f.ratioP50.toFixed(2)}× (median of ${rounds} rounds of ${n.toLocaleString('en-US')})\n`,
    );
  }
  writeResults('envelope-decode', { decodesPerRound: n, rounds, cases: figures });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
