import type { KnownBlock } from '@slack/types';
import { cdcState, type DmsReport } from '../dms/dms-report';
import type { DmsTableStat } from '../dms/dms-port';
import { tableName } from '../dms/table-summary';
import { context, duration, escapeText, header, section, slackTime, withinLimits, type MessageView } from './slack-text';

const STATUS_ICON: Record<string, string> = { running: ':large_green_circle:', failed: ':red_circle:', stopped: ':double_vertical_bar:', starting: ':arrows_counterclockwise:', stopping: ':arrows_counterclockwise:', ready: ':white_circle:' };

function progressBar(percent: number): string {
  const filled = Math.round(percent / 5);
  return `${'█'.repeat(filled)}${'░'.repeat(20 - filled)} ${percent}%`;
}

/** `/migrate dms status`: the task, its progress and ETA, its tables summarised. */
export function dmsStatusView(r: DmsReport): MessageView {
  if (r.error || !r.task) {
    const e = r.error!;
    const hint = e.kind === 'not-found' ? 'Check the task ARN/identifier and region in the plan.' : e.kind === 'access-denied' ? "The bot's AWS credentials need dms:Describe* permissions." : '';
    return { text: `DMS ${r.hop}: ${e.code}`, blocks: [section(`:red_circle: *DMS ${r.hop}: ${e.kind === 'not-found' ? 'task not found' : e.kind === 'access-denied' ? 'access denied' : 'API error'}* (${e.code})\n${escapeText(e.message)}\n${hint}`)] };
  }
  const t = r.task;
  const lines = [
    `${STATUS_ICON[t.status] ?? ':white_circle:'} *Status:* ${t.status}${t.stopReason ? ` — stop reason: ${escapeText(t.stopReason)}` : ''}`,
    t.lastFailureMessage ? `:x: *Last failure:* ${escapeText(t.lastFailureMessage)}` : '',
    `*Full load:* ${progressBar(t.fullLoadPercent ?? 0)}`,
    `*Tables:* ${t.tablesLoaded ?? 0} loaded · ${t.tablesLoading ?? 0} loading · ${t.tablesQueued ?? 0} queued · ${t.tablesErrored ?? 0} errored`,
    `*Elapsed:* ${t.elapsedMs !== undefined ? duration(t.elapsedMs) : '?'} · *ETA:* ${eta(r)}`,
    `*CDC:* ${cdcState(t)}`,
    cdcLatencyLine(r),
  ].filter(Boolean);
  const blocks: KnownBlock[] = [header(`DMS ${r.hop}: ${t.id}`), section(lines.join('\n'))];
  if (r.tables) {
    const s = r.tables;
    const states = Object.entries(s.byState).map(([k, v]) => `${escapeText(k)}: ${v}`).join(' · ');
    const slow = s.slowest.slice(0, 5).map((x) => `${escapeText(tableName(x.table))} ${duration(x.ms)}`).join(', ');
    blocks.push(
      section(
        [
          `*${s.total} tables* — ${states || 'none'}`,
          `*Errored:* ${s.errored.length ? s.errored.slice(0, 5).map((x) => escapeText(tableName(x))).join(', ') + (s.errored.length > 5 ? ` and ${s.errored.length - 5} more` : '') : 'none'}`,
          `*Validation problems:* ${s.validationProblems.length}`,
          `*Not loaded yet:* ${notLoaded(s.loading)}${slow ? ` · *slowest loads:* ${slow}` : ''}`,
        ].join('\n'),
      ),
    );
  }
  blocks.push(context(`As of ${slackTime(r.at)}${r.tables?.lastUpdatedAt ? ` · statistics updated ${slackTime(r.tables.lastUpdatedAt)}` : ''}`));
  return withinLimits({ text: `DMS ${r.hop}: ${t.status}, ${t.fullLoadPercent ?? 0}% loaded`, blocks });
}

/** "3 (1 loading, 2 queued)": the tables' own states, which the task's counters can trail. */
function notLoaded(tables: DmsTableStat[]): string {
  if (!tables.length) return 'none';
  const queued = tables.filter((t) => t.state === 'Before load').length;
  return `${tables.length} (${tables.length - queued} loading, ${queued} queued)`;
}

function cdcLatencyLine(r: DmsReport): string {
  const l = r.cdcLatency;
  if (l === undefined) return '';
  if (typeof l === 'string') return `:white_circle: *CDC latency (CloudWatch):* _unknown_ — ${escapeText(l)}`;
  const s = (v?: number) => (v === undefined ? '_no data_' : `${v.toFixed(1)} s`);
  return `*CDC latency (CloudWatch):* source ${s(l.sourceSeconds)}, target ${s(l.targetSeconds)}${l.at ? ` (${slackTime(l.at)})` : ''}`;
}

function eta(r: DmsReport): string {
  if ((r.task?.fullLoadPercent ?? 0) >= 100) return 'full load done';
  if (!r.eta) return 'not enough progress recorded yet';
  const rate = r.eta.ratePerHour >= 60 ? `${(r.eta.ratePerHour / 60).toFixed(1)}% a minute` : `${r.eta.ratePerHour.toFixed(1)}% an hour`;
  return `about ${duration(r.eta.etaMs)} (loading ${rate} lately)`;
}

export const TABLES_IN_MESSAGE = 20;

/** `/migrate dms tables`: the first rows in the message; the rest go to a CSV file. */
export function dmsTablesView(hop: string, kind: string, rows: DmsTableStat[]): MessageView {
  const shown = rows.slice(0, TABLES_IN_MESSAGE);
  const lines = shown.map(
    (t) => `• \`${escapeText(tableName(t))}\` ${escapeText(t.state)} · ${t.fullLoadRows} rows loaded${t.fullLoadErrorRows ? ` · ${t.fullLoadErrorRows} error rows` : ''}${t.validationFailed ? ` · ${t.validationFailed} validation failures` : ''}${t.validationState ? ` · validation: ${escapeText(t.validationState)}` : ''}`,
  );
  const more = rows.length > shown.length ? `\n…and ${rows.length - shown.length} more: see the CSV file posted in this channel.` : '';
  return withinLimits({ text: `DMS ${hop}: ${rows.length} ${kind} tables`, blocks: [section(`*DMS ${hop}: ${rows.length} ${kind} tables*\n${lines.join('\n') || 'none'}${more}`)] });
}

/** The full table list as CSV (quoted), for a file. */
export function tablesCsv(rows: DmsTableStat[]): string {
  const q = (v: unknown) => `"${String(v ?? '').replace(/"/g, '""')}"`;
  const head = ['schema', 'table', 'state', 'full_load_rows', 'full_load_error_rows', 'inserts', 'updates', 'deletes', 'validation_state', 'validation_failed', 'validation_pending', 'validation_suspended'];
  const body = rows.map((t) => [t.schema, t.table, t.state, t.fullLoadRows, t.fullLoadErrorRows, t.inserts, t.updates, t.deletes, t.validationState, t.validationFailed, t.validationPending, t.validationSuspended].map(q).join(','));
  return [head.join(','), ...body].join('\n') + '\n';
}
