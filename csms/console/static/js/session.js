// One session: its figures, its charging curve (power, energy, and the green part) growing
// live, the driver's preferences, and the profile csms sent the station.

import { get, optional } from './api.js';
import { COLORS, seconds, timeChart } from './chart.js';
import { badge, enc, errorText, h, kwh, link, notAvailable, panel, pct, replace, when } from './ui.js';

const POWER = 'Power.Active.Import';
const ENERGY = 'Energy.Active.Import.Register';

// Samples -> per timestamp: power (kW, phases summed when only per-phase values came) and
// energy delivered since the first register reading (kWh).
export function curve(samples) {
  const at = new Map();
  const slot = (ts) => { if (!at.has(ts)) at.set(ts, { power: null, phases: 0, energy: null }); return at.get(ts); };
  for (const s of samples) {
    const v = s.si_value ?? s.value;
    const loc = s.location || 'Outlet';
    if (loc !== 'Outlet' && loc !== 'EV') continue;
    if (s.measurand === POWER) {
      const p = slot(s.timestamp);
      if (!s.phase) p.power = v;
      else if (p.power === null || p.phases) { p.power = (p.phases ? p.power : 0) + v; p.phases += 1; }
    } else if (s.measurand === ENERGY && !s.phase) {
      slot(s.timestamp).energy = v;
    }
  }
  const times = [...at.keys()].sort();
  const first = times.map((t) => at.get(t).energy).find((e) => e !== null) ?? 0;
  return {
    x: times.map(seconds),
    power: times.map((t) => (at.get(t).power === null ? null : at.get(t).power / 1000)),
    energy: times.map((t) => (at.get(t).energy === null ? null : (at.get(t).energy - first) / 1000)),
    points: times.filter((t) => at.get(t).power !== null).length,
  };
}

// The session's green power per 15-minute interval: the site's green energy in the interval
// shared by energy among its sessions, as csms accounts it.
function greenPart(c, intervals) {
  const stepAt = (t) => {
    const i = intervals.find((iv) => t >= seconds(iv.start) && t < seconds(iv.end));
    if (!i || !i.energy_wh) return null;
    return i.green_energy_wh / i.energy_wh;  // the site's green fraction in that interval
  };
  return c.x.map((t, k) => {
    const share = stepAt(t);
    return share === null || c.power[k] === null ? null : c.power[k] * share;
  });
}

function facts(tx, prefs) {
  const row = (k, v) => [h('dt', {}, k), h('dd', {}, v ?? '–')];
  return h('div', { class: 'grid' },
    h('dl', { class: 'facts' }, row('Station', link(`#/stations/${enc(tx.station_id)}`, tx.station_id)), row('EVSE / connector', `${tx.evse_id} / ${tx.connector_id}`)),
    h('dl', { class: 'facts' }, row('Id token', tx.id_token), row('State', tx.active ? badge('charging', 'Charging') : `stopped (${tx.stop_reason || 'no reason'})`)),
    h('dl', { class: 'facts' }, row('Started', when(tx.started_at)), row('Stopped', when(tx.stopped_at))),
    h('dl', { class: 'facts', dataset: { testid: 'energy' } }, row('Energy', kwh(tx.energy_wh, 2)),
      row('Green', `${kwh(tx.green_energy_wh, 2)} (${tx.energy_wh ? pct(tx.green_energy_wh / tx.energy_wh) : '–'})`)),
    h('dl', { class: 'facts' }, row('Cost', tx.cost ? `${tx.cost.total.toFixed(2)} ${tx.cost.currency}${tx.cost.final ? '' : ' so far'}` : null),
      row('Preferences', prefs ? `${prefs.mode}, leaves ${when(prefs.departure_at)}, wants ${kwh(prefs.energy_wh)}${prefs.defaulted ? ' (assumed)' : ''}` : null)));
}

