import type { SlackStandIn } from './slack-stand-in';

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

function buttonIn(blocks: unknown, actionId: string): string | undefined {
  const list = typeof blocks === 'string' ? (JSON.parse(blocks) as unknown[]) : (blocks as unknown[] | undefined);
  for (const block of list ?? []) {
    for (const el of (block as { elements?: { action_id?: string; value?: string }[] }).elements ?? []) {
      if (el.action_id === actionId) return el.value;
    }
  }
  return undefined;
}
