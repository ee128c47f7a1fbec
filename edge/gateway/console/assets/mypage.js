// Screen 5: MyPage — a user reserves, sees their reservations (the system's CQRS view) and cancels,
// through the system's public API at the gateway. What differs per system is a descriptor below.
import { h, call, auth, problemView, today, embedded, newKey } from './util.js';

export const title = 'MyPage';

const f = (name, label, value, type = 'text', extra = {}) => ({ name, label, value, type, ...extra });
const enc = encodeURIComponent;

// Per system: an optional setup form (what a manager registers first), the reserve form, the view
// that lists "mine" and how to cancel one. `key` is the correlation key of a row's saga.
const SYSTEMS = {
  vaccine: {
    intro: 'Reserve a vaccination: a dose of the hospital\'s lot for that date is taken at once, then VaccineReserved flows to notification and mypage.',
    setup: { title: 'Register doses (government manager)', method: 'POST', path: '/vaccineMgmts',
      fields: [f('vaccineType', 'Vaccine type', 'Pfizer'), f('hospital', 'Hospital', 'Seoul'),
        f('availableDate', 'Available date', () => today(7), 'date'), f('qty', 'Doses', 20, 'number')] },
    reserve: { title: 'Reserve a vaccination', submit: 'Reserve', method: 'POST', path: '/reservations',
      fields: [f('userId', 'User id', 1, 'number'), f('hospital', 'Hospital', 'Seoul'),
        f('reservedDate', 'Date', () => today(7), 'date'), f('vaccineType', 'Vaccine type', 'Pfizer')],
      key: (r) => r.id, status: 'reservationStatus' },
    mine: { title: 'My reservations', by: 'userId', byLabel: 'User id',
      path: (v) => `/myPages/search/findByUserId?userId=${enc(v)}`,
      columns: ['reservationId:#', 'reservationStatus:status', 'reservedDate:date', 'hospital', 'vaccineType:vaccine'],
      key: 'reservationId', status: 'reservationStatus' },
    cancel: { method: 'PATCH', path: (r) => `/reservations/${r.reservationId}`, body: { reservationStatus: 'cancelled' },
      can: (r) => r.reservationStatus !== 'cancelled' },
  },
  'vaccine-approval': {
    intro: 'Ask for a vaccination: approval decides at once; vaccine-mgmt then assigns a dose by event (completed or rejected).',
    setup: { title: 'Register a stock lot (vaccine-mgmt)', method: 'POST', path: '/vaccines',
      fields: [f('vaccineType', 'Vaccine type', 'pfizer'), f('hospital', 'Hospital', 'Seoul'),
        f('manufactureDate', 'Manufactured', () => today(-30), 'date'), f('expiryDate', 'Expires', () => today(365), 'date'),
        f('qty', 'Doses', 20, 'number')] },
    reserve: { title: 'Ask for a reservation', submit: 'Reserve', method: 'POST', path: '/reservations',
      fields: [f('customerId', 'Customer id', 1, 'number'), f('customerName', 'Name', 'Hong Gildong'),
        f('hospital', 'Hospital', 'Seoul'), f('reservationDate', 'Date', () => today(14), 'date'),
        f('vaccineType', 'Vaccine type (optional)', '', 'text', { optional: true })],
      key: (r) => r.id, status: 'status' },
    mine: { title: 'My reservations', by: 'customerId', byLabel: 'Customer id',
      path: (v) => `/myPages/search/findByCustomerId?customerId=${enc(v)}`,
      columns: ['reservationId:#', 'status', 'reservationDate:date', 'hospital', 'vaccineType:vaccine', 'expiryDate:expires'],
      key: 'reservationId', status: 'status' },
    cancel: { method: 'PATCH', path: (r) => `/reservations/${r.reservationId}`, body: { status: 'cancelRequested' },
      can: (r) => !['cancelled', 'cancelRequested', 'rejected'].includes(r.status) },
  },
  hotel: {
    intro: 'Book a room: the nights are held and paid at once; cancelling is a saga through payment and room.',
    setup: { title: 'Register a room (room management)', method: 'POST', path: '/roomInfos',
      fields: [f('roomNo', 'Room number', '101'), f('roomSize', 'Size', 'Deluxe'), f('amenityInfo', 'Amenities', 'wifi, bath'),
        f('price', 'Price per night', 100000, 'number')] },
    reserve: { title: 'Book a room', submit: 'Book', method: 'POST', path: '/reservations',
      fields: [f('roomId', 'Room id', 1, 'number'), f('userId', 'User id', '0001'), f('userName', 'Name', 'YANG'),
        f('peopleQty', 'People', 2, 'number'), f('reservStartDate', 'Check-in', () => today(30), 'date'),
        f('reservEndDate', 'Check-out', () => today(32), 'date'), f('payMethod', 'Pay with', 'card')],
      key: (r) => r.id, status: 'reservStatus' },
    mine: { title: 'My bookings', by: 'userId', byLabel: 'User id',
      path: (v) => `/reservationViews/search/findByUserId?userId=${enc(v)}`,
      columns: ['reservationId:#', 'roomNo:room', 'reservStartDate:check-in', 'reservEndDate:check-out', 'amount', 'payStatus:payment', 'reservStatus:status'],
      key: 'reservationId', status: 'reservStatus' },
    cancel: { method: 'PATCH', path: (r) => `/reservations/${r.reservationId}`, body: { reservStatus: 'CancelRequest' },
      can: (r) => r.reservStatus === 'Completed' },
  },
  'animal-hospital': {
    intro: 'Book a visit to the vet: diagnosis opens the medical record at once; notices and the lookup view follow by events.',
    reserve: { title: 'Book a visit', submit: 'Reserve', method: 'POST', path: '/reservations',
      fields: [f('reservatorName', 'Name', 'Jackson'), f('reservationDate', 'Date', () => today(3), 'date'),
        f('phoneNumber', 'Phone', '010-1234-5678', 'tel')],
      key: (r) => r.id, status: 'status' },
    mine: { title: 'My visits', by: 'phoneNumber', byLabel: 'Phone',
      path: (v) => `/reservationStats/search/findByPhoneNumber?phoneNumber=${enc(v)}`,
      columns: ['reservationId:#', 'reservatorName:name', 'reservationDate:date', 'reservationStatus:status', 'diagnosisStatus:diagnosis', 'paymentStatus:payment'],
      key: 'reservationId', status: 'reservationStatus' },
    cancel: { method: 'DELETE', path: (r) => `/reservations/${r.reservationId}`, can: (r) => r.reservationStatus !== 'canceled' },
  },
  course: {
    intro: 'Apply to teach a course: the application is evaluated, and a positive verdict confirms you on the course.',
    setup: { title: 'Register a course (course team)', method: 'POST', path: '/courseManagements',
      fields: [f('courseNo', 'Course number', 1, 'number'), f('title', 'Title', 'Korean'), f('courseInfo', 'About', 'Korean language'),
        f('dueDate', 'Due', () => today(60), 'date')],
      // The course's application entry is opened by event: find it, for the form below.
      after: async (course) => {
        for (let i = 0; i < 20; i++) {
          const r = await call('GET', `/professorApplyments/search/findByCourseId?courseId=${course.id}`).catch(() => null);
          const entry = r && embedded(r.data)[0];
          if (entry) return { applymentId: entry.id };
          await new Promise((ok) => setTimeout(ok, 250));
        }
        return {};
      } },
    reserve: { title: 'Apply as a professor', submit: 'Apply', method: 'PATCH', path: '/professorApplyments/{applymentId}',
      fields: [f('applymentId', 'Application entry id', 1, 'number', { inPath: true }),
        f('professorNo', 'Professor number', '201'), f('professorNm', 'Name', 'P01'),
        f('phoneNumber', 'Phone', '000-0000-0001', 'tel'), f('age', 'Age', 40, 'number'), f('career', 'Years of career', 15, 'number'),
        f('professorSpec', 'Speciality', 'TEST')],
      key: (r) => r.courseId, noun: 'application', status: 'applyStatus' },
    mine: { title: 'My applications', by: 'professorNo', byLabel: 'Professor number',
      path: (v) => `/applyStatusInquiries/search/findByProfessorNo?professorNo=${enc(v)}`,
      columns: ['courseId:course', 'title', 'applymentId:application', 'applyStatus:status', 'score', 'confirmStatus:confirmation'],
      key: 'courseId', status: 'applyStatus' },
    cancel: { method: 'DELETE', path: (r) => `/professorApplyments/${r.applymentId}`, can: (r) => r.applyStatus === 'Applied' },
  },
};

