// One station: identity, EVSEs and connectors (live), its sessions, configuration, the
// charging profiles it holds, its last OCPP frames, and the operator's commands.

import { get, optional } from './api.js';
import { answerText, commandPanel, runCommand } from './commands.js';
import { auditTable } from './people.js';
import { stationHealth } from './overview.js';
import { badge, enc, errorText, field, h, kwh, link, notAvailable, panel, replace, table, when } from './ui.js';

function identity(st) {
  const row = (k, v) => [h('dt', {}, k), h('dd', {}, v ?? '–')];
  return h('div', { class: 'grid' },
    h('dl', { class: 'facts' }, row('State', badge(stationHealth(st), st.connected ? 'on' : 'off')), row('Protocol', st.protocol)),
    h('dl', { class: 'facts' }, row('Vendor / model', [st.vendor, st.model].filter(Boolean).join(' ')), row('Serial', st.serial_number)),
    h('dl', { class: 'facts' }, row('Firmware', st.firmware_version), row('Last boot', when(st.last_boot_at))),
    h('dl', { class: 'facts' }, row('Last seen', when(st.last_seen)),
      row('Site', st.site_id ? link(`#/sites/${enc(st.site_id)}`, st.site_id) : null)),
    h('dl', { class: 'facts' }, row('Charging control', `${st.charging_control}${st.charging_control_reason ? ` (${st.charging_control_reason})` : ''}`)));
}

function connectors(st) {
  const rows = st.evses.flatMap((e) => e.connectors.map((c) => ({ evse: e.evse_id, ...c })));
  return table([
    { label: 'EVSE', get: (r) => r.evse },
    { label: 'Connector', get: (r) => r.connector_id },
    { label: 'Status', get: (r) => badge(r.status || 'unknown', r.status) },
    { label: 'Error', get: (r) => r.error_code || '–' },
    { label: 'Since', get: (r) => when(r.updated_at), wide: true },
  ], rows, { empty: 'No connectors reported yet.' });
}

function frames(rows) {
  return table([
    { label: 'At', get: (m) => when(m.at) },
    { label: 'Dir', get: (m) => (m.direction === 'in' ? '← in' : '→ out') },
    { label: 'Frame', get: (m) => h('pre', {}, m.frame) },
  ], rows, { empty: 'No frames logged yet.' });
}

function profiles(out) {
  if (out === null) return notAvailable('Charging profiles');
  return table([
    { label: 'Id', get: (p) => p.id },
    { label: 'EVSE', get: (p) => p.evse_id },
    { label: 'Purpose', get: (p) => p.purpose },
    { label: 'Stack', get: (p) => p.stack_level, num: true },
    { label: 'Transaction', get: (p) => p.transaction_id || '–' },
    { label: 'Set', get: (p) => when(p.set_at), wide: true },
    { label: 'Profile', get: (p) => h('details', {}, h('summary', {}, 'JSON'), h('pre', {}, JSON.stringify(p.profile, null, 2))) },
  ], out.installed || [], { empty: 'csms set no profile on this station.' });
}

function configuration(vars) {
  if (vars === null) return notAvailable('Configuration');
  return table([
    { label: 'Key', get: (v) => v.key },
    { label: 'Value', get: (v) => v.value ?? '–' },
    { label: 'Read-only', get: (v) => (v.readonly === null ? '–' : v.readonly ? 'yes' : 'no'), wide: true },
    { label: 'From', get: (v) => v.source, wide: true },
  ], vars, { empty: 'No configuration known yet: read it from the station.' });
}

