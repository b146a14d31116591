import type { WebClient } from '@slack/web-api';
import type { HomeTab } from './home-publisher';

/** The Home tab through the bot's WebClient (its timeouts and bounded retries). */
export function slackHomeTab(client: WebClient): HomeTab {
  return {
    async publish(user, view) {
      await client.views.publish({ user_id: user, view });
    },
    async workspaceUrl() {
      return (await client.auth.test()).url;
    },
  };
}