// "reservationStatus" → "reservation status"
const words = (c) => c.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
const valueOf = (field) => (typeof field.value === 'function' ? field.value() : field.value);

// A form from a field list; `onsubmit(values, form)` gets typed values (numbers as numbers).
function fieldForm(id, spec, submitLabel, onsubmit) {
  const inputs = spec.fields.map((fd) => h('input', {
    id: `${id}-${fd.name}`, name: fd.name, type: fd.type, value: String(valueOf(fd)),
    required: !fd.optional, autocomplete: 'off', step: fd.type === 'number' ? 'any' : undefined,
  }));
  const button = h('button', { class: 'btn', type: 'submit' }, submitLabel);
  const form = h('form', { id, class: 'fields' },
    spec.fields.map((fd, i) => h('div', { class: 'field' }, h('label', { for: inputs[i].id }, fd.label), inputs[i])),
    h('div', { class: 'actions' }, button));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const values = {};
    spec.fields.forEach((fd, i) => {
      const raw = inputs[i].value.trim();
      if (fd.optional && raw === '') return;
      values[fd.name] = fd.type === 'number' && raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
    });
    button.disabled = true;
    try { await onsubmit(values); } finally { button.disabled = false; }
  });
  form.set = (vals) => {
    for (const [k, v] of Object.entries(vals)) {
      const input = inputs.find((x) => x.name === k);
      if (input) input.value = String(v);
    }
  };
  return form;
}

