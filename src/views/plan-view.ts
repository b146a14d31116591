import type { KnownBlock } from '@slack/types';
import { runbookSteps } from '../migration/runbook-steps';
import type { Plan } from '../plan/plan';
import type { MigrationRecord, StepStatus } from '../state/migration-state';
import { escapeText, header, section, withinLimits, type MessageView } from './slack-text';

const STEP_ICON: Record<StepStatus, string> = {
  pending: ':white_circle:',
  running: ':large_blue_circle:',
  done: ':white_check_mark:',
  failed: ':x:',
  skipped: ':fast_forward:',
};

export function planView(plan: Plan, m: MigrationRecord): MessageView {
  const blocks: KnownBlock[] = [header(`Plan: ${plan.name}`)];
  plan.hops.forEach((hop, i) => {
    const progress = m.hops[hop.id];
    const current = hop.id === m.currentHop ? ' — *current*' : '';
    const steps = runbookSteps(hop.method).map((s) => {
      const st = progress?.steps[s.id]?.status ?? 'pending';
      return `${STEP_ICON[st]} ${escapeText(s.title)}`;
    });
    blocks.push(
      section(
        `*Hop ${i + 1}: ${hop.id}* (${hop.method}) ${escapeText(hop.source.label)} → ${escapeText(hop.target.label)} — ${progress?.status ?? 'pending'}${current}\n${steps.join('\n')}`,
      ),
    );
  });
  return withinLimits({ text: `Plan ${plan.name}: ${plan.hops.length} hops`, blocks });
}
