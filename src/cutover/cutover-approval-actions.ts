import type { ApprovalAction } from '../approvals/approval-service';
import type { HealthGates } from '../gates/health-gates';
import { hopById, type Plan } from '../plan/plan';
import type { CutoverRunner } from './cutover-runner';

/** The approved cutover: the gates once more, then the runbook. */
export function cutoverApprovalActions(deps: { plan: Plan; gates: HealthGates; runner: CutoverRunner }): [string, ApprovalAction][] {
  return [
    [
      'cutover',
      async (req) => {
        const hop = hopById(deps.plan, String(req.params.hop));
        if (!hop) throw new Error(`no hop ${String(req.params.hop)}`);
        const report = await deps.gates.goNoGo(hop, true);
        if (!report.go) throw new Error(`a gate turned bad since the request: ${report.blocking.map((b) => `${b.label}${b.detail ? ` (${b.detail})` : ''}`).join('; ')}; nothing was run`);
        const outcome = await deps.runner.start(hop.id, req.requester);
        // The approval's own record says whether the cutover got through, not only that it began.
        if ((await deps.runner.status(hop.id)) !== 'done') throw new Error(outcome);
        return outcome;
      },
    ],
    ['cutover.rollback', async (req) => deps.runner.rollBackAfterCutover(String(req.params.hop), req.requester)],
  ];
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
