import { svgText, svgToPng } from './svg';
import { zoneClock } from './time-axis';
import type { ErrorRateSample } from '../state/error-rate-store';

const W = 800;
const H = 300;
const PAD = { left: 60, right: 20, top: 40, bottom: 40 };
const FONT = 'font-family="DejaVu Sans"';

// Seconds only when the window is short enough that minutes would read the same at both ends.
const utcClock = zoneClock('UTC');
const clock = (ms: number, short: boolean) => `${utcClock(ms, short)} UTC`;

/**
 * The app's error rate as SVG: errors per minute at each reading, the trailing baseline dashed, marks
 * where writes stopped and came back, and real times on the time axis.
 */
export function errorRateChartSvg(samples: ErrorRateSample[], title: string, marks: { at: number; label: string }[] = []): string {
  const t0 = samples[0]?.at ?? 0;
  const t1 = Math.max(samples[samples.length - 1]?.at ?? 1, t0 + 1);
  const yMax = Math.max(1, ...samples.flatMap((s) => [s.perMinute, s.baselinePerMinute])) * 1.2;
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / yMax) * (H - PAD.top - PAD.bottom);
  const line = (pick: (s: ErrorRateSample) => number) => samples.map((s) => `${x(s.at).toFixed(1)},${y(pick(s)).toFixed(1)}`).join(' ');
  const markLines = marks
    .filter((m) => m.at >= t0 && m.at <= t1)
    .map((m, i) => {
      // Labels in the right half end at their line, and each sits a line below the previous one, so none is cut off or overlaps.
      const right = x(m.at) > W / 2;
      const tx = right ? x(m.at) - 3 : x(m.at) + 3;
      return `<line x1="${x(m.at).toFixed(1)}" x2="${x(m.at).toFixed(1)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#6a4c93" stroke-dasharray="2 3"/><text x="${tx.toFixed(1)}" y="${PAD.top + 12 + i * 14}" ${FONT} font-size="11" fill="#6a4c93"${right ? ' text-anchor="end"' : ''}>${svgText(m.label)}</text>`;
    });
  const short = t1 - t0 < 10 * 60_000;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="${PAD.left}" y="24" ${FONT} font-size="16" fill="#1d3557">${svgText(title)}</text>
<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#999"/>
<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#999"/>
<text x="4" y="${PAD.top + 4}" ${FONT} font-size="12" fill="#555">${yMax.toFixed(1)}/min</text>
<text x="4" y="${H - PAD.bottom}" ${FONT} font-size="12" fill="#555">0/min</text>
<text x="${PAD.left}" y="${H - 12}" ${FONT} font-size="12" fill="#555">${clock(t0, short)}</text>
<text x="${W - PAD.right}" y="${H - 12}" ${FONT} font-size="12" fill="#555" text-anchor="end">${clock(t1, short)}</text>
<text x="${W / 2 - 110}" y="${H - 12}" ${FONT} font-size="12" fill="#555"><tspan fill="#d62828">— errors/min</tspan>  <tspan fill="#f77f00">- - baseline</tspan></text>
${markLines.join('\n')}
<polyline points="${line((s) => s.baselinePerMinute)}" fill="none" stroke="#f77f00" stroke-dasharray="6 4"/>
<polyline points="${line((s) => s.perMinute)}" fill="none" stroke="#d62828" stroke-width="2"/>
</svg>`;
}

/** The error-rate chart as a PNG. */
export function errorRateChartPng(samples: ErrorRateSample[], title: string, marks: { at: number; label: string }[] = []): Buffer {
  return svgToPng(errorRateChartSvg(samples, title, marks));
}
