// The console's panels and the view the streams feed: per market a depth chart and
// a price chart (mark, index, last; funding rate on the right axis), the accounts
// ranked by margin level, the risk feed, the insurance fund over time and the
// stages' throughput and latency.
import { depthChart, timeSeriesChart } from './charts.js';
import { accountsPanel, feedPanel, stagesPanel } from './panels.js';

const h = (tag, attrs = {}, ...children) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') el.className = v;
    else if (k.startsWith('data-')) el.setAttribute(k, v);
    else el[k] = v;
  }
  el.append(...children);
  return el;
};

const FUND_COLOURS = ['#f59e0b', '#a78bfa', '#38bdf8', '#f472b6'];

function card(title, extra = null, ...body) {
  return h('section', { class: 'card' }, h('header', { class: 'card-head' }, h('h2', {}, title), extra ?? ''), ...body);
}

function figure(label, id) {
  return h('div', { class: 'figure' }, h('span', { class: 'figure-label' }, label), h('span', { class: 'figure-value', id }, '—'));
}

export function buildConsole(root, state, onSignOut) {
  root.replaceChildren();
  const links = { market: h('span', { class: 'pill pill-down', id: 'link-market' }, 'market data'), risk: h('span', { class: 'pill pill-down', id: 'link-risk' }, 'risk stream') };
  const clock = h('span', { class: 'topbar-clock', id: 'core-clock' }, 'core time —');
  const halted = h('span', { class: 'pill pill-ok', id: 'risk-state' }, 'risk running');
  const totals = h('div', { class: 'totals' }, figure('margin calls', 'total-calls'), figure('liquidations', 'total-liquidations'), figure('fund takeovers', 'total-takeovers'), figure('ADL legs', 'total-adl'));
  const signOut = h('button', { class: 'ghost', type: 'button', onclick: onSignOut }, 'Sign out');
  root.append(h('header', { class: 'topbar' }, h('div', { class: 'brand' }, h('span', { class: 'brand-mark' }, '◆'), ' PERPCORE ', h('span', { class: 'brand-sub' }, 'risk console')), totals, h('div', { class: 'topbar-right' }, clock, halted, links.market, links.risk, signOut)));

  const markets = new Map();
  const marketRow = h('div', { class: 'grid grid-markets' });
  for (const m of state.markets) {
    const depthEl = h('div', { class: 'chart', id: `depth-${m.symbol}`, 'data-chart': 'depth' });
    const priceEl = h('div', { class: 'chart', id: `price-${m.symbol}`, 'data-chart': 'price' });
    const figures = h('div', { class: 'figures' }, figure('mark', `mark-${m.symbol}`), figure('index', `index-${m.symbol}`), figure('last', `last-${m.symbol}`), figure('funding / 8h', `funding-${m.symbol}`));
    marketRow.append(card(m.symbol, h('span', { class: 'muted' }, `tick ${m.tickSize} · lot ${m.lotSize} ${m.baseAsset}`), figures, h('div', { class: 'pair' }, h('div', {}, h('h3', {}, 'Order book depth'), depthEl), h('div', {}, h('h3', {}, 'Mark · index · last · funding'), priceEl))));
    markets.set(m.symbol, { depthEl, priceEl, depth: null, price: null, last: null, lastMark: null });
  }
  root.append(marketRow);

  const accounts = accountsPanel();
  const feed = feedPanel(state.feed);
  root.append(h('div', { class: 'grid grid-risk' }, card('Accounts by margin level', h('span', { class: 'muted', id: 'accounts-tracked' }, ''), accounts.el), card('Risk feed', h('span', { class: 'muted' }, 'margin calls · liquidations · takeovers · ADL (core event time)'), feed.el)));

  const fundEl = h('div', { class: 'chart', id: 'fund-chart', 'data-chart': 'fund' });
  const throughputEl = h('div', { class: 'chart', id: 'throughput-chart', 'data-chart': 'throughput' });
  const stages = stagesPanel();
  const fundFigures = h('div', { class: 'figures', id: 'fund-figures' });
  root.append(h('div', { class: 'grid grid-ops' }, card('Insurance fund', null, fundFigures, fundEl), card('Stages: throughput and latency', null, stages.el, throughputEl)));

  // charts once the layout has its widths
  for (const m of markets.values()) {
    m.depth = depthChart(m.depthEl);
    m.price = timeSeriesChart(m.priceEl, {
      series: [
        { label: 'mark', stroke: '#38bdf8', width: 2 },
        { label: 'index', stroke: '#a78bfa', dash: [4, 3] },
        { label: 'last', stroke: '#f59e0b' },
        { label: 'funding %', stroke: '#22c55e', scale: 'rate', width: 1 },
      ],
      rightAxis: { scale: 'rate', values: (_u, ticks) => ticks.map((t) => `${t.toFixed(4)}%`) },
      ready: (cols) => cols[0].length > 1 && cols[1].some((v) => v !== null && v > 0),
    });
  }
  const fundIds = new Set(state.fundIds);
  for (const s of state.fundHistory) for (const id of Object.keys(s.balances)) fundIds.add(id);
  if (state.last !== null) for (const id of Object.keys(state.last.fund.balances)) fundIds.add(id);
  const fundOrder = [...fundIds].sort();
  const fund = timeSeriesChart(fundEl, { series: fundOrder.map((id, i) => ({ label: id, stroke: FUND_COLOURS[i % FUND_COLOURS.length], width: 2 })), height: 250 });
  const throughput = timeSeriesChart(throughputEl, {
    series: [
      { label: 'matching ev/s', stroke: '#38bdf8' },
      { label: 'risk ev/s', stroke: '#a78bfa' },
      { label: 'fills/s', stroke: '#22c55e' },
      { label: 'liquidation ev/s', stroke: '#ef4444' },
    ],
    height: 150,
  });
  const pushFund = (sample) => {
    fund.push(sample.tMs / 1000, fundOrder.map((id) => (sample.balances[id] === undefined ? null : Number(sample.balances[id]))));
    fundFigures.replaceChildren(...fundOrder.map((id) => h('div', { class: 'figure' }, h('span', { class: 'figure-label' }, id), h('span', { class: 'figure-value' }, sample.balances[id] ?? '—'))));
  };
  for (const s of state.fundHistory) pushFund(s);

  const setText = (id, text) => {
    const el = document.getElementById(id);
    if (el !== null) el.textContent = text;
  };
  const setTotals = (t) => {
    setText('total-calls', t.MARGIN_CALL.toLocaleString('en-US'));
    setText('total-liquidations', t.LIQUIDATION.toLocaleString('en-US'));
    setText('total-takeovers', t.FUND_TAKEOVER.toLocaleString('en-US'));
    setText('total-adl', t.ADL.toLocaleString('en-US'));
  };
  let lastFundT = state.fundHistory.length === 0 ? 0 : state.fundHistory[state.fundHistory.length - 1].tMs;

  return {
    setLink(which, up) {
      links[which].className = `pill ${up ? 'pill-up' : 'pill-down'}`;
    },
    onDepth(symbol, data) {
      markets.get(symbol)?.depth.update(data.b, data.a);
    },
    onMark(symbol, data) {
      const m = markets.get(symbol);
      if (m === undefined) return;
      setText(`mark-${symbol}`, data.p);
      setText(`index-${symbol}`, data.i);
      setText(`funding-${symbol}`, `${(Number(data.r) * 100).toFixed(4)}%`);
      const last = m.last === null ? null : Number(m.last);
      m.price.push(data.E / 1000, [Number(data.p) || null, Number(data.i) || null, last || null, Number(data.r) * 100]);
    },
    onLast(symbol, data) {
      const m = markets.get(symbol);
      if (m === undefined || Number(data.c) === 0) return;
      m.last = data.c;
      setText(`last-${symbol}`, data.c);
    },
    onSnapshot(frame) {
      feed.reset(frame.feed);
      if (frame.last !== null) this.onTick(frame.last);
    },
    onFeedItem(item) {
      feed.add(item);
    },
    onTick(tick) {
      setText('core-clock', `core time ${new Date(tick.coreTimeMs).toISOString().replace('T', ' ').slice(0, 19)}Z`);
      const haltedEl = document.getElementById('risk-state');
      haltedEl.textContent = tick.halted === '' ? 'risk running' : `RISK HALTED: ${tick.halted}`;
      haltedEl.className = `pill ${tick.halted === '' ? 'pill-ok' : 'pill-alert'}`;
      setTotals(tick.totals);
      accounts.render(tick.accounts);
      setText('accounts-tracked', `${tick.accountsTracked.toLocaleString('en-US')} accounts with positions followed`);
      stages.render(tick.stages, tick.latency);
      const rate = (stage, what) => tick.stages.find((s) => s.stage === stage && s.what === what)?.perSecond ?? null;
      throughput.push(tick.tMs / 1000, [rate('matching', 'events'), rate('risk', 'events'), rate('matching', 'fills'), rate('liquidation', 'events')]);
      if (tick.fund.tMs > lastFundT) {
        lastFundT = tick.fund.tMs;
        pushFund(tick.fund);
      }
    },
  };
}
