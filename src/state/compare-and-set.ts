import type { StateStore } from './state-store';
import { inStore } from './state-store';

// Writes NEW only if the key still holds EXPECTED ('' stands for "absent"); keeps the key's TTL.
const CAS_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if (cur or '') ~= ARGV[1] then return 0 end
if ARGV[3] ~= '' then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
end
return 1
`;

export class ContentionError extends Error {}

export interface CasResult<T, R> {
  value: T;
  result: R;
  written: boolean;
}

/**
 * Optimistic read-modify-write of one JSON value: `change` is a pure function of the current
 * value; it is re-applied on conflict, so two processes or two clicks never lose an update.
 * Returning `undefined` as the next value writes nothing.
 */
export async function updateJson<T, R>(
  redis: StateStore,
  key: string,
  change: (current: T | undefined) => { next: T | undefined; result: R },
  opts: { ttlMs?: number; attempts?: number } = {},
): Promise<CasResult<T | undefined, R>> {
  const attempts = opts.attempts ?? 100;
  for (let i = 0; i < attempts; i++) {
    const raw = await inStore(() => redis.get(key));
    const current = raw === null ? undefined : (JSON.parse(raw) as T);
    const { next, result } = change(current);
    if (next === undefined) return { value: current, result, written: false };
    const ok = await inStore(() => redis.eval(CAS_SCRIPT, 1, key, raw ?? '', JSON.stringify(next), opts.ttlMs ? String(opts.ttlMs) : ''));
    if (ok === 1) return { value: next, result, written: true };
    // Someone else wrote first: back off a little (jittered) and apply the change to their value.
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * (i + 1))));
  }
  throw new ContentionError(`could not update ${key} after ${attempts} attempts`);
}

export async function readJson<T>(redis: StateStore, key: string): Promise<T | undefined> {
  const raw = await inStore(() => redis.get(key));
  return raw === null ? undefined : (JSON.parse(raw) as T);
}
