import { applyVote, closeRequest, type ApprovalRequest, type ApprovalRun, type VoteOutcome } from '../approvals/approval-request';
import { readJson, updateJson } from './compare-and-set';
import type { Keys } from './keys';
import { inStore, type StateStore } from './state-store';

// Closed requests stay readable for a week (history, message updates), then Redis drops them.
const KEEP_MS = 7 * 24 * 3600_000;

/** Approval requests in Redis, one JSON value each, plus an index of pending ones by expiry. */
export class ApprovalStore {
  constructor(
    private readonly redis: StateStore,
    private readonly keys: Pick<Keys, 'approval' | 'approvalsPending'>,
  ) {}

  async create(req: ApprovalRequest): Promise<void> {
    await inStore(() =>
      this.redis
        .multi()
        .set(this.keys.approval(req.id), JSON.stringify(req), 'PX', KEEP_MS, 'NX')
        .zadd(this.keys.approvalsPending, req.expiresAt, req.id)
        .exec(),
    );
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
    if (out.value && out.value.status !== 'pending') await this.unindex(id);
    return { outcome: out.result, request: out.value };
  }

  async close(id: string, status: 'expired' | 'invalidated', at: number, reason: string): Promise<ApprovalRequest | undefined> {
    const out = await updateJson<ApprovalRequest, boolean>(this.redis, this.keys.approval(id), (cur) => {
      const next = cur && closeRequest(cur, status, at, reason);
      return { next, result: next !== undefined };
    });
    await this.unindex(id);
    return out.result ? out.value : undefined;
  }

  async setMessage(id: string, message: { channel: string; ts: string }): Promise<void> {
    await updateJson<ApprovalRequest, void>(this.redis, this.keys.approval(id), (cur) => ({
      next: cur && { ...cur, message },
      result: undefined,
    }));
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

  private async unindex(id: string): Promise<void> {
    await inStore(() => this.redis.zrem(this.keys.approvalsPending, id));
  }
}
