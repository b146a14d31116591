import { Resvg } from '@resvg/resvg-js';
import type { LagSample } from '../checks/lag-sample';

const W = 800;
const H = 300;
const PAD = { left: 60, right: 20, top: 40, bottom: 40 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** The lag chart as SVG: heartbeat lag over time, the threshold as a dashed line, unknown samples as red ticks. */
export function lagChartSvg(samples: LagSample[], title: string, thresholdSeconds: number): string {
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
  const minutes = ((t1 - t0) / 60000).toFixed(0);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="${PAD.left}" y="24" font-family="DejaVu Sans" font-size="16" fill="#1d3557">${esc(title)}</text>
<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#999"/>
<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#999"/>
<text x="8" y="${PAD.top + 4}" font-family="DejaVu Sans" font-size="12" fill="#555">${yMax.toFixed(0)} s</text>
<text x="8" y="${H - PAD.bottom}" font-family="DejaVu Sans" font-size="12" fill="#555">0 s</text>
<text x="${W - PAD.right - 120}" y="${H - 12}" font-family="DejaVu Sans" font-size="12" fill="#555">last ${minutes} min</text>
<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(thresholdSeconds).toFixed(1)}" y2="${y(thresholdSeconds).toFixed(1)}" stroke="#f77f00" stroke-dasharray="6 4"/>
<text x="${W - PAD.right - 110}" y="${(y(thresholdSeconds) - 6).toFixed(1)}" font-family="DejaVu Sans" font-size="12" fill="#f77f00">max ${thresholdSeconds} s</text>
${segments.map((p) => `<polyline points="${p}" fill="none" stroke="#457b9d" stroke-width="2"/>`).join('\n')}
${unknownTicks.join('\n')}
</svg>`;
}

/** The lag chart as a PNG, ready to upload. */
export function lagChartPng(samples: LagSample[], title: string, thresholdSeconds: number): Buffer {
  const svg = lagChartSvg(samples, title, thresholdSeconds);
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}
