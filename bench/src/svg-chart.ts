/** A small, dependency-free SVG line chart: panels stacked vertically, sharing one time axis. */

export interface Series {
  name: string;
  /** [seconds, value] */
  points: readonly (readonly [number, number])[];
}

export interface Panel {
  title: string;
  unit: string;
  series: Series[];
  /** A horizontal line (e.g. a target). */
  limit?: { value: number; label: string };
}

export interface Chart {
  title: string;
  panels: Panel[];
  /** Vertical lines on every panel, e.g. where the load stopped. */
  markers?: { at: number; label: string }[];
}

const WIDTH = 900;
const PANEL_HEIGHT = 240;
const MARGIN = { left: 70, right: 160, top: 40, bottom: 40 };
const COLOURS = ['#d9480f', '#1971c2', '#2f9e44', '#7048e8', '#212529', '#0c8599', '#c2255c', '#f08c00'];

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** 1, 2 or 5 times a power of ten: about `count` ticks from 0 to `max`. */
function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const out: number[] = [];
  for (let v = 0; v <= max + step / 2 && out.length < 50; v += step) out.push(Math.round(v * 1e6) / 1e6);
  if (out.at(-1)! < max) out.push(out.at(-1)! + step);
  return out;
}

export function lineChart(chart: Chart): string {
  const allTimes = chart.panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([t]) => t)));
  const xTicks = ticks(Math.max(1, ...allTimes), 8);
  const xMax = xTicks.at(-1)!;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.bottom - 20;
  const height = MARGIN.top + chart.panels.length * PANEL_HEIGHT;
  const x = (t: number) => MARGIN.left + (t / xMax) * plotWidth;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${MARGIN.left}" y="24" font-size="15" font-weight="bold">${escape(chart.title)}</text>`,
  ];
  chart.panels.forEach((panel, index) => {
    const top = MARGIN.top + index * PANEL_HEIGHT + 20;
    const values = panel.series.flatMap((s) => s.points.map(([, v]) => v)).filter(Number.isFinite);
    const yTicks = ticks(Math.max(1, panel.limit?.value ?? 0, ...values));
    const yMax = yTicks.at(-1)!;
    const y = (v: number) => top + plotHeight - (v / yMax) * plotHeight;
    out.push(`<text x="${MARGIN.left}" y="${top - 6}" font-weight="bold">${escape(panel.title)} (${escape(panel.unit)})</text>`);
    for (const v of yTicks) {
      out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(v)}" y2="${y(v)}" stroke="#e9ecef"/>`);
      out.push(`<text x="${MARGIN.left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#495057">${v}</text>`);
    }
    for (const t of xTicks) {
      out.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${top}" y2="${top + plotHeight}" stroke="#f1f3f5"/>`);
      out.push(`<text x="${x(t)}" y="${top + plotHeight + 16}" text-anchor="middle" fill="#495057">${t} s</text>`);
    }
    out.push(`<rect x="${MARGIN.left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#adb5bd"/>`);
    if (panel.limit) {
      out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y(panel.limit.value)}" y2="${y(panel.limit.value)}" stroke="#c92a2a" stroke-dasharray="6 4"/>`);
      out.push(`<text x="${MARGIN.left + plotWidth - 4}" y="${y(panel.limit.value) - 4}" text-anchor="end" fill="#c92a2a">${escape(panel.limit.label)}</text>`);
    }
    (chart.markers ?? []).forEach((marker, i) => {
      out.push(`<line x1="${x(marker.at)}" x2="${x(marker.at)}" y1="${top}" y2="${top + plotHeight}" stroke="#868e96" stroke-dasharray="3 3"/>`);
      out.push(`<text x="${x(marker.at) + 4}" y="${top + 14 + i * 14}" fill="#868e96">${escape(marker.label)}</text>`);
    });
    panel.series.forEach((series, i) => {
      const colour = COLOURS[i % COLOURS.length]!;
      const path = series.points
        .filter(([, v]) => Number.isFinite(v))
        .map(([t, v], j) => `${j === 0 ? 'M' : 'L'}${x(t).toFixed(1)},${y(v).toFixed(1)}`)
        .join(' ');
      if (path) out.push(`<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
      const legendY = top + 14 + i * 18;
      out.push(`<line x1="${WIDTH - MARGIN.right + 12}" x2="${WIDTH - MARGIN.right + 32}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${colour}" stroke-width="3"/>`);
      out.push(`<text x="${WIDTH - MARGIN.right + 38}" y="${legendY}">${escape(series.name)}</text>`);
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
