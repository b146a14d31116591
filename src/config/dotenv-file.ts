import { config } from 'dotenv';
import { resolve } from 'node:path';

export interface DotenvRead {
  path: string;
  /** The variables taken from the file (the names only; a variable already in the environment is not among them). */
  applied: string[];
}

/**
 * Reads `.env` from the working directory into `env` when the file is there. The environment wins:
 * a variable it already has (even empty) is left as it is. No file is not an error; an unreadable one is.
 */
export function readDotenv(env: NodeJS.ProcessEnv = process.env, path = resolve('.env')): DotenvRead | undefined {
  const before = new Set(Object.keys(env));
  const result = config({ path, processEnv: env as Record<string, string>, override: false, quiet: true });
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DotenvError(`${path}: cannot be read (${(result.error as NodeJS.ErrnoException).code ?? result.error.message})`);
  }
  return { path, applied: Object.keys(result.parsed ?? {}).filter((name) => !before.has(name)) };
}

export class DotenvError extends Error {}
