import { readFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { DatabaseTls, TlsMode } from '../plan/plan';

/** What a connection to a database turned out to be, for status and lag. */
export type Transport = 'plain' | 'encrypted' | 'encrypted, CA verified' | 'encrypted and verified';

/** A database's TLS once the plan, the URL and the environment have been read. */
export interface ResolvedTls {
  mode: TlsMode;
  /** The PEM bundle to verify against; none means the system's CAs (verify-full only). */
  ca?: string;
  /** Where the CA came from, in words for an error: "ca_file /x.pem", "ca_env RDS_CA", "the URL's sslrootcert". */
  caSource?: string;
  cert?: string;
  key?: string;
}

const STRENGTH: Record<TlsMode, number> = { disable: 0, prefer: 1, require: 2, 'verify-ca': 3, 'verify-full': 4 };

// The URL parameters node-postgres would read for TLS with its own meaning (it treats sslmode=require as
// verify-full): the bot reads them here with libpq's meaning and takes them out of the URL it hands to pg.
const TLS_PARAMS = ['sslmode', 'ssl', 'sslrootcert', 'sslcert', 'sslkey', 'sslpassword', 'uselibpqcompat'];

/**
 * The URL without its TLS parameters, and the TLS to use: the plan's `tls.mode` or the URL's `sslmode`,
 * whichever is stricter (a URL never weakens the plan, nor the plan a URL), else libpq's default,
 * "prefer". The CA is the plan's ca_file/ca_env, else the URL's sslrootcert.
 */
export function resolveTls(url: string, tls: DatabaseTls | undefined, env: NodeJS.ProcessEnv = process.env): { url: string; tls: ResolvedTls } {
  const { stripped, params } = splitTlsParams(url);
  const fromUrl = urlMode(params);
  const modes = [tls?.mode, fromUrl].filter((m): m is TlsMode => Boolean(m));
  const mode = modes.length ? modes.reduce((a, b) => (STRENGTH[b] > STRENGTH[a] ? b : a)) : 'prefer';
  const resolved: ResolvedTls = { mode };
  if (tls?.caFile) Object.assign(resolved, { ca: readPem(tls.caFile, 'tls.ca_file'), caSource: `ca_file ${tls.caFile}` });
  else if (tls?.caEnv) {
    const pem = env[tls.caEnv];
    if (!pem) throw new Error(`tls.ca_env: environment variable ${tls.caEnv} is not set`);
    Object.assign(resolved, { ca: pem, caSource: `ca_env ${tls.caEnv}` });
  } else if (params.sslrootcert && params.sslrootcert !== 'system') {
    Object.assign(resolved, { ca: readPem(params.sslrootcert, "the URL's sslrootcert"), caSource: "the URL's sslrootcert" });
  }
  if (params.sslcert) resolved.cert = readPem(params.sslcert, "the URL's sslcert");
  if (params.sslkey) resolved.key = readPem(params.sslkey, "the URL's sslkey");
  if (mode === 'verify-ca' && !resolved.ca) throw new Error('tls.mode verify-ca needs the CA to check the chain against: set tls.ca_file or tls.ca_env');
  return { url: stripped, tls: resolved };
}

/**
 * node's TLS options for a mode, libpq's meaning: require encrypts without checking (with a CA given it
 * checks the chain, as libpq does with a root certificate); verify-ca checks the chain only;
 * verify-full the chain and the host name.
 */
export function tlsSocketOptions(tls: ResolvedTls): { ssl: ConnectionOptions | false; transport: Transport } {
  const own = { ...(tls.cert ? { cert: tls.cert } : {}), ...(tls.key ? { key: tls.key } : {}) };
  const chainOnly = { ...own, ca: tls.ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  switch (tls.mode) {
    case 'disable':
      return { ssl: false, transport: 'plain' };
    case 'prefer':
      return { ssl: { ...own, rejectUnauthorized: false }, transport: 'encrypted' };
    case 'require':
      return tls.ca ? { ssl: chainOnly, transport: 'encrypted, CA verified' } : { ssl: { ...own, rejectUnauthorized: false }, transport: 'encrypted' };
    case 'verify-ca':
      return { ssl: chainOnly, transport: 'encrypted, CA verified' };
    case 'verify-full':
      return { ssl: { ...own, ...(tls.ca ? { ca: tls.ca } : {}), rejectUnauthorized: true }, transport: 'encrypted and verified' };
  }
}

/**
 * Whether the server at the URL's host offers TLS: the SSLRequest libpq sends first, answered 'S' or
 * 'N'. "prefer" uses it to fall back to a plain connection, which node-postgres cannot do itself.
 */
export function serverOffersTls(url: string, timeoutMs: number): Promise<boolean> {
  const { host, port } = hostOf(url);
  if (host.startsWith('/')) return Promise.resolve(false); // a Unix socket: libpq never uses TLS there
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port });
    const timer = setTimeout(() => finish(new Error(`timeout after ${timeoutMs} ms asking whether the server offers TLS`)), timeoutMs);
    function finish(outcome: boolean | Error) {
      clearTimeout(timer);
      socket.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    }
    socket.once('connect', () => socket.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])));
    socket.once('data', (b) => {
      if (b[0] === 0x53) finish(true);
      else if (b[0] === 0x4e) finish(false);
      else finish(new Error('the server answered the TLS request with neither yes nor no'));
    });
    socket.once('error', (e) => finish(e));
    socket.once('close', () => finish(new Error('the server closed the connection when asked whether it offers TLS')));
  });
}

