import { startAwsEndpoints } from './aws-endpoints';
import { CloudWatchStandIn, DmsStandIn } from './dms-stand-in';

export interface DmsAwsStandIns {
  dms: DmsStandIn;
  cloudwatch: CloudWatchStandIn;
  /** Stops both stand-ins and puts the environment back as it was. */
  stop(): Promise<void>;
}

/** Local DMS and CloudWatch stand-ins (a test's own, or new ones), with the AWS SDK pointed at them and given test credentials. */
export async function startDmsAwsStandIns<D extends DmsStandIn = DmsStandIn>(dms: D = new DmsStandIn() as D, cloudwatch = new CloudWatchStandIn()): Promise<DmsAwsStandIns & { dms: D }> {
  const endpoints = await startAwsEndpoints({ AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE: dms, AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch });
  return { dms, cloudwatch, stop: () => endpoints.stop() };
}
