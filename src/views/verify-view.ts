import type { TableComparison } from '../verify/table-comparison';
import type { FullVerifySummary } from '../verify/full/full-verify-store';
import { keyWords, type Difference, type TableVerdict } from '../verify/full/table-verdict';
import { context, duration, escapeText, section, type MessageView } from './slack-text';

export interface VerifyProgress {
  hop: string;
  user: string;
  total: number;
  results: TableComparison[];
  startedAt: number;
  finished: boolean;
  checksum: boolean;
}

/** The verify run's one message, edited in place as it goes. */
export function verifyProgressView(p: VerifyProgress): MessageView {
  const bad = p.results.filter((r) => r.problems.length).length;
  const estimated = p.results.filter((r) => r.source && !r.source.exact).length;
  const head = p.finished
    ? bad
      ? `:red_circle: *Verify of ${p.hop} finished: ${bad} of ${p.total} tables differ* (details in the thread)`
      : `:white_check_mark: *Verify of ${p.hop} finished: all ${p.total} tables match*`
    : `:mag: *Verifying ${p.hop}:* ${p.results.length} of ${p.total} tables${bad ? `, ${bad} differ so far` : ''}`;
  const notes = [
    `${estimated ? `${estimated} tables too large for an exact count within the timeout: compared by estimate (marked in the thread)` : 'every row count exact'}`,
    p.checksum ? 'sampled checksums over primary-key ranges' : 'no checksums (add --checksum)',
    `asked by <@${p.user}>, ${duration(Date.now() - p.startedAt)}`,
  ];
  return { text: head.replace(/[*:]/g, ''), blocks: [section(head), context(notes.join(' · '))] };
}

/** The mismatches, as as many thread messages as they need (each within Slack's limits). */
export function verifyMismatchesView(hop: string, mismatched: TableComparison[]): MessageView[] {
  const lines = mismatched.map((r) => {
    const est = r.source && !r.source.exact ? ' _(row counts are estimates)_' : '';
    return `• \`${escapeText(r.table)}\`: ${r.problems.map(escapeText).join('; ')}${est}`;
  });
  const views: MessageView[] = [];
  for (let i = 0; i < lines.length; i += 25) {
    const chunk = lines.slice(i, i + 25);
    views.push({ text: `Verify ${hop}: mismatches ${i + 1}–${i + chunk.length}`, blocks: [section(chunk.join('\n'))] });
  }
  return views;
}

export interface FullVerifyProgress {
  hop: string;
  user: string;
  runId: string;
  mode?: 'live' | 'fenced';
  tables: number;
  tablesDone: number;
  /** Rows of the source to compare (estimates for tables not done yet) and compared so far. */
  rowsTotal: number;
  rowsDone: number;
  /** Rows compared by this process since it took the run up: the throughput's base. */
  rowsThisProcess: number;
  startedAt: number;
  resumedAt: number;
  resumes: number;
  differences: number;
  inFlight: number;
  /** Tables without a primary key that kept changing and differed (neither equal nor a proven loss). */
  unconfirmed?: number;
  state: 'running' | 'paused' | 'done' | 'cancelled' | 'failed';
  failure?: string;
  cancelledBy?: string;
}

const modeText = (m?: 'live' | 'fenced') =>
  m === 'fenced' ? 'source fenced: no writes, every difference is real' : m === 'live' ? 'source live: differences confirmed after the target caught up (heartbeat); rows changing meanwhile are listed as in flight' : 'source state not read yet';

