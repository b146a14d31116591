import type { Keys } from './keys';
import { inStore, type StateStore } from './state-store';

export interface AuditEntry {
  /** Slack user ID, or "bot" for the bot's own actions. */
  actor: string;
  /** What was attempted, e.g. "command lock", "click approve", "lock released". */
  action: string;
  outcome: 'ok' | 'denied' | 'refused' | 'error';
  detail?: string;
  /** For a command: the words typed after /migrate, so `history` says which `dms …` ran. */
  command?: string;
}

export interface AuditRecord extends AuditEntry {
  id: string;
  at: number;
}

/** Who did what, when: a capped Redis Stream (approximate trimming keeps XADD cheap). */
export class AuditLog {
  constructor(
    private readonly redis: StateStore,
    private readonly keys: Pick<Keys, 'audit'>,
    private readonly maxEntries = 100_000,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    const fields = ['actor', entry.actor, 'action', entry.action, 'outcome', entry.outcome, 'detail', entry.detail ?? '', ...(entry.command ? ['command', entry.command] : [])];
    await inStore(() => this.redis.xadd(this.keys.audit, 'MAXLEN', '~', String(this.maxEntries), '*', ...fields));
  }

  /** The newest `count` entries, newest first. */
  async recent(count: number): Promise<AuditRecord[]> {
    const rows = await inStore(() => this.redis.xrevrange(this.keys.audit, '+', '-', 'COUNT', count));
    return rows.map(([id, flat]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]] = flat[i + 1];
      return {
        id,
        at: Number(id.split('-')[0]),
        actor: f.actor ?? '?',
        action: f.action ?? '?',
        outcome: (f.outcome ?? 'ok') as AuditEntry['outcome'],
        detail: f.detail || undefined,
        ...(f.command ? { command: f.command } : {}),
      };
    });
  }
}
