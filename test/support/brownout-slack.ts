import type { IncomingMessage, ServerResponse } from 'node:http';
import { SlackStandIn } from './slack-stand-in';

/** The Slack stand-in in a partial brownout: the methods in `silent` are received and never answered. */
export class BrownoutSlack extends SlackStandIn {
  readonly silent = new Set<string>();
  /** Calls to silent methods, in order. */
  readonly unanswered: string[] = [];

  protected override async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/api\//, '');
    if (!this.silent.has(method)) return super.handle(req, res);
    // Left open until the stand-in stops.
    this.unanswered.push(method);
  }
}