/** The full verify's one message, edited in place: rows compared, throughput, ETA, then the outcome. */
export function fullVerifyProgressView(p: FullVerifyProgress, now = Date.now()): MessageView {
  const elapsed = Math.max(1, now - p.resumedAt);
  const rate = (p.rowsThisProcess / elapsed) * 1000;
  const left = Math.max(0, p.rowsTotal - p.rowsDone);
  const eta = rate > 0 && p.state === 'running' ? `, about ${duration((left / rate) * 1000)} left` : '';
  const rows = `${fmt(p.rowsDone)} of ~${many(Math.max(p.rowsTotal, p.rowsDone), 'row', 'rows')}, ${p.tablesDone} of ${many(p.tables, 'table', 'tables')}`;
  const found = `${p.differences ? many(p.differences, 'persistent difference', 'persistent differences') : 'no persistent difference'}${p.inFlight ? `, ${many(p.inFlight, 'row', 'rows')} in flight` : ''}`;
  const head =
    p.state === 'done'
      ? p.differences
        ? `:red_circle: *Full verify of ${p.hop} finished: ${found}* (every key in the thread)`
        : p.unconfirmed
          ? `:warning: *Full verify of ${p.hop} finished: no persistent difference with keys, but ${many(p.unconfirmed, 'table without a primary key', 'tables without a primary key')} kept changing and differed* (compare again once writes stop; in the thread)`
          : `:white_check_mark: *Full verify of ${p.hop} finished: every row of ${many(p.tables, 'table', 'tables')} matches*${p.inFlight ? ` (${many(p.inFlight, 'row', 'rows')} in flight, listed apart)` : ''}`
      : p.state === 'cancelled'
        ? `:warning: *Full verify of ${p.hop} cancelled*${p.cancelledBy ? ` by <@${p.cancelledBy}>` : ''}: ${rows}; ${found} so far`
        : p.state === 'failed'
          ? `:warning: *Full verify of ${p.hop} failed*: ${escapeText(p.failure ?? 'unknown error')}`
          : p.state === 'paused'
            ? `:double_vertical_bar: *Full verify of ${p.hop} paused* (the bot is restarting; it resumes where it stopped): ${rows}`
            : `:mag: *Full verify of ${p.hop}:* ${rows} (${fmt(rate)} rows/s${eta}); ${found} so far`;
  const notes = [modeText(p.mode), `run ${p.runId}${p.resumes ? `, resumed ${p.resumes}×` : ''}`, `asked by <@${p.user}>, ${duration(now - p.startedAt)}`];
  return { text: head.replace(/[*:]/g, ''), blocks: [section(head), context(notes.join(' · '))] };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** "1 table", "1,204 tables". */
const many = (n: number, one: string, more: string) => `${fmt(n)} ${Math.round(n) === 1 ? one : more}`;

function differenceText(v: TableVerdict, d: Difference): string {
  const what = d.kind === 'missing' ? 'missing on the target' : d.kind === 'extra' ? 'extra on the target' : `different${d.columns?.length ? ` (${d.columns.join(', ')})` : ''}`;
  return `${keyWords(v.key, d.key)} ${what}`;
}

/** An in-flight row in words that do not read as a loss: it was moving, not missing. */
function inFlightText(v: TableVerdict, d: Difference): string {
  const what = d.kind === 'missing' ? 'not yet on the target' : d.kind === 'extra' ? 'not yet gone from the target' : `changing${d.columns?.length ? ` (${d.columns.join(', ')})` : ''}`;
  return `${keyWords(v.key, d.key)} ${what}`;
}

/** Differences in key order (numbers as numbers), so a table's list reads the same every run. */
const byKey = <T extends { key: string[] }>(ds: T[]): T[] => [...ds].sort((a, b) => a.key.join('\u0000').localeCompare(b.key.join('\u0000'), 'en', { numeric: true }));

/** The summary in the thread: each table with persistent differences (keys named, up to a limit), in-flight rows apart. */
export function fullVerifySummaryViews(hop: string, s: FullVerifySummary, verdicts: TableVerdict[]): MessageView[] {
  const lines: string[] = [];
  const named = 10;
  for (const v of [...verdicts].sort((a, b) => a.table.localeCompare(b.table))) {
    const t = `\`${escapeText(v.table)}\``;
    const bits: string[] = [...v.problems.map(escapeText)];
    if (v.wholeDiffers) bits.push(`no primary key, compared as a whole: differs (${fmt(v.rowsSource)} rows on the source, ${fmt(v.rowsTarget)} on the target)`);
    if (v.differences.length || v.unnamed) {
      const shown = byKey(v.differences).slice(0, named).map((d) => escapeText(differenceText(v, d)));
      const more = v.differences.length - shown.length + v.unnamed;
      bits.push(`${fmt(v.differences.length + v.unnamed)} ${v.differences.length + v.unnamed === 1 ? 'differing key' : 'differing keys'}: ${shown.join('; ')}${more > 0 ? `; and ${fmt(more)} more (in the CSV)` : ''}`);
    }
    if (v.unsettled && (v.differences.length || v.wholeDiffers)) bits.push(`⚠️ ${escapeText(v.unsettled)}`);
    if (bits.length) lines.push(`• ${t}: ${bits.join('; ')}`);
  }
  const flight: string[] = [];
  for (const v of verdicts) {
    if (v.inFlight.length) flight.push(`• \`${escapeText(v.table)}\`: ${byKey(v.inFlight).slice(0, named).map((d) => escapeText(inFlightText(v, d))).join('; ')}${v.inFlight.length > named ? `; and ${fmt(v.inFlight.length - named)} more` : ''}`);
    if (v.wholeInFlight && !v.unconfirmed) flight.push(`• \`${escapeText(v.table)}\` (no primary key, compared as a whole): ${escapeText(v.wholeInFlight)}`);
  }
  const unconfirmed = verdicts.filter((v) => v.unconfirmed).map((v) => `• \`${escapeText(v.table)}\`: differed at both looks while the source kept writing to it; without keys a loss cannot be told from writes in flight`);
  const whole = verdicts.filter((v) => v.compared === 'whole' && !v.wholeDiffers && !v.wholeInFlight).map((v) => `\`${escapeText(v.table)}\``);
  const head = `*Full verify of ${hop}* (${s.mode ?? 'unknown'} source): ${many(s.tables, 'table', 'tables')}, ${many(s.rows, 'row', 'rows')}; ${s.differences ? `${many(s.differences, 'persistent difference', 'persistent differences')} in ${many(s.differingTables, 'table', 'tables')}` : 'no persistent difference'}; ${fmt(s.inFlight)} in flight${s.unconfirmedTables ? `; ${many(s.unconfirmedTables, 'table', 'tables')} not confirmed` : ''}`;
  const blocks = [head, ...(whole.length ? [`Compared as a whole (no primary key), equal: ${whole.join(', ')}`] : [])];
  const views: MessageView[] = [];
  const chunked = (title: string, all: string[]) => {
    for (let i = 0; i < all.length; i += 20) views.push({ text: `${title} ${i + 1}–${Math.min(all.length, i + 20)}`, blocks: [section(`*${title}*\n${all.slice(i, i + 20).join('\n').slice(0, 2900)}`)] });
  };
  views.push({ text: head.replace(/\*/g, ''), blocks: blocks.map((b) => section(b.slice(0, 2900))) });
  chunked('Persistent differences', lines);
  chunked('Not confirmed (no primary key; compare again once writes stop)', unconfirmed);
  chunked('In flight (changed during the run, not a loss)', flight);
  return views;
}

const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Every differing key, one a line: table, key columns, key, kind, columns, persistent or in flight. Undefined when there is none. */
export function fullVerifyCsv(verdicts: TableVerdict[]): string | undefined {
  const rows: string[] = [];
  for (const v of verdicts) {
    const line = (d: Difference, status: string) => [v.table, v.key.join(' '), d.key.join(' '), d.kind, (d.columns ?? []).join(' '), status].map(csvField).join(',');
    for (const d of v.differences) rows.push(line(d, 'persistent'));
    for (const d of v.inFlight) rows.push(line(d, 'in flight'));
  }
  return rows.length ? ['table,key_columns,key,kind,columns,status', ...rows].join('\n') + '\n' : undefined;
}