function sentProfiles(planned, held) {
  const parts = [];
  if (planned) {
    parts.push(h('p', {}, `Planner: ${planned.managed ? 'managed' : 'not managed'}, mode ${planned.mode}, shortfall ${planned.shortfall_kwh} kWh.`));
    if (planned.last_profile) parts.push(h('h3', {}, 'Last profile sent'), h('pre', {}, JSON.stringify(planned.last_profile, null, 2)));
  }
  for (const p of held) {
    parts.push(h('h3', {}, `Held by the station: profile ${p.id} (${p.purpose}, set ${when(p.set_at)})`),
      h('pre', {}, JSON.stringify(p.profile, null, 2)));
  }
  return parts.length ? parts : [h('p', { class: 'muted' }, 'csms sent no profile for this session.')];
}

export async function render(root, ctx) {
  const id = ctx.params.id;
  const station = ctx.params.query.station;
  const q = station ? { station_id: station } : {};
  const head = h('div');
  const chartBox = h('div', { dataset: { testid: 'curve', points: '0' } });
  const profileBox = h('div');
  let chart = null;
  let tx = null;
  replace(root, h('h1', {}, 'Session ', h('span', {}, id)), panel('Session', head),
    panel('Charging curve', chartBox, h('p', { class: 'legend-note' },
      'Green part: the site\'s green share of each 15-minute interval, as csms accounts it.')),
    panel('Profile sent by csms', profileBox));

  async function refresh() {
    try {
      tx = await get(`/transactions/${enc(id)}`, q);
    } catch (err) {
      replace(head, errorText(err));
      return;
    }
    const [samples, prefs, st] = await Promise.all([
      get(`/transactions/${enc(id)}/meter-values`, { station_id: tx.station_id }),
      optional(`/transactions/${enc(id)}/preferences`, { station_id: tx.station_id }),
      get(`/stations/${enc(tx.station_id)}`)]);
    replace(head, facts(tx, prefs));
    const c = curve(samples);
    let green = c.x.map(() => null);
    let plan = null;
    if (st.site_id) {
      // A station's clock may run ahead of the server's: the range covers its samples too.
      const last = Math.max(Date.now(), new Date(tx.stopped_at || 0).getTime(), ...c.x.map((t) => t * 1000));
      const [energy, p] = await Promise.all([
        optional(`/sites/${enc(st.site_id)}/energy`, { from: tx.started_at, to: new Date(last + 900_000).toISOString(), detail: true })
          .catch(() => null),
        optional(`/sites/${enc(st.site_id)}/plan`)]);
      if (energy?.intervals) green = greenPart(c, energy.intervals);
      plan = p;
    }
    chartBox.dataset.points = String(c.points);
    const data = [c.x, c.power, green, c.energy];
    if (!c.x.length) {
      replace(chartBox, h('p', { class: 'muted' }, 'No meter values yet.'));
      chart = null;
    } else if (chart) {
      chart.update(data);
    } else {
      replace(chartBox);
      chart = timeChart(chartBox, { title: 'charging curve', units: { y: 'kW', e: 'kWh' }, data, series: [
        { label: 'Power (kW)', color: COLORS.load },
        { label: 'Green power (kW)', color: COLORS.green, fill: true },
        { label: 'Energy (kWh)', color: COLORS.energy, scale: 'e', dash: [6, 4] }] });
      ctx.cleanup(() => chart?.destroy());
    }
    const held = await optional(`/stations/${enc(tx.station_id)}/charging-profiles`);
    const planned = plan?.sessions?.find((s) => s.transaction_id === id && s.station_id === tx.station_id);
    const mine = (held?.installed || []).filter((p) => p.transaction_id === id);
    replace(profileBox, held === null && !plan ? notAvailable('Profiles') : sentProfiles(planned, mine));
  }

  const ours = (d) => d.id === id && (!tx || d.station_id === tx.station_id);
  let timer = null;
  const soon = (d) => { if (ours(d)) timer ??= setTimeout(() => { timer = null; refresh(); }, 400); };
  ctx.on('transaction.updated', soon);
  ctx.on('transaction.stopped', soon);
  ctx.cleanup(() => clearTimeout(timer));
  await refresh();
}
