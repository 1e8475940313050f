// One site's day: load, green production (measured and forecast), grid import, the grid
// limit and the plan ahead, so that a person sees the cars following the sun; its sources
// and the planner's state.

import { download, get, hasRoute, optional } from './api.js';
import { COLORS, seconds, timeChart } from './chart.js';
import { badge, enc, errorText, h, kwh, link, notAvailable, panel, pct, replace, table, when } from './ui.js';

// One row per slot start (Unix seconds): the past from the energy report, the future from
// the plan; measured production ends at the plan's current slot.
export function dayRows(energy, plan) {
  const rows = new Map();
  const row = (t) => { if (!rows.has(t)) rows.set(t, { load: null, plan: null, held: null, measured: null, forecast: null }); return rows.get(t); };
  for (const iv of energy?.intervals || []) {
    const hours = (seconds(iv.end) - seconds(iv.start)) / 3600;
    const r = row(seconds(iv.start));
    r.load = iv.energy_wh / 1000 / hours;
    if (iv.green_source === 'measured') r.measured = iv.green_available_wh / 1000 / hours;
    else r.forecast = iv.green_available_wh / 1000 / hours;
  }
  const step = (plan?.slot_minutes || 15) * 60;
  if (plan?.start) {
    const start = seconds(plan.start);
    plan.load_kw.forEach((v, i) => { row(start + i * step).plan = v; });
    // capacity held back for cars the site's history expects, on top of the plan
    (plan.reserve_kw || []).forEach((v, i) => {
      if (v > 0) row(start + i * step).held = (plan.load_kw[i] ?? 0) + v;
    });
  }
  // the green expected ahead and measured so far, also when there is no car to plan for
  const from = plan?.forecast?.start || plan?.start;
  if (from) {
    const start = seconds(from);
    plan.forecast.green_kw.forEach((v, i) => { row(start + i * step).forecast = v; });
    const measured = plan.forecast.measured_kw || [];
    measured.forEach((v, i) => {
      if (v !== null) row(start - (measured.length - 1 - i) * step).measured = v;
    });
  }
  return [...rows.entries()].sort((a, b) => a[0] - b[0]);
}

function plotData(entries, limit) {
  const x = entries.map(([t]) => t);
  const pick = (k) => entries.map(([, r]) => r[k]);
  const grid = entries.map(([, r]) => {
    const load = r.load ?? r.plan;
    const green = r.measured ?? r.forecast;
    return load === null ? null : Math.max(0, load - (green ?? 0));
  });
  return [x, pick('load'), pick('plan'), pick('held'), pick('measured'), pick('forecast'), grid, x.map(() => limit)];
}

// What the planner expects of a source: a weather-based forecast (given through the API, or
// fetched by csms from a provider), or the clear sky times a seasonal factor; all corrected by
// its readings.
function sourceForecast(plan, sourceId) {
  if (!plan) return '–';
  const given = (plan.forecast.source_forecasts || []).find((g) => g.source_id === sourceId);
  if (!given) return 'clear sky × season';
  const from = !given.origin || given.origin === 'api' ? 'given' : `from ${given.origin}`;
  return `${from}, issued ${when(given.issued_at)}, to ${when(given.end)}`;
}

// What the planner expects of a source, and, when csms fetches forecasts, whether the
// provider has stopped giving this one (the planner then keeps the last, or the clear sky).
function sourceForecastCell(plan, source) {
  const expected = sourceForecast(plan, source.id);
  const f = source.forecast_fetch;
  if (!f || f.ok) return expected;
  return h('span', {}, expected, h('br'), h('span', { class: 'warn', dataset: { testid: 'fetch-failing' } },
    `${f.provider} gives none since ${when(f.failing_since)} (last tried ${when(f.checked_at)}): ${f.error}`));
}

