// Screen 2: events parked by a consumer, with a Replay button each (POST …/replay).
import { h, call, get, problemView, fmtTime } from './util.js';

export const title = 'Dead letters';

export function render(main, ctx) {
  const result = h('div', { class: 'result', id: 'dl-result', role: 'status', 'aria-live': 'polite' });
  const body = h('div', { id: 'dl-body' }, h('p', { class: 'muted' }, 'Loading…'));
  let seen = -1;

  async function load() {
    let data;
    try {
      data = await get('/console/api/deadletters');
    } catch (e) {
      body.replaceChildren(problemView(e));
      return;
    }
    const letters = data.deadLetters || [];
    seen = letters.length;
    const missing = (data.unreachable || []).length
      ? h('p', { class: 'problem' }, `Not listed: ${data.unreachable.join(', ')} did not answer.`) : null;
    if (!letters.length) {
      body.replaceChildren(h('p', { class: 'empty', id: 'dl-empty' }, 'No dead letters: every consumer applied every event it received.'), missing || '');
      return;
    }
    body.replaceChildren(missing || '', h('table', { class: 'grid', id: 'dl-table' },
      h('caption', {}, `${letters.length} parked event${letters.length === 1 ? '' : 's'}`),
      h('thead', {}, h('tr', {}, ['Service', 'Id', 'Type', 'Subject', 'Error', 'Parked at', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, letters.map((d) => row(d)))));
  }

  function row(d) {
    const button = h('button', { type: 'button', class: 'btn', 'aria-label': `Replay ${d.type} ${d.id} of ${d.service}` }, 'Replay');
    button.addEventListener('click', async () => {
      button.disabled = true;
      button.textContent = 'Replaying…';
      try {
        const r = await call('POST', `/console/api/deadletters/${encodeURIComponent(d.service)}/${encodeURIComponent(d.id)}/replay`);
        const n = r.data && r.data.replayed;
        const what = n === 1 ? 'applied' : n === 0 ? 'it had been applied already, now unparked' : r.data && (r.data.outcome || r.data.status);
        result.replaceChildren(h('p', { class: 'ok', 'data-replayed': `${d.service}/${d.id}` },
          `Replayed ${d.service} #${d.id} (${d.type}, subject ${d.subject})${what ? `: ${what}` : ''}.`));
      } catch (e) {
        result.replaceChildren(h('p', {}, `Replay of ${d.service} #${d.id} failed:`), problemView(e));
      }
      await load();
    });
    return h('tr', { 'data-deadletter': `${d.service}/${d.id}` },
      h('td', {}, d.service),
      h('td', { class: 'num' }, String(d.id)),
      h('td', {}, d.type, d.group && d.group !== d.service ? h('div', { class: 'muted small' }, `group ${d.group}`) : null),
      h('td', {}, d.subject ? h('a', { href: `#/timeline/${encodeURIComponent(d.subject)}`, title: 'Saga timeline of this key' }, d.subject) : '—'),
      h('td', { class: 'error' }, d.error),
      h('td', { class: 'nowrap' }, fmtTime(d.parkedAt)),
      h('td', {}, button));
  }

  main.append(
    h('div', { class: 'screen-head' }, h('h2', {}, 'Dead letters'),
      h('button', { type: 'button', class: 'btn secondary', onclick: load }, 'Refresh')),
    h('p', { class: 'muted' }, 'Events a consumer could not apply after its retries. Replay runs the consumer\'s handler again; an event it had applied meanwhile is just unparked.'),
    result, body);
  load();
  // The status poll counts parked events: reload when that count changes.
  return ctx.onStatus((status) => {
    if (!status) return;
    const n = (status.services || []).reduce((a, x) => a + (x.deadLetters || 0), 0);
    if (seen >= 0 && n !== seen) load();
  });
}
