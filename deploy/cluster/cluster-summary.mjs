// The closing summary of a cluster run, for people. The same figures are in the
// result object (--json) for tests and scripts.
const n = (x) => Math.round(x ?? 0).toLocaleString('en-US');

export function formatSummary(r, interrupted) {
  const lines = [''];
  const o = r.options;
  lines.push(`Perpcore cluster run: ${o.durationS} s of the simulated market at ${n(o.ratePerS)} orders/s, seed ${o.seed}, over Kafka ${r.brokers ?? '(no broker)'}`);
  lines.push(`  ${n(o.crowdAccounts)} leveraged traders; ${o.shockAtS > 0 ? `index gap ${(o.shockE8 / 1e6).toFixed(1)}% at ~${o.shockAtS} s, not before risk settled the crowd's entries` : 'no index gap'}; producer batch ${n(o.batchMaxMessages)} messages, linger ${o.lingerMs} ms`);
  if ((r.matchingShards ?? 1) > 1) lines.push(`  matching in ${r.matchingShards} shards by market, each reading every order command and skipping the other shards' markets`);
  lines.push(`  service logs in ${r.logDir}`);
  if (r.fillsProduced !== undefined) {
    const rejects = Object.entries(r.riskRejects ?? {}).map(([code, count]) => `${code} ${n(count)}`).join(', ') || 'none';
    const rows = [
      ['orders sent (simulated gateway)', n(r.ordersSent), `${n(r.ordersSent / r.tradingS)}/s`],
      ['orders through the real gateways (REST)', n(r.ordersViaGateways), `${n(r.ordersViaGatewaysRefused)} of them refused by risk`],
      ['  passed on to matching by risk', n(r.ordersForwarded), ''],
      ['  refused by risk (pre-trade)', n(Object.values(r.riskRejects ?? {}).reduce((a, b) => a + b, 0)), rejects],
      ['  rejected by matching', n(r.matchingRejects), ''],
      ...((r.matchingShards ?? 1) > 1 ? [['  skipped by the shards not booking their market', n(r.otherShardCommands), `over ${r.matchingShards} matching shards`]] : []),
      ['fills produced (matching.events.v1)', n(r.fillsProduced), `${n(r.fillsPerS)}/s`],
      ['fills settled by risk (PositionSettledV1 / 2)', n(r.fillsSettled), ''],
      ['drain after the run', `${r.drainS.toFixed(1)} s`, ''],
      ['order → settled on Kafka (wall clock)', r.latency ? `p50 ${r.latency.p50Ms.toFixed(1)} ms` : '-', r.latency ? `p99 ${r.latency.p99Ms.toFixed(1)} ms, max ${r.latency.maxMs.toFixed(0)} ms, ${n(r.latency.samples)} fills` : ''],
      ['leveraged traders entered', n(r.crowdEntered), ''],
      ['price shock armed (crowd entries settled)', r.shock?.armed ? `${r.shock.armedAtS.toFixed(1)} s` : '-', r.shock?.armed ? `${n(r.shock.crowdEntriesSettledAtArm)} entries settled by then; marked by risk ${r.shock.landedAtS === null ? '(not yet)' : `by ${r.shock.landedAtS.toFixed(1)} s`}` : ''],
      ['liquidations triggered (risk)', n(r.liquidationsTriggered), ''],
      ['  ladder events (liquidation.events.v1)', n(Object.values(r.liquidationEvents ?? {}).reduce((a, b) => a + b, 0)), Object.entries(r.liquidationEvents ?? {}).map(([k, c]) => `${k} ${n(c)}`).join(', ')],
      ['  scopes risk still holds LIQUIDATING', n(r.liquidationsHeld), 'after the drain, with every ladder idle: each would be a liquidation nobody ends'],
      ['  positions moved outside the book', '', Object.entries(r.positionsMovedOutsideBook ?? {}).map(([k, c]) => `${k} ${n(c)}`).join(', ') || 'none'],
      ['redeliveries dropped (risk, matching)', `${n(r.duplicatesDropped?.risk)}, ${n(r.duplicatesDropped?.matching)}`, ''],
      ['dead letters', n(Object.values(r.deadLetters ?? {}).reduce((a, b) => a + b, 0)), Object.entries(r.deadLetters ?? {}).filter(([, c]) => c > 0).map(([t, c]) => `${t} ${c}`).join(', ')],
      ['risk conservation audit', r.auditOk ? 'ok' : 'FAILED', ''],
      ['spot-margin conservation audit', r.spot === undefined ? '-' : r.spot.auditOk ? 'ok' : 'FAILED', r.spot === undefined ? '' : `${n(r.spot.commands)} spot commands (${n(r.spot.refused)} refused), ${n(r.spot.indexPrices)} index prices`],
    ];
    const width = Math.max(...rows.map((row) => row[0].length));
    for (const [k, v, extra] of rows) lines.push(`  ${k.padEnd(width)}  ${v.padStart(12)}  ${extra}`);
    const hops = (r.hops ?? []).filter((h) => h.samples > 0);
    if (hops.length > 0) {
      lines.push('  order → settled per hop (record timestamps, ms):');
      for (const h of hops) lines.push(`    ${h.hop.padEnd(30)} p50 ${h.p50Ms.toFixed(0).padStart(5)}  p99 ${h.p99Ms.toFixed(0).padStart(5)}  max ${h.maxMs.toFixed(0).padStart(5)}  (${n(h.samples)} fills)`);
    }
    if (r.hopPeer?.samples > 0) {
      const h = r.hopPeer;
      lines.push(`    ${'bare kafkajs, one hop'.padEnd(30)} p50 ${h.p50Ms.toFixed(1).padStart(5)}  p99 ${h.p99Ms.toFixed(1).padStart(5)}  max ${h.maxMs.toFixed(0).padStart(5)}  (${n(h.samples)} records at ${n(h.ratePerS)}/s during the run, same broker)`);
    }
    for (const [stage, rt] of Object.entries(r.produceRoundTrips ?? {})) {
      if (rt) lines.push(`    ${`${stage} produce round trip`.padEnd(30)} p50 ${rt.p50Ms.toFixed(0).padStart(5)}  p99 ${rt.p99Ms.toFixed(0).padStart(5)}  max ${rt.maxMs.toFixed(0).padStart(5)}  (${n(rt.requests)} requests, acks=all)`);
    }
    const traffic = (r.topicTraffic ?? []).filter((t) => t.records > 0);
    if (traffic.length > 0) {
      lines.push(`  Kafka records per topic, B/s where matching or risk wrote it (records per fill ${r.fillsProduced > 0 ? (traffic.reduce((a, t) => a + t.records, 0) / r.fillsProduced).toFixed(1) : '-'} over all topics):`);
      for (const t of traffic) {
        const bytes = r.bytesByTopic?.[t.topic];
        lines.push(`    ${t.topic.padEnd(28)} ${n(t.records).padStart(9)} records  ${n(t.recordsPerS).padStart(7)}/s${bytes === undefined ? '' : `  ${n(bytes / r.tradingS).padStart(10)} B/s`}`);
      }
    }
    if (r.peer) lines.push(`  bare kafkajs, same broker, same run: produce ${n(r.peer.producedRecordsPerS)} / consume ${n(r.peer.consumedRecordsPerS)} records/s of ${r.peer.valueBytes} B`);
    if (r.cpuDuringTrading?.rows.length > 0) {
      const c = r.cpuDuringTrading;
      lines.push(`  CPU during trading (% of one core; ${c.totalPercent.toFixed(0)} % in all on ${r.cores ?? '?'} cores): ${c.rows.map((row) => `${row.name} ${row.cpuPercent.toFixed(0)}`).join(', ')}`);
    }
    if (r.loadDuringRun !== undefined) lines.push(`  machine load (1-min average at the end of trading): ${r.loadDuringRun.toFixed(2)} on ${r.cores ?? '?'} cores`);
    lines.push('  per market:');
    for (const m of r.perMarket ?? []) {
      const oi = m.riskOpenInterest;
      lines.push(
        `    ${m.market.padEnd(8)} fills produced ${n(m.fillsProduced)} (matching's count ${n(m.matchingCount)}), settled ${n(m.fillsSettled)}; ` +
          `Σ long ${n(m.longLots)} = Σ short ${n(m.shortLots)} lots from events; risk open interest ${oi ? `${n(oi.longLots)}/${n(oi.shortLots)}` : '?'}`,
      );
    }
  }
  if (interrupted) lines.push('  INTERRUPTED: no reconciliation verdict');
  else if (r.ok) lines.push('  reconciled: every order (simulated and through the gateways) was passed on or refused; every fill produced was settled by risk once per side; every liquidation ended; positions net to zero in every market');
  else lines.push(`  NOT RECONCILED:\n    ${r.problems.join('\n    ')}`);
  return `${lines.join('\n')}\n`;
}