/** A connection error in words when TLS is the cause (never the URL or a password); otherwise undefined. */
export function tlsErrorInWords(e: unknown, tls: ResolvedTls): string | undefined {
  const err = e as { code?: string; message?: string };
  const message = err?.message ?? '';
  if (/no pg_hba\.conf entry.*(SSL off|no encryption)/i.test(message) || /SSL connection is required/i.test(message)) {
    return `the server requires TLS; set tls.mode (require, verify-ca or verify-full; it is ${tls.mode} now)`;
  }
  if (/server does not support SSL/i.test(message)) return `the server does not support TLS (tls.mode ${tls.mode})`;
  if (err?.code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `host name does not match the certificate (${tls.mode}): ${message.replace(/^Hostname\/IP does not match certificate's altnames: /, '')}`;
  if (err?.code && UNTRUSTED.has(err.code)) {
    return tls.caSource ? `certificate not signed by the CA in ${tls.caSource} (${tls.mode})` : `certificate not signed by a CA this system trusts (${tls.mode} with no tls.ca_file or tls.ca_env)`;
  }
  if (err?.code === 'CERT_HAS_EXPIRED') return `the server's certificate has expired (${tls.mode})`;
  if (err?.code === 'CERT_NOT_YET_VALID') return `the server's certificate is not valid yet (${tls.mode})`;
  return undefined;
}

const UNTRUSTED = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED']);

function urlMode(params: Record<string, string>): TlsMode | undefined {
  const m = params.sslmode;
  if (m === 'allow') return 'prefer'; // libpq's "allow" tries plain first; no server the bot meets wants that order
  if (m && m in STRENGTH) return m as TlsMode;
  if (m === 'no-verify') return 'require';
  if (m) throw new Error(`the URL's sslmode "${m}" is not one of disable, allow, prefer, require, verify-ca, verify-full`);
  // node-postgres's own forms: ssl=true verifies everything, ssl=no-verify encrypts only.
  if (params.ssl === 'true' || params.ssl === '1') return 'verify-full';
  if (params.ssl === 'no-verify') return 'require';
  if (params.ssl === 'false' || params.ssl === '0') return 'disable';
  return undefined;
}

function splitTlsParams(url: string): { stripped: string; params: Record<string, string> } {
  const q = url.indexOf('?');
  if (q < 0) return { stripped: url, params: {} };
  const params: Record<string, string> = {};
  const kept: string[] = [];
  for (const pair of url.slice(q + 1).split('&')) {
    // Names and values read as pg reads them (URLSearchParams: %-escapes, '+'), so that
    // ?ssl%6Dode=disable is a TLS parameter here too and never reaches pg to override the plan.
    const [[k, v] = ['', '']] = new URLSearchParams(pair);
    if (TLS_PARAMS.includes(k)) params[k] = v;
    else if (pair) kept.push(pair);
  }
  return { stripped: url.slice(0, q) + (kept.length ? `?${kept.join('&')}` : ''), params };
}

/** The host and port node-postgres will connect to: a ?host= / ?port= parameter wins, as in pg. */
function hostOf(url: string): { host: string; port: number } {
  const u = new URL(url);
  const host = u.searchParams.get('host') || decodeURIComponent(u.hostname).replace(/^\[(.+)\]$/, '$1');
  return { host: host || 'localhost', port: Number(u.searchParams.get('port') || u.port) || 5432 };
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${what}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
}

/**
 * What is wrong with the plan's TLS settings in this environment, one line per problem, for the start
 * check: a ca_env that is not set or holds no PEM, a ca_file that cannot be read.
 */
export function tlsSettingProblems(databases: { id: string; tls?: DatabaseTls }[], env: NodeJS.ProcessEnv = process.env): string[] {
  return databases.flatMap(({ id, tls }) => {
    if (tls?.caEnv && !/-----BEGIN CERTIFICATE-----/.test(env[tls.caEnv] ?? '')) {
      return [`databases.${id}.tls.ca_env: environment variable ${tls.caEnv} ${env[tls.caEnv] ? 'holds no PEM certificate' : 'is not set'}`];
    }
    if (tls?.caFile) {
      try {
        if (!/-----BEGIN CERTIFICATE-----/.test(readFileSync(tls.caFile, 'utf8'))) return [`databases.${id}.tls.ca_file: ${tls.caFile} holds no PEM certificate`];
      } catch (e) {
        return [`databases.${id}.tls.ca_file: cannot read ${tls.caFile} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`];
      }
    }
    return [];
  });
}
