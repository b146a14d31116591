import { CloudWatchStandIn, DmsStandIn } from './dms-stand-in';

export interface DmsAwsStandIns {
  dms: DmsStandIn;
  cloudwatch: CloudWatchStandIn;
  /** Stops both stand-ins and puts the environment back as it was. */
  stop(): Promise<void>;
}

/** Local DMS and CloudWatch stand-ins (a test's own, or new ones), with the AWS SDK pointed at them and given test credentials. */
export async function startDmsAwsStandIns<D extends DmsStandIn = DmsStandIn>(dms: D = new DmsStandIn() as D, cloudwatch = new CloudWatchStandIn()): Promise<DmsAwsStandIns & { dms: D }> {
  const saved = { ...process.env };
  await Promise.all([dms.start(), cloudwatch.start()]);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE: dms.url,
    AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
    AWS_ACCESS_KEY_ID: 'AKIDTESTTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret-key',
  });
  return {
    dms,
    cloudwatch,
    async stop() {
      await Promise.all([dms.stop(), cloudwatch.stop()]);
      process.env = saved;
    },
  };
}
