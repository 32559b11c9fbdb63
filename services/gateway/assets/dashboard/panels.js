// The console's tables: accounts by margin level (with buffer bars), the risk feed
// (newest first, bounded like the server's ring) and the stages' figures.
const FEED_ROWS = 200;
const KIND_LABEL = { MARGIN_CALL: 'margin call', LIQUIDATION: 'liquidation', FUND_TAKEOVER: 'fund takeover', ADL: 'ADL' };

const h = (tag, className, text) => {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
};

/** A table with its header row; rows go into the returned body. */
function headedTable(className, headings) {
  const table = h('table', `table ${className}`);
  const head = h('thead');
  const tr = h('tr');
  for (const t of headings) tr.append(h('th', '', t));
  head.append(tr);
  const body = h('tbody');
  table.append(head, body);
  return { table, body };
}

/** A row of plain cells: [className, text] each. */
function textRow(cells) {
  const tr = h('tr');
  for (const [className, text] of cells) tr.append(h('td', className, text));
  return tr;
}

/** level_e8 → "123.45%" (display: two decimals). */
const percent = (e8) => `${(e8 / 1e6).toFixed(2)}%`;

function bar(ratio, kind, title) {
  const track = h('div', `bar bar-${kind}`);
  track.title = title;
  const fill = h('div', 'bar-fill');
  fill.style.width = `${Math.max(0, Math.min(1, ratio)) * 100}%`;
  track.append(fill);
  return track;
}

/** A table cell with the buffer bar and the distance in settle units (a flex box inside the cell: the cell stays a table cell). */
function barCell(ratio, kind, title, distance) {
  const td = h('td');
  const box = h('div', 'barcell');
  box.append(bar(ratio, kind, title), h('span', 'num', distance));
  td.append(box);
  return td;
}

export function accountsPanel() {
  const { table, body } = headedTable('accounts', ['account', 'scope', 'state', 'margin level', 'equity', 'to margin call', 'to liquidation', 'positions']);
  table.id = 'accounts-table';
  const wrap = h('div', 'scroll');
  wrap.append(table);
  return {
    el: wrap,
    render(rows) {
      table.dataset.rows = String(rows.length);
      body.replaceChildren(
        ...rows.map((r) => {
          const tr = h('tr', `state-${r.state.toLowerCase()}`);
          const state = h('td');
          state.append(h('span', `tag tag-${r.state.toLowerCase()}`, r.state));
          tr.append(h('td', 'num', String(r.accountId)), h('td', '', r.scope), state);
          tr.append(h('td', 'num', percent(r.levelE8)), h('td', 'num', r.equity));
          const toCall = barCell(r.callBufferRatio, 'call', `margin call at ${percent(r.marginCallLevelE8)}`, r.distanceToMarginCall);
          const toLiq = barCell(r.liquidationBufferRatio, 'liq', `liquidation at ${percent(r.liquidationLevelE8)}`, r.distanceToLiquidation);
          const positions = h('td', 'positions', r.positions.map((p) => `${p.market} ${p.qty}${p.liquidationPrice === null ? '' : ` @liq ${p.liquidationPrice}`}`).join(' · '));
          tr.append(toCall, toLiq, positions);
          return tr;
        }),
      );
    },
  };
}

export function feedPanel(initial) {
  const list = h('ol', 'feed');
  list.id = 'risk-feed';
  const counts = { MARGIN_CALL: 0, LIQUIDATION: 0, FUND_TAKEOVER: 0, ADL: 0 };
  let lastId = 0;
  const mark = () => {
    list.dataset.items = String(list.children.length);
    list.dataset.liquidations = String(counts.LIQUIDATION);
    list.dataset.marginCalls = String(counts.MARGIN_CALL);
    list.dataset.takeovers = String(counts.FUND_TAKEOVER);
    list.dataset.adl = String(counts.ADL);
  };
  const add = (item) => {
    if (item.id <= lastId) return; // a reconnect's snapshot repeats what is shown
    lastId = item.id;
    counts[item.kind]++;
    const li = h('li', `feed-item kind-${item.kind.toLowerCase()}`);
    li.dataset.kind = item.kind;
    const time = new Date(item.tsMs).toISOString().slice(11, 19);
    li.append(h('span', 'feed-time', time), h('span', `tag tag-${item.kind.toLowerCase()}`, KIND_LABEL[item.kind]), h('span', 'feed-account', `#${item.accountId}`), h('span', 'feed-text', item.text));
    list.prepend(li);
    while (list.children.length > FEED_ROWS) list.lastChild.remove();
    mark();
  };
  for (const item of initial) add(item);
  mark();
  const wrap = h('div', 'scroll feed-wrap');
  wrap.append(list);
  return { el: wrap, add, reset: (items) => items.forEach(add) };
}

export function stagesPanel() {
  const { table, body } = headedTable('stages', ['stage', 'what', 'per second', 'total']);
  table.id = 'stages-table';
  const { table: latency, body: lbody } = headedTable('latency', ['gateway latency (last second)', 'requests', 'p50', 'p99']);
  const wrap = h('div', 'stages-wrap');
  wrap.append(table, latency);
  const ms = (v, n) => (n === 0 ? '—' : v === null ? '> 1000 ms' : `≤ ${v < 1 ? v.toFixed(2) : v.toFixed(1)} ms`);
  return {
    el: wrap,
    render(stages, figures) {
      const n = (v) => v.toLocaleString('en-US');
      body.replaceChildren(...stages.map((s) => textRow([['', s.stage], ['muted', s.what], ['num', n(s.perSecond)], ['num', n(s.total)]])));
      lbody.replaceChildren(...figures.map((f) => textRow([['', f.scope], ['num', n(f.requests)], ['num', ms(f.p50Ms, f.requests)], ['num', ms(f.p99Ms, f.requests)]])));
      table.dataset.drawn = 'true';
    },
  };
}