function readConfigForm(id, after) {
  const keys = h('input', { name: 'keys', placeholder: 'empty: all (1.6); 2.0.1 needs Component.Variable' });
  const answer = h('div', { role: 'status', 'aria-live': 'polite' });
  return h('form', { class: 'row', onsubmit: async (e) => {
    e.preventDefault();
    replace(answer, 'Asking the station…');
    const list = keys.value.split(',').map((k) => k.trim()).filter(Boolean);
    try {
      const out = await runCommand(id, 'get-configuration', list.length ? { keys: list } : {});
      replace(answer, `Station answered: ${out.status}, ${out.configuration?.length ?? 0} keys`);
      after();
    } catch (err) {
      replace(answer, h('span', { class: 'error' }, answerText(err)));
    }
  } }, field('Keys (comma separated)', keys), h('button', { type: 'submit' }, 'Read from station'), answer);
}

export async function render(root, ctx) {
  const id = ctx.params.id;
  const head = h('div');
  const conn = h('div', { 'aria-live': 'polite', dataset: { testid: 'connectors' } });
  const sessions = h('div');
  const commands = h('div');
  const config = h('div');
  const held = h('div');
  const log = h('div', { class: 'frames' });
  const trail = h('div');
  let station = null;

  async function refresh() {
    try {
      await load();
    } catch (err) {
      replace(head, errorText(err));
    }
  }

  async function load() {
    station = await get(`/stations/${enc(id)}`);
    const active = await get('/transactions', { station_id: id, active: true });
    const recent = await get('/transactions', { station_id: id, limit: 10 });
    replace(head, identity(station));
    replace(conn, connectors(station));
    replace(sessions, table([
      { label: 'Session', get: (t) => link(`#/sessions/${enc(t.id)}?station=${enc(t.station_id)}`, t.id) },
      { label: 'EVSE', get: (t) => t.evse_id },
      { label: 'Token', get: (t) => t.id_token || '–' },
      { label: 'Started', get: (t) => when(t.started_at) },
      { label: 'Energy', get: (t) => kwh(t.energy_wh, 2), num: true },
      { label: 'State', get: (t) => (t.active ? badge('charging', 'Charging') : 'stopped') },
    ], recent, { empty: 'No sessions yet.' }));
    if (ctx.can('operator') && !commands.dataset.built) {
      commands.dataset.built = 'yes';
      replace(commands, commandPanel(station, active, () => setTimeout(refresh, 500)));
    } else if (ctx.can('operator')) {
      const stop = commands.querySelector('select[name="transaction_id"]');
      if (stop) replace(stop, active.map((t) => h('option', { value: t.id }, `${t.id} (EVSE ${t.evse_id})`)));
    }
    await refreshSlow();
  }

  async function refreshSlow() {
    const [vars, prof, msgs, who] = await Promise.all([
      optional(`/stations/${enc(id)}/variables`, { limit: 200 }),
      optional(`/stations/${enc(id)}/charging-profiles`),
      optional(`/stations/${enc(id)}/messages`, { limit: 40 }),
      optional('/audit', { station_id: id, limit: 20 })]);
    replace(config, configuration(vars));
    replace(held, profiles(prof));
    replace(trail, who === null ? h('p', { class: 'na' }, 'Audit log: not available (not on this server, or not for your role).') : auditTable(who));
    replace(log, msgs === null ? notAvailable('OCPP frames') : frames(msgs));
  }

  replace(root, h('h1', {}, 'Station ', h('span', {}, id)),
    panel('Station', head),
    panel('EVSEs and connectors', conn),
    panel('Sessions', sessions),
    ctx.can('operator') ? h('section', { 'aria-label': 'Commands' }, h('h2', {}, 'Commands'), commands) : null,
    panel('Configuration', ctx.can('operator') ? readConfigForm(id, refreshSlow) : null, config),
    panel('Charging profiles held', held),
    panel('Who did what', trail),
    panel('Last OCPP frames', h('button', { type: 'button', class: 'no-print', onclick: refreshSlow }, 'Refresh'), log));
  const mine = (fn) => (d) => { if (d.station_id === id) fn(); };
  for (const t of ['station.connected', 'station.disconnected', 'station.booted', 'status.changed',
    'transaction.started', 'transaction.stopped']) ctx.on(t, mine(() => setTimeout(refresh, 200)));
  await refresh();
}
