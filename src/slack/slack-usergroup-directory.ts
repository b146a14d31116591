import type { WebClient } from '@slack/web-api';
import type { UsergroupDirectory } from '../access/access-control';

export function slackUsergroupDirectory(client: WebClient): UsergroupDirectory {
  return {
    async members(groupId) {
      const res = await client.usergroups.users.list({ usergroup: groupId });
      return res.users ?? [];
    },
  };
}
