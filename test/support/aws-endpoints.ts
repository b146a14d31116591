/** A local stand-in of an AWS service: started, stopped, and reached at `url`. */
export interface AwsStandIn {
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  readonly url: string;
}

/**
 * Starts local AWS stand-ins and points the real AWS SDK at them, by endpoint variable
 * (`AWS_ENDPOINT_URL_RDS`…), with test credentials. `stop()` stops them and puts the environment back.
 */
export async function startAwsEndpoints(endpoints: Record<string, AwsStandIn>): Promise<{ stop(): Promise<void> }> {
  const saved = { ...process.env };
  const standIns = Object.values(endpoints);
  await Promise.all(standIns.map((s) => s.start()));
  Object.assign(process.env, Object.fromEntries(Object.entries(endpoints).map(([variable, s]) => [variable, s.url])), { AWS_ACCESS_KEY_ID: 'AKIDTESTTEST', AWS_SECRET_ACCESS_KEY: 'test-secret-key' });
  return {
    async stop() {
      await Promise.all(standIns.map((s) => s.stop()));
      process.env = saved;
    },
  };
}
