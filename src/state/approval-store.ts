import { applyVote, closeRequest, type ApprovalRequest, type ApprovalRun, type VoteOutcome } from '../approvals/approval-request';
import { readJson, updateJson } from './compare-and-set';
import type { Keys } from './keys';
import { inStore, type StateStore } from './state-store';

// Closed requests stay readable for a week (history, message updates), then Redis drops them.
const KEEP_MS = 7 * 24 * 3600_000;

// KEYS: request, pending index, claim ('' key when none). ARGV: request JSON, keep ms, expiry, id, claim ttl ms.
// Creates the request and indexes it, unless another pending request holds the claim: returns that one's id.
const CREATE = `
if ARGV[5] ~= '' then
  local holder = redis.call('GET', KEYS[3])
  if holder and holder ~= ARGV[4] then return holder end
  redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[5])
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX')
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
return false
`;

// KEYS: claim. ARGV: id. Frees the claim only if this request holds it.
const RELEASE_CLAIM = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Approval requests in Redis, one JSON value each, plus an index of pending ones by expiry. */
export class ApprovalStore {
  constructor(
    private readonly redis: StateStore,
    private readonly keys: Pick<Keys, 'approval' | 'approvalsPending' | 'approvalClaim'>,
  ) {}

  /** Stores a new pending request; when another pending request holds its exclusive claim, stores nothing and returns that one's id. */
  async create(req: ApprovalRequest): Promise<string | undefined> {
    const claimKey = req.exclusive ? this.keys.approvalClaim(req.exclusive) : this.keys.approvalClaim('');
    // The claim outlives the request's expiry a little: the expiry sweep frees it, and a dead sweep cannot hold it for ever.
    const claimTtl = req.exclusive ? String(Math.max(1, req.expiresAt - req.createdAt + 60_000)) : '';
    const holder = (await inStore(() =>
      this.redis.eval(CREATE, 3, this.keys.approval(req.id), this.keys.approvalsPending, claimKey, JSON.stringify(req), String(KEEP_MS), String(req.expiresAt), req.id, claimTtl),
    )) as string | null;
    return holder ?? undefined;
  }

  get(id: string): Promise<ApprovalRequest | undefined> {
    return readJson<ApprovalRequest>(this.redis, this.keys.approval(id));
  }

  async vote(id: string, user: string, decision: 'approve' | 'reject', at: number): Promise<{ outcome: VoteOutcome | 'unknown'; request?: ApprovalRequest }> {
    const out = await updateJson<ApprovalRequest, VoteOutcome | 'unknown'>(this.redis, this.keys.approval(id), (cur) => {
      if (!cur) return { next: undefined, result: 'unknown' };
      const { next, outcome } = applyVote(cur, { user, decision, at });
      return { next, result: outcome };
    });
    if (out.value && out.value.status !== 'pending') await this.unindex(id, out.value);
    return { outcome: out.result, request: out.value };
  }

  async close(id: string, status: 'expired' | 'invalidated', at: number, reason: string): Promise<ApprovalRequest | undefined> {
    const out = await updateJson<ApprovalRequest, boolean>(this.redis, this.keys.approval(id), (cur) => {
      const next = cur && closeRequest(cur, status, at, reason);
      return { next, result: next !== undefined };
    });
    await this.unindex(id, out.value);
    return out.result ? out.value : undefined;
  }

  /** Records the request's message; returns the request as it is now (it may have closed meanwhile). */
  async setMessage(id: string, message: { channel: string; ts: string }): Promise<ApprovalRequest | undefined> {
    const out = await updateJson<ApprovalRequest, void>(this.redis, this.keys.approval(id), (cur) => ({
      next: cur && { ...cur, message },
      result: undefined,
    }));
    return out.value;
  }

  async setRun(id: string, run: ApprovalRun): Promise<ApprovalRequest | undefined> {
    const out = await updateJson<ApprovalRequest, void>(this.redis, this.keys.approval(id), (cur) => ({
      next: cur && { ...cur, run },
      result: undefined,
    }));
    return out.value;
  }

  /** IDs of pending requests whose expiry is at or before `at`. */
  async dueForExpiry(at: number): Promise<string[]> {
    return inStore(() => this.redis.zrangebyscore(this.keys.approvalsPending, '-inf', String(at)));
  }

  async pending(): Promise<ApprovalRequest[]> {
    const ids = await inStore(() => this.redis.zrange(this.keys.approvalsPending, '0', '-1'));
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return found.filter((r): r is ApprovalRequest => r?.status === 'pending');
  }

  private async unindex(id: string, request?: ApprovalRequest): Promise<void> {
    await inStore(() => this.redis.zrem(this.keys.approvalsPending, id));
    if (request?.exclusive) await inStore(() => this.redis.eval(RELEASE_CLAIM, 1, this.keys.approvalClaim(request.exclusive!), id));
  }
}
