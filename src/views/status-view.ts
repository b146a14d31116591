import type { KnownBlock } from '@slack/types';
import type { ApprovalRequest } from '../approvals/approval-request';
import { runbookSteps } from '../migration/runbook-steps';
import { hopById, type Plan } from '../plan/plan';
import type { LockRecord } from '../state/migration-lock';
import type { MigrationRecord } from '../state/migration-state';
import { holdLine } from './hold-view';
import { lockLine } from './lock-view';
import { context, escapeText, header, mention, section, slackTime, withinLimits, type MessageView } from './slack-text';

export interface StatusInput {
  plan: Plan;
  migration: MigrationRecord;
  lock: LockRecord | undefined;
  pending: ApprovalRequest[];
  now: number;
}

/** `/migrate status`: where we are, in one message. */
export function statusView({ plan, migration, lock, pending, now }: StatusInput): MessageView {
  const hop = hopById(plan, migration.currentHop);
  const index = plan.hops.findIndex((h) => h.id === migration.currentHop);
  const progress = migration.hops[migration.currentHop];
  const steps = hop ? runbookSteps(hop.method) : [];
  const active = steps.find((s) => progress?.steps[s.id]?.status === 'running');
  const doneCount = steps.filter((s) => progress?.steps[s.id]?.status === 'done').length;
  const hopLine = hop
    ? `*Hop ${index + 1} of ${plan.hops.length}:* ${hop.id} (${hop.method}) ${escapeText(hop.source.label)} → ${escapeText(hop.target.label)} — ${progress?.status ?? 'pending'}`
    : `*Hop:* ${escapeText(migration.currentHop)} (not in the plan any more)`;
  const stepLine = active ? `*Step:* ${escapeText(active.title)}` : `*Runbook:* ${doneCount} of ${steps.length} cutover steps done`;
  const approvals = pending.length
    ? pending.map((r) => `• ${escapeText(r.title)} — ${r.approvals.length}/${r.requiredApprovals}, asked by ${mention(r.requester)}, expires ${slackTime(r.expiresAt)}`).join('\n')
    : 'none';
  const blocks: KnownBlock[] = [
    header(`Migration ${plan.name}`),
    section(`${hopLine}\n${stepLine}`),
    section(`${lockLine(lock, now)}\n${holdLine(migration.hold)}`),
    section(`*Pending approvals:* ${approvals}`),
    context(`As of ${slackTime(now)}${migration.updatedAt ? ` · state changed ${slackTime(migration.updatedAt)}` : ''}`),
  ];
  return withinLimits({ text: `Migration ${plan.name}: hop ${hop?.id ?? migration.currentHop}, lock ${lock ? 'held' : 'free'}${migration.hold ? ', ON HOLD' : ''}`, blocks });
}
