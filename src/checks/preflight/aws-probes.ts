import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DatabaseMigrationServiceClient, DescribeReplicationTasksCommand, DescribeTableStatisticsCommand, StartReplicationTaskCommand, StopReplicationTaskCommand } from '@aws-sdk/client-database-migration-service';
import { isProbeArn, type AwsPermissionProbes } from './aws-permissions';

/**
 * The preflight's AWS calls through the SDK (standard credential chain; endpoints from
 * AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE / AWS_ENDPOINT_URL_CLOUDWATCH). One attempt each, bounded:
 * a probe that is refused says so, it is not retried.
 */
export function awsPermissionProbes(region: string, requestTimeoutMs: number): AwsPermissionProbes {
  const handler = { requestTimeout: requestTimeoutMs, connectionTimeout: Math.min(3000, requestTimeoutMs), throwOnRequestTimeout: true };
  const dms = new DatabaseMigrationServiceClient({ region, maxAttempts: 1, requestHandler: handler });
  const cloudwatch = new CloudWatchClient({ region, maxAttempts: 1, requestHandler: handler });
  return {
    async describeTask(task) {
      const filter = task.startsWith('arn:') ? 'replication-task-arn' : 'replication-task-id';
      const out = await dms.send(new DescribeReplicationTasksCommand({ Filters: [{ Name: filter, Values: [task] }], WithoutSettings: true }));
      const arn = out.ReplicationTasks?.[0]?.ReplicationTaskArn;
      if (!arn) throw Object.assign(new Error(`no replication task "${task}"`), { name: 'ResourceNotFoundFault' });
      return arn;
    },
    async tableStatistics(taskArn) {
      await dms.send(new DescribeTableStatisticsCommand({ ReplicationTaskArn: taskArn, MaxRecords: 20 }));
    },
    async startTask(arn) {
      // Never the real task: a mistake here would start it.
      if (!isProbeArn(arn)) throw new Error(`refusing to start ${arn}: the preflight only calls StartReplicationTask on its probe ARN`);
      // resume-processing: the mildest kind, on an ARN that names no task.
      await dms.send(new StartReplicationTaskCommand({ ReplicationTaskArn: arn, StartReplicationTaskType: 'resume-processing' }));
    },
    async stopTask(arn) {
      if (!isProbeArn(arn)) throw new Error(`refusing to stop ${arn}: the preflight only calls StopReplicationTask on its probe ARN`);
      await dms.send(new StopReplicationTaskCommand({ ReplicationTaskArn: arn }));
    },
    async metricData(replicationInstance, taskResourceId, now) {
      await cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(now - 5 * 60_000),
          EndTime: new Date(now),
          MetricDataQueries: [
            {
              Id: 'target',
              MetricStat: {
                Metric: { Namespace: 'AWS/DMS', MetricName: 'CDCLatencyTarget', Dimensions: [{ Name: 'ReplicationInstanceIdentifier', Value: replicationInstance }, { Name: 'ReplicationTaskIdentifier', Value: taskResourceId }] },
                Period: 60,
                Stat: 'Average',
              },
            },
          ],
        }),
      );
    },
  };
}
