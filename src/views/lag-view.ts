import type { KnownBlock } from '@slack/types';
import type { CatchUpEstimate } from '../checks/catch-up-eta';
import type { CheckResult, CheckStatus } from '../checks/check-result';
import type { LagSample } from '../checks/lag-sample';
import { formatBytes, formatSeconds } from '../checks/units';
import type { Transport } from '../db/tls-options';
import type { Hop } from '../plan/plan';
import { sparkline } from './sparkline';
import { context, duration, escapeText, header, section, slackTime, withinLimits, type MessageView } from './slack-text';

export const STATUS_ICON: Record<CheckStatus, string> = { ok: ':large_green_circle:', warn: ':large_yellow_circle:', fail: ':red_circle:', unknown: ':white_circle:' };

export function checkLine(c: CheckResult): string {
  const value = c.value ? ` ${c.value}` : '';
  const threshold = c.threshold ? ` (${c.threshold})` : '';
  const detail = c.detail ? ` — ${escapeText(c.detail)}` : '';
  const said = value || threshold || c.status === 'unknown' || detail || c.by;
  return `${STATUS_ICON[c.status]} *${c.label}${said ? ':' : ''}*${value}${c.by ? ` by ${c.by === 'bot' ? 'the bot' : `<@${c.by}>`}` : ''}${threshold}${c.status === 'unknown' ? ' _unknown_' : ''}${detail}`;
}

/** The lag as its check reads it: no figure when the heartbeat cannot be trusted, even if the sample holds one. */
function lagWords(checks: CheckResult[]): string | undefined {
  return checks.find((c) => c.id === 'lag.heartbeat')?.value;
}

/** Lag over a window, for people: min / max / first → last, and a sparkline. */
export function trendLine(samples: LagSample[]): string {
  const values = samples.map((s) => s.heartbeatLagSeconds);
  const known = values.filter((v): v is number => v !== null);
  if (!known.length) return samples.length ? `no known lag in ${samples.length} samples` : 'no samples yet';
  const unknown = values.length - known.length;
  return `\`${sparkline(values)}\` min ${formatSeconds(Math.min(...known))}, max ${formatSeconds(Math.max(...known))}, ${formatSeconds(known[0])} → ${formatSeconds(known[known.length - 1])}${unknown ? `, ${unknown} unknown` : ''}`;
}

function walDetails(s: LagSample): string[] {
  const lines: string[] = [];
  if (s.receiveBacklogBytes !== null) lines.push(`Not yet received: ${formatBytes(s.receiveBacklogBytes)} · received, not replayed: ${formatBytes(s.replayBacklogBytes ?? 0)}`);
  if (s.standby?.lastReplayAt) lines.push(`Last replayed transaction: ${slackTime(s.standby.lastReplayAt)}`);
  const replicas = (label: string, r: LagSample['sourceReplicas']) => {
    if (r === null) return;
    if (r === 'hidden') lines.push(`${label} standbys: hidden (the role lacks pg_monitor)`);
    else lines.push(`${label} standbys: ${r.length ? r.map((x) => `${escapeText(x.name || '?')} ${x.state}`).join(', ') : 'none'}`);
  };
  replicas('Source', s.sourceReplicas);
  replicas('Target', s.targetReplicas);
  for (const [label, a] of [
    ['Source', s.sourceArchiver],
    ['Target', s.targetArchiver],
  ] as const) {
    if (a) lines.push(`${label} WAL archiving: ${a.mode === 'off' ? 'off' : `${a.archived} archived${a.lastArchivedAt ? ` (last ${slackTime(a.lastArchivedAt)})` : ''}, ${a.failed} failed`}`);
  }
  return lines;
}

const TRANSPORT_WORDS: Record<Transport, string> = {
  plain: ':warning: plain (not encrypted)',
  encrypted: 'encrypted, certificate not verified',
  'encrypted, CA verified': 'encrypted, CA verified (host name not checked)',
  'encrypted and verified': 'encrypted and verified',
};

/** How the bot reaches each end of the hop: plain, encrypted, or encrypted and verified (none before the first connection). */
export function connectionLine(hop: Hop, s: LagSample): string | undefined {
  const end = (label: string, id: string, t: Transport | undefined) => `${label} ${escapeText(id)} ${t ? TRANSPORT_WORDS[t] : 'not connected yet'}`;
  if (!s.sourceTransport && !s.targetTransport) return undefined;
  return `*Connections:* ${end('source', hop.source.id, s.sourceTransport)} · ${end('target', hop.target.id, s.targetTransport)}`;
}

/** `/migrate lag`: every metric with its unit, the trend, and where the chart is. */
export function lagView(hop: Hop, sample: LagSample, checks: CheckResult[], trend: LagSample[], chartNote: string, catchUp?: CatchUpEstimate): MessageView {
  const blocks: KnownBlock[] = [
    header(`Lag: ${hop.id} (${hop.method})`),
    section(checks.map(checkLine).join('\n')),
  ];
  const details = walDetails(sample);
  const connections = connectionLine(hop, sample);
  if (connections) details.push(connections);
  if (details.length) blocks.push(section(details.join('\n')));
  blocks.push(section(`*Last 30 min:* ${trendLine(trend)}${catchUp ? `\n${catchUpLine(catchUp)}` : ''}`));
  blocks.push(context(`Sampled ${slackTime(sample.at)} · source ${sample.source.ms} ms, target ${sample.target.ms} ms · ${chartNote}`));
  return withinLimits({ text: `Lag on ${hop.id}: ${lagWords(checks) ?? 'unknown'}`, blocks });
}

