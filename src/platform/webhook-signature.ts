import { createHmac } from 'node:crypto';

/** The version of the signature scheme, as it appears in the header: `v1=<hex>`. */
export const SIGNATURE_SCHEME = 'v1';

/**
 * The headers that let the app webhook trust a call: `X-Cutover-Timestamp` (Unix seconds) and
 * `X-Cutover-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>" with the shared secret>`.
 * The timestamp is signed with the body so that an old request cannot be replayed as new.
 */
export function signWebhook(secret: string, body: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return { 'X-Cutover-Timestamp': timestamp, 'X-Cutover-Signature': `${SIGNATURE_SCHEME}=${mac}` };
}
