import type { KnownBlock } from '@slack/types';
import { runbookSteps } from '../migration/runbook-steps';
import type { Hop, Plan } from '../plan/plan';
import type { CutoverRun, RunStepStatus } from '../cutover/cutover-run';
import type { MigrationRecord } from '../state/migration-state';
import { escapeText, header, section, withinLimits, type MessageView } from './slack-text';

const STEP_ICON: Record<RunStepStatus, string> = {
  pending: ':white_circle:',
  running: ':large_blue_circle:',
  done: ':white_check_mark:',
  failed: ':x:',
  interrupted: ':warning:',
  skipped: ':fast_forward:',
};

/** `/migrate plan`: every hop with its state and its runbook, each step as the hop's latest cutover run recorded it. */
export function planView(plan: Plan, m: MigrationRecord, runs: Record<string, CutoverRun | undefined>): MessageView {
  const blocks: KnownBlock[] = [header(`Plan: ${plan.name}`)];
  plan.hops.forEach((hop, i) => {
    const progress = m.hops[hop.id];
    const current = hop.id === m.currentHop ? ' — *current*' : '';
    const steps = runbookSteps(hop).map((s) => {
      const st = runs[hop.id]?.steps[s.id]?.status ?? 'pending';
      return `${STEP_ICON[st]} ${escapeText(s.title)}`;
    });
    blocks.push(
      section(
        `*Hop ${i + 1}: ${hop.id}* (${hop.method}) ${escapeText(hop.source.label)} → ${escapeText(hop.target.label)} — ${progress?.status ?? 'pending'}${current}\n${appUrlLine(hop)}\n${steps.join('\n')}`,
      ),
    );
  });
  return withinLimits({ text: `Plan ${plan.name}: ${plan.hops.length} hops`, blocks });
}

/** Which variable the app is given at the cutover (never the bot's own URL), or why the cutover will be refused. */
function appUrlLine(hop: Hop): string {
  const configVar = hop.app?.configVar ?? 'DATABASE_URL';
  if (!hop.target.appUrlEnv) return `:no_entry: The app's URL: ${hop.target.id} has no \`app_url_env\` in the plan: a cutover is refused (the bot never gives the app its own ${hop.target.urlEnv})`;
  const back = hop.source.appUrlEnv ? `; a roll back gives it ${hop.source.appUrlEnv}` : `; ${hop.source.id} has no \`app_url_env\`: a cutover is refused`;
  return `The app's ${configVar} becomes the URL in ${hop.target.appUrlEnv} (the app's own role, not the bot's ${hop.target.urlEnv})${back}`;
}
