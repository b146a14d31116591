import { eventually } from './free-port';
import type { SlackStandIn } from './slack-stand-in';
import { parseRunButton } from '../../src/views/run-button';

/**
 * The value of the newest button with `actionId` that the bot drew in the channel (posted or edited
 * in place), as a person clicking it would send it.
 */
export function newestButtonValue(slack: SlackStandIn, actionId: string): string {
  for (const call of [...slack.calls].reverse()) {
    if (call.method !== 'chat.postMessage' && call.method !== 'chat.update') continue;
    const value = buttonIn(call.args.blocks, actionId);
    if (value !== undefined) return value;
  }
  throw new Error(`the bot drew no ${actionId} button`);
}

/**
 * Waits for the bot to draw an `actionId` button of run `runId`. A run's state is recorded before its
 * timeline is drawn, so right after a test sees the state the button may not be there yet, and the
 * newest such button may still be an older run's.
 */
export function runButtonDrawn(slack: SlackStandIn, actionId: string, runId: string, timeoutMs = 10_000): Promise<string> {
  return eventually(() => {
    const value = newestButtonValue(slack, actionId);
    return parseRunButton(value)?.run === runId ? value : undefined;
  }, timeoutMs, `the ${actionId} button of run ${runId}`);
}

function buttonIn(blocks: unknown, actionId: string): string | undefined {
  const list = typeof blocks === 'string' ? (JSON.parse(blocks) as unknown[]) : (blocks as unknown[] | undefined);
  for (const block of list ?? []) {
    for (const el of (block as { elements?: { action_id?: string; value?: string }[] }).elements ?? []) {
      if (el.action_id === actionId) return el.value;
    }
  }
  return undefined;
}
