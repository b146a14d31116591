import type { Hop } from '../../plan/plan';
import type { PreflightCheck, PreflightFix } from './preflight-check';

/** One harmless call per AWS action the bot uses; each throws the service's error, untouched. */
export interface AwsPermissionProbes {
  /** DescribeReplicationTasks filtered to the task; resolves with its ARN. */
  describeTask(task: string): Promise<string>;
  /** DescribeTableStatistics, one small page. */
  tableStatistics(taskArn: string): Promise<void>;
  /** StartReplicationTask / StopReplicationTask on `arn`: only ever given PROBE arns, which no task can have. */
  startTask(arn: string): Promise<void>;
  stopTask(arn: string): Promise<void>;
  /** CloudWatch GetMetricData for the task's CDC latency, the last few minutes. */
  metricData(replicationInstance: string, taskResourceId: string, now: number): Promise<void>;
}

const PROBE_TASK = 'cutover--preflight--no-such-task';

/**
 * AWS has no DryRun for StartReplicationTask / StopReplicationTask. The preflight calls them on an
 * ARN in the task's own account and region whose name no task can have (two hyphens in a row are not
 * allowed in a DMS resource identifier), so they can never start or stop anything. "Not found" there
 * means IAM let the call through for that ARN — a policy granting the real task only, or a Deny naming
 * it, cannot be seen this way, so it is shown as ⚠️, never ✅.
 */
export function probeTaskArn(taskArn: string | undefined, region: string): string {
  const m = taskArn?.match(/^arn:([^:]+):dms:([^:]+):(\d+):task:/);
  return m ? `arn:${m[1]}:dms:${m[2]}:${m[3]}:task:${PROBE_TASK}` : `arn:aws:dms:${region}:*:task:${PROBE_TASK}`;
}

/** Whether `arn` is a probe ARN (the only kind StartReplicationTask / StopReplicationTask probes may be given). */
export const isProbeArn = (arn: string) => arn.endsWith(`:task:${PROBE_TASK}`);

type Outcome = { kind: 'ok' } | { kind: 'denied' | 'not-found' | 'other'; code: string; message: string };

async function attempt(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    await call();
    return { kind: 'ok' };
  } catch (e) {
    const err = e as Error & { name?: string; Code?: string };
    const code = err.name && err.name !== 'Error' ? err.name : (err.Code ?? 'Error');
    const kind = /AccessDenied|UnauthorizedOperation|NotAuthorized|UnrecognizedClient|InvalidClientTokenId|AuthFailure/i.test(code) ? 'denied' : code === 'ResourceNotFoundFault' ? 'not-found' : 'other';
    return { kind, code, message: err.message };
  }
}

interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
}

/** An IAM policy document (JSON) with the statements the failed AWS checks asked for, merged. */
export function iamPolicyFor(checks: PreflightCheck[]): string | undefined {
  const statements = checks.filter((c) => c.fix?.kind === 'iam').map((c) => JSON.parse(c.fix!.text) as { Statement: Statement[] }).flatMap((p) => p.Statement);
  if (!statements.length) return undefined;
  return JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
}

/** A preflight fix: an IAM policy allowing `actions` on `resource`, for the bot's role or user. */
export function iamPolicyFix(sid: string, actions: string[], resource: string | string[]): PreflightFix {
  return { kind: 'iam', where: "in the policy of the bot's IAM role or user", text: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Action: actions, Resource: resource }] }, null, 2) };
}

