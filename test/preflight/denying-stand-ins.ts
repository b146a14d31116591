import type { IncomingMessage, ServerResponse } from 'node:http';
import { DmsStandIn } from '../support/dms-stand-in';
import { readBody } from '../support/local-http-server';

/**
 * The DMS stand-in, with IAM in front of it: a denied operation gets AccessDeniedException (HTTP 400,
 * as AWS JSON 1.1 services answer an IAM refusal) every time, until allowed again.
 */
export class DenyingDmsStandIn extends DmsStandIn {
  readonly denied = new Set<string>();

  deny(operation: string): void {
    this.denied.add(operation);
  }

  allow(operation: string): void {
    this.denied.delete(operation);
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonDMSv20160101\./, '');
    if (!this.denied.has(operation)) return super.handle(req, res);
    const raw = (await readBody(req)).toString('utf8');
    this.calls.push({ operation, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} });
    res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify({ __type: 'AccessDeniedException', message: `User: arn:aws:sts::123456789012:assumed-role/cutover-bot/i-0abc is not authorized to perform: dms:${operation} on resource: * because no identity-based policy allows the dms:${operation} action` }));
  }
}
