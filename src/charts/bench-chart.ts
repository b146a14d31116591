import { svgText, svgToPng } from './svg';
import { PERCENTILES, type BenchResult } from '../bench/bench-result';

const H = 340;
const PAD = { left: 70, right: 20, top: 60, bottom: 70 };
const GROUP = 170;
const COLOR = { source: '#457b9d', target: '#f77f00' };
const FONT = 'font-family="DejaVu Sans"';

const ms = (v: number) => (v >= 1 ? String(Math.round(v)) : String(Number(v.toPrecision(1))));

/** The bench as SVG (log scale): per query, p50/p95/p99 on the source and the target side by side, with the ratio and verdict under it. */
export function benchChartSvg(r: BenchResult): string {
  const W = Math.max(800, PAD.left + PAD.right + GROUP * r.queries.length);
  const values = r.queries.flatMap((q) => PERCENTILES.flatMap((p) => [q.source[p], q.target[p]])).filter((v): v is number => v !== undefined && v > 0);
  // A log scale: a 0.3 ms lookup and a 40 ms scan both stay readable, and equal ratios look equal.
  const lo = Math.floor(Math.log10(Math.min(...values, 1)));
  const hi = Math.max(Math.ceil(Math.log10(Math.max(...values, 1))), lo + 1);
  const y = (v: number) => H - PAD.bottom - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const grid = Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i)).map(
    (v) => `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/><text x="8" y="${(y(v) + 4).toFixed(1)}" ${FONT} font-size="12" fill="#555">${ms(v)} ms</text>`,
  );
  const bars: string[] = [];
  r.queries.forEach((q, i) => {
    const x0 = PAD.left + i * GROUP + 10;
    PERCENTILES.forEach((p, j) => {
      (['source', 'target'] as const).forEach((side, k) => {
        const v = q[side][p];
        const x = x0 + j * 50 + k * 20;
        if (v === undefined) bars.push(`<text x="${x + 4}" y="${H - PAD.bottom - 4}" ${FONT} font-size="12" fill="#d62828">?</text>`);
        else bars.push(`<rect x="${x}" y="${y(v).toFixed(1)}" width="18" height="${(H - PAD.bottom - y(v)).toFixed(1)}" fill="${COLOR[side]}"/>`);
      });
      bars.push(`<text x="${x0 + j * 50 + 6}" y="${H - PAD.bottom + 14}" ${FONT} font-size="11" fill="#555">${p}</text>`);
    });
    const ratio = q.ratio[r.compare];
    const verdict = q.verdict === 'go' ? 'GO' : 'NO-GO';
    bars.push(`<text x="${x0}" y="${H - PAD.bottom + 32}" ${FONT} font-size="12" fill="#1d3557">${svgText(q.name.slice(0, 22))}</text>`);
    bars.push(`<text x="${x0}" y="${H - PAD.bottom + 50}" ${FONT} font-size="12" fill="${q.verdict === 'go' ? '#2a9d8f' : '#d62828'}">${ratio === undefined ? '' : `${ratio.toFixed(2)}× ${r.compare} · `}${verdict}</text>`);
  });
  const title = `Query latency on ${r.hop}: ${r.source} (source) vs ${r.target} (target), ${r.runs} runs each, max ${r.maxRatio}×`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="${PAD.left}" y="24" ${FONT} font-size="15" fill="#1d3557">${svgText(title)}</text>
<rect x="${PAD.left}" y="36" width="12" height="12" fill="${COLOR.source}"/><text x="${PAD.left + 18}" y="46" ${FONT} font-size="12" fill="#555">${svgText(r.source)} (source)</text>
<rect x="${PAD.left + 200}" y="36" width="12" height="12" fill="${COLOR.target}"/><text x="${PAD.left + 218}" y="46" ${FONT} font-size="12" fill="#555">${svgText(r.target)} (target)</text>
<text x="${PAD.left + 400}" y="46" ${FONT} font-size="12" fill="#d62828">? no figure (failed or not run)</text>
<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#999"/>
<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#999"/>
${grid.join('\n')}
${bars.join('\n')}
</svg>`;
}

/** The bench chart as a PNG, ready to upload. */
export function benchChartPng(r: BenchResult): Buffer {
  return svgToPng(benchChartSvg(r));
}
