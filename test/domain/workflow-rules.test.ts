import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * What STYLE item 8 has ESLint enforce in the anchors, checked here without a linter: workflow code imports
 * activities as types only, no Node built-ins, and no non-deterministic APIs. (Date.now() is allowed: in a
 * workflow the SDK replaces it with the deterministic workflow clock.)
 */
const WORKFLOWS = fileURLToPath(new URL('../../workflows/', import.meta.url));

async function workflowSources(): Promise<[string, string][]> {
  const files = (await readdir(WORKFLOWS)).filter((f) => f.endsWith('.ts'));
  return Promise.all(files.map(async (f) => [f, await readFile(WORKFLOWS + f, 'utf8')] as [string, string]));
}

describe('workflow code stays deterministic', () => {
  it('imports activities as types only', async () => {
    for (const [file, source] of await workflowSources()) {
      const valueImports = [...source.matchAll(/^import\s+(?!type\b)[^;]*from\s+'\.\.\/activities\/[^']+'/gm)];
      expect(valueImports.map((m) => m[0]), file).toEqual([]);
    }
  });

  it('uses no Node built-ins, clients or I/O libraries', async () => {
    for (const [file, source] of await workflowSources()) {
      const banned = [...source.matchAll(/from\s+'(node:[^']+|fs|path|crypto|http|https|pg|undici|@temporalio\/(client|worker|activity))'/g)];
      expect(banned.map((m) => m[1]), file).toEqual([]);
    }
  });

  it('calls no source of randomness or wall-clock timers', async () => {
    for (const [file, source] of await workflowSources()) {
      const banned = [...source.matchAll(/\b(Math\.random|crypto\.randomUUID|setTimeout|setInterval|performance\.now)\b/g)];
      expect(banned.map((m) => m[1]), file).toEqual([]);
    }
  });
});