// Sends a descriptor's request: path placeholders from fields marked inPath, the rest as the body.
async function send(spec, values) {
  const body = { ...values };
  let path = spec.path;
  for (const fd of spec.fields) {
    if (fd.inPath) { path = path.replace(`{${fd.name}}`, enc(body[fd.name])); delete body[fd.name]; }
  }
  const headers = spec.method === 'POST' ? { 'Idempotency-Key': newKey() } : {};
  return call(spec.method, path, { body, headers });
}

function loginView(ctx, done) {
  const a = typeof ctx.system.auth === 'object' ? ctx.system.auth : {};
  const tokenUrl = a.tokenUrl || '/oauth/token';
  const result = h('div', { class: 'result', role: 'status', 'aria-live': 'polite' });
  const form = fieldForm('login', {
    fields: [f('username', 'User', a.username || 'owner'), f('password', 'Password', a.password || 'owner-pass', 'password'),
      f('clientId', 'Client id', a.clientId || 'reservo-web'),
      f('clientSecret', 'Client secret', a.clientSecret || 'reservo-web-secret', 'password')],
  }, 'Log in', async (v) => {
    try {
      const r = await call('POST', tokenUrl, {
        bearer: false,
        headers: { Authorization: 'Basic ' + btoa(`${v.clientId}:${v.clientSecret}`) },
        form: { grant_type: 'password', username: v.username, password: v.password },
      });
      auth.set(r.data.access_token, v.username);
      done();
    } catch (e) {
      result.replaceChildren(problemView(e));
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'login-h' },
    h('h3', { id: 'login-h' }, 'Log in'),
    h('p', { class: 'muted' }, `This system's gateway wants a bearer token on every route: a password grant at ${tokenUrl}.`),
    form, result);
}

export function render(main, ctx) {
  const d = SYSTEMS[ctx.system.system];
  main.append(h('div', { class: 'screen-head' }, h('h2', {}, 'MyPage')));
  if (!d) {
    main.append(h('p', {}, `No MyPage is described for the system “${ctx.system.system}”.`));
    return null;
  }
  main.append(h('p', { class: 'muted' }, d.intro));
  const rerender = () => { main.replaceChildren(); render(main, ctx); };
  if (ctx.system.auth && !auth.token) {
    main.append(loginView(ctx, rerender));
    return null;
  }

  const timers = [];
  const refreshSoon = () => {
    timers.splice(0).forEach(clearTimeout);
    for (const ms of [0, 300, 800, 1600, 3000, 5000]) timers.push(setTimeout(loadMine, ms));
  };

  // Setup (what someone else registers first), collapsed.
  let setup = null;
  if (d.setup) {
    const out = h('div', { class: 'result', role: 'status', 'aria-live': 'polite' });
    const form = fieldForm('mp-setup', d.setup, 'Register', async (values) => {
      try {
        const r = await send(d.setup, values);
        out.replaceChildren(h('p', { class: 'ok' }, `Registered: id ${r.data && r.data.id}.`));
        if (d.setup.after) reserveForm.set(await d.setup.after(r.data));
      } catch (e) {
        out.replaceChildren(problemView(e));
      }
    });
    setup = h('details', { class: 'card' }, h('summary', {}, d.setup.title), form, out);
  }

  const reserveOut = h('div', { class: 'result', id: 'mp-result', role: 'status', 'aria-live': 'polite' });
  const reserveForm = fieldForm('mp-reserve', d.reserve, d.reserve.submit, async (values) => {
    reserveOut.replaceChildren(h('p', { class: 'muted' }, 'Sending…'));
    try {
      const r = await send(d.reserve, values);
      const key = d.reserve.key(r.data);
      reserveOut.replaceChildren(h('p', { class: 'ok', 'data-key': key },
        `Done: ${d.reserve.noun || 'reservation'} ${r.data.id} (${r.data[d.reserve.status]}). `,
        h('a', { id: 'mp-saga-link', href: `#/timeline/${enc(key)}` }, 'See its saga timeline →')));
      if (values[d.mine.by] !== undefined) byInput.value = String(values[d.mine.by]);
      refreshSoon();
    } catch (e) {
      reserveOut.replaceChildren(problemView(e));
    }
  });

  // Mine: the CQRS view, by the user's identity.
  const byInput = h('input', { id: 'mp-by', value: String(valueOf(d.reserve.fields.find((x) => x.name === d.mine.by) || { value: '' })) });
  const listOut = h('div', { id: 'mp-list' });
  const cancelOut = h('div', { class: 'result', id: 'mp-cancel-result', role: 'status', 'aria-live': 'polite' });
  async function loadMine() {
    const who = byInput.value.trim();
    if (!who) return;
    let rows;
    try {
      rows = embedded((await call('GET', d.mine.path(who))).data);
    } catch (e) {
      listOut.replaceChildren(problemView(e));
      return;
    }
    if (!rows.length) {
      listOut.replaceChildren(h('p', { class: 'empty' }, `Nothing yet for ${d.mine.byLabel.toLowerCase()} ${who}.`));
      return;
    }
    const cols = d.mine.columns.map((c) => (c.includes(':') ? c.split(':') : [c, words(c)]));
    rows.sort((a, b) => Number(b[d.mine.key]) - Number(a[d.mine.key]));
    listOut.replaceChildren(h('div', { class: 'scroll' }, h('table', { class: 'grid', id: 'mp-table' },
      h('thead', {}, h('tr', {}, [...cols.map((c) => c[1]), ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((row) => {
        const key = row[d.mine.key];
        const cancel = d.cancel.can(row)
          ? h('button', { type: 'button', class: 'btn danger small', 'aria-label': `Cancel ${key}`, onclick: async (ev) => {
            ev.currentTarget.disabled = true;
            try {
              await call(d.cancel.method, d.cancel.path(row), { body: d.cancel.body });
              cancelOut.replaceChildren(h('p', { class: 'ok' }, `Cancel of ${key} accepted; the view follows by event.`));
            } catch (e) {
              cancelOut.replaceChildren(problemView(e));
            }
            refreshSoon();
          } }, 'Cancel') : null;
        return h('tr', { 'data-key': key, 'data-status': row[d.mine.status] },
          cols.map(([c]) => h('td', { class: c === d.mine.status ? 'status-cell nowrap' : 'nowrap' }, row[c] ?? '—')),
          h('td', {}, h('div', { class: 'row-actions' }, cancel, h('a', { href: `#/timeline/${enc(key)}` }, 'Timeline'))));
      })))));
  }
  const mineForm = h('form', { class: 'inline-form' },
    h('label', { for: 'mp-by' }, d.mine.byLabel), byInput, h('button', { class: 'btn secondary', type: 'submit' }, 'Show'));
  mineForm.addEventListener('submit', (ev) => { ev.preventDefault(); loadMine(); });

  main.append(
    setup || '',
    h('div', { class: 'two' },
      h('section', { class: 'card', 'aria-labelledby': 'mp-reserve-h' }, h('h3', { id: 'mp-reserve-h' }, d.reserve.title), reserveForm, reserveOut),
      h('section', { class: 'card', 'aria-labelledby': 'mp-mine-h' },
        h('div', { class: 'screen-head' }, h('h3', { id: 'mp-mine-h' }, d.mine.title), mineForm),
        listOut, cancelOut)));
  loadMine();
  return () => timers.forEach(clearTimeout);
}
