/** ok: fine. warn: look at it. fail: not safe. unknown: could not tell, which gates treat as fail. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'unknown';

/** What every check returns, so gates, status, alerts and views speak one language. */
export interface CheckResult {
  /** Stable id, e.g. "lag.heartbeat". */
  id: string;
  /** For people, e.g. "End-to-end lag (heartbeat)". */
  label: string;
  status: CheckStatus;
  /** The observed value, with its unit, for people ("3.2 s"). */
  value?: string;
  threshold?: string;
  /** Where it was observed ("target ec2"). */
  source: string;
  observedAt: number;
  /** Why, when it is not ok. */
  detail?: string;
  /** The Slack user whose doing this is (a hold's author), shown as a mention. */
  by?: string;
  /** Where a person can look (a status page, the error tracker). */
  link?: string;
  /** The numbers behind `value`, for charts (e.g. the error rate's errors per minute). */
  figures?: Record<string, number>;
}

const RANK: Record<CheckStatus, number> = { ok: 0, warn: 1, unknown: 2, fail: 3 };

/** The worst status of several (fail > unknown > warn > ok). */
export function worstStatus(statuses: CheckStatus[]): CheckStatus {
  return statuses.reduce<CheckStatus>((w, s) => (RANK[s] > RANK[w] ? s : w), 'ok');
}
