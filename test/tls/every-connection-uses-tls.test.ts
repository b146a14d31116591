import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

// A pg client or pool built from a bare URL would skip the database's TLS (and read sslmode=require as verify-full).
test('every file in src that makes a pg client or pool takes its options from connectionOptions', () => {
  const makers = sourceFiles(SRC).filter((f) => /new (Pool|Client)\s*\(/.test(readFileSync(f, 'utf8')) && /from 'pg'/.test(readFileSync(f, 'utf8')));
  expect(makers.length).toBeGreaterThanOrEqual(4);
  const bypassing = makers.filter((f) => {
    const text = readFileSync(f, 'utf8');
    const built = [...text.matchAll(/new (?:Pool|Client)\s*\(([^)]*)\)/g)].map((m) => m[1]);
    return built.some((args) => !/\boptions\.config\b|\(await connectionOptions\(/.test(args) && !/connectionOptions\(/.test(args));
  });
  expect(bypassing.map((f) => relative(SRC, f))).toEqual([]);
});
