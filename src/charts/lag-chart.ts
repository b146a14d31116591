import { svgText, svgToPng } from './svg';
import type { LagSample } from '../checks/lag-sample';
import { duration } from '../views/slack-text';
import { timeTicks, zoneClock } from './time-axis';

const W = 800;
const H = 300;
const PAD = { left: 60, right: 20, top: 40, bottom: 48 };


/**
 * The lag chart as SVG: heartbeat lag over time, the threshold as a dashed line, unknown samples as red
 * ticks, with a legend. The title ends with the span actually plotted ("09:30–10:00 UTC, 30 min") and the
 * time axis shows clock times in `timeZone` (the plan's `schedule.timezone`; UTC by default).
 */
export function lagChartSvg(samples: LagSample[], title: string, thresholdSeconds: number, timeZone = 'UTC'): string {
  const t0 = samples[0]?.at ?? 0;
  const t1 = Math.max(samples[samples.length - 1]?.at ?? 1, t0 + 1);
  const known = samples.map((s) => s.heartbeatLagSeconds).filter((v): v is number => v !== null);
  const yMax = Math.max(thresholdSeconds * 1.2, ...known, 1);
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / yMax) * (H - PAD.top - PAD.bottom);
  const segments: string[] = [];
  let current: string[] = [];
  for (const s of samples) {
    if (s.heartbeatLagSeconds === null) {
      if (current.length) segments.push(current.join(' '));
      current = [];
    } else current.push(`${x(s.at).toFixed(1)},${y(s.heartbeatLagSeconds).toFixed(1)}`);
  }
  if (current.length) segments.push(current.join(' '));
  const unknownTicks = samples
    .filter((s) => s.heartbeatLagSeconds === null)
    .map((s) => `<line x1="${x(s.at).toFixed(1)}" x2="${x(s.at).toFixed(1)}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom - 10}" stroke="#d62828" stroke-width="2"/>`);
  const clock = zoneClock(timeZone);
  const short = t1 - t0 < 120_000;
  const span = `${clock(t0, short)}–${clock(t1, short)} ${timeZone}, ${duration(t1 - t0)}`;
  const ticks = timeTicks(t0, t1, timeZone).map(
    (t) => `<line x1="${x(t.at).toFixed(1)}" x2="${x(t.at).toFixed(1)}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom + 4}" stroke="#999"/>
<text x="${x(t.at).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-family="DejaVu Sans" font-size="11" fill="#555">${t.label}</text>`,
  );
  const legendY = H - 8;
  const legend = `<g class="legend">
<line x1="${PAD.left}" x2="${PAD.left + 20}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="#457b9d" stroke-width="2"/><text x="${PAD.left + 26}" y="${legendY}" font-family="DejaVu Sans" font-size="11" fill="#555">heartbeat lag</text>
<line x1="${PAD.left + 130}" x2="${PAD.left + 150}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="#f77f00" stroke-dasharray="6 4"/><text x="${PAD.left + 156}" y="${legendY}" font-family="DejaVu Sans" font-size="11" fill="#555">max lag (gate)</text>
<line x1="${PAD.left + 270}" x2="${PAD.left + 270}" y1="${legendY}" y2="${legendY - 10}" stroke="#d62828" stroke-width="2"/><text x="${PAD.left + 278}" y="${legendY}" font-family="DejaVu Sans" font-size="11" fill="#555">unknown: a sample that could not tell the lag</text>
<text x="${W - PAD.right}" y="${legendY}" text-anchor="end" font-family="DejaVu Sans" font-size="11" fill="#555">time (${svgText(timeZone)})</text>
</g>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="${PAD.left}" y="24" font-family="DejaVu Sans" font-size="16" fill="#1d3557">${svgText(`${title}, ${span}`)}</text>
<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#999"/>
<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#999"/>
<text x="8" y="${PAD.top + 4}" font-family="DejaVu Sans" font-size="12" fill="#555">${yMax.toFixed(0)} s</text>
<text x="8" y="${H - PAD.bottom}" font-family="DejaVu Sans" font-size="12" fill="#555">0 s</text>
${ticks.join('\n')}
${legend}
<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(thresholdSeconds).toFixed(1)}" y2="${y(thresholdSeconds).toFixed(1)}" stroke="#f77f00" stroke-dasharray="6 4"/>
<text x="${W - PAD.right - 110}" y="${(y(thresholdSeconds) - 6).toFixed(1)}" font-family="DejaVu Sans" font-size="12" fill="#f77f00">max ${thresholdSeconds} s</text>
${segments.map((p) => `<polyline points="${p}" fill="none" stroke="#457b9d" stroke-width="2"/>`).join('\n')}
${unknownTicks.join('\n')}
</svg>`;
}

/** The lag chart as a PNG, ready to upload. */
export function lagChartPng(samples: LagSample[], title: string, thresholdSeconds: number, timeZone = 'UTC'): Buffer {
  const svg = lagChartSvg(samples, title, thresholdSeconds, timeZone);
  return svgToPng(svg);
}
