import { createHash, randomUUID } from 'node:crypto';
import type { AccessControl } from '../access/access-control';
import type { Logger } from '../log';
import type { Access } from '../plan/plan';
import type { ApprovalStore } from '../state/approval-store';
import type { AuditLog } from '../state/audit-log';
import type { ApprovalCode, ApprovalRequest, VoteOutcome } from './approval-request';

/** Runs an approved request and returns a one-line result; a thrown error is recorded as the failure. */
export type ApprovalAction = (request: ApprovalRequest) => Promise<string>;

/** Where requests are shown: posts the message once, refreshes it in place on every change. */
export interface ApprovalBoard {
  post(request: ApprovalRequest): Promise<{ channel: string; ts: string }>;
  refresh(request: ApprovalRequest): Promise<void>;
  /** Attaches the request's complete code as a file in the request's own thread. */
  attach?(request: ApprovalRequest & { message: { channel: string; ts: string } }, code: ApprovalCode): Promise<void>;
}

/** The hash shown with an approval's code: sha256 of the file's text, hex. */
export function codeHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export interface NewApproval {
  kind: string;
  title: string;
  steps: string[];
  /** Not steps: shown after them, unnumbered. */
  notes?: string[];
  /** The consequence that must stand out (e.g. what a roll-back does not bring back). */
  warning?: string;
  params?: Record<string, unknown>;
  requester: string;
  /** A claim only one pending request may hold at a time (e.g. one cutover request per hop). */
  exclusive?: string;
  /** Code the action runs, shown whole (the service hashes it and attaches the file in the request's thread). */
  code?: Omit<ApprovalCode, 'sha256'>;
}

/** Raised when another pending request holds the same exclusive claim. */
export class ApprovalConflict extends Error {
  constructor(readonly existing: ApprovalRequest) {
    super(`a request is already pending: ${existing.title}`);
    this.name = 'ApprovalConflict';
  }
}

const VOTE_REPLIES: Record<VoteOutcome | 'unknown', string> = {
  recorded: 'Your approval is recorded.',
  approved: 'Your approval completed the request: it is running now.',
  rejected: 'You rejected the request; nothing will run.',
  'already-voted': 'You have already approved this request.',
  'self-approval': 'You cannot approve your own request: another approver must.',
  expired: 'This request has expired; nothing will run. Ask again if it is still needed.',
  closed: 'This request is already closed; nothing more will run.',
  unknown: 'This request no longer exists.',
};

/**
 * Approval by teammates, for any action that must not run on one person's word.
 * N distinct approvers from the plan, no self-approval, expiry, reject ends it, and the
 * action runs exactly once: only the vote that moves the request to "approved" runs it.
 */
export class ApprovalService {
  constructor(
    private readonly deps: {
      store: ApprovalStore;
      access: AccessControl;
      board: ApprovalBoard;
      audit: AuditLog;
      actions: Map<string, ApprovalAction>;
      rules: Pick<Access, 'approvalsRequired' | 'approvalTtlMs'>;
      log: Logger;
    },
  ) {}

  async request(input: NewApproval, now = Date.now()): Promise<ApprovalRequest> {
    if (!this.deps.actions.has(input.kind)) throw new Error(`no action "${input.kind}" is registered for approvals`);
    const request: ApprovalRequest = {
      id: randomUUID(),
      kind: input.kind,
      title: input.title,
      steps: input.steps,
      ...(input.notes?.length ? { notes: input.notes } : {}),
      ...(input.warning ? { warning: input.warning } : {}),
      params: input.params ?? {},
      requester: input.requester,
      requiredApprovals: this.deps.rules.approvalsRequired,
      createdAt: now,
      expiresAt: now + this.deps.rules.approvalTtlMs,
      status: 'pending',
      approvals: [],
      exclusive: input.exclusive,
      code: input.code && { ...input.code, sha256: codeHash(input.code.text) },
    };
    const holder = await this.deps.store.create(request);
    if (holder) {
      const existing = await this.deps.store.get(holder);
      if (existing) throw new ApprovalConflict(existing);
      throw new Error(`a request holding ${input.exclusive} is pending; try again in a moment`);
    }
    const message = await this.deps.board.post(request);
    const current = await this.deps.store.setMessage(request.id, message);
    // Closed or voted on while its message was being posted: no edit could be made then, so one is made now.
    if (current && (current.status !== request.status || current.approvals.length !== request.approvals.length)) await this.deps.board.refresh(current);
    if (request.code) await this.attachOrWithdraw({ ...request, message }, request.code, now);
    await this.deps.audit.record({ actor: input.requester, action: `approval requested: ${input.title}`, outcome: 'ok', detail: request.id });
    return { ...request, message };
  }

