import type { UsergroupDirectory } from '../access/access-control';
import type { Access } from '../plan/plan';

export interface Recipients {
  users: string[];
  /** User groups that could not be resolved, with why: their members are left out this time. */
  unresolved: { group: string; why: string }[];
}

/**
 * The people the Home tab is published for: the plan's operators and approvers, user groups
 * resolved to their members the way access control resolves them (an id starting with S is a group).
 * Members are cached for `cacheMs`, so a refresh does not ask Slack each time.
 */
export class HomeRecipients {
  private readonly cache = new Map<string, { members: string[]; until: number }>();

  constructor(
    private readonly access: Access,
    private readonly directory: UsergroupDirectory,
    private readonly cacheMs = 5 * 60_000,
  ) {}

  async resolve(now = Date.now()): Promise<Recipients> {
    const principals = [...new Set([...this.access.operators, ...this.access.approvers])];
    const users = new Set(principals.filter((p) => !p.startsWith('S')));
    const unresolved: Recipients['unresolved'] = [];
    for (const group of principals.filter((p) => p.startsWith('S'))) {
      try {
        for (const u of await this.members(group, now)) users.add(u);
      } catch (e) {
        unresolved.push({ group, why: (e as Error).message });
      }
    }
    return { users: [...users].sort(), unresolved };
  }

  private async members(group: string, now: number): Promise<string[]> {
    const hit = this.cache.get(group);
    if (hit && hit.until > now) return hit.members;
    const members = await this.directory.members(group);
    this.cache.set(group, { members, until: now + this.cacheMs });
    return members;
  }
}
