import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from '../log';
import type { AuditLog } from '../state/audit-log';
import { readSlackRequest } from './request-shape';
import { postToResponseUrl } from './response-url';
import type { SlackWorkspace } from './slack-workspace';

/**
 * Bolt's first middleware, in both modes: a request of the wrong shape, or from a workspace or app
 * the bot does not serve, reaches no listener. The refusal is logged; one from another workspace
 * is also audited, and a command gets an ephemeral answer saying which workspace the bot serves.
 */
export function requestGate(deps: { workspace: SlackWorkspace; audit: Pick<AuditLog, 'record'>; log: Logger }): Middleware<AnyMiddlewareArgs> {
  const { workspace, audit, log } = deps;
  return async (args) => {
    // Socket Mode waits for an acknowledgement even of a refusal; in HTTP mode the worker thread has given it.
    const ack = 'ack' in args && typeof args.ack === 'function' ? (args.ack as () => Promise<void>) : async () => undefined;
    const shape = readSlackRequest(args.body);
    if (!shape.ok) {
      log.warn({ reason: shape.reason }, 'refused a Slack request of the wrong shape');
      return ack();
    }
    const r = shape.request;
    const decision = await workspace.check(r.teamId, r.appId);
    if (decision.allowed) return args.next();
    await ack();
    const what = r.kind === 'command' ? `${r.command} ${r.text.slice(0, 100)}` : `click ${r.actionId}`;
    log.warn({ team: r.teamId, app: r.appId, user: r.user, why: decision.why, what }, 'refused a Slack request from another workspace or app');
    await audit.record({ actor: r.user, action: `${r.kind} (not this workspace or app)`, outcome: 'refused', detail: `${decision.why}: ${what}` }).catch((e) => log.error({ err: e }, 'could not audit a refused request'));
    if (r.kind === 'command') {
      await postToResponseUrl(r.responseUrl, { response_type: 'ephemeral', text: decision.reply }).catch((e) => log.error({ err: e }, 'could not answer a refused command'));
    }
  };
}
