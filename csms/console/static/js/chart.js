// Time charts with the vendored uPlot: x in Unix seconds, y in kW or kWh.

import uPlot from '../vendor/uPlot.esm.js';
import { h } from './ui.js';

export const COLORS = {
  load: '#2f6fdf', green: '#1f9d46', forecast: '#6cc08a', grid: '#d9480f', limit: '#b3261e',
  plan: '#7b4fd6', energy: '#5c6b7a',
};

function textColor() {
  return getComputedStyle(document.documentElement).getPropertyValue('--text').trim() || '#222';
}

// series: [{label, color, dash?, fill?, scale?, width?}]; data: [xs, ...ys] (null = gap)
export function timeChart(container, { series, data, units = { y: 'kW' }, height = 280, title }) {
  const box = h('div', { class: 'chart', role: 'img', 'aria-label': title || 'chart' });
  container.append(box);
  const fg = textColor();
  const axis = (label, scale, side) => ({
    scale, label, side, stroke: fg, grid: { stroke: 'rgba(128,128,128,.2)' },
    ticks: { stroke: 'rgba(128,128,128,.3)' },
  });
  const scales = [...new Set(series.map((s) => s.scale || 'y'))];
  const opts = {
    width: Math.max(280, box.clientWidth || container.clientWidth || 600),
    height,
    scales: { x: { time: true } },
    axes: [{ stroke: fg, grid: { stroke: 'rgba(128,128,128,.2)' } },
      ...scales.map((s, i) => axis(units[s] || s, s, i === 0 ? 3 : 1))],
    series: [{}, ...series.map((s) => ({
      label: s.label, stroke: s.color, width: s.width ?? 2, dash: s.dash, scale: s.scale || 'y',
      fill: s.fill ? `${s.color}33` : undefined, spanGaps: false, points: { show: false },
    }))],
    legend: { live: true },
  };
  const plot = new uPlot(opts, data, box);
  const resize = new ResizeObserver(() => {
    const w = Math.max(280, box.clientWidth);
    if (Math.abs(w - plot.width) > 4) plot.setSize({ width: w, height });
  });
  resize.observe(box);
  return {
    element: box,
    update(next) { plot.setData(next); },
    destroy() { resize.disconnect(); plot.destroy(); },
  };
}

export const seconds = (iso) => Math.floor(new Date(iso).getTime() / 1000);
