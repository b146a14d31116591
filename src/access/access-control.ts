import type { Access } from '../plan/plan';

/** The one Slack call access control needs: members of a user group. */
export interface UsergroupDirectory {
  members(groupId: string): Promise<string[]>;
}

export type Role = 'operator' | 'approver';

export type AccessDecision = { allowed: true } | { allowed: false; why: string };

/**
 * Who may do what, from the plan's operators and approvers (users and user groups).
 * Group members are cached for `cacheMs`. If a group cannot be resolved, its members are
 * denied (fail closed) and the reason says so.
 */
export class AccessControl {
  private readonly cache = new Map<string, { members: Set<string>; until: number }>();

  constructor(
    private readonly access: Access,
    private readonly directory: UsergroupDirectory,
    private readonly cacheMs = 5 * 60_000,
  ) {}

  check(user: string, role: Role): Promise<AccessDecision> {
    return this.decide(user, role === 'operator' ? this.access.operators : this.access.approvers, role);
  }

  private async decide(user: string, principals: string[], role: Role): Promise<AccessDecision> {
    if (principals.includes(user)) return { allowed: true };
    const unresolved: string[] = [];
    for (const group of principals.filter((p) => p.startsWith('S'))) {
      try {
        if ((await this.groupMembers(group)).has(user)) return { allowed: true };
      } catch {
        unresolved.push(group);
      }
    }
    const why = `you are not one of the plan's ${role}s`;
    if (unresolved.length) return { allowed: false, why: `${why} (could not resolve user group ${unresolved.join(', ')}, so its members are refused)` };
    return { allowed: false, why };
  }

  private async groupMembers(group: string): Promise<Set<string>> {
    const hit = this.cache.get(group);
    if (hit && hit.until > Date.now()) return hit.members;
    const members = new Set(await this.directory.members(group));
    this.cache.set(group, { members, until: Date.now() + this.cacheMs });
    return members;
  }
}
