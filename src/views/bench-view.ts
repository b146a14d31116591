import { PERCENTILES, type BenchResult, type QueryResult, type SideTimings } from '../bench/bench-result';
import { context, duration, escapeText, header, mention, section, slackTime, withinLimits, type MessageView } from './slack-text';

const ms = (v: number) => `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ms`;

function figure(s: SideTimings, p: (typeof PERCENTILES)[number]): string {
  const v = s[p];
  return v === undefined ? '?' : ms(v);
}

/** One query's line: its verdict, then each percentile as source → target (ratio). */
function queryLine(q: QueryResult, compare: string): string {
  const icon = q.verdict === 'go' ? ':white_check_mark: GO' : ':no_entry: NO-GO';
  const cells = PERCENTILES.map((p) => {
    const r = q.ratio[p];
    const ratio = r === undefined ? '' : ` (${r.toFixed(2)}×)`;
    const text = `${p} ${figure(q.source, p)} → ${figure(q.target, p)}${ratio}`;
    return p === compare ? `*${text}*` : text;
  });
  const why = q.why ? `\n      ${q.source.refusedAsWrite || q.target.refusedAsWrite ? ':no_entry_sign: ' : ':warning: '}${escapeText(q.why)}` : '';
  return `${icon} *${escapeText(q.name)}* — ${cells.join(' · ')}${why}`;
}

/** A hop's latency bench: p50/p95/p99 per query on source and target, target ÷ source, and the verdict. */
export function benchView(r: BenchResult): MessageView {
  const go = r.verdict === 'go';
  const title = `${go ? '✅ GO' : '⛔ NO-GO'}: latency of ${r.target} against ${r.source} (${r.hop})`;
  const refusedWrites = r.queries.filter((q) => q.source.refusedAsWrite || q.target.refusedAsWrite).map((q) => q.name);
  const blocks = [
    header(title),
    section(
      go
        ? `Every query's ${r.compare} on the target is within ${r.maxRatio}× the source's.`
        : `${r.queries.filter((q) => q.verdict !== 'go').length} of ${r.queries.length} queries are NO-GO against \`bench.max_ratio\` ${r.maxRatio} (at ${r.compare}); a query that failed or did not run is NO-GO.`,
    ),
    ...(refusedWrites.length
      ? [section(`:no_entry_sign: *Refused as writes:* ${refusedWrites.map((n) => `*${escapeText(n)}*`).join(', ')}. The READ ONLY transaction every bench query runs in refused them, so nothing was written; \`bench.queries\` must only read.`)]
      : []),
    ...(r.stopped ? [section(`:warning: *Stopped early:* ${escapeText(r.stopped)}. What did not run is NO-GO.`)] : []),
    ...r.queries.map((q) => section(queryLine(q, r.compare))),
    context(
      `Source → target, timed from where the bot runs (network included). ${r.runs} timed runs after ${r.warmup} warm-up, ${r.concurrency} connection${r.concurrency === 1 ? '' : 's'} at once on each side, each run in a READ ONLY transaction under a statement timeout. Run by ${mention(r.user)} at ${slackTime(r.startedAt)}, took ${duration(r.finishedAt - r.startedAt)}. Kept for the report.`,
    ),
  ];
  const text = `${title}: ${r.queries.map((q) => `${q.name} ${q.verdict === 'go' ? 'GO' : 'NO-GO'}${q.ratio[r.compare] === undefined ? '' : ` ${q.ratio[r.compare]!.toFixed(2)}×`}`).join(', ')}`;
  return withinLimits({ text, blocks });
}
