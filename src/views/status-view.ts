import type { KnownBlock } from '@slack/types';
import type { ApprovalRequest } from '../approvals/approval-request';
import type { CutoverRun } from '../cutover/cutover-run';
import { runbookSteps } from '../migration/runbook-steps';
import { hopById, type Hop, type Plan } from '../plan/plan';
import type { LockRecord } from '../state/migration-lock';
import type { MigrationRecord } from '../state/migration-state';
import type { Incident } from '../alerts/incident';
import type { CatchUpEstimate } from '../checks/catch-up-eta';
import type { CheckResult } from '../checks/check-result';
import type { LagSample } from '../checks/lag-sample';
import { warningsText } from './cutover-view';
import { holdLine } from './hold-view';
import { catchUpLine, checkLine, connectionLine } from './lag-view';
import { lockLine } from './lock-view';
import { context, escapeText, header, mention, section, slackTime, withinLimits, type MessageView } from './slack-text';

export interface StatusInput {
  plan: Plan;
  migration: MigrationRecord;
  /** The current hop's latest cutover run: the one record of its steps. */
  run?: CutoverRun;
  lock: LockRecord | undefined;
  pending: ApprovalRequest[];
  /** The latest sample, its checks, and when the target will be caught up (from the stored samples). */
  lag?: { sample: LagSample; checks: CheckResult[]; catchUp?: CatchUpEstimate };
  alerts: Incident[];
  /** Cutover runs whose warnings nobody acknowledged yet. */
  warned?: CutoverRun[];
  /** The current hop's latest full verify, as its gate reads it. */
  fullVerify?: CheckResult;
  now: number;
}

/** `/migrate status`: where we are, in one message. */
export function statusView({ plan, migration, run, lock, pending, lag, alerts, warned = [], fullVerify, now }: StatusInput): MessageView {
  const hop = hopById(plan, migration.currentHop);
  const index = plan.hops.findIndex((h) => h.id === migration.currentHop);
  const progress = migration.hops[migration.currentHop];
  const steps = hop ? runbookSteps(hop) : [];
  const active = steps.find((s) => run?.steps[s.id]?.status === 'running');
  const doneCount = steps.filter((s) => run?.steps[s.id]?.status === 'done').length;
  const hopLine = hop
    ? `*Hop ${index + 1} of ${plan.hops.length}:* ${hop.id} (${hop.method}) ${escapeText(hop.source.label)} → ${escapeText(hop.target.label)} — ${progress?.status ?? 'pending'}`
    : `*Hop:* ${escapeText(migration.currentHop)} (not in the plan any more)`;
  const runState = run ? ` (run ${run.status})` : '';
  const stepLine = active ? `*Step:* ${escapeText(active.title)}` : `*Runbook:* ${doneCount} of ${steps.length} cutover steps done${runState}`;
  const approvals = pending.length
    ? pending.map((r) => `• ${escapeText(r.title)} — ${r.approvals.length}/${r.requiredApprovals}, asked by ${mention(r.requester)}, expires ${slackTime(r.expiresAt)}`).join('\n')
    : 'none';
  const blocks: KnownBlock[] = [
    header(`Migration ${plan.name}`),
    section(`${hopLine}\n${stepLine}`),
    section(lagSection(lag, now, hop)),
    ...(fullVerify ? [section(checkLine(fullVerify))] : []),
    ...warned.map((r) => section(`*Cutover of ${escapeText(r.hop)}:* ${warningsText(r)}`)),
    section(`*Open alerts:* ${alerts.length ? alerts.map((a) => `\n:rotating_light: ${a.summary} (since ${slackTime(a.since)})`).join('') : 'none'}`),
    section(`${lockLine(lock, now)}\n${holdLine(migration.hold)}`),
    section(`*Pending approvals:* ${approvals}`),
    context(`As of ${slackTime(now)}${migration.updatedAt ? ` · state changed ${slackTime(migration.updatedAt)}` : ''}`),
  ];
  return withinLimits({ text: `Migration ${plan.name}: hop ${hop?.id ?? migration.currentHop}, lock ${lock ? 'held' : 'free'}${migration.hold ? ', ON HOLD' : ''}`, blocks });
}

function lagSection(lag: StatusInput['lag'], now: number, hop: Hop | undefined): string {
  if (!lag) return `*Lag:* no sample yet (run \`/migrate setup ${hop?.id ?? '<hop>'}\`, then \`/migrate lag\`)`;
  const age = now - lag.sample.at;
  const stale = age > 5 * 60_000 ? ` :warning: sample is ${Math.round(age / 60_000)} min old` : '';
  const connections = hop && connectionLine(hop, lag.sample);
  const catchUp = lag.catchUp ? `\n${catchUpLine(lag.catchUp)}` : '';
  return `*Lag* (sampled ${slackTime(lag.sample.at)})${stale}\n${lag.checks.map(checkLine).join('\n')}${catchUp}${connections ? `\n${connections}` : ''}`;
}