// A local guard lets plans count on green above the limit; csms checks the import it measures
// and stops counting on a guard that let it stay above the limit.
function guardCard(site) {
  if (!site.local_guard) return null;
  const failed = site.guard_failure;
  return h('div', { class: 'card', dataset: { testid: 'guard' } }, h('div', { class: 'label' }, 'Local guard'),
    failed
      ? h('div', { class: 'value warn' }, `not counted on: ${failed.import_kw} kW imported from ${when(failed.at)}`)
      : h('div', { class: 'value' }, 'counted on'));
}

// The plan forecast's `source`, in words.
const GREEN_BASIS = {
  measured: 'the forecast corrected by measured output',
  forecast: 'the forecast given (no reading to correct it by yet)',
  'clear-sky': "the clear sky's seasonal guess (no reading to correct it by yet)",
  none: 'nothing (no coordinates or no sources)',
};

// What the site's history (the same weekday and hour, the last four weeks) says is still to
// come: the capacity the plan holds back for it, and the energy those cars will want.
function arrivals(plan) {
  const held = Math.max(0, ...(plan.reserve_kw || []));
  const wanted = (plan.arriving_kwh || []).reduce((a, b) => a + b, 0);
  if (held <= 0 && wanted <= 0) return h('p', { dataset: { testid: 'arrivals' } }, 'No car expected to arrive within the plan, from the last four weeks.');
  return h('p', { dataset: { testid: 'arrivals' } },
    `Cars expected from the last four weeks' arrivals: up to ${held.toFixed(1)} kW held back for them, ${wanted.toFixed(1)} kWh wanted within the plan.`);
}

function plannerState(plan) {
  if (!plan) return [notAvailable('Planner state')];
  const f = plan.forecast;
  return [
    h('p', {}, `Computed ${when(plan.computed_at)}; green expected from ${GREEN_BASIS[f.source] || f.source}${f.stale ? ' (stale: a source stopped reporting)' : ''}`,
      plan.diagnostics ? `; solver ${plan.diagnostics.status} in ${Number(plan.diagnostics.solve_ms).toFixed(1)} ms` : '', '.'),
    [...new Set([f.note, ...(plan.notes || [])].filter(Boolean))].map((n) => h('p', { class: 'warn' }, n)),
    arrivals(plan),
    h('h3', {}, 'Sessions'),
    table([
      { label: 'Session', get: (s) => link(`#/sessions/${enc(s.transaction_id)}?station=${enc(s.station_id)}`, s.transaction_id) },
      { label: 'Station', get: (s) => s.station_id },
      { label: 'Managed', get: (s) => (s.managed ? badge('managed', 'Available') : badge('unmanaged', 'Faulted')) },
      { label: 'Mode', get: (s) => `${s.mode}${s.defaulted ? ' (assumed)' : ''}` },
      { label: 'Leaves', get: (s) => when(s.departure_at), wide: true },
      { label: 'Wants', get: (s) => kwh(s.energy_wh), num: true },
      { label: 'Delivered', get: (s) => kwh(s.delivered_wh), num: true },
      { label: 'Shortfall', get: (s) => `${s.shortfall_kwh} kWh`, num: true },
      { label: 'Now', get: (s) => `${(s.power_kw[0] ?? 0).toFixed(1)} kW`, num: true },
    ], plan.sessions, { empty: 'No session to plan.' }),
    h('h3', {}, 'Unmanaged chargers'),
    table([{ label: 'Station', get: (u) => link(`#/stations/${enc(u.station_id)}`, u.station_id) },
      { label: 'Why', get: (u) => u.reason }], plan.unmanaged_stations, { empty: 'None: csms manages every charger.' }),
  ];
}