  /**
   * One Approve/Reject click. Returns the sentence to show the clicker at once and, when this click
   * completed the request, the running action (which may take many minutes: a cutover).
   */
  async vote(id: string, user: string, decision: 'approve' | 'reject', now = Date.now()): Promise<{ reply: string; running?: Promise<void> }> {
    const { audit, store, access, board } = this.deps;
    const existing = await store.get(id);
    if (!existing) return { reply: VOTE_REPLIES.unknown };
    const mayReject = decision === 'reject' && user === existing.requester;
    if (!mayReject) {
      const decisionAccess = await access.check(user, 'approver');
      if (!decisionAccess.allowed) {
        await audit.record({ actor: user, action: `click ${decision}`, outcome: 'denied', detail: `${existing.title}: ${decisionAccess.why}` });
        return { reply: `You cannot ${decision} this: ${decisionAccess.why}.` };
      }
    }
    const { outcome, request } = await store.vote(id, user, decision, now);
    const changed = outcome === 'recorded' || outcome === 'approved' || outcome === 'rejected' || outcome === 'expired';
    await audit.record({
      actor: user,
      action: `click ${decision}`,
      outcome: changed ? 'ok' : 'refused',
      detail: `${existing.title}: ${outcome}`,
    });
    if (changed && request) await board.refresh(request);
    const running = outcome === 'approved' && request ? this.run(request) : undefined;
    return { reply: VOTE_REPLIES[outcome], running };
  }

  /** Marks overdue requests expired and updates their messages. */
  async expireDue(now = Date.now()): Promise<number> {
    let expired = 0;
    for (const id of await this.deps.store.dueForExpiry(now)) {
      const closed = await this.deps.store.close(id, 'expired', now, 'expired');
      if (!closed) continue;
      expired++;
      await this.deps.audit.record({ actor: 'bot', action: 'approval expired', outcome: 'ok', detail: closed.title });
      await this.deps.board.refresh(closed);
    }
    return expired;
  }

  /** Closes a pending request because what it was approved on no longer holds. */
  async invalidate(id: string, reason: string, now = Date.now()): Promise<boolean> {
    const closed = await this.deps.store.close(id, 'invalidated', now, reason);
    if (!closed) return false;
    await this.deps.audit.record({ actor: 'bot', action: 'approval invalidated', outcome: 'ok', detail: `${closed.title}: ${reason}` });
    await this.deps.board.refresh(closed);
    return true;
  }

  // Approvers must be able to read every statement: a request whose file could not be attached is withdrawn.
  private async attachOrWithdraw(request: ApprovalRequest & { message: { channel: string; ts: string } }, code: ApprovalCode, now: number): Promise<void> {
    try {
      if (!this.deps.board.attach) throw new Error('this board cannot attach files');
      await this.deps.board.attach(request, code);
    } catch (e) {
      const why = `the complete ${code.filename} could not be attached in the request's thread (${(e as Error).message})`;
      await this.invalidate(request.id, why, now);
      throw new Error(`${why}; the request was withdrawn and nothing will run`, { cause: e });
    }
  }

  private async run(request: ApprovalRequest): Promise<void> {
    const { store, board, audit, log } = this.deps;
    const action = this.deps.actions.get(request.kind);
    const startedAt = Date.now();
    let current = (await store.setRun(request.id, { status: 'running', startedAt })) ?? request;
    await board.refresh(current);
    try {
      if (!action) throw new Error(`no action "${request.kind}" is registered`);
      const result = await action(current);
      current = (await store.setRun(request.id, { status: 'succeeded', startedAt, finishedAt: Date.now(), result })) ?? current;
      await audit.record({ actor: 'bot', action: `ran the approved action: ${request.title}`, outcome: 'ok', detail: result });
    } catch (e) {
      const result = (e as Error).message;
      log.error({ err: e, approval: request.id, kind: request.kind }, 'approved action failed');
      current = (await store.setRun(request.id, { status: 'failed', startedAt, finishedAt: Date.now(), result })) ?? current;
      await audit.record({ actor: 'bot', action: `ran the approved action, which failed: ${request.title}`, outcome: 'error', detail: result });
    }
    await board.refresh(current);
  }
}
