import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient, type DBInstance } from '@aws-sdk/client-rds';
import { RdsReadError, type RdsHealth, type RdsHealthPort, type RdsMember } from './rds-health';

/** A CloudWatch point older than this is not today's lag. */
const FRESH_POINT_MS = 5 * 60_000;

/**
 * The target's own health through the AWS SDK: credentials and region from the SDK's standard chain,
 * endpoints from AWS_ENDPOINT_URL_RDS and AWS_ENDPOINT_URL_CLOUDWATCH when set. The whole read is
 * bounded by `timeoutMs`: each call is aborted at the deadline (the SDK's own retries could outlast a gate).
 */
export function awsRdsHealth(region: string, timeoutMs = 10_000): RdsHealthPort {
  const http = { requestTimeout: timeoutMs, connectionTimeout: 3000, throwOnRequestTimeout: true };
  const rds = new RDSClient({ region, maxAttempts: 3, requestHandler: http });
  const cloudwatch = new CloudWatchClient({ region, maxAttempts: 3, requestHandler: http });
  return {
    async read(target) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      const call = async <T>(action: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
        try {
          return await work(abort.signal);
        } catch (e) {
          throw inWords(e, action, abort.signal.aborted ? timeoutMs : undefined);
        }
      };
      try {
        const health = target.cluster ? await readCluster(rds, target.cluster, call) : await readInstance(rds, target.instance ?? '', call);
        const readers = health.members.filter((m) => !m.writer);
        if (!readers.length) return health;
        const metric = target.cluster ? 'AuroraReplicaLag' : 'ReplicaLag';
        try {
          const lag = await call('cloudwatch:GetMetricData', (abortSignal) => readerLag(cloudwatch, metric, readers.map((r) => r.id), Date.now(), abortSignal));
          for (const r of readers) r.lagSeconds = lag.get(r.id);
        } catch (e) {
          return { ...health, lagError: (e as Error).message };
        }
        return health;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

type Call = <T>(action: string, work: (signal: AbortSignal) => Promise<T>) => Promise<T>;

async function readCluster(rds: RDSClient, id: string, call: Call): Promise<RdsHealth> {
  const out = await call('rds:DescribeDBClusters', (abortSignal) => rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }), { abortSignal }));
  const c = out.DBClusters?.[0];
  if (!c) throw new RdsReadError(`RDS has no DB cluster "${id}" in this region`);
  const instances = await call('rds:DescribeDBInstances', (abortSignal) => rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-cluster-id', Values: [c.DBClusterIdentifier ?? id] }] }), { abortSignal }));
  const status = new Map((instances.DBInstances ?? []).map((i) => [i.DBInstanceIdentifier, i.DBInstanceStatus ?? 'unknown']));
  const members: RdsMember[] = (c.DBClusterMembers ?? []).map((m) => ({ id: m.DBInstanceIdentifier ?? '?', writer: Boolean(m.IsClusterWriter), status: status.get(m.DBInstanceIdentifier) ?? 'unknown' }));
  return {
    kind: 'cluster',
    id: c.DBClusterIdentifier ?? id,
    status: c.Status ?? 'unknown',
    backupRetentionDays: c.BackupRetentionPeriod ?? 0,
    latestRestorableAt: c.LatestRestorableTime?.getTime(),
    deletionProtection: Boolean(c.DeletionProtection),
    multiAz: Boolean(c.MultiAZ),
    members,
    observedAt: Date.now(),
  };
}

async function readInstance(rds: RDSClient, id: string, call: Call): Promise<RdsHealth> {
  const describe = (filter: { DBInstanceIdentifier?: string; ids?: string[] }) =>
    call('rds:DescribeDBInstances', (abortSignal) =>
      rds.send(new DescribeDBInstancesCommand(filter.ids ? { Filters: [{ Name: 'db-instance-id', Values: filter.ids }] } : { DBInstanceIdentifier: filter.DBInstanceIdentifier }), { abortSignal }),
    );
  const i = (await describe({ DBInstanceIdentifier: id })).DBInstances?.[0];
  if (!i) throw new RdsReadError(`RDS has no DB instance "${id}" in this region`);
  const replicaIds = i.ReadReplicaDBInstanceIdentifiers ?? [];
  const replicas: DBInstance[] = replicaIds.length ? ((await describe({ ids: replicaIds })).DBInstances ?? []) : [];
  const status = new Map(replicas.flatMap((r) => [[r.DBInstanceIdentifier, r.DBInstanceStatus], [r.DBInstanceArn, r.DBInstanceStatus]]));
  return {
    kind: 'instance',
    id: i.DBInstanceIdentifier ?? id,
    status: i.DBInstanceStatus ?? 'unknown',
    backupRetentionDays: i.BackupRetentionPeriod ?? 0,
    latestRestorableAt: i.LatestRestorableTime?.getTime(),
    deletionProtection: Boolean(i.DeletionProtection),
    multiAz: Boolean(i.MultiAZ),
    members: [
      { id: i.DBInstanceIdentifier ?? id, writer: true, status: i.DBInstanceStatus ?? 'unknown' },
      ...replicaIds.map((r) => ({ id: r, writer: false, status: status.get(r) ?? 'unknown' })),
    ],
    observedAt: Date.now(),
  };
}

/** The newest one-minute average of each reader's lag in the last 15 minutes, in seconds. */
async function readerLag(cloudwatch: CloudWatchClient, metric: 'AuroraReplicaLag' | 'ReplicaLag', readers: string[], now: number, abortSignal: AbortSignal): Promise<Map<string, number>> {
  const out = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(now - 15 * 60_000),
      EndTime: new Date(now),
      ScanBy: 'TimestampDescending',
      MetricDataQueries: readers.map((id, n) => ({
        Id: `r${n}`,
        MetricStat: { Metric: { Namespace: 'AWS/RDS', MetricName: metric, Dimensions: [{ Name: 'DBInstanceIdentifier', Value: id }] }, Period: 60, Stat: 'Average' },
      })),
    }),
    { abortSignal },
  );
  const lag = new Map<string, number>();
  readers.forEach((id, n) => {
    const r = out.MetricDataResults?.find((x) => x.Id === `r${n}`);
    const at = r?.Timestamps?.[0]?.getTime();
    if (r?.Values?.length && at !== undefined && now - at <= FRESH_POINT_MS) lag.set(id, metric === 'AuroraReplicaLag' ? r.Values[0] / 1000 : r.Values[0]);
  });
  return lag;
}

/** An SDK error in words: access denied names the IAM action to grant; a silent endpoint says how long it was given. */
function inWords(e: unknown, action: string, abortedAfterMs?: number): Error {
  if (e instanceof RdsReadError) return e;
  const err = e as Error & { name?: string };
  const code = err.name ?? 'Error';
  if (abortedAfterMs !== undefined) return new RdsReadError(`${action} did not answer within ${abortedAfterMs / 1000} s`);
  if (code === 'TimeoutError' || code === 'AbortError') return new RdsReadError(`${action} did not answer in time (${err.message})`);
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(code) || /not authori[sz]ed/i.test(err.message)) {
    return new RdsReadError(`access denied: grant ${action} to the bot's AWS identity (AWS said: ${err.message})`, action);
  }
  if (code === 'DBClusterNotFoundFault' || code === 'DBInstanceNotFoundFault') return new RdsReadError(`RDS: ${err.message} (${code})`);
  if (/credential/i.test(code) || /credential/i.test(err.message)) return new RdsReadError(`${action}: no AWS credentials the SDK could use (${err.message})`);
  return new RdsReadError(`${action} failed: ${code}: ${err.message}`);
}
