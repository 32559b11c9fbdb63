import { EmbeddedExchange } from '@perpcore/exchange';
import { createLogger } from '@perpcore/observability';
import { Session } from 'node:inspector/promises';
import fs from 'node:fs';
const accounts = Number(process.argv[2] ?? 2000);
const full = process.argv[3] === 'full';
const exchange = await EmbeddedExchange.create({ logger: createLogger('bench', 'silent'), seed: 2026, scenario: { crowdAccounts: accounts, crowdMinDepositUnits: 50_000_000, crowdMaxDepositUnits: 150_000_000, crowdMinLeverage: 15, crowdMaxLeverage: 20, crowdEntryEndS: 600, shockAtS: 900, shockE8: -15_000_000, insuranceFundSeedUnits: 0, adlRefreshMs: 3_600_000 } });
exchange.risk.engine.state.adlRankings.fullRecomputation = full; const R = exchange.risk.engine.state.adlRankings; let rescores = 0, sides = 0; const o1 = R.rescore.bind(R), o2 = R.side.bind(R); R.rescore = (...a) => { rescores++; return o1(...a); }; R.side = (...a) => { sides++; return o2(...a); }; process.on("exit", () => console.log("rescores", rescores, "side reads", sides));
const stepsToShock = Math.floor((900 * 1e9) / 20_000_000) - 1;
for (let done = 0; done < stepsToShock; done += 5_000) exchange.step(Math.min(5_000, stepsToShock - done));
const prof = process.env.PROF === "1"; const s = new Session(); if (prof) { s.connect(); await s.post("Profiler.enable"); await s.post("Profiler.start"); }
const c0 = process.cpuUsage(); const t0 = performance.now(); exchange.step(1); const ms = performance.now() - t0; const cu = process.cpuUsage(c0); console.log("cpu", (cu.user+cu.system)/1000);
if (prof) { const { profile } = await s.post("Profiler.stop");
fs.writeFileSync("/tmp/shock.cpuprofile", JSON.stringify(profile)); }
const c = exchange.counters;
console.log('ms', ms.toFixed(0), 'legs', c.deleveragedLegs, 'rebuilds', exchange.risk.engine.state.adlRankings.rebuilds);
await exchange.close();
