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

// Writes several keys only if none of them changed since they were read.
// KEYS: the keys. ARGV: each key's raw value as read ('' for absent), then each key's write:
// 'K' keep, 'D' delete, 'S'..value set keeping the TTL, 'P'..ms..':'..value set with that TTL.
const CAS_MANY_SCRIPT = `
local n = #KEYS
for i = 1, n do
  if (redis.call('GET', KEYS[i]) or '') ~= ARGV[i] then return 0 end
end
for i = 1, n do
  local w = ARGV[n + i]
  local op = string.sub(w, 1, 1)
  if op == 'D' then
    redis.call('DEL', KEYS[i])
  elseif op == 'S' then
    if redis.call('EXISTS', KEYS[i]) == 1 then
      redis.call('SET', KEYS[i], string.sub(w, 2), 'KEEPTTL')
    else
      redis.call('SET', KEYS[i], string.sub(w, 2))
    end
  elseif op == 'P' then
    local colon = string.find(w, ':', 2, true)
    redis.call('SET', KEYS[i], string.sub(w, colon + 1), 'PX', tonumber(string.sub(w, 2, colon - 1)))
  end
end
return 1
`;

/** What to do with one key of a multi-key compare-and-set. */
export type KeyWrite = { keep: true } | { delete: true } | { set: string; ttlMs?: number };

export const KEEP: KeyWrite = { keep: true };

/** A raw value `updateMany` read, as JSON (undefined when the key was absent). */
export function parseRaw<T>(raw: string | null): T | undefined {
  return raw === null ? undefined : (JSON.parse(raw) as T);
}

/** Writes `value` as JSON, keeping the key's TTL. */
export function setJson(value: unknown): KeyWrite {
  return { set: JSON.stringify(value) };
}

/**
 * Optimistic read-modify-write over several keys at once: `change` sees every key's raw value
 * (null when absent) and says what to write; the writes land only if no key changed in between,
 * else `change` runs again on the new values. This is how a step is claimed against the run, the
 * executor's lease, the lock and the migration record in one atomic check.
 */
export async function updateMany<R>(
  redis: StateStore,
  keys: string[],
  change: (raw: (string | null)[]) => { writes?: KeyWrite[]; result: R },
  opts: { attempts?: number } = {},
): Promise<{ result: R; written: boolean }> {
  const attempts = opts.attempts ?? 100;
  for (let i = 0; i < attempts; i++) {
    const raw = await inStore(() => redis.mget(...keys));
    const { writes, result } = change(raw);
    if (!writes || writes.every((w) => 'keep' in w)) return { result, written: false };
    const ops = writes.map((w) => ('keep' in w ? 'K' : 'delete' in w ? 'D' : w.ttlMs ? `P${Math.max(1, Math.round(w.ttlMs))}:${w.set}` : `S${w.set}`));
    const ok = await inStore(() => redis.eval(CAS_MANY_SCRIPT, keys.length, ...keys, ...raw.map((r) => r ?? ''), ...ops));
    if (ok === 1) return { result, written: true };
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * (i + 1))));
  }
  throw new ContentionError(`could not update ${keys.join(', ')} after ${attempts} attempts`);
}
