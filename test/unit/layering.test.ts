/**
 * The house's dependency rule, read from the source: the engine (pure TypeScript, its ports included)
 * imports no adapter, no entry point and no AWS or HTTP code; adapters implement the engine's ports and never
 * import the HTTP API. A file that breaks the rule is named with the import that breaks it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier a file imports or re-exports (static and dynamic). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\b[^'"`;]*?from\s*['"]([^'"]+)['"]/gms),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ];
  return specifiers.map((match) => match[1] as string);
}

function violations(layer: string, forbidden: (specifier: string, file: string) => boolean): string[] {
  return sourceFiles(join(SRC, layer)).flatMap((file) =>
    importsOf(file)
      .filter((specifier) => forbidden(specifier, file))
      .map((specifier) => `${relative(SRC, file)} imports ${specifier}`),
  );
}

const reaches = (specifier: string, file: string, area: string) =>
  specifier.startsWith(`#${area}/`) ||
  (specifier.startsWith('.') && relative(SRC, join(file, '..', specifier)).startsWith(`${area}/`));

describe('layering', () => {
  it('keeps the engine free of adapters, entry points, the HTTP API and cloud SDKs', () => {
    expect(
      violations(
        'engine',
        (specifier, file) =>
          ['adapters', 'api', 'cli', 'server', 'runtime'].some((area) => reaches(specifier, file, area)) ||
          /^@aws-sdk\/|^@aws-lambda-powertools\/|^@middy\/|^aws-lambda$|^@modelcontextprotocol\//.test(
            specifier,
          ),
      ),
    ).toEqual([]);
  });

  it('has adapters implement the engine’s ports without importing the HTTP API', () => {
    expect(violations('adapters', (specifier, file) => reaches(specifier, file, 'api'))).toEqual([]);
  });
});
