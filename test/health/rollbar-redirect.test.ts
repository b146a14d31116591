import type { IncomingMessage, ServerResponse } from 'node:http';
import { RollbarDeploys } from '../../src/health/rollbar-deploys';
import { LocalHttpServer } from '../support/local-http-server';

/** Records every request's token header; answers what `answer` says. */
class Recorder extends LocalHttpServer {
  readonly tokens: (string | undefined)[] = [];
  constructor(private readonly answer: (res: ServerResponse) => void) {
    super();
  }
  protected handle(req: IncomingMessage, res: ServerResponse): void {
    this.tokens.push(req.headers['x-rollbar-access-token'] as string | undefined);
    req.resume();
    req.on('end', () => this.answer(res));
  }
}

// The token travels in a header the HTTP client does not strip on a redirect to another host.
test("a Rollbar base_url that redirects elsewhere never gets the token sent on: the call fails instead", async () => {
  const elsewhere = await new Recorder((res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"result":{"deploy_id":1}}')).start();
  const redirecting = await new Recorder((res) => res.writeHead(307, { Location: `${elsewhere.url}/api/1/deploy` }).end()).start();
  try {
    const deploys = new RollbarDeploys({ baseUrl: redirecting.url, environment: 'production', writeToken: 'rollbar-write-token-secret', timeoutMs: 2000 });
    await expect(deploys.start('cutover', 'U0OPS1', 'c')).rejects.toThrow();
    expect(redirecting.tokens).toEqual(['rollbar-write-token-secret']);
    expect(elsewhere.tokens).toEqual([]);
  } finally {
    await Promise.all([elsewhere.stop(), redirecting.stop()]);
  }
});
