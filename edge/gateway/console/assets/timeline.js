// Screen 3: a saga's timeline — every event published under one correlation key (GET /events?subject=),
// in order, with its service, type, time and trace; events of one trace are grouped.
import { h, get, problemView, fmtTime, hue } from './util.js';

export const title = 'Saga timeline';

const serviceOf = (source) => String(source || '').split('/').filter(Boolean).at(-1) || source;

export function render(main, ctx, params) {
  const key = params[0] || '';
  const input = h('input', { id: 'tl-key', name: 'key', value: key, required: true, autocomplete: 'off',
    placeholder: 'e.g. 1', 'aria-describedby': 'tl-hint' });
  const form = h('form', { class: 'inline-form', role: 'search' },
    h('label', { for: 'tl-key' }, 'Correlation key'), input,
    h('button', { class: 'btn', type: 'submit' }, 'Show timeline'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const k = input.value.trim();
    if (k) location.hash = `#/timeline/${encodeURIComponent(k)}`;
  });
  const out = h('section', { id: 'tl-out', 'aria-live': 'polite' });
  main.append(
    h('div', { class: 'screen-head' }, h('h2', {}, 'Saga timeline')),
    h('p', { class: 'muted', id: 'tl-hint' }, 'The correlation key is the id of the aggregate a flow is about — a reservation\'s id, a course\'s id. Every event published with it as its subject shows here, in the order of the log.'),
    form, out);
  if (!key) { input.focus(); return null; }

  let shown = -1;
  async function load() {
    let events;
    try {
      events = await get(`/events?subject=${encodeURIComponent(key)}`);
    } catch (e) {
      out.replaceChildren(problemView(e));
      return;
    }
    if (!Array.isArray(events)) events = (events && (events.events || events.items)) || [];
    if (events.length === shown) return;   // nothing new: keep what the user opened
    shown = events.length;
    out.replaceChildren(view(key, events));
  }
  load();
  // Sagas go on after the first look: refresh on the status tick while this screen is open.
  return ctx.onStatus(() => { load(); });
}

function view(key, events) {
  if (!events.length) {
    return h('p', { class: 'empty', id: 'tl-empty' }, `No event has the subject “${key}” (yet).`);
  }
  const traces = [];
  for (const e of events) {
    const t = e.traceId || (e.traceparent || '').split('-')[1] || '';
    if (!traces.length || traces.at(-1).id !== t) traces.push({ id: t, events: [] });
    traces.at(-1).events.push(e);
  }
  const distinct = new Set(traces.map((t) => t.id));
  const t0 = Date.parse(events[0].time);
  const span = Date.parse(events.at(-1).time) - t0;
  return h('div', {},
    h('h3', { id: 'tl-summary' }, `${events.length} event${events.length === 1 ? '' : 's'} for “${key}”`,
      h('span', { class: 'muted' }, ` · ${distinct.size} trace${distinct.size === 1 ? '' : 's'}`,
        events.length > 1 && Number.isFinite(span) ? ` · over ${span} ms` : '')),
    h('ol', { class: 'timeline', id: 'tl-list' }, traces.map((tr) => {
      const color = `hsl(${hue(tr.id)} 60% 45%)`;
      return h('li', { class: 'trace', 'data-trace': tr.id, style: `--trace:${color}` },
        h('p', { class: 'trace-head' }, h('span', { class: 'swatch', 'aria-hidden': 'true' }), 'trace ',
          h('code', { title: tr.id }, tr.id ? tr.id.slice(0, 16) + '…' : 'none')),
        h('ol', { class: 'events' }, tr.events.map((e) => {
          const dt = Date.parse(e.time) - t0;
          return h('li', { class: 'event', 'data-type': e.type, 'data-source': serviceOf(e.source), 'data-trace': tr.id },
            h('div', { class: 'ev-head' },
              h('time', { datetime: e.time }, fmtTime(e.time)),
              Number.isFinite(dt) ? h('span', { class: 'muted small' }, `+${dt} ms`) : null,
              h('strong', { class: 'ev-type' }, e.type),
              h('span', { class: 'svc' }, serviceOf(e.source)),
              h('span', { class: 'muted small mono' }, `p${e.partition ?? '?'}@${e.offset ?? '?'}`)),
            h('details', {}, h('summary', {}, 'data'),
              h('pre', { class: 'json' }, JSON.stringify(e.data, null, 2)),
              h('p', { class: 'muted small mono' }, `id ${e.id} · traceparent ${e.traceparent || '—'}`)));
        })));
    })));
}
