export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'invalidated';

export interface Vote {
  user: string;
  at: number;
}

/**
 * Code an approval runs (SQL), shown whole: in the request as code blocks and, complete, as a file in
 * the request's thread. The action runs only statements that produce exactly this text.
 */
export interface ApprovalCode {
  filename: string;
  /** The complete file: every statement, with comment lines saying what binds where. */
  text: string;
  /** How many statements the file holds. */
  statements: number;
  /** sha256 of `text` (hex), shown in the request and stored with it. */
  sha256: string;
}

export interface ApprovalRun {
  status: 'running' | 'succeeded' | 'failed';
  startedAt: number;
  finishedAt?: number;
  result?: string;
}

/** A request for teammates to approve an action that will run once, when enough of them have. */
export interface ApprovalRequest {
  id: string;
  /** Which registered action runs on approval, e.g. "cutover" or "sequences.fix". */
  kind: string;
  title: string;
  /** What will be done, shown in the request. */
  steps: string[];
  /** What approvers should know that is not a step (shown after the steps, not numbered). */
  notes?: string[];
  /** The one consequence an approver must not miss (shown apart, in bold, with a warning sign). */
  warning?: string;
  /** Input for the action, fixed at request time: approvals bind to exactly this. */
  params: Record<string, unknown>;
  /** The code the action runs, when it runs code (e.g. a sequence fix): shown whole to approvers. */
  code?: ApprovalCode;
  /** At most one pending request holds this claim (e.g. "cutover:hop-1"): a second one is refused. */
  exclusive?: string;
  requester: string;
  requiredApprovals: number;
  createdAt: number;
  expiresAt: number;
  status: ApprovalStatus;
  approvals: Vote[];
  closedBy?: Vote & { reason?: string };
  message?: { channel: string; ts: string };
  run?: ApprovalRun;
}

export type VoteOutcome =
  | 'recorded' // counted; more approvals needed
  | 'approved' // this vote completed the request: the caller runs the action, and only this caller
  | 'rejected' // this vote rejected the request
  | 'already-voted'
  | 'self-approval'
  | 'expired' // too late; the request is now marked expired
  | 'closed'; // approved, rejected, expired or invalidated before this vote

/**
 * Applies one Approve or Reject click to a request. Pure: the store applies it atomically, so
 * exactly one click can move a request from pending to approved.
 */
export function applyVote(
  req: ApprovalRequest,
  vote: { user: string; decision: 'approve' | 'reject'; at: number },
): { next?: ApprovalRequest; outcome: VoteOutcome } {
  if (req.status !== 'pending') return { outcome: 'closed' };
  if (vote.at >= req.expiresAt) {
    return { next: { ...req, status: 'expired', closedBy: { user: 'bot', at: vote.at, reason: 'expired' } }, outcome: 'expired' };
  }
  if (vote.decision === 'reject') {
    return { next: { ...req, status: 'rejected', closedBy: { user: vote.user, at: vote.at } }, outcome: 'rejected' };
  }
  if (vote.user === req.requester) return { outcome: 'self-approval' };
  if (req.approvals.some((a) => a.user === vote.user)) return { outcome: 'already-voted' };
  const approvals = [...req.approvals, { user: vote.user, at: vote.at }];
  const done = approvals.length >= req.requiredApprovals;
  return {
    next: { ...req, approvals, status: done ? 'approved' : 'pending' },
    outcome: done ? 'approved' : 'recorded',
  };
}

/** Closes a pending request without running it (expiry sweep, or a gate that turned bad). */
export function closeRequest(req: ApprovalRequest, status: 'expired' | 'invalidated', at: number, reason: string): ApprovalRequest | undefined {
  if (req.status !== 'pending') return undefined;
  return { ...req, status, closedBy: { user: 'bot', at, reason } };
}
