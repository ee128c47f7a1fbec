// Screen 1: the system picture — the gateway, every service, synchronous calls (solid, with their
// circuit breakers) and event flows (dashed: publisher → event type → consumers), drawn from
// /console/api/system and coloured live from /console/api/status.
import { h, s, hue } from './util.js';

export const title = 'System picture';

let NODE_W = 164;         // wider for long service names (layout sets it)
const NODE_H = 100;
const ROW_Y = 170;          // the services' row (top)
const GW = { w: 220, h: 54, y: 14 };
const PILL_H = 28;

const HEALTH_TEXT = { UP: 'UP', DOWN: 'DOWN', OUT_OF_SERVICE: 'OUT OF SERVICE', UNREACHABLE: 'UNREACHABLE', UNKNOWN: '…' };

function layout(services) {
  const n = services.length;
  NODE_W = Math.min(210, Math.max(164, ...services.map((x) => x.name.length * 9 + 22)));
  const types = new Set(services.flatMap((x) => [...(x.publishes || []), ...(x.consumes || [])]));
  const pills = [...types].reduce((a, t) => a + Math.max(90, t.length * 7.4 + 26) + 14, 40);
  const width = Math.max(960, n * (NODE_W + 28) + 40, Math.min(1600, pills));
  const nodes = new Map();
  services.forEach((svc, i) => {
    const cx = 20 + (width - 40) * (i + 0.5) / n;
    nodes.set(svc.name, { svc, i, cx, x: cx - NODE_W / 2, y: ROW_Y, top: [], bottom: [] });
  });
  // Event types: who publishes, who consumes; ordered by their first publisher.
  const events = new Map();
  const ev = (type) => {
    if (!events.has(type)) events.set(type, { type, publishers: [], consumers: [] });
    return events.get(type);
  };
  for (const svc of services) {
    for (const t of svc.publishes || []) ev(t).publishers.push(svc.name);
    for (const t of svc.consumes || []) ev(t).consumers.push(svc.name);
  }
  const order = (e) => {
    const idx = [...e.publishers, ...e.consumers].map((p) => nodes.get(p)?.i ?? n);
    return Math.min(...idx, n) + (e.publishers.length ? 0 : 0.5);
  };
  const list = [...events.values()].sort((a, b) => order(a) - order(b) || a.type.localeCompare(b.type));
  // Pack the pills into rows no wider than the picture.
  const rows = [[]];
  let used = 0;
  for (const e of list) {
    e.w = Math.max(90, e.type.length * 7.4 + 26);
    if (used + e.w + 14 > width - 40 && rows.at(-1).length) { rows.push([]); used = 0; }
    rows.at(-1).push(e);
    used += e.w + 14;
  }
  const pillTop = ROW_Y + NODE_H + 120;
  rows.forEach((row, r) => {
    const total = row.reduce((a, e) => a + e.w, 0) + 14 * (row.length - 1);
    let x = (width - total) / 2;
    for (const e of row) {
      e.x = x; e.cx = x + e.w / 2; e.y = pillTop + r * (PILL_H + 34); e.top = [];
      x += e.w + 14;
    }
  });
  const height = list.length ? pillTop + rows.length * (PILL_H + 34) : ROW_Y + NODE_H + 40;
  return { width, height, nodes, events: list };
}

// Spreads the points where edges meet a side, ordered by where their other end is.
function spread(attachments, left, width) {
  attachments.sort((a, b) => a.other - b.other);
  attachments.forEach((a, k) => { a.set(left + (k + 1) * width / (attachments.length + 1)); });
}

const curve = (x1, y1, x2, y2) => {
  const dy = Math.max(30, Math.abs(y2 - y1) / 2);
  return `M${x1},${y1} C${x1},${y1 + (y2 > y1 ? dy : -dy)} ${x2},${y2 + (y2 > y1 ? -dy : dy)} ${x2},${y2}`;
};

