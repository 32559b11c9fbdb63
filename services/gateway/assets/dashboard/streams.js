// The two live connections: the public combined stream (depth, mark/index/funding,
// the 24h mini ticker for the last price) and the operator stream (risk feed,
// accounts, funds, stages). Both reconnect with a capped backoff; the operator
// stream gives up (back to the login) when it refuses the token (close 4401).
const wsBase = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;

function reconnecting(connect, onStatus) {
  let delayMs = 500;
  const start = () => {
    const socket = connect();
    socket.addEventListener('open', () => {
      delayMs = 500;
      onStatus(true);
    });
    socket.addEventListener('close', (event) => {
      onStatus(false);
      if (event.code === 4401) return;
      setTimeout(start, delayMs);
      delayMs = Math.min(delayMs * 2, 8_000);
    });
  };
  start();
}

export function openPublicStream(markets, view) {
  const names = markets.flatMap((m) => [`${m.stream}@depth20@500ms`, `${m.stream}@markPrice@1s`, `${m.stream}@miniTicker`]);
  const bySymbol = new Map(markets.map((m) => [m.stream.toUpperCase(), m.symbol]));
  reconnecting(
    () => {
      const socket = new WebSocket(`${wsBase()}/stream?streams=${names.join('/')}`);
      socket.addEventListener('message', (event) => {
        const { stream, data } = JSON.parse(event.data);
        const symbol = bySymbol.get(stream.split('@')[0].toUpperCase());
        if (symbol === undefined) return;
        if (stream.includes('@depth')) view.onDepth(symbol, data);
        else if (data.e === 'markPriceUpdate') view.onMark(symbol, data);
        else if (data.e === '24hrMiniTicker') view.onLast(symbol, data);
      });
      return socket;
    },
    (up) => view.setLink('market', up),
  );
}

export function openOperatorStream(token, view, onRefused) {
  reconnecting(
    () => {
      const socket = new WebSocket(`${wsBase()}/v1/admin/stream`);
      socket.addEventListener('open', () => socket.send(JSON.stringify({ method: 'AUTH', token })));
      socket.addEventListener('message', (event) => {
        const frame = JSON.parse(event.data);
        if (frame.type === 'snapshot') view.onSnapshot(frame);
        else if (frame.type === 'feed') view.onFeedItem(frame.item);
        else if (frame.type === 'tick') view.onTick(frame);
      });
      socket.addEventListener('close', (event) => {
        if (event.code === 4401) onRefused();
      });
      return socket;
    },
    (up) => view.setLink('risk', up),
  );
}
