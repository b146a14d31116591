import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * POSTs a message to a slash command's or a click's response_url with node's own HTTP client and a keep-alive
 * agent. Bolt's `respond` uses `fetch`, whose streams cost about half a millisecond of the main
 * thread per answer: under a burst of commands that time comes out of every other command's work.
 */
export async function postToResponseUrl(url: string | undefined, message: object, timeoutMs = 10_000): Promise<void> {
  if (!url) throw new Error('the request carries no response_url');
  const target = new URL(url);
  const https = target.protocol === 'https:';
  const body = JSON.stringify(message);
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(
      target,
      { method: 'POST', agent: https ? agents.https : agents.http, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) }, timeout: timeoutMs },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`response_url answered HTTP ${res.statusCode}`))));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`response_url did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
