/**
 * The review progress chart of the report: inline SVG (no script, no external resource), images reviewed or committed
 * (a wide pale band) and images committed (a line over it, so both show where they are equal) over time, up to the
 * report's time, under a dashed line at the dataset's size. Colours come from the page's CSS variables, so the chart
 * follows the light and dark scheme.
 */
import type { ProgressPoint } from './reviewHistory';
import { html, type Markup } from './markup';

const WIDTH = 720;
const HEIGHT = 260;
const MARGIN = { left: 52, right: 20, top: 30, bottom: 40 };
const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;

/** "2026-11-29"; "11-29 14:03" when the history spans less than two days; "14:03:12" under ten minutes (UTC, as the evidence states times). */
function timeLabel(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  if (spanMs < 10 * MINUTE_MS) return iso.slice(11, 19);
  return spanMs < 48 * HOUR_MS ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}

function stepPath(points: ReadonlyArray<{ x: number; y: number }>, endX: number): string {
  if (points.length === 0) return '';
  let path = `M${points[0].x.toFixed(1)},${points[0].y.toFixed(1)}`;
  for (const point of points.slice(1)) path += `H${point.x.toFixed(1)}V${point.y.toFixed(1)}`;
  return `${path}H${endX.toFixed(1)}`;
}

export function progressChart(progress: readonly ProgressPoint[], total: number, until: string): Markup {
  if (progress.length === 0) return html`<p class="muted">No review activity recorded yet.</p>`;
  const times = progress.map((point) => Date.parse(point.at));
  const start = times[0];
  // Never past the report's time; a history within one second still gets a width.
  const span = Math.max(Date.parse(until) - start, times[times.length - 1] - start, 1000);
  const height = Math.max(total, ...progress.map((point) => point.done), 1);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (ms: number) => MARGIN.left + ((ms - start) / span) * plotW;
  const y = (count: number) => MARGIN.top + plotH - (count / height) * plotH;
  const series = (pick: (point: ProgressPoint) => number) => stepPath(progress.map((point, index) => ({ x: x(times[index]), y: y(pick(point)) })), x(start + span));
  const yTicks = [...new Set([0, Math.round(height / 2), height])];
  const xTicks = [start, start + span / 2, start + span];
  const last = progress[progress.length - 1];
  const summary = `Review progress: ${last.done} of ${total} images reviewed or committed, ${last.committed} committed, from ${timeLabel(start, span)} to ${timeLabel(start + span, span)}`;
  return html`<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${summary}" xmlns="http://www.w3.org/2000/svg">
  <title>${summary}</title>
  ${yTicks.map((tick) => html`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}"/><text class="tick" x="${MARGIN.left - 8}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end">${tick}</text>`)}
  ${xTicks.map((tick, index) => html`<text class="tick" x="${x(tick).toFixed(1)}" y="${HEIGHT - MARGIN.bottom + 20}" text-anchor="${['start', 'middle', 'end'][index]}">${timeLabel(tick, span)}</text>`)}
  <line class="axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(0)}" y2="${y(0)}"/>
  <line class="total" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(total).toFixed(1)}" y2="${y(total).toFixed(1)}"/>
  <path class="series done" d="${series((point) => point.done)}"/>
  <path class="series committed" d="${series((point) => point.committed)}"/>
  <g class="legend" transform="translate(${MARGIN.left}, 12)">
    <line class="series done" x1="0" x2="18" y1="0" y2="0"/><text x="24" y="4">reviewed or committed (${last.done})</text>
    <line class="series committed" x1="220" x2="238" y1="0" y2="0"/><text x="244" y="4">committed (${last.committed})</text>
    <line class="total" x1="380" x2="398" y1="0" y2="0"/><text x="404" y="4">images in the dataset (${total})</text>
  </g>
</svg>`;
}
