/**
 * The cost of authenticating one signed request (services/gateway auth): key
 * lookup, parameter parse with the duplicate check, HMAC-SHA256 over query +
 * body, constant-time compare, timestamp window, permission, replay guard — against its floor
 * in the same run, a bare `createHmac` over the same payload (what any HMAC
 * check must pay). Payload: a ccxt-shaped POST /fapi/v1/order form body
 * (8 parameters). Per pass: hrtime around every call; median of the rounds'
 * p50 and p99, and the ratio authenticator / bare HMAC.
 * Run: `node --expose-gc benchmarks/dist/request-auth.bench.js`.
 */
import { createHmac } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { generateApiCredentials, InMemoryAccountRegistry, RequestAuthenticator, signPayload } from '@perpcore/gateway';
import { median, summarize } from './support/latency-stats.js';
import { isQuick, writeResults } from './support/results-file.js';

const gc = (globalThis as { gc?: () => void }).gc;

export async function run(): Promise<void> {
  const registry = new InMemoryAccountRegistry({ firstSystemAccountId: 900_000 });
  for (let id = 1; id <= 1_000; id++) registry.apply({ kind: 'createAccount', accountId: id });
  const keys = Array.from({ length: 1_000 }, (_, i) => {
    const c = generateApiCredentials();
    registry.apply({ kind: 'createKey', ...c, accountId: i + 1, permissions: ['read', 'trade'], createdAtMs: 0 });
    return c;
  });
  const nowMs = 1_800_000_000_000;
  const auth = new RequestAuthenticator({ registry, nowMs: () => nowMs });
  const n = isQuick() ? 20_000 : 100_000;
  // every request distinct (a client order id each), as real order flow is: the replay guard admits each once
  const signedInputs = (round: number) =>
    Array.from({ length: n }, (_, i) => {
      const k = keys[i % keys.length];
      const text = `timestamp=${nowMs - (i % 4000)}&symbol=BTCUSDT&side=BUY&newClientOrderId=x-cvBPrNm9${String(round * n + i).padStart(22, '0')}&newOrderRespType=RESULT&type=LIMIT&quantity=0.012&price=49000&timeInForce=GTC&recvWindow=10000`;
      return { key: k, text, input: { apiKeyHeader: k.apiKey, rawQuery: '', rawBody: `${text}&signature=${signPayload(k.secretKey, text)}` } };
    });
  const samples = new Float64Array(n);
  const rounds: { auth: { p50: number; p99: number }; hmac: { p50: number; p99: number } }[] = [];
  for (let round = 0; round < 5; round++) {
    const inputs = signedInputs(round);
    gc?.();
    for (let i = 0; i < n; i++) {
      const x = inputs[i];
      const t0 = process.hrtime.bigint();
      auth.authenticate(x.input, { signed: true, permission: 'trade' });
      samples[i] = Number(process.hrtime.bigint() - t0);
    }
    const a = summarize(samples, n);
    gc?.();
    let sink = 0;
    for (let i = 0; i < n; i++) {
      const x = inputs[i];
      const t0 = process.hrtime.bigint();
      sink += createHmac('sha256', x.key.secretKey).update(x.text).digest('hex').length;
      samples[i] = Number(process.hrtime.bigint() - t0);
    }
    const h = summarize(samples, n);
    if (sink === 0) throw new Error('unreachable');
    rounds.push({ auth: { p50: a.p50Ns, p99: a.p99Ns }, hmac: { p50: h.p50Ns, p99: h.p99Ns } });
  }
  const figures = {
    requestsPerRound: n,
    authenticatorP50Ns: median(rounds.map((r) => r.auth.p50)),
    authenticatorP99Ns: median(rounds.map((r) => r.auth.p99)),
    bareHmacP50Ns: median(rounds.map((r) => r.hmac.p50)),
    bareHmacP99Ns: median(rounds.map((r) => r.hmac.p99)),
  };
  const ratio = figures.authenticatorP50Ns / figures.bareHmacP50Ns;
  process.stdout.write(
    `signed-request auth: p50 ${(figures.authenticatorP50Ns / 1000).toFixed(2)} µs, p99 ${(figures.authenticatorP99Ns / 1000).toFixed(2)} µs; bare HMAC p50 ${(figures.bareHmacP50Ns / 1000).toFixed(2)} µs, p99 ${(figures.bareHmacP99Ns / 1000).toFixed(2)} µs; ratio ${ratio.toFixed(2)}× (median of 5 rounds of ${n.toLocaleString('en-US')})\n`,
  );
  writeResults('request-auth', { ...figures, ratioToBareHmacP50: ratio });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