function draw(system) {
  const { width, height, nodes, events } = layout(system.services);
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'picture', role: 'group', id: 'picture',
    'aria-label': `System ${system.system}: the gateway and ${nodes.size} services; the table below says the same in words`,
  });
  const defs = s('defs', {},
    ['arrow', 'arrow-open', 'arrow-event', 'arrow-route'].map((id) => s('marker', {
      id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
    }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: id }))));
  const edges = s('g', { class: 'edges' });
  const overlays = s('g', { class: 'overlays' });
  const nodeLayer = s('g', { class: 'nodes' });
  svg.append(defs, edges, nodeLayer, overlays);

  const gwX = width / 2 - GW.w / 2;
  const gateway = s('g', { class: 'gateway', 'data-node': 'gateway' },
    s('rect', { x: gwX, y: GW.y, width: GW.w, height: GW.h, rx: 10 }),
    s('text', { x: width / 2, y: GW.y + 23, class: 'name' }, 'gateway'),
    s('text', { x: width / 2, y: GW.y + 42, class: 'meta' }, system.auth ? 'routes · checks JWT' : 'routes'));
  nodeLayer.append(gateway);

  const updaters = [];
  // The gateway's routes to each service that has any.
  const gwBottom = [];
  for (const node of nodes.values()) {
    if (!(node.svc.routes || []).length) continue;
    const path = s('path', { class: 'edge route' });
    const badge = s('g', { class: 'cb', hidden: true });
    edges.append(path);
    overlays.append(badge);
    const e = { x1: 0, x2: node.cx };
    gwBottom.push({ other: node.cx, set: (x) => { e.x1 = x; } });
    node.top.push({ other: -1, set: () => {} });
    updaters.push(() => {
      path.setAttribute('d', curve(e.x1, GW.y + GW.h, e.x2, ROW_Y));
      path.setAttribute('marker-end', 'url(#arrow-route)');
    });
    e.circuit = (state) => circuitBadge(badge, path, state, (e.x1 + e.x2) / 2, (GW.y + GW.h + ROW_Y) / 2, false);
    node.gatewayEdge = e;
  }
  spread(gwBottom, gwX + 20, GW.w - 40);

  // Synchronous calls: arcs above the services' row, with their circuit breaker.
  const calls = [];
  for (const node of nodes.values()) {
    for (const target of node.svc.calls || []) {
      const to = nodes.get(target);
      if (!to) continue;
      const path = s('path', { class: 'edge call', 'data-call': `${node.svc.name}->${target}` });
      const label = s('title', {}, `${node.svc.name} calls ${target} (synchronous, circuit breaker)`);
      path.append(label);
      const badge = s('g', { class: 'cb' });
      edges.append(path);
      overlays.append(badge);
      const c = { from: node, to, x1: 0, x2: 0, path, badge };
      node.top.push({ other: to.cx, set: (x) => { c.x1 = x; } });
      to.top.push({ other: node.cx, set: (x) => { c.x2 = x; } });
      calls.push(c);
    }
  }
  for (const c of calls) {
    const rise = Math.min(70, 34 + 14 * Math.abs(c.from.i - c.to.i));
    c.apex = { x: 0, y: ROW_Y - rise };
    updaters.push(() => {
      c.apex.x = (c.x1 + c.x2) / 2;
      c.path.setAttribute('d', `M${c.x1},${ROW_Y} C${c.x1},${ROW_Y - rise * 1.3} ${c.x2},${ROW_Y - rise * 1.3} ${c.x2},${ROW_Y}`);
      c.path.setAttribute('marker-end', 'url(#arrow)');
    });
    c.from.circuits = c.from.circuits || new Map();
    c.from.circuits.set(c.to.svc.name, (state) => circuitBadge(c.badge, c.path, state, c.apex.x, ROW_Y - rise, true));
  }

  // Event flows: publisher → event type (a pill) → consumers, dashed, coloured per type.
  const pillLayer = s('g', { class: 'events' });
  nodeLayer.append(pillLayer);
  for (const e of events) {
    const color = `hsl(${hue(e.type)} 55% 45%)`;
    const flows = [];
    const add = (svcName, dir) => {
      const node = nodes.get(svcName);
      if (!node) return;
      const path = s('path', { class: `edge event ${dir}`, style: `stroke:${color}`, 'marker-end': 'url(#arrow-event)' },
        s('title', {}, dir === 'pub' ? `${svcName} publishes ${e.type}` : `${svcName} consumes ${e.type}`));
      const f = { path, xs: 0, xp: 0 };
      node.bottom.push({ other: e.cx, set: (x) => { f.xs = x; } });
      e.top.push({ other: node.cx, set: (x) => { f.xp = x; } });
      updaters.push(() => {
        const d = dir === 'pub' ? curve(f.xs, ROW_Y + NODE_H, f.xp, e.y) : curve(f.xp, e.y, f.xs, ROW_Y + NODE_H);
        path.setAttribute('d', d);
      });
      edges.append(path);
      flows.push(path);
    };
    e.publishers.forEach((p) => add(p, 'pub'));
    e.consumers.forEach((c) => add(c, 'sub'));
    const about = `${e.type}: published by ${e.publishers.join(', ') || 'none'}; consumed by ${e.consumers.join(', ') || 'none'}`;
    const pill = s('g', { class: 'pill', 'data-event': e.type, tabindex: 0, role: 'img', 'aria-label': about }, s('title', {}, about),
      s('rect', { x: e.x, y: e.y, width: e.w, height: PILL_H, rx: PILL_H / 2, style: `stroke:${color}` }),
      s('text', { x: e.cx, y: e.y + PILL_H / 2 + 4.5, style: `fill:${color}` }, e.type));
    const hl = (on) => () => { for (const f of flows) f.classList.toggle('hl', on); pill.classList.toggle('hl', on); };
    for (const [a, b] of [['mouseenter', 'focus'], ['mouseleave', 'blur']]) {
      pill.addEventListener(a, hl(a === 'mouseenter'));
      pill.addEventListener(b, hl(b === 'focus'));
    }
    pillLayer.append(pill);
  }

  // Service nodes.
  for (const node of nodes.values()) {
    const { x, y, cx, svc } = node;
    const tip = s('title', {}, svc.name);
    const g = s('g', { class: 'node', 'data-service': svc.name, 'data-health': 'UNKNOWN', 'data-readiness': 'UNKNOWN' }, tip);
    const health = s('text', { x: x + 30, y: y + 47, class: 'health' }, '…');
    const ready = s('text', { x: x + NODE_W - 12, y: y + 47, class: 'meta ready' }, '');
    const flow = s('text', { x: x + 12, y: y + 68, class: 'meta' }, '');
    const dead = s('text', { x: x + 12, y: y + 88, class: 'meta dead' }, '');
    g.append(
      s('rect', { x, y, width: NODE_W, height: NODE_H, rx: 10, class: 'box' }),
      s('rect', { x, y, width: NODE_W, height: 6, rx: 3, class: 'band' }),
      s('text', { x: cx, y: y + 25, class: 'name' }, svc.name),
      s('circle', { cx: x + 19, cy: y + 42, r: 6, class: 'dot' }),
      health, ready, flow, dead);
    node.g = g;
    node.update = (st) => {
      const hv = st ? st.health || 'UNKNOWN' : 'UNKNOWN';
      g.dataset.health = hv;
      tip.textContent = `${svc.name}: ${hv}${st && st.error ? ` (${st.error})` : ''}`;
      g.dataset.readiness = st ? st.readiness || 'UNKNOWN' : 'UNKNOWN';
      health.textContent = HEALTH_TEXT[hv] || hv;
      // Readiness beside an UP health only: a node that is not UP says so already.
      ready.textContent = hv !== 'UP' ? '' : st.readiness === 'UP' ? 'ready' : 'not ready';
      ready.classList.toggle('bad', !!st && st.readiness !== 'UP');
      flow.textContent = st ? `lag ${st.consumerLag ?? '–'} · outbox ${st.outboxBacklog ?? '–'}` : '';
      dead.textContent = st ? `dead letters ${st.deadLetters ?? '–'}` : '';
      g.classList.toggle('has-dead', !!(st && st.deadLetters > 0));
      const cbs = new Map((st && st.circuits || []).map((c) => [c.name, c.state]));
      for (const [target, set] of node.circuits || []) set(cbs.get(target) || (st ? 'CLOSED' : 'UNKNOWN'));
    };
    nodeLayer.append(g);
  }

  for (const node of nodes.values()) {
    // Gateway routes enter at the middle; calls to the left or right of it.
    const center = node.top.filter((a) => a.other === -1);
    const sides = node.top.filter((a) => a.other !== -1);
    spread(sides.filter((a) => a.other < node.cx), node.x + 6, NODE_W / 2 - 30);
    spread(sides.filter((a) => a.other >= node.cx), node.cx + 24, NODE_W / 2 - 30);
    center.forEach((a) => a.set(node.cx));
    spread(node.bottom, node.x + 10, NODE_W - 20);
  }
  for (const e of events) spread(e.top, e.x + 8, e.w - 16);
  for (const u of updaters) u();

  const update = (status) => {
    const byName = new Map((status && status.services || []).map((x) => [x.name, x]));
    for (const node of nodes.values()) node.update(status ? byName.get(node.svc.name) || { health: 'UNKNOWN' } : null);
    const gwc = new Map(((status && status.gateway && status.gateway.circuits) || []).map((c) => [c.name, c.state]));
    for (const node of nodes.values()) if (node.gatewayEdge) node.gatewayEdge.circuit(gwc.get(node.svc.name) || 'CLOSED');
    gateway.dataset.health = status ? 'UP' : 'UNREACHABLE';
  };
  return { svg, update };
}

