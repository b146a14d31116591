import type { AuthorizeResult } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log';

/**
 * Bolt's `authorize` for the bot's one token, which never makes a request wait on Slack. (Bolt's own
 * waits on an `auth.test` sent at start-up and keeps its failure until a restart, so a Slack brownout
 * at start-up would leave every command unanswered.) Commands and buttons need only the token; the
 * bot's ids, which Bolt uses to skip the bot's own message events, are filled in when Slack answers.
 */
export function botAuthorization(client: Pick<WebClient, 'auth'>, botToken: string) {
  const known: AuthorizeResult = { botToken };
  return {
    authorize: async (): Promise<AuthorizeResult> => ({ ...known }),
    /** Asks Slack who the bot is (bounded by the client's own limits) and says loudly when it cannot tell. */
    async verify(log: Logger): Promise<void> {
      try {
        const me = await client.auth.test();
        Object.assign(known, { botId: me.bot_id, botUserId: me.user_id });
        log.info({ botUserId: me.user_id, team: me.team }, 'Slack confirmed the bot token');
      } catch (e) {
        log.error({ err: e }, 'Slack did not confirm the bot token (auth.test): commands are still answered, but posts to the channel may fail');
      }
    },
  };
}
