// The console: loads the system document, polls the live status every 2 s, routes between screens
// (#/picture, #/deadletters, #/timeline/KEY, #/api, #/mypage).
import { h, get, auth, problemView } from './util.js';
import * as picture from './picture.js';
import * as deadletters from './deadletters.js';
import * as timeline from './timeline.js';
import * as apidocs from './apidocs.js';
import * as mypage from './mypage.js';

const SCREENS = { picture, deadletters, timeline, api: apidocs, mypage };
const POLL_MS = 2000;

const ctx = {
  system: null,   // GET /console/api/system
  status: null,   // the last GET /console/api/status (null while unknown)
  statusError: null,
  listeners: new Set(),
  // Calls fn(status, error) now (when known) and after every poll; returns the unsubscribe.
  onStatus(fn) {
    this.listeners.add(fn);
    if (this.status || this.statusError) fn(this.status, this.statusError);
    return () => this.listeners.delete(fn);
  },
};

const main = document.getElementById('main');
let cleanup = null;

function route() {
  const parts = (location.hash.replace(/^#\/?/, '') || 'picture').split('/');
  const name = SCREENS[parts[0]] ? parts[0] : 'picture';
  const params = parts.slice(1).map(decodeURIComponent);
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.screen === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (cleanup) cleanup();
  cleanup = null;
  const moved = main.dataset.screen && main.dataset.screen !== name;
  main.replaceChildren();
  main.dataset.screen = name;
  document.title = `${ctx.system.system} · ${SCREENS[name].title} · Reservo console`;
  cleanup = SCREENS[name].render(main, ctx, params) || null;
  if (moved) main.focus({ preventScroll: true });   // keyboard and screen-reader users land on the new screen
}

// Overall status in the header: every service UP and ready, or how many are not.
function showOverall(status, error) {
  const box = document.getElementById('overall');
  const text = document.getElementById('overall-text');
  document.getElementById('last-poll').textContent = error
    ? `status unavailable (${error.message})`
    : `updated ${new Date().toLocaleTimeString(undefined, { hour12: false })}`;
  if (error || !status) {
    box.dataset.overall = 'UNREACHABLE';
    text.textContent = 'status unavailable';
    return;
  }
  const services = status.services || [];
  const bad = services.filter((x) => x.health !== 'UP');
  const notReady = services.filter((x) => x.health === 'UP' && x.readiness && x.readiness !== 'UP');
  const open = [...services.flatMap((x) => x.circuits || []), ...((status.gateway && status.gateway.circuits) || [])]
    .filter((c) => c.state !== 'CLOSED');
  const dead = services.reduce((n, x) => n + (x.deadLetters || 0), 0);
  let state = 'UP';
  let msg = `All ${services.length} services up`;
  if (bad.length) {
    state = bad.some((x) => x.health !== 'OUT_OF_SERVICE') ? 'DOWN' : 'OUT_OF_SERVICE';
    msg = `${bad.length} of ${services.length} not up: ${bad.map((x) => x.name).join(', ')}`;
  } else if (notReady.length || open.length) {
    state = 'DEGRADED';
    msg = [notReady.length && `${notReady.length} not ready`, open.length && `${open.length} circuit(s) not closed`]
      .filter(Boolean).join(', ');
  }
  box.dataset.overall = state;
  text.textContent = msg;
  const dl = document.getElementById('dl-count');
  dl.hidden = dead === 0;
  dl.textContent = String(dead);
  dl.setAttribute('aria-label', `${dead} parked`);
}

async function poll() {
  try {
    ctx.status = await get('/console/api/status', { timeoutMs: 5000 });
    ctx.statusError = null;
  } catch (e) {
    ctx.statusError = e;
  }
  showOverall(ctx.status, ctx.statusError);
  for (const fn of ctx.listeners) {
    try { fn(ctx.statusError ? null : ctx.status, ctx.statusError); } catch (e) { console.error(e); }
  }
  setTimeout(poll, POLL_MS);
}

function showUser() {
  const box = document.getElementById('user-box');
  box.replaceChildren();
  if (!ctx.system || !ctx.system.auth) return;
  if (auth.token) {
    box.append(`Signed in as ${auth.user} · `,
      h('button', { type: 'button', class: 'link', onclick: () => { auth.clear(); } }, 'Sign out'));
  } else {
    box.append('Not signed in · ', h('a', { href: '#/mypage' }, 'Log in'));
  }
}

async function start() {
  try {
    ctx.system = await get('/console/api/system');
  } catch (e) {
    main.replaceChildren(h('h2', {}, e.status === 403 ? 'This console is for operators' : 'The console cannot reach its gateway'),
      e.status === 403 ? h('p', {}, 'Its data answers only the addresses in gateway.console.operators (the machine itself by default).') : null,
      problemView(e));
    return;
  }
  document.getElementById('system-name').textContent = ctx.system.system;
  document.body.dataset.system = ctx.system.system;
  window.addEventListener('hashchange', route);
  window.addEventListener('reservo-auth', showUser);
  showUser();
  route();
  poll();
}

start();
