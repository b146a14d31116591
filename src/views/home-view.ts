import type { KnownBlock } from '@slack/types';
import type { ApprovalRequest } from '../approvals/approval-request';
import type { CheckStatus } from '../checks/check-result';
import type { LagSample } from '../checks/lag-sample';
import type { CutoverRun } from '../cutover/cutover-run';
import type { DmsFigures, GateRecord } from '../metrics/metric-records';
import { runbookSteps } from '../migration/runbook-steps';
import { hopById, type Hop, type Plan } from '../plan/plan';
import type { LockRecord } from '../state/migration-lock';
import type { MigrationRecord } from '../state/migration-state';
import { STATUS_ICON } from './lag-view';
import { context, divider, escapeText, header, mention, section, slackTime } from './slack-text';
import { sparkline } from './sparkline';

/** Everything the Home tab shows, read from the one record of each thing. */
export interface HomeInput {
  plan: Plan;
  migration: MigrationRecord;
  /** The current hop's latest cutover run. */
  run?: CutoverRun;
  /** The current hop's last go/no-go, as the gates recorded it. */
  gates?: GateRecord | null;
  /** The current hop's lag samples of the last half hour, oldest first. */
  lagTrend: LagSample[];
  /** The current hop's last DMS figures (DMS hops only). */
  dms?: DmsFigures | null;
  lock?: LockRecord;
  pending: ApprovalRequest[];
  /** The workspace's URL (auth.test), to link each approval request's message; without it the channel is named. */
  workspaceUrl?: string;
}

/** A Home tab view (views.publish's `view`). */
export interface HomeView {
  type: 'home';
  blocks: KnownBlock[];
}

/** Slack's limit for a Home tab. */
const HOME_BLOCKS_MAX = 100;
export const HOME_TREND_MS = 30 * 60_000;

/**
 * The bot's Home tab: the migration at a glance. Pure, and free of "now": times are Slack dates
 * rendered by the reader's client, so the same state gives the same view (the publisher compares it).
 */
export function homeView(input: HomeInput): HomeView {
  const { plan, migration } = input;
  const hop = hopById(plan, migration.currentHop);
  const blocks: KnownBlock[] = [
    header(`Migration ${plan.name}`),
    section(hopsSection(plan, migration)),
    divider,
    ...(hop ? currentHopBlocks(input, hop) : [section(`:warning: *Current hop* ${escapeText(migration.currentHop)} is not in the plan any more`)]),
    divider,
    section(`${lockText(input.lock)}\n${holdText(migration)}`),
    section(approvalsText(input.pending, input.workspaceUrl)),
    context(`State changed ${migration.updatedAt ? slackTime(migration.updatedAt) : 'never (the migration has not started)'} · \`/migrate status\` in <#${plan.channel}> for the details`),
  ];
  return { type: 'home', blocks: blocks.slice(0, HOME_BLOCKS_MAX) };
}

function hopsSection(plan: Plan, migration: MigrationRecord): string {
  const allDone = plan.hops.every((h) => migration.hops[h.id]?.status === 'done');
  const lines = plan.hops.map((h, i) => {
    const status = migration.hops[h.id]?.status ?? 'pending';
    const here = h.id === migration.currentHop && !allDone ? ' ← current' : '';
    return `${HOP_ICON[status] ?? ':white_circle:'} Hop ${i + 1}: *${escapeText(h.id)}* (${h.method}) ${escapeText(h.source.label)} → ${escapeText(h.target.label)} — ${status}${here}`;
  });
  return `${allDone ? ':tada: *Every hop is cut over.*\n' : ''}${lines.join('\n')}`;
}

const HOP_ICON: Record<string, string> = {
  pending: ':white_circle:',
  streaming: ':arrows_counterclockwise:',
  'cutting-over': ':hourglass_flowing_sand:',
  done: ':white_check_mark:',
  'rolling-back': ':rewind:',
  'rolled-back': ':leftwards_arrow_with_hook:',
};

function currentHopBlocks(input: HomeInput, hop: Hop): KnownBlock[] {
  return [
    section(`*Current hop: ${escapeText(hop.id)}*\n${stepText(hop, input.run, input.plan.channel)}`),
    section(gatesText(input.gates)),
    section(lagText(input.lagTrend)),
    ...(hop.method === 'dms' ? [section(dmsText(input.dms))] : []),
  ];
}

