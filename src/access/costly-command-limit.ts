import { randomUUID } from 'node:crypto';
import { inStore, type StateStore } from '../state/state-store';
import { duration } from '../views/slack-text';

export interface CostlyCommandTiming {
  /** One start per person and command in this long. */
  everyMs: number;
  /** A run still going (or left by a process that died) blocks the next one at most this long. */
  runBoundMs: number;
}

export const DEFAULT_COSTLY_TIMING: CostlyCommandTiming = { everyMs: 60_000, runBoundMs: 10 * 60_000 };

export type CostlyClaim =
  | { allowed: true; /** Ends the run; `charged` false (nothing ran: refused, wrong usage) gives the minute back. */ finish(charged: boolean): Promise<void> }
  | { allowed: false; why: string };

// Ends a run only if the key is still this run's: replaces it with the cool-down left, or deletes it.
const FINISH_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if not cur or string.sub(cur, 1, #ARGV[1]) ~= ARGV[1] then return 0 end
local ms = tonumber(ARGV[3])
if ms > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', ms) else redis.call('DEL', KEYS[1]) end
return 1
`;

/**
 * Commands that cost the migration's databases time, limited per person: one at a time, and one
 * start a minute. One Redis key per person and command (`SET NX PX`), so the limit holds across
 * every bot process; a key is `<token> <started at> running|done`.
 */
export class CostlyCommandLimit {
  constructor(
    private readonly redis: StateStore,
    private readonly key: (user: string, command: string) => string,
    private readonly timing: CostlyCommandTiming = DEFAULT_COSTLY_TIMING,
  ) {}

  async claim(user: string, command: string, now = Date.now()): Promise<CostlyClaim> {
    const key = this.key(user, command);
    for (let attempt = 0; attempt < 3; attempt++) {
      const token = randomUUID();
      const claimed = await inStore(() => this.redis.set(key, `${token} ${now} running`, 'PX', this.timing.runBoundMs, 'NX'));
      if (claimed === 'OK') return { allowed: true, finish: (charged) => this.finish(key, token, now, charged) };
      const [held, ttl] = await inStore(() => Promise.all([this.redis.get(key), this.redis.pttl(key)]));
      // Gone between the two calls: try again.
      if (held === null || ttl < 0) continue;
      const [, startedAt, state] = held.split(' ');
      const ago = duration(Math.max(0, now - Number(startedAt)));
      if (state === 'running') return { allowed: false, why: `your \`${command}\` from ${ago} ago is still running: one at a time` };
      return { allowed: false, why: `you ran \`${command}\` ${ago} ago; again in ${Math.max(1, Math.ceil(ttl / 1000))} s` };
    }
    return { allowed: false, why: `\`${command}\` is busy for you right now; try again in a few seconds` };
  }

  private async finish(key: string, token: string, startedAt: number, charged: boolean): Promise<void> {
    const left = charged ? startedAt + this.timing.everyMs - Date.now() : 0;
    await inStore(() => this.redis.eval(FINISH_SCRIPT, 1, key, `${token} `, `${token} ${startedAt} done`, String(Math.max(0, Math.ceil(left)))));
  }
}
