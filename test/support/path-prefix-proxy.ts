import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { LocalHttpServer, readBody } from './local-http-server';

/**
 * A reverse proxy serving each stand-in under a path prefix (`/proxy/rollbar/api/1/…` → the Rollbar
 * stand-in's `/api/1/…`), as a company's egress proxy or API gateway does. A request outside every
 * prefix is a 404, so a client that drops the prefix is caught.
 */
export class PathPrefixProxy extends LocalHttpServer {
  readonly misses: string[] = [];

  constructor(private readonly routes: Record<string, LocalHttpServer>) {
    super();
  }

  /** The base URL a client is given for the stand-in under `prefix`. */
  urlOf(prefix: string): string {
    return `${this.url}${prefix}`;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = req.url ?? '/';
    const prefix = Object.keys(this.routes).find((p) => path.startsWith(`${p}/`));
    if (!prefix) {
      this.misses.push(`${req.method} ${path}`);
      res.writeHead(404, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ error: `no route for ${path}` }));
    }
    const upstream = request(
      { host: '127.0.0.1', port: this.routes[prefix].port, method: req.method, path: path.slice(prefix.length), headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  }
}
