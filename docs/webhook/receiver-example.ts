/**
 * A minimal receiver for Cutover's app webhook (`platform: webhook`), with nothing but Node's own
 * modules. It checks the signature, the timestamp, the request id and the version before it does
 * anything, then calls your platform. Copy it and fill in `AppPlatform` with your deploy tool's calls.
 *
 *   CUTOVER_WEBHOOK_SECRET=$(openssl rand -hex 32) PORT=8080 npx tsx docs/webhook/receiver-example.ts
 *
 * Serve it over HTTPS only (behind your load balancer): `point-at` carries a database URL with its password.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** A request older (or newer) than this is refused: a captured request cannot be replayed later. */
export const TOLERANCE_SECONDS = 300;
const MAX_BODY_BYTES = 64 * 1024;

export interface FormationEntry {
  type: string;
  quantity: number;
  size?: string;
}

/** What your platform does for each action. Each must finish before it returns (the bot waits on the answer). */
export interface AppPlatform {
  formation(hop: string, processTypes: string[]): Promise<FormationEntry[]>;
  stopWrites(hop: string, processTypes: string[]): Promise<void>;
  /** `databaseUrl` holds a password: store it as a secret, never log it. */
  pointAt(hop: string, configVar: string, databaseUrl: string): Promise<void>;
  startWrites(hop: string, formation: FormationEntry[]): Promise<void>;
}

/**
 * Why a request must be refused, or undefined when its signature is good:
 * X-Cutover-Signature is `v1=` + hex HMAC-SHA256(secret, `${X-Cutover-Timestamp}.${raw body}`).
 */
export function signatureProblem(secret: string, timestamp: string | undefined, signature: string | undefined, rawBody: Buffer, nowMs = Date.now()): string | undefined {
  if (!timestamp || !/^\d+$/.test(timestamp)) return 'no X-Cutover-Timestamp';
  if (!signature?.startsWith('v1=')) return 'no v1 X-Cutover-Signature';
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return 'timestamp outside the tolerance (replayed, or a clock is wrong)';
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  const given = Buffer.from(signature.slice(3), 'hex');
  // Constant-time comparison: a byte-by-byte one would leak how much of a forged signature is right.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature does not match';
  return undefined;
}

/** An HTTP server that answers Cutover's four actions, following docs/webhook/*.schema.json. */
export function createReceiver(secret: string, platform: AppPlatform, now: () => number = Date.now): Server {
  const seen = new Map<string, number>(); // request_id → when, kept for the tolerance window
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  return createServer((req, res) => {
    void readBody(req).then(async (raw) => {
      if (req.method !== 'POST') return send(res, 405, { ok: false, error: 'POST only' });
      if (!raw) return send(res, 413, { ok: false, error: 'body too large' });
      const problem = signatureProblem(secret, header(req, 'x-cutover-timestamp'), header(req, 'x-cutover-signature'), raw, now());
      if (problem) return send(res, 401, { ok: false, error: problem });
      let call;
      try {
        call = JSON.parse(raw.toString('utf8'));
      } catch {
        return send(res, 400, { ok: false, error: 'not JSON' });
      }
      if (call.version !== 1) return send(res, 400, { ok: false, error: `unknown contract version ${String(call.version)}` });
      for (const [id, at] of seen) if (now() - at > 2 * TOLERANCE_SECONDS * 1000) seen.delete(id);
      if (typeof call.request_id !== 'string' || seen.has(call.request_id)) return send(res, 409, { ok: false, error: 'request_id missing or already seen (a replay)' });
      seen.set(call.request_id, now());
      try {
        switch (call.action) {
          case 'formation':
            return send(res, 200, { formation: await platform.formation(call.hop, call.process_types) });
          case 'stop-writes':
            await platform.stopWrites(call.hop, call.process_types);
            return send(res, 200, { ok: true, message: `${call.process_types.join(', ')} stopped` });
          case 'point-at':
            await platform.pointAt(call.hop, call.config_var, call.database_url);
            return send(res, 200, { ok: true, message: `${call.config_var} set` }); // never echo the URL
          case 'start-writes':
            await platform.startWrites(call.hop, call.formation);
            return send(res, 200, { ok: true });
          default:
            return send(res, 400, { ok: false, error: `unknown action ${String(call.action)}` });
        }
      } catch (e) {
        // A failure is a non-2xx: the bot fails the step and the timeline offers Resume / Abort.
        return send(res, 500, { ok: false, error: (e as Error).message });
      }
    }).catch(() => send(res, 400, { ok: false, error: 'could not read the request' }));
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The raw bytes, as signed (never re-serialized JSON); undefined past the size limit. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// Run directly: a stand-in platform that only says what it would do (without the URL).
if (require.main === module) {
  const secret = process.env.CUTOVER_WEBHOOK_SECRET ?? '';
  if (secret.length < 16) throw new Error('set CUTOVER_WEBHOOK_SECRET (at least 16 characters; openssl rand -hex 32)');
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const running = new Map<string, number>([['web', 2]]);
  createReceiver(secret, {
    async formation(hop, types) {
      say(`${hop}: formation of ${types.join(', ')}`);
      return types.map((type) => ({ type, quantity: running.get(type) ?? 0 }));
    },
    async stopWrites(hop, types) {
      say(`${hop}: maintenance on, ${types.join(', ')} scaled to 0`);
      for (const t of types) running.set(t, 0);
    },
    async pointAt(hop, configVar) {
      say(`${hop}: ${configVar} set (value not shown)`);
    },
    async startWrites(hop, formation) {
      say(`${hop}: ${formation.map((f) => `${f.type}=${f.quantity}`).join(', ')}, maintenance off`);
      for (const f of formation) running.set(f.type, f.quantity);
    },
  }).listen(Number(process.env.PORT ?? 8080));
}