function stepText(hop: Hop, run: CutoverRun | undefined, channel: string): string {
  const steps = runbookSteps(hop);
  if (!run) return `*Cutover:* not started (${steps.length} steps in the runbook)`;
  const done = steps.filter((s) => run.steps[s.id]?.status === 'done').length;
  const index = (id: string) => steps.findIndex((s) => s.id === id) + 1;
  const active = steps.find((s) => run.steps[s.id]?.status === 'running');
  if (active) return `:hourglass_flowing_sand: *Cutover running* since ${slackTime(run.startedAt)}: step ${index(active.id)} of ${steps.length}, ${escapeText(active.title)}`;
  const stopped = steps.find((s) => ['failed', 'interrupted'].includes(run.steps[s.id]?.status ?? ''));
  if (stopped) return `:x: *Cutover ${run.status}* at step ${index(stopped.id)} of ${steps.length}, ${escapeText(stopped.title)}: Resume or Abort in <#${run.message?.channel ?? channel}>`;
  if (run.status === 'done') return `:white_check_mark: *Cutover done* ${slackTime(run.finishedAt ?? run.startedAt)} (${done} of ${steps.length} steps)`;
  return `*Cutover ${run.status}:* ${done} of ${steps.length} steps done`;
}

function gatesText(record: GateRecord | null | undefined): string {
  if (!record) return ':white_circle: *Gates:* not checked yet (`/migrate health`)';
  const verdict = record.go ? ':large_green_circle: *Gates: GO*' : ':red_circle: *Gates: NO-GO*';
  const gates = Object.entries(record.gates).map(([id, status]) => `${STATUS_ICON[status as CheckStatus] ?? ':white_circle:'} ${escapeText(id)}`);
  return `${verdict} (checked ${slackTime(record.at)})\n${gates.join('   ')}`;
}

function lagText(trend: LagSample[]): string {
  const latest = trend[trend.length - 1];
  if (!latest) return ':white_circle: *Lag:* no sample in the last 30 min';
  const lag = latest.heartbeatLagSeconds;
  const now = lag === null ? ':warning: unknown (heartbeat not seen)' : `${lag.toFixed(1)} s`;
  const line = sparkline(trend.map((s) => s.heartbeatLagSeconds));
  return `*Lag:* ${now} (sampled ${slackTime(latest.at)})\n\`${line}\` last 30 min, highest ${highest(trend)}; a gap is a sample that could not tell`;
}

function highest(trend: LagSample[]): string {
  const known = trend.map((s) => s.heartbeatLagSeconds).filter((v): v is number => v !== null);
  return known.length ? `${Math.max(...known).toFixed(1)} s` : 'unknown';
}

function dmsText(figures: DmsFigures | null | undefined): string {
  if (!figures) return ':white_circle: *DMS:* no figures yet (`/migrate dms status`)';
  if (figures.apiError) return `:warning: *DMS:* unknown at ${slackTime(figures.at)}: ${escapeText(figures.apiError)}`;
  const parts = [
    figures.fullLoadPercent === undefined ? 'full load unknown' : `full load ${figures.fullLoadPercent}%`,
    figures.tablesErrored === undefined ? undefined : `${figures.tablesErrored} table${figures.tablesErrored === 1 ? '' : 's'} errored`,
    figures.cdcTargetSeconds === undefined ? 'CDC latency unknown' : `CDC latency ${figures.cdcSourceSeconds ?? '?'} s source, ${figures.cdcTargetSeconds} s target`,
  ].filter(Boolean);
  const icon = figures.tablesErrored ? ':red_circle:' : ':large_blue_circle:';
  return `${icon} *DMS:* ${parts.join(' · ')} (${slackTime(figures.at)})`;
}

function lockText(lock: LockRecord | undefined): string {
  if (!lock) return ':unlock: *Lock:* free';
  return `:lock: *Lock:* held by ${mention(lock.holder)} since ${slackTime(lock.acquiredAt)}: "${escapeText(lock.reason)}"`;
}

function holdText(migration: MigrationRecord): string {
  const hold = migration.hold;
  if (!hold) return ':large_green_circle: *Hold:* none';
  return `:octagonal_sign: *On hold:* "${escapeText(hold.reason)}" — ${mention(hold.by)}, ${slackTime(hold.at)}. No cutover until \`/migrate unhold\`.`;
}

function approvalsText(pending: ApprovalRequest[], workspaceUrl: string | undefined): string {
  if (!pending.length) return '*Pending approvals:* none';
  const lines = pending.map((r) => `• ${requestLink(r, workspaceUrl)} — ${r.approvals.length} of ${r.requiredApprovals} approvals, asked by ${mention(r.requester)}, expires ${slackTime(r.expiresAt)}`);
  return `*Pending approvals:*\n${lines.join('\n')}`;
}

/** The request's own message (Slack's permalink shape: /archives/<channel>/p<ts without the dot>). */
export function requestLink(r: ApprovalRequest, workspaceUrl: string | undefined): string {
  const title = escapeText(r.title).replace(/\|/g, '¦');
  if (!r.message) return title;
  if (!workspaceUrl) return `${title} (in <#${r.message.channel}>)`;
  const base = workspaceUrl.endsWith('/') ? workspaceUrl : `${workspaceUrl}/`;
  return `<${base}archives/${r.message.channel}/p${r.message.ts.replace('.', '')}|${title}>`;
}
