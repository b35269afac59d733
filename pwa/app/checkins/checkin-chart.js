// The small pressure chart of the last weeks, drawn with uPlot (canvas). The
// level of each check-in is shown by colour AND shape (circle green, triangle
// yellow, square red); the table beside it carries the same facts for screen
// readers, so the canvas itself is hidden from them.
import { h } from '../dom.js';
import { t, locale } from '../i18n.js';
import { TIME_ZONE } from '../format.js';

const DAY = 86400;
let uPlotModule = null;

function loadCss() {
  if (document.querySelector('link[data-vendor="uplot"]')) return;
  document.head.append(h('link', { rel: 'stylesheet', href: '/vendor/uPlot.min.css', 'data-vendor': 'uplot' }));
}

export async function loadUPlot() {
  if (!uPlotModule) {
    loadCss();
    uPlotModule = (await import('/vendor/uPlot.esm.js')).default;
  }
  return uPlotModule;
}

export function cssVar(name, fallback) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** Points drawn as a shape per level, in canvas pixels. */
function shapePaths(shape) {
  return (u, seriesIdx, idx0, idx1) => {
    const path = new Path2D();
    const xs = u.data[0];
    const ys = u.data[seriesIdx];
    const r = 5.5 * (window.devicePixelRatio || 1);
    for (let i = idx0; i <= idx1; i += 1) {
      if (ys[i] == null) continue;
      const x = u.valToPos(xs[i], 'x', true);
      const y = u.valToPos(ys[i], 'y', true);
      if (shape === 'circle') {
        path.moveTo(x + r, y);
        path.arc(x, y, r, 0, Math.PI * 2);
      } else if (shape === 'triangle') {
        const s = r * 1.3;
        path.moveTo(x, y - s);
        path.lineTo(x + s, y + s * 0.8);
        path.lineTo(x - s, y + s * 0.8);
        path.closePath();
      } else {
        const s = r * 0.95;
        path.rect(x - s, y - s, s * 2, s * 2);
      }
    }
    return { stroke: path, fill: path, clip: null, flags: 0 };
  };
}

const SHAPES = { green: 'circle', yellow: 'triangle', red: 'square' };

function dayLabel(seconds) {
  return new Intl.DateTimeFormat(locale(), { timeZone: TIME_ZONE, day: 'numeric', month: 'short' }).format(new Date(seconds * 1000));
}

/**
 * A chart node for `points` ([{at, pressure, level}], oldest first) over the
 * last `days`. Resolves to null when the chart library cannot be loaded (the
 * table still shows everything).
 */
export async function pressureChart(points, { days = 28, label }) {
  let uPlot;
  try {
    uPlot = await loadUPlot();
  } catch {
    return null;
  }
  const xs = points.map((p) => Math.round(Date.parse(p.at) / 1000));
  const pressure = points.map((p) => p.pressure);
  const byLevel = (level) => points.map((p) => (p.level === level ? p.pressure : null));
  const last = xs.length ? Math.max(...xs) : Date.now() / 1000;
  const end = Math.max(last, Date.now() / 1000) + DAY / 4;
  const start = end - days * DAY - DAY / 4;

  const text = cssVar('--muted', '#46526b');
  const grid = cssVar('--line', '#cfd7e6');
  const line = cssVar('--chart-line', '#6b7896');
  const colours = {
    green: cssVar('--level-green', '#23744a'),
    yellow: cssVar('--level-yellow', '#a86b00'),
    red: cssVar('--level-red', '#b3262d'),
  };
  const surface = cssVar('--surface', '#ffffff');

  const frame = h('div', {
    class: 'checkin-chart',
    role: 'img',
    'aria-label': label,
    'data-testid': 'checkin-chart',
    'data-points': String(points.length),
  });
  const inner = h('div', { class: 'checkin-chart-canvas', 'aria-hidden': 'true' });
  frame.append(inner);

  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: '12px system-ui, sans-serif' };
  const levelSeries = (level) => ({
    label: t(`checkin.level.${level}`),
    stroke: colours[level],
    fill: colours[level],
    width: 0,
    paths: () => null,
    points: { show: true, size: 11, width: 1.5, stroke: level === 'yellow' ? surface : colours[level], fill: colours[level], paths: shapePaths(SHAPES[level]) },
  });
  const opts = {
    width: 320,
    height: 200,
    legend: { show: false },
    cursor: { show: false },
    select: { show: false },
    scales: { x: { time: true, range: [start, end] }, y: { range: [0, 10] } },
    axes: [
      { ...axis, space: 60, values: (u, splits) => splits.map(dayLabel) },
      { ...axis, size: 32, splits: () => [0, 2, 4, 6, 8, 10] },
    ],
    series: [
      {},
      { label: t('checkin.trend.pressure'), stroke: line, width: 1.5, points: { show: false }, spanGaps: true },
      levelSeries('green'),
      levelSeries('yellow'),
      levelSeries('red'),
    ],
  };
  const plot = new uPlot(opts, [xs, pressure, byLevel('green'), byLevel('yellow'), byLevel('red')], inner);
  const fit = () => {
    const width = Math.max(240, Math.floor(frame.clientWidth || 320));
    if (width !== plot.width) plot.setSize({ width, height: width < 500 ? 200 : 240 });
  };
  if ('ResizeObserver' in window) {
    const observer = new ResizeObserver(fit);
    observer.observe(frame);
  }
  requestAnimationFrame(fit);
  return frame;
}

/** The key to the shapes, in HTML (shape and word together). */
export function chartKey(levelMarkFn) {
  return h(
    'ul',
    { class: 'checkin-key' },
    ['green', 'yellow', 'red'].map((level) => h('li', null, levelMarkFn(level), t(`checkin.trend.key.${level}`))),
  );
}
