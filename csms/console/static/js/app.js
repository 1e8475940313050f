// The console's shell: sign-in, navigation (hash routes), the live stream and page life cycle.

import { ApiError, auth, get, optional, request, signals } from './api.js';
import { events, startStream, stopStream } from './stream.js';
import { errorText, field, h, replace } from './ui.js';

const PAGES = {
  overview: () => import('./overview.js'),
  stations: () => import('./stations.js'),
  station: () => import('./station.js'),
  sessions: () => import('./sessions.js'),
  session: () => import('./session.js'),
  sites: () => import('./sites.js'),
  site: () => import('./site.js'),
  statements: () => import('./statements.js'),
  people: () => import('./people.js'),
};

const main = document.getElementById('main');
const header = document.querySelector('header.top');
let current = null;  // the shown page's context: its listeners and timers end with it
let me = { role: null, site_ids: null, name: '' };

// What a page may use: live events and timers that end when the page is left.
// A refresh that fails in the background says so on the page (no unhandled rejection).
function safe(fn) {
  return (...args) => Promise.resolve().then(() => fn(...args)).catch((err) => {
    const notice = document.getElementById('notice');
    if (notice) replace(notice, errorText(err));
  });
}

function context(params) {
  const own = [];
  let ended = false;
  // A page that is still loading when the person moves on must not leave listeners behind.
  const keep = (fn) => { if (ended) fn(); else own.push(fn); };
  return {
    params,
    me,
    end() { ended = true; for (const fn of own.splice(0)) fn(); },
    get ended() { return ended; },
    on(type, fn) {
      const run = safe(fn);
      const handler = (e) => run(e.detail);
      events.addEventListener(type, handler);
      keep(() => events.removeEventListener(type, handler));
    },
    // Calls fn at most every `ms` when any of `types` arrives (a burst becomes one refresh).
    live(types, fn, ms = 700) {
      let timer = null;
      const run = safe(fn);
      const fire = () => { timer = null; run(); };
      for (const t of types) this.on(t, () => { timer ??= setTimeout(fire, ms); });
      keep(() => clearTimeout(timer));
    },
    every(ms, fn) {
      const id = setInterval(safe(fn), ms);
      keep(() => clearInterval(id));
    },
    cleanup(fn) { keep(fn); },
    can(role) {  // unknown role (no /auth/me on this server): let the API decide
      const rank = { viewer: 0, operator: 1, admin: 2 };
      return me.role === null || rank[me.role] >= rank[role];
    },
  };
}

