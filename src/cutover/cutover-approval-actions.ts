import type { ApprovalAction } from '../approvals/approval-service';
import type { ApprovalRequest } from '../approvals/approval-request';
import type { HealthGates } from '../gates/health-gates';
import { staleEpoch } from '../migration/migration-machine';
import { hopById, type Hop, type Plan } from '../plan/plan';
import type { MigrationState } from '../state/migration-state';
import type { CutoverRunner } from './cutover-runner';
import { writerLine } from '../checks/source-writers';
import type { AuditLog } from '../state/audit-log';
import type { CutoverRunStore } from './cutover-run';
import { recordWritersDecision, type WritersDecisionKind } from './writers-decision';
import { WRITERS_APPROVAL_KIND } from './writers-request';

/** The epoch a request was made for; a request without one (made by an older version) is refused, never guessed. */
export function requestEpoch(req: ApprovalRequest): number {
  const epoch = req.params.epoch;
  if (typeof epoch !== 'number') throw new Error('this request does not say which state of the migration it was made for (an older version made it): ask again; nothing was run');
  return epoch;
}

/** The approved cutover, resume and roll back: each decided again on the migration as it is when it runs. */
export function cutoverApprovalActions(deps: {
  plan: Plan;
  gates: HealthGates;
  runner: CutoverRunner;
  migration: MigrationState;
  rollBack: (hop: Hop, by: string, runId: string | undefined) => Promise<string>;
  /** The runs and the audit log, for the decisions about stray writers. */
  runs: CutoverRunStore;
  audit: AuditLog;
  /** Why the configuration cannot cut this hop over now (an app URL unset, say): asked again at approval. */
  readiness?: (hop: Hop) => string | undefined;
}): [string, ApprovalAction][] {
  const hopOf = (req: ApprovalRequest): Hop => {
    const hop = hopById(deps.plan, String(req.params.hop));
    if (!hop) throw new Error(`no hop ${String(req.params.hop)}`);
    return hop;
  };
  const notStale = async (req: ApprovalRequest) => {
    const stale = staleEpoch(await deps.migration.read(), requestEpoch(req));
    if (stale) throw new Error(`this request is stale: ${stale}`);
  };
  return [
    [
      'cutover',
      async (req) => {
        const hop = hopOf(req);
        const epoch = requestEpoch(req);
        const unready = deps.readiness?.(hop);
        if (unready) throw new Error(`${unready}; nothing was run`);
        const report = await deps.gates.goNoGo(hop, true);
        if (!report.go) throw new Error(`a gate turned bad since the request: ${report.blocking.map((b) => `${b.label}${b.detail ? ` (${b.detail})` : ''}`).join('; ')}; nothing was run`);
        // The start decides again, atomically: current hop, no hold, nothing else moving, this epoch.
        const outcome = await deps.runner.start(hop.id, req.requester, { epoch });
        // The approval's own record says whether the cutover got through, not only that it began.
        if ((await deps.runner.status(hop.id)) !== 'done') throw new Error(outcome);
        // Done, if perhaps by a resumed attempt after this one was fenced out: the run's own record is what counts.
        return outcome.startsWith(`cutover of ${hop.id} done`) ? outcome : `cutover of ${hop.id} done`;
      },
    ],
    [
      'cutover.rollback',
      async (req) => {
        await notStale(req);
        return deps.rollBack(hopOf(req), req.requester, typeof req.params.run === 'string' ? req.params.run : undefined);
      },
    ],
    [
      'cutover.resume',
      async (req) => {
        await notStale(req);
        const reply = await deps.runner.resume(hopOf(req).id, req.requester, { runId: String(req.params.run), approved: true });
        if (!reply.startsWith('Resuming')) throw new Error(reply);
        return reply;
      },
    ],
    ...(['terminate', 'continue'] as const).map((kind): [string, ApprovalAction] => [WRITERS_APPROVAL_KIND[kind], (req) => writersDecided(kind, req)]),
  ];

  /**
   * An approved Terminate or Continue anyway: recorded on the run only if the run is still the one,
   * stopped at the writers check with the same list (one compare-and-set), then resumed. The writers
   * step carries it out under the run's own claim, and checks the writers again.
   */
  async function writersDecided(kind: WritersDecisionKind, req: ApprovalRequest): Promise<string> {
    await notStale(req);
    const hop = hopOf(req);
    const runId = String(req.params.run);
    const approvedBy = req.approvals.map((v) => v.user);
    let why: string | undefined;
    const recorded = await deps.runs.update(hop.id, (r) => {
      const out = recordWritersDecision(r, kind, { hop: hop.id, runId, listedAt: Number(req.params.listedAt), by: req.requester, approvedBy, at: Date.now() });
      why = out.why;
      return out.next;
    });
    if (!recorded?.strayWriters) throw new Error(`refused: ${why ?? 'the run is gone'}; nothing was done`);
    const writers = recorded.strayWriters.writers;
    const verb = kind === 'terminate' ? 'terminate' : 'continue anyway';
    await deps.audit.record({ actor: req.requester, action: `cutover writers ${verb}: ${hop.id}`, outcome: 'ok', detail: `run ${runId}, approved by ${approvedBy.join(', ')}: ${writers.map(writerLine).join('; ')}` });
    const reply = await deps.runner.resume(hop.id, req.requester, { runId, approved: true });
    if (!reply.startsWith('Resuming')) throw new Error(`the decision to ${verb} is recorded on run ${runId}, but the run did not resume: ${reply} The next Resume carries it out.`);
    return `${reply} ${kind === 'terminate' ? `The writers step ends the ${writers.length} listed session(s) first, then checks again.` : `${writers.length} listed session(s) no longer hold the run; any other still does.`}`;
  }
}

/** Withdraws pending cutover approvals whose gates are no longer all ok. */
export async function withdrawStaleCutoverApprovals(deps: {
  plan: Plan;
  gates: HealthGates;
  pending: () => Promise<{ id: string; kind: string; params: Record<string, unknown> }[]>;
  invalidate: (id: string, reason: string) => Promise<boolean>;
}): Promise<number> {
  let withdrawn = 0;
  for (const req of (await deps.pending()).filter((r) => r.kind === 'cutover')) {
    const hop = hopById(deps.plan, String(req.params.hop));
    if (!hop) continue;
    const report = await deps.gates.goNoGo(hop, true);
    if (!report.go && (await deps.invalidate(req.id, `a gate turned bad: ${report.blocking.map((b) => b.label).join(', ')}`))) withdrawn++;
  }
  return withdrawn;
}