function circuitBadge(badge, path, state, x, y, always) {
  path.dataset.circuit = state;
  path.classList.toggle('open', state === 'OPEN');
  path.classList.toggle('half', state === 'HALF_OPEN');
  const normal = path.classList.contains('route') ? 'url(#arrow-route)' : 'url(#arrow)';
  path.setAttribute('marker-end', state === 'OPEN' ? 'url(#arrow-open)' : normal);
  const show = always || state !== 'CLOSED';
  badge.toggleAttribute('hidden', !show);
  if (!show) return;
  const label = state === 'HALF_OPEN' ? 'HALF-OPEN' : state;
  const w = label.length * 6.6 + 14;
  badge.setAttribute('class', `cb cb-${state.toLowerCase()}`);
  badge.replaceChildren(
    s('title', {}, `circuit breaker ${state}`),
    s('rect', { x: x - w / 2, y: y - 9, width: w, height: 18, rx: 9 }),
    s('text', { x, y: y + 4 }, label));
}

function statusTable(system) {
  const body = h('tbody');
  const rows = new Map();
  for (const svc of system.services) {
    const cells = {
      health: h('td', { class: 'health-cell' }),
      readiness: h('td'), circuits: h('td'), lag: h('td', { class: 'num' }),
      outbox: h('td', { class: 'num' }), dead: h('td', { class: 'num' }),
    };
    rows.set(svc.name, cells);
    body.append(h('tr', {}, h('th', { scope: 'row' }, svc.name), cells.health, cells.readiness, cells.circuits,
      cells.lag, cells.outbox, cells.dead));
  }
  const table = h('table', { class: 'grid status-table' },
    h('caption', {}, 'Services, live'),
    h('thead', {}, h('tr', {}, ['Service', 'Health', 'Readiness', 'Circuits (calls)', 'Consumer lag', 'Outbox', 'Dead letters']
      .map((t) => h('th', { scope: 'col' }, t)))),
    body);
  const update = (status) => {
    const byName = new Map((status && status.services || []).map((x) => [x.name, x]));
    for (const [name, c] of rows) {
      const st = byName.get(name);
      c.health.textContent = st ? st.health : '…';
      c.health.title = (st && st.error) || '';
      c.health.dataset.health = st ? st.health : 'UNKNOWN';
      c.readiness.textContent = st ? st.readiness : '…';
      c.circuits.textContent = st && st.circuits && st.circuits.length
        ? st.circuits.map((x) => `${x.name}: ${x.state}`).join(', ') : '—';
      c.lag.textContent = st ? st.consumerLag ?? '—' : '…';
      c.outbox.textContent = st ? st.outboxBacklog ?? '—' : '…';
      c.dead.replaceChildren(st && st.deadLetters > 0
        ? h('a', { href: '#/deadletters' }, String(st.deadLetters)) : String(st ? st.deadLetters ?? '—' : '…'));
    }
  };
  return { table, update };
}