function parseHash() {
  const raw = window.location.hash.replace(/^#\/?/, '');
  const [path, qs] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query = Object.fromEntries(new URLSearchParams(qs || ''));
  const section = parts[0] || 'overview';
  const single = { stations: 'station', sessions: 'session', sites: 'site' };
  const page = parts.length > 1 && single[section] ? single[section] : section;
  return { section, page, id: parts[1], query };
}

let routeSeq = 0;

async function route() {
  const seq = ++routeSeq;  // a newer navigation wins over one still loading
  current?.end();
  current = null;
  if (!auth.token) { signInPage(); return; }
  const focused = document.activeElement;
  const { section, page, id, query } = parseHash();
  for (const a of document.querySelectorAll('nav a')) {
    if (a.getAttribute('href') === `#/${section}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.getElementById('nav').classList.remove('open');
  const load = PAGES[page];
  if (!load) { replace(main, h('h1', {}, 'Not found'), h('p', {}, 'No such page.')); return; }
  replace(main, h('p', { class: 'muted' }, 'Loading…'));
  try {
    const mod = await load();
    if (seq !== routeSeq) return;
    const view = h('div');
    replace(main, h('div', { id: 'notice', 'aria-live': 'assertive' }), view);
    current = context({ id, query });
    await mod.render(view, current);
  } catch (err) {
    if (seq === routeSeq) replace(main, h('h1', {}, 'Something went wrong'), errorText(err));
  }
  if (seq !== routeSeq) return;
  // Move focus to the new page, unless the person moved it elsewhere while it loaded.
  if (document.activeElement === focused || document.activeElement === document.body) {
    main.focus({ preventScroll: true });
  }
}

async function whoAmI() {
  const found = await optional('/auth/me').catch(() => null);
  me = found ? { role: found.role ?? null, site_ids: found.site_ids ?? null,
                 name: found.actor || found.username || auth.label } :
    { role: null, site_ids: null, name: auth.label };
  header.querySelector('.who').textContent = me.role ? `${me.name} (${me.role})` : me.name;
}

async function enter(token, label) {
  auth.set(token, label);
  header.hidden = false;
  await whoAmI();
  startStream();
  if (!window.location.hash || window.location.hash === '#/signin') window.location.hash = '#/overview';
  else route();
}

function signOut() {
  current?.end();
  current = null;
  // A password sign-in's session ends on the server too (where it can); API tokens live on.
  if (auth.token && auth.label !== 'API token') {
    request('/auth/logout', { method: 'POST' }).catch(() => {});
  }
  auth.clear();
  stopStream();
  header.hidden = true;
  signInPage();
}

function signInPage() {
  header.hidden = true;
  const msg = h('div', { 'aria-live': 'polite' });
  const user = h('input', { name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const token = h('input', { name: 'token', type: 'password', autocomplete: 'off', required: true });
  const login = async (e) => {
    e.preventDefault();
    replace(msg);
    try {
      const out = await request('/auth/login', { method: 'POST', token: null,
        body: { username: user.value, password: pass.value } });
      await enter(out.access_token, user.value);
    } catch (err) {
      const text = err instanceof ApiError && err.missing
        ? 'Signing in with a password is not available on this server: use an API token.'
        : err.status === 401 ? 'Wrong username or password.'
          : err.status === 429 ? 'Too many attempts: wait a little and try again.' : err.message;
      replace(msg, h('p', { class: 'error', role: 'alert' }, text));
    }
  };
  const withToken = async (e) => {
    e.preventDefault();
    replace(msg);
    try {
      await request('/stations', { token: token.value });
      await enter(token.value, 'API token');
    } catch (err) {
      const text = err.status === 401 ? 'This token was refused.' : err.message;
      replace(msg, h('p', { class: 'error', role: 'alert' }, text));
    }
  };
  replace(main, h('div', { class: 'signin' },
    h('h1', {}, 'Sign in to csms'),
    msg,
    h('form', { class: 'panel', onsubmit: login, 'aria-label': 'Sign in with a password' },
      h('fieldset', {}, h('legend', {}, 'With your username'),
        field('Username', user), field('Password', pass),
        h('button', { class: 'primary', type: 'submit' }, 'Sign in'))),
    h('form', { class: 'panel', onsubmit: withToken, 'aria-label': 'Sign in with an API token' },
      h('fieldset', {}, h('legend', {}, 'Or with an API token'),
        field('API token (e.g. the admin token)', token),
        h('button', { type: 'submit' }, 'Sign in with token')))));
}

function setUp() {
  header.querySelector('.sign-out').addEventListener('click', signOut);
  const toggle = header.querySelector('.menu-toggle');
  toggle.addEventListener('click', () => {
    const open = document.getElementById('nav').classList.toggle('open');
    toggle.setAttribute('aria-expanded', String(open));
  });
  const live = header.querySelector('.live');
  events.addEventListener('stream-state', (e) => {
    live.dataset.state = e.detail === 'on' ? 'on' : 'off';
    live.textContent = { on: 'live', off: 'offline', reconnecting: 'reconnecting…',
                         denied: 'no live updates (not allowed)' }[e.detail] || e.detail;
  });
  signals.addEventListener('unauthorized', signOut);
  // The server could not replay what this tab missed while away: show the page afresh.
  events.addEventListener('stream.reset', () => route());
  window.addEventListener('hashchange', route);
  if (auth.token) {
    get('/stations').then(() => enter(auth.token, auth.label), () => signOut());
  } else {
    signInPage();
  }
}

setUp();
