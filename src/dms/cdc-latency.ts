import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';

export interface CdcLatency {
  /** Seconds behind the source (CDCLatencySource) and the target (CDCLatencyTarget); undefined when CloudWatch has no point. */
  sourceSeconds?: number;
  targetSeconds?: number;
  at?: number;
}

export interface CdcLatencyPort {
  latest(replicationInstance: string, taskResourceId: string, now: number): Promise<CdcLatency>;
}

/**
 * CloudWatch's DMS CDC latency (namespace AWS/DMS), the newest one-minute averages of the last
 * 15 minutes. Endpoint override: AWS_ENDPOINT_URL_CLOUDWATCH.
 */
export function cloudWatchCdcLatency(region: string, requestTimeoutMs = 10_000): CdcLatencyPort {
  const client = new CloudWatchClient({ region, maxAttempts: 4, requestHandler: { requestTimeout: requestTimeoutMs, connectionTimeout: 3000, throwOnRequestTimeout: true } });
  return {
    async latest(replicationInstance, taskResourceId, now) {
      const metric = (id: string, name: string) => ({
        Id: id,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/DMS',
            MetricName: name,
            Dimensions: [
              { Name: 'ReplicationInstanceIdentifier', Value: replicationInstance },
              { Name: 'ReplicationTaskIdentifier', Value: taskResourceId },
            ],
          },
          Period: 60,
          Stat: 'Average',
        },
      });
      const out = await client.send(
        new GetMetricDataCommand({
          StartTime: new Date(now - 15 * 60_000),
          EndTime: new Date(now),
          ScanBy: 'TimestampDescending',
          MetricDataQueries: [metric('source', 'CDCLatencySource'), metric('target', 'CDCLatencyTarget')],
        }),
      );
      const newest = (id: string) => {
        const r = out.MetricDataResults?.find((x) => x.Id === id);
        return r?.Values?.length ? { value: r.Values[0], at: r.Timestamps?.[0]?.getTime() } : undefined;
      };
      const source = newest('source');
      const target = newest('target');
      return { sourceSeconds: source?.value, targetSeconds: target?.value, at: target?.at ?? source?.at };
    },
  };
}