function servicesDetails(system) {
  const list = (items) => (items && items.length ? items.join(', ') : '—');
  return h('details', { class: 'card' },
    h('summary', {}, 'What each service routes, calls, publishes and consumes'),
    h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, ['Service', 'Routes', 'Internal', 'Calls', 'Publishes', 'Consumes']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, system.services.map((x) => h('tr', {},
        h('th', { scope: 'row' }, x.name), h('td', { class: 'mono' }, list(x.routes)), h('td', { class: 'mono' }, list(x.internal)),
        h('td', {}, list(x.calls)), h('td', {}, list(x.publishes)), h('td', {}, list(x.consumes)))))));
}

export function render(main, ctx) {
  const { svg, update } = draw(ctx.system);
  const table = statusTable(ctx.system);
  const legend = h('ul', { class: 'legend', 'aria-label': 'Legend' },
    h('li', {}, h('span', { class: 'sw up' }), 'UP'),
    h('li', {}, h('span', { class: 'sw oos' }), 'out of service'),
    h('li', {}, h('span', { class: 'sw down' }), 'down / unreachable'),
    h('li', {}, h('span', { class: 'ln solid' }), 'synchronous call (circuit breaker)'),
    h('li', {}, h('span', { class: 'ln dashed' }), 'event: publisher → type → consumers'));
  main.append(
    h('div', { class: 'screen-head' }, h('h2', {}, 'System picture'), legend),
    h('figure', { class: 'card picture-wrap' }, svg),
    table.table,
    servicesDetails(ctx.system));
  return ctx.onStatus((status) => { update(status); table.update(status); });
}