/** The periodic channel update: one concise message. */
export function channelUpdateView(hop: Hop, sample: LagSample | undefined, checks: CheckResult[], trend: LagSample[], openIncidents: number, extraLines: string[] = [], catchUp?: CatchUpEstimate): MessageView {
  const extra = extraLines.length ? `\n${extraLines.join('\n')}` : '';
  if (!sample) return { text: `${hop.id}: no lag sample yet`, blocks: [section(`:hourglass: *${hop.id}*: no lag sample yet.${extra}`)] };
  const lag = lagWords(checks);
  const bad = checks.filter((c) => c.status !== 'ok');
  const summary = `*${hop.id}* lag ${lag ?? '*unknown*'}${sample.byteLag !== null ? ` · ${formatBytes(sample.byteLag)} WAL behind` : ''}`;
  const blocks: KnownBlock[] = [
    section(`:bar_chart: ${summary}\n${bad.length ? bad.map(checkLine).join('\n') : ':large_green_circle: all lag checks ok'}\n*Last 30 min:* ${trendLine(trend)}${catchUp ? `\n${catchUpLine(catchUp)}` : ''}${extra}`),
    context(`${slackTime(sample.at)} · ${openIncidents} open alert${openIncidents === 1 ? '' : 's'} · \`/migrate lag\` for details`),
  ];
  return { text: `${hop.id}: lag ${lag ?? 'unknown'}`, blocks };
}

const perMin = (bytes: number) => `${formatBytes(Math.max(0, bytes))}/min`;

/** When the target will be caught up, in one line: "caught up in about 3 h 10 min", "falling behind: …". */
export function catchUpLine(e: CatchUpEstimate): string {
  const label = '*Catch-up:*';
  const from = e.basis?.of === 'heartbeat' ? ` — from the heartbeat lag; ${escapeText(e.basis.why)}` : '';
  switch (e.kind) {
    case 'caught-up':
      return `${label} caught up${e.rates ? ` (${rateWords(e.rates)})` : ''}${from}`;
    case 'promoted':
      return `${label} the target is promoted: nothing left to replay`;
    case 'not-enough-samples':
      if (e.basis?.of === 'cdc-latency') return `${label} not known yet: ${cdcPointWords(e, e.basis.windowMs)}`;
      return `${label} not enough samples yet (${e.samples} over ${duration(e.spanMs)}; needs ${e.needSamples} over ${duration(e.needSpanMs)})${from}`;
    case 'catching-up':
      return `${label} caught up in about ${duration(Math.max(60_000, e.etaMs))} (${rateWords(e.rates)})${from}`;
    case 'falling-behind':
      return `${label} :warning: falling behind: ${rateWords(e.rates)}${from}`;
  }
}

function cdcPointWords(e: Extract<CatchUpEstimate, { kind: 'not-enough-samples' }>, windowMs: number): string {
  const need = `needs ${e.needSamples} over ${duration(e.needSpanMs)}`;
  if (e.samples === 0) return `CloudWatch has no CDCLatencyTarget point in the last ${duration(windowMs)} (${need})`;
  return `CloudWatch has ${e.samples} CDCLatencyTarget point${e.samples === 1 ? '' : 's'} over ${duration(e.spanMs)} in the last ${duration(windowMs)} (${need})`;
}

function rateWords(r: Extract<CatchUpEstimate, { rates: unknown }>['rates']): string {
  if (r.unit === 'bytes') return `the source writes ${perMin(r.writePerMin)}, the standby replays ${perMin(r.replayPerMin)}; ${formatBytes(r.backlog)} behind`;
  if (r.unit === 'cdc-seconds') {
    const source = r.source ? `; ${formatSeconds(r.source.seconds)} at the source, ${latencyChange(r.source.changePerMin)}` : '';
    return `CloudWatch CDC latency ${formatSeconds(r.target.seconds)} at the target, ${latencyChange(r.target.changePerMin)}${source}`;
  }
  const change = r.lagChangePerMin >= 0 ? `grows ${formatSeconds(r.lagChangePerMin)} a minute` : `shrinks ${formatSeconds(-r.lagChangePerMin)} a minute`;
  return `the end-to-end lag is ${formatSeconds(r.lag)} and ${change}`;
}

/** "rising 40 s a minute", "falling 30 s a minute", or "steady" when the change would show as 0.0 s. */
function latencyChange(perMin: number): string {
  if (Math.abs(perMin) < 0.05) return 'steady';
  return `${perMin > 0 ? 'rising' : 'falling'} ${formatSeconds(Math.abs(perMin))} a minute`;
}