/** Each AWS action a DMS hop needs, tried harmlessly with the bot's own credentials. */
export async function checkAwsPermissions(hop: Hop, probes: AwsPermissionProbes, now: () => number): Promise<PreflightCheck[]> {
  if (hop.method !== 'dms' || !hop.dms) return [];
  const { task, region, cloudwatch } = hop.dms;
  const base = (action: string) => ({ id: `aws.${action}`, label: `AWS ${action}`, source: `AWS ${region}`, observedAt: now(), as: 'the AWS credentials of the bot' });
  const denied = (action: string, resource: string | string[], o: Outcome & { code: string; message: string }, why: string): PreflightCheck => ({
    ...base(action),
    status: 'fail',
    value: `denied (${o.code})`,
    detail: `${why}; AWS said: ${o.message}`,
    fix: iamPolicyFix(action.replace(/^\w+:/, '').replace(/[^A-Za-z0-9]/g, ''), [action], resource),
  });
  const other = (action: string, o: Outcome & { code: string; message: string }): PreflightCheck => ({ ...base(action), status: 'unknown', value: `could not tell (${o.code})`, detail: o.message });

  const out: PreflightCheck[] = [];
  let arn: string | undefined = task.startsWith('arn:') ? task : undefined;
  const described = await attempt(async () => (arn = await probes.describeTask(task)));
  if (described.kind === 'ok') out.push({ ...base('dms:DescribeReplicationTasks'), status: 'ok', value: `task ${task} found` });
  else if (described.kind === 'denied') out.push(denied('dms:DescribeReplicationTasks', '*', described, 'the bot reads the task status, progress and settings with it'));
  else if (described.kind === 'not-found') out.push({ ...base('dms:DescribeReplicationTasks'), status: 'fail', value: 'allowed; no such task', detail: `no replication task ${task} in ${region}: ${described.message}`, fix: { kind: 'plan', text: `hops[${hop.id}].dms.task: the task's identifier or ARN` } });
  else out.push(other('dms:DescribeReplicationTasks', described));

  const taskResource = arn ?? `arn:aws:dms:${region}:*:task:*`;
  const probe = probeTaskArn(arn, region);
  if (arn) {
    const stats = await attempt(() => probes.tableStatistics(arn!));
    if (stats.kind === 'ok') out.push({ ...base('dms:DescribeTableStatistics'), status: 'ok', value: 'one page read' });
    else if (stats.kind === 'denied') out.push(denied('dms:DescribeTableStatistics', taskResource, stats, 'the bot reads the tables\' state and the fence compares their counters'));
    else out.push(other('dms:DescribeTableStatistics', stats));
  } else out.push({ ...base('dms:DescribeTableStatistics'), status: 'unknown', value: 'not tried', detail: "the task's ARN was not found (DescribeReplicationTasks)" });

  for (const [action, call, why] of [
    ['dms:StartReplicationTask', probes.startTask, '`/migrate dms start` and a roll back start the task'],
    ['dms:StopReplicationTask', probes.stopTask, 'the cutover stops the task once the fence is seen'],
  ] as const) {
    const o = await attempt(() => call(probe));
    if (o.kind === 'not-found') {
      out.push({ ...base(action), status: 'warn', value: 'allowed on a task that does not exist', detail: `AWS has no dry run for it: tried on ${probe} (no task can have that name), so nothing was started or stopped. A grant naming only the real task, or a Deny naming it, cannot be seen this way` });
    } else if (o.kind === 'denied') {
      out.push(denied(action, [taskResource, probe], o, `${why}. Tried on ${probe}, a name no task can have (AWS has no dry run): if the policy grants the real task only, add that ARN too — it names nothing`));
    } else if (o.kind === 'ok') {
      out.push({ ...base(action), status: 'warn', value: `AWS accepted a call on ${probe}`, detail: 'it should have said the task does not exist: look at the task list' });
    } else out.push({ ...base(action), status: 'warn', value: `could not tell (${o.code})`, detail: `AWS has no dry run for it; the harmless call on ${probe} got: ${o.message}` });
  }

  if (cloudwatch) {
    const o = await attempt(() => probes.metricData(cloudwatch.replicationInstance, cloudwatch.taskResourceId, now()));
    if (o.kind === 'ok') out.push({ ...base('cloudwatch:GetMetricData'), status: 'ok', value: 'CDC latency readable' });
    else if (o.kind === 'denied') out.push(denied('cloudwatch:GetMetricData', '*', o, 'the CDC latency gate and the fence read CDCLatencyTarget'));
    else out.push(other('cloudwatch:GetMetricData', o));
  }
  return out;
}
