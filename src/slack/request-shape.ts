import { z } from 'zod';

/**
 * The two requests the bot serves, as Slack sends them: a `/migrate` slash command and a button
 * click (block_actions). Every request is read through here before Bolt or a listener sees it,
 * so listeners can trust `user.id`, `actions[0].action_id` and the rest; anything else is refused
 * with its reason, never half-handled.
 */
export type SlackRequest =
  | { kind: 'command'; teamId: string; appId?: string; user: string; channel: string; command: string; text: string; responseUrl: string }
  | { kind: 'click'; teamId: string; appId?: string; user: string; channel?: string; actionId: string; responseUrl: string };

export type RequestShape = { ok: true; request: SlackRequest } | { ok: false; reason: string };

// Slack ids: U…/W… users, C…/G…/D… conversations, T… workspaces, A… apps.
const slackId = z.string().regex(/^[A-Z][A-Z0-9]{2,39}$/, 'not a Slack id');
const responseUrl = z.url({ protocol: /^https?$/, error: 'not an http(s) URL' }).max(2000);

const slashCommand = z.looseObject({
  command: z.string().regex(/^\/[\w-]{1,31}$/, 'not a slash command'),
  text: z.string(),
  user_id: slackId,
  channel_id: slackId,
  team_id: slackId,
  api_app_id: slackId.optional(),
  response_url: responseUrl,
});

const buttonClick = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({ id: slackId }),
  team: z.looseObject({ id: slackId }),
  api_app_id: slackId.optional(),
  // Absent when the button is not in a conversation; never null.
  channel: z.looseObject({ id: slackId }).optional(),
  response_url: responseUrl,
  // Slack sends the one element that was used.
  actions: z
    .array(
      z.looseObject({
        action_id: z.string().min(1).max(255),
        type: z.string().min(1),
        value: z.string().max(2000).optional(),
        block_id: z.string().max(255).optional(),
      }),
    )
    .length(1),
});

/** Reads a parsed request body; the reason names the first fields that are wrong. */
export function readSlackRequest(body: unknown): RequestShape {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: `the body is ${describe(body)}, not an object` };
  if ('command' in body) {
    const c = slashCommand.safeParse(body);
    if (!c.success) return { ok: false, reason: `slash command: ${issues(c.error)}` };
    const d = c.data;
    return { ok: true, request: { kind: 'command', teamId: d.team_id, appId: d.api_app_id, user: d.user_id, channel: d.channel_id, command: d.command, text: d.text, responseUrl: d.response_url } };
  }
  if ('type' in body && body.type === 'block_actions') {
    const b = buttonClick.safeParse(body);
    if (!b.success) return { ok: false, reason: `button click: ${issues(b.error)}` };
    const d = b.data;
    return { ok: true, request: { kind: 'click', teamId: d.team.id, appId: d.api_app_id, user: d.user.id, channel: d.channel?.id, actionId: d.actions[0].action_id, responseUrl: d.response_url } };
  }
  const type = 'type' in body ? String(body.type).slice(0, 40) : undefined;
  return { ok: false, reason: type ? `a "${type}" request, which the bot does not serve (only /migrate and its buttons)` : 'neither a slash command nor a button click' };
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
    .join('; ');
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}
