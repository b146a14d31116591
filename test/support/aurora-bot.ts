import { randomBytes } from 'node:crypto';
import { parsePlan } from '../../src/plan/load-plan';
import { startAwsEndpoints } from './aws-endpoints';
import { BotHarness } from './bot-harness';
import { RdsCloudWatchStandIn, RdsStandIn } from './rds-stand-in';
import { APPROVERS, CHANNEL, OPERATORS } from './test-plan';

/** The bot on a plan with one hop, EC2 to an Aurora cluster `prod-aurora` (one reader), with the RDS and CloudWatch stand-ins. */
export interface AuroraBot {
  h: BotHarness;
  rds: RdsStandIn;
  cloudwatch: RdsCloudWatchStandIn;
  stop(): Promise<void>;
}

/** `planExtra`: more top-level plan YAML; `databaseUrls`: as BotHarness.start takes them. */
export async function startAuroraBot(o: { planExtra?: string; databaseUrls?: Record<string, string> } = {}): Promise<AuroraBot> {
  const rds = new RdsStandIn();
  const cloudwatch = new RdsCloudWatchStandIn();
  const aws = await startAwsEndpoints({ AWS_ENDPOINT_URL_RDS: rds, AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch });
  rds.addCluster('prod-aurora', 1);
  try {
    const h = await BotHarness.start({
      awsRequestTimeoutMs: 2000,
      ...(o.databaseUrls ? { databaseUrls: o.databaseUrls } : {}),
      plan: parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { ec2: { url_env: EC2_URL }, aurora: { url_env: AURORA_URL, rds: { cluster: prod-aurora, region: us-east-1 } } }
hops:
  - { id: ec2-to-aurora, method: logical, source: ec2, target: aurora, subscription: cutover }
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
${o.planExtra ?? ''}
`),
    });
    return {
      h,
      rds,
      cloudwatch,
      stop: async () => {
        await h.stop();
        await aws.stop();
      },
    };
  } catch (e) {
    await aws.stop();
    throw e;
  }
}
