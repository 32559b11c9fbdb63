/**
 * ccxt `binanceusdm` / ccxt.pro URL groups all pinned to one local gateway
 * (BINANCE-COMPAT §1), so a stray call fails locally instead of reaching Binance.
 */
export function localBinanceUrls(http: string) {
  const ws = http.replace('http://', 'ws://');
  return {
    api: {
      fapiPublic: `${http}/fapi/v1`, fapiPublicV2: `${http}/fapi/v2`, fapiPublicV3: `${http}/fapi/v3`,
      fapiPrivate: `${http}/fapi/v1`, fapiPrivateV2: `${http}/fapi/v2`, fapiPrivateV3: `${http}/fapi/v3`,
      fapiData: `${http}/futures/data`, public: `${http}/api/v3`, private: `${http}/api/v3`, v1: `${http}/api/v1`,
      sapi: `${http}/sapi/v1`, sapiV2: `${http}/sapi/v2`, sapiV3: `${http}/sapi/v3`, sapiV4: `${http}/sapi/v4`,
      dapiPublic: `${http}/dapi/v1`, dapiPrivate: `${http}/dapi/v1`, dapiPrivateV2: `${http}/dapi/v2`, dapiData: `${http}/futures/data`,
      eapiPublic: `${http}/eapi/v1`, eapiPrivate: `${http}/eapi/v1`, papi: `${http}/papi/v1`, papiV2: `${http}/papi/v2`,
      ws: { future: `${ws}/ws`, spot: `${ws}/ws`, margin: `${ws}/ws`, delivery: `${ws}/ws`, 'ws-api': { future: `${ws}/ws-fapi/v1` } },
    },
  };
}

/**
 * ccxt.pro arms its listenKey keepalive (a PUT every 20 min) with a plain
 * setTimeout that `close()` does not clear, which would keep a test process alive
 * for 20 minutes: until the returned restore is called, timers of a minute or
 * more are unref'd (the client itself stays unmodified).
 */
export function unrefLongTimers(): () => void {
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = ((fn: () => void, ms?: number, ...args: unknown[]) => {
    const timer = realSetTimeout(fn, ms, ...(args as []));
    if ((ms ?? 0) >= 60_000) timer.unref();
    return timer;
  }) as typeof setTimeout;
  return () => {
    globalThis.setTimeout = realSetTimeout;
  };
}