export async function render(root, ctx) {
  const id = ctx.params.id;
  const summary = h('div');
  const plot = h('div', { dataset: { testid: 'day-plot' } });
  const sources = h('div');
  const state = h('div');
  const exportBox = h('div', { class: 'row no-print' });
  let chart = null;
  let site;
  try {
    site = await get(`/sites/${enc(id)}`);
  } catch (err) {
    replace(root, h('h1', {}, 'Site'), errorText(err));
    return;
  }
  replace(root, h('h1', {}, site.name, ' ', h('span', { class: 'muted' }, site.id)), summary,
    panel('Today', plot, exportBox, h('p', { class: 'legend-note' },
      'Solid: measured. Dashed: forecast and plan ahead. Grid import is load minus green production.')),
    panel('Green sources', sources), panel('Planner', state));

  async function refresh() {
    const [energy, plan, src, now] = await Promise.all([
      optional(`/sites/${enc(id)}/energy`, { detail: true }), optional(`/sites/${enc(id)}/plan`),
      optional(`/sites/${enc(id)}/sources`), optional(`/sites/${enc(id)}`)]);
    if (now) site = now;  // its limit, or csms's word on its guard, may have changed
    replace(summary, h('div', { class: 'cards' },
      h('div', { class: 'card' }, h('div', { class: 'label' }, 'Grid limit'), h('div', { class: 'value' }, `${site.grid_limit_kw} kW`)),
      h('div', { class: 'card' }, h('div', { class: 'label' }, 'Energy today'), h('div', { class: 'value' }, kwh(energy?.energy_wh))),
      h('div', { class: 'card' }, h('div', { class: 'label' }, 'Green today'), h('div', { class: 'value' }, kwh(energy?.green_energy_wh))),
      h('div', { class: 'card' }, h('div', { class: 'label' }, 'Green share'), h('div', { class: 'value' }, pct(energy?.green_share))),
      guardCard(site)));
    const data = plotData(dayRows(energy, plan), site.grid_limit_kw);
    plot.dataset.points = String(data[0].length);
    if (chart) chart.update(data);
    else if (data[0].length) {
      replace(plot);
      chart = timeChart(plot, { title: `day plot of ${site.name}`, height: 320, data, series: [
        { label: 'Load', color: COLORS.load, fill: true },
        { label: 'Plan ahead', color: COLORS.plan, dash: [6, 4], width: 3 },
        { label: 'Plan + held for arrivals', color: COLORS.plan, dash: [2, 4], width: 1.5 },
        { label: 'Green measured', color: COLORS.green, width: 2.5 },
        { label: 'Green forecast', color: COLORS.forecast, dash: [4, 4] },
        { label: 'Grid import', color: COLORS.grid, width: 1.5 },
        { label: 'Grid limit', color: COLORS.limit, dash: [10, 5], width: 1.5 }] });
      ctx.cleanup(() => chart?.destroy());
    } else replace(plot, h('p', { class: 'muted' }, 'Nothing to plot yet.'));
    replace(sources, src === null ? notAvailable('Sources') : table([
      { label: 'Source', get: (s) => s.name || s.id },
      { label: 'Kind', get: (s) => s.kind },
      { label: 'Peak', get: (s) => `${s.peak_kw} kW`, num: true },
      { label: 'Where', get: (s) => (s.on_site ? 'behind the meter' : 'elsewhere') },
      { label: 'Tilt / azimuth', get: (s) => `${s.tilt_deg}° / ${s.azimuth_deg}°`, wide: true },
      { label: 'Forecast', get: (s) => sourceForecastCell(plan, s), wide: true },
    ], src, { empty: 'No green source: add one with POST /api/v1/sites/{id}/sources.' }));
    replace(state, plannerState(plan));
  }

  if (await hasRoute('GET', '/sites/{site_id}/energy.csv')) {
    const status = h('span', { role: 'status', class: 'muted' });
    replace(exportBox, h('button', { type: 'button', onclick: () => download(`/sites/${enc(id)}/energy.csv`,
      { interval: '15m' }, `${id}-energy.csv`).then(() => replace(status, 'Downloaded'), (e) => replace(status, e.message)) },
    'Energy CSV'), status);
  } else replace(exportBox, notAvailable('Energy CSV'));
  ctx.live(['transaction.started', 'transaction.updated', 'transaction.stopped', 'site.changed',
    'site.guard_failed', 'site.forecast_posted'], refresh, 2000);
  ctx.every(60_000, refresh);
  await refresh();
}
