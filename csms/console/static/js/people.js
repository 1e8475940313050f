// Id tokens (drivers' cards), users and API tokens, for the roles allowed to manage them.

import { ApiError, del, get, patch, post } from './api.js';
import { enc, errorText, field, h, notAvailable, panel, replace, table, when } from './ui.js';

const ROLES = ['viewer', 'operator', 'admin'];

function refusal(err, what) {
  if (err instanceof ApiError && err.missing) return notAvailable(what);
  if (err instanceof ApiError && err.forbidden) return h('p', { class: 'na' }, `${what}: not allowed for your role.`);
  return errorText(err);
}

const sites = (v) => v.split(',').map((s) => s.trim()).filter(Boolean);

function section(title, load, columns, addForm) {
  const body = h('div', { 'aria-live': 'polite' });
  const msg = h('div', { role: 'status', 'aria-live': 'polite' });
  async function refresh() {
    try {
      replace(body, table(columns(refresh, msg), await load(), { empty: 'None yet.' }));
      return true;
    } catch (err) {
      replace(body, refusal(err, title));
      return false;
    }
  }
  const el = panel(title, msg, body);
  refresh().then((ok) => { if (ok && addForm) el.append(addForm(refresh, msg)); });
  return el;
}

function act(label, fn, refresh, msg) {
  return h('button', { type: 'button', onclick: async () => {
    try { await fn(); replace(msg); await refresh(); } catch (err) { replace(msg, refusal(err, label)); }
  } }, label);
}

function idTokens(canEdit) {
  return section('Id tokens', () => get('/id-tokens', { limit: 1000 }), (refresh, msg) => [
    { label: 'Id token', get: (t) => t.id_token },
    { label: 'Status', get: (t) => t.status },
    { label: 'Member', get: (t) => t.member || '–' },
    { label: 'Group', get: (t) => t.group_id || '–', wide: true },
    { label: 'Expires', get: (t) => when(t.expires_at), wide: true },
    canEdit && { label: 'Actions', get: (t) => [
      act(t.status === 'Blocked' ? 'Unblock' : 'Block', () => patch(`/id-tokens/${enc(t.id_token)}`,
        { status: t.status === 'Blocked' ? 'Accepted' : 'Blocked' }), refresh, msg), ' ',
      act('Delete', () => del(`/id-tokens/${enc(t.id_token)}`), refresh, msg)] },
  ].filter(Boolean), canEdit && ((refresh, msg) => {
    const token = h('input', { name: 'id_token', required: true, maxlength: 36 });
    const member = h('input', { name: 'member', maxlength: 255 });
    const group = h('input', { name: 'group_id', maxlength: 36 });
    return h('form', { class: 'row', 'aria-label': 'Add an id token', onsubmit: async (e) => {
      e.preventDefault();
      try {
        await post('/id-tokens', { id_token: token.value.trim(), member: member.value || null, group_id: group.value || null });
        e.target.reset(); replace(msg); await refresh();
      } catch (err) { replace(msg, refusal(err, 'Adding an id token')); }
    } }, field('Id token', token), field('Member', member), field('Group', group),
    h('button', { type: 'submit', class: 'primary' }, 'Add id token'));
  }));
}

function users() {
  return section('Users', () => get('/users'), (refresh, msg) => [
    { label: 'User', get: (u) => u.username },
    { label: 'Role', get: (u) => u.role },
    { label: 'Sites', get: (u) => (u.site_ids?.length ? u.site_ids.join(', ') : 'all') },
    { label: 'Actions', get: (u) => act('Delete', () => del(`/users/${enc(u.username)}`), refresh, msg) },
  ], (refresh, msg) => {
    const name = h('input', { name: 'username', required: true, autocomplete: 'off' });
    const pass = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' });
    const role = h('select', { name: 'role' }, ROLES.map((r) => h('option', { value: r }, r)));
    const scope = h('input', { name: 'site_ids', placeholder: 'all sites' });
    return h('form', { class: 'row', 'aria-label': 'Add a user', onsubmit: async (e) => {
      e.preventDefault();
      try {
        const body = { username: name.value.trim(), password: pass.value, role: role.value };
        if (sites(scope.value).length) body.site_ids = sites(scope.value);
        await post('/users', body);
        e.target.reset(); replace(msg); await refresh();
      } catch (err) { replace(msg, refusal(err, 'Adding a user')); }
    } }, field('Username', name), field('Password', pass), field('Role', role),
    field('Sites (comma separated)', scope), h('button', { type: 'submit', class: 'primary' }, 'Add user'));
  });
}

function apiTokens() {
  return section('API tokens', () => get('/api-tokens'), (refresh, msg) => [
    { label: 'Name', get: (t) => t.name },
    { label: 'Role', get: (t) => t.role },
    { label: 'Sites', get: (t) => (t.site_ids?.length ? t.site_ids.join(', ') : 'all') },
    { label: 'Expires', get: (t) => when(t.expires_at), wide: true },
    { label: 'Actions', get: (t) => act('Revoke', () => del(`/api-tokens/${enc(t.id)}`), refresh, msg) },
  ], (refresh, msg) => {
    const name = h('input', { name: 'name', required: true });
    const role = h('select', { name: 'role' }, ROLES.map((r) => h('option', { value: r }, r)));
    const scope = h('input', { name: 'site_ids', placeholder: 'all sites' });
    return h('form', { class: 'row', 'aria-label': 'Create an API token', onsubmit: async (e) => {
      e.preventDefault();
      try {
        const body = { name: name.value.trim(), role: role.value };
        if (sites(scope.value).length) body.site_ids = sites(scope.value);
        const out = await post('/api-tokens', body);
        e.target.reset();
        await refresh();
        replace(msg, h('p', { class: 'ok' }, 'Copy the token now: it is shown only once. '),
          h('pre', { dataset: { testid: 'new-token' } }, out.token));
      } catch (err) { replace(msg, refusal(err, 'Creating an API token')); }
    } }, field('Name', name), field('Role', role), field('Sites (comma separated)', scope),
    h('button', { type: 'submit', class: 'primary' }, 'Create token'));
  });
}

export async function render(root, ctx) {
  replace(root, h('h1', {}, 'Id tokens, users, API tokens and audit'),
    idTokens(ctx.can('operator')),
    ctx.can('admin') ? users() : null,
    ctx.can('admin') ? apiTokens() : null,
    ctx.can('admin') ? audit() : null);
}

function audit() {
  const actor = h('input', { name: 'actor', placeholder: 'user:NAME, token:NAME, admin-token' });
  const station = h('input', { name: 'station_id', placeholder: 'station id' });
  const body = h('div', { 'aria-live': 'polite' });
  async function refresh() {
    try {
      const rows = await get('/audit', { actor: actor.value.trim(), station_id: station.value.trim(), limit: 100 });
      replace(body, auditTable(rows));
    } catch (err) {
      replace(body, refusal(err, 'Audit log'));
    }
  }
  const form = h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); refresh(); } },
    field('Who', actor), field('Station', station), h('button', { type: 'submit' }, 'Show'));
  refresh();
  return panel('Audit log', form, body);
}

export function auditTable(rows) {
  return table([
    { label: 'When', get: (a) => when(a.at) },
    { label: 'Who', get: (a) => `${a.actor}${a.role ? ` (${a.role})` : ''}` },
    { label: 'What', get: (a) => a.action },
    { label: 'Station', get: (a) => a.station_id || '–', wide: true },
    { label: 'Result', get: (a) => `${a.status_code}${a.outcome ? ` ${a.outcome}` : ''}` },
  ], rows, { empty: 'Nothing recorded.' });
}
