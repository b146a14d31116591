/** Slack's requests are a few kilobytes; a larger body is refused while it is read, before its signature is checked. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** What the acknowledging worker thread is started with. */
export interface AckWorkerOptions {
  port: number;
  host?: string;
  signingSecret: string;
  /** The path Slack posts commands and clicks to. */
  endpoint: string;
  /** Bytes; DEFAULT_BODY_LIMIT when absent. */
  bodyLimit?: number;
  /** Paths of the GET routes the main thread answers (e.g. /healthz). */
  routes: string[];
  routeTimeoutMs: number;
  /** Without a word from the main thread for this long, requests are refused instead of acknowledged. */
  stallMs: number;
}

export type FromAckWorker =
  | { kind: 'listening'; port: number }
  | { kind: 'failed'; reason: string }
  | { kind: 'event'; body: Record<string, unknown>; retryNum?: number; retryReason?: string }
  /** A request answered without running anything: the HTTP status it got and why. */
  | { kind: 'refused'; reason: string; status: number }
  | { kind: 'route'; id: number; path: string; authorization?: string };

export type ToAckWorker = { kind: 'heartbeat' } | { kind: 'stop' } | { kind: 'route-reply'; id: number; status: number; contentType: string; body: string };
