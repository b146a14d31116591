import { createHmac } from 'node:crypto';

/** Slack's request signature: v0= + hex HMAC-SHA256 of "v0:{timestamp}:{body}". */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SendOptions {
  secret: string;
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  /** Sign with this secret instead (a forged request). */
  signWith?: string;
  omitHeaders?: ('signature' | 'timestamp')[];
  retryNum?: number;
}

export interface SlackResponse {
  status: number;
  body: string;
}

/** POSTs a form body to /slack/events the way Slack does, signed. */
export async function postSigned(url: string, body: string, opts: SendOptions): Promise<SlackResponse> {
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (!opts.omitHeaders?.includes('timestamp')) headers['X-Slack-Request-Timestamp'] = String(ts);
  if (!opts.omitHeaders?.includes('signature')) headers['X-Slack-Signature'] = slackSignature(opts.signWith ?? opts.secret, ts, body);
  if (opts.retryNum !== undefined) {
    headers['X-Slack-Retry-Num'] = String(opts.retryNum);
    headers['X-Slack-Retry-Reason'] = 'http_timeout';
  }
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, body: await res.text() };
}

export interface SlashCommand {
  user: string;
  text: string;
  channel?: string;
  responseUrl: string;
}

/** The form body of a `/migrate` slash command. */
export function slashCommandBody(c: SlashCommand): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0TEAM',
    team_domain: 'example',
    channel_id: c.channel ?? 'C0DBMIGRATE',
    channel_name: 'db-migration',
    user_id: c.user,
    user_name: c.user.toLowerCase(),
    command: '/migrate',
    text: c.text,
    api_app_id: 'A0CUTOVER',
    is_enterprise_install: 'false',
    response_url: c.responseUrl,
    trigger_id: `${Date.now()}.trigger`,
  }).toString();
}

export interface ButtonClick {
  user: string;
  actionId: string;
  value: string;
  responseUrl: string;
  channel?: string;
  messageTs?: string;
  /** The block the button sits in, and its label, as Slack reports them. */
  blockId?: string;
  label?: string;
}

/** The form body of a block_actions interaction (a button click), as Slack sends it. */
export function buttonClickBody(c: ButtonClick): string {
  const channel = c.channel ?? 'C0DBMIGRATE';
  const payload = {
    type: 'block_actions',
    user: { id: c.user, username: c.user.toLowerCase(), name: c.user.toLowerCase(), team_id: 'T0TEAM' },
    api_app_id: 'A0CUTOVER',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: c.messageTs ?? '1700000000.000100', channel_id: channel, is_ephemeral: false },
    trigger_id: `${Date.now()}.trigger`,
    team: { id: 'T0TEAM', domain: 'example' },
    is_enterprise_install: false,
    channel: { id: channel, name: 'db-migration' },
    message: { type: 'message', ts: c.messageTs ?? '1700000000.000100', text: 'approval' },
    response_url: c.responseUrl,
    actions: [
      {
        action_id: c.actionId,
        block_id: c.blockId ?? `approval:${c.value}`,
        text: { type: 'plain_text', text: c.label ?? (c.actionId.endsWith('approve') ? 'Approve' : 'Reject') },
        value: c.value,
        type: 'button',
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
