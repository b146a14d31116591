import { PERCENTILES, type BenchResult, type SideTimings } from '../bench/bench-result';
import { benchChartPng } from '../charts/bench-chart';
import type { HopReport } from './gather-report';
import { escapeHtml as e, htmlTable, reportTime } from './html-parts';

const ms = (t: SideTimings) => (t.failure ? `failed: ${t.failure}` : PERCENTILES.map((p) => `${p} ${t[p]?.toFixed(2) ?? '?'} ms`).join(' · '));

/** The latency benches of each hop (`/migrate bench`), newest first; the newest of each hop with its chart. */
export function benchSection(hops: HopReport[]): string {
  const benched = hops.filter((h) => h.benches.length);
  if (!benched.length) return '<section id="bench"><h2>Latency bench</h2><p class="muted">No bench was run.</p></section>';
  return `<section id="bench"><h2>Latency bench</h2>${benched.map((h) => h.benches.map((b, i) => oneBench(b, i === 0)).join('\n')).join('\n')}</section>`;
}

function oneBench(b: BenchResult, withChart: boolean): string {
  const verdict = `<span class="${b.verdict === 'go' ? 'ok' : 'bad'}">${e(b.verdict === 'go' ? 'GO' : 'NO-GO')}</span>`;
  const head = `<h3>${e(b.hop)}: ${e(b.source)} → ${e(b.target)}, ${e(reportTime(b.startedAt))} by ${e(b.user)}: ${verdict}</h3>
<p>${e(`${b.runs} runs after ${b.warmup} warm-up, concurrency ${b.concurrency}; ${b.compare} compared against max ratio ${b.maxRatio}.`)}${b.stopped ? ` <span class="warn">Stopped early: ${e(b.stopped)}</span>` : ''}</p>`;
  const rows = b.queries.map((q) => [e(q.name), e(ms(q.source)), e(ms(q.target)), e(PERCENTILES.map((p) => `${p} ${q.ratio[p]?.toFixed(2) ?? '?'}×`).join(' · ')), `${q.verdict === 'go' ? '<span class="ok">GO</span>' : '<span class="bad">NO-GO</span>'}${q.why ? ` ${e(q.why)}` : ''}`]);
  const chart = withChart && b.queries.length ? `<figure class="bench-chart"><img alt="${e(`Bench of ${b.hop}`)}" src="data:image/png;base64,${benchChartPng(b).toString('base64')}"></figure>` : '';
  return `<div class="bench">${head}${htmlTable(['Query', 'Source', 'Target', 'Target ÷ source', 'Verdict'], rows)}${chart}</div>`;
}
