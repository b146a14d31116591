import { worstStatus, type CheckResult } from '../check-result';

/** How to put a missing privilege right: SQL to run (and where, as whom), an IAM policy, or a setting. */
export interface PreflightFix {
  kind: 'sql' | 'iam' | 'env' | 'plan' | 'command';
  /** The exact text: GRANT statements, an IAM policy document (JSON), a command to type. */
  text: string;
  /** Where it runs, for people: "on source ec2, as its owner or a superuser". */
  where?: string;
}

/** One thing the hop will need, checked as the role that will need it. */
export interface PreflightCheck extends CheckResult {
  /** The role or identity the check ran as ("role cutover on target aurora", "AWS credentials"). */
  as: string;
  fix?: PreflightFix;
}

export interface PreflightReport {
  hop: string;
  at: number;
  checks: PreflightCheck[];
}

/** The preflight as one gate result: the worst of its checks, naming what is missing. */
export function preflightGateResult(report: PreflightReport): CheckResult {
  const status = worstStatus(report.checks.map((c) => c.status));
  const notOk = report.checks.filter((c) => c.status === 'fail' || c.status === 'unknown');
  const doubtful = report.checks.filter((c) => c.status === 'warn');
  const base = { id: 'preflight', label: 'Preflight (privileges and settings)', source: `hop ${report.hop}`, observedAt: report.at };
  if (!report.checks.length) return { ...base, status: 'unknown', detail: 'the preflight checked nothing' };
  if (notOk.length) {
    const names = notOk.slice(0, 4).map((c) => c.label).join('; ');
    return { ...base, status, value: `${notOk.length} of ${report.checks.length} missing`, detail: `${names}${notOk.length > 4 ? '; …' : ''} — \`/migrate preflight ${report.hop}\` gives each fix` };
  }
  if (doubtful.length) return { ...base, status, value: `${report.checks.length - doubtful.length} of ${report.checks.length} ok, ${doubtful.length} not provable`, detail: doubtful.map((c) => c.label).join('; ') };
  return { ...base, status, value: `${report.checks.length} checks ok` };
}
