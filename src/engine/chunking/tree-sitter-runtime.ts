/**
 * The web-tree-sitter runtime and grammars bundled in `@vscode/tree-sitter-wasm`, each loaded at most once
 * per process: the runtime's WASM module is a process-wide singleton anyway, and a grammar is immutable
 * once loaded, so every chunker shares them. Parsers and queries are per chunker (see `chunker.ts`).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Language as Grammar } from '@vscode/tree-sitter-wasm';
import treeSitter from '@vscode/tree-sitter-wasm';

export type { Language as Grammar, Node as SyntaxNode, Parser, Query, Tree } from '@vscode/tree-sitter-wasm';

// The package is CommonJS (UMD): its classes are properties of the default export.
export const { Parser: ParserClass, Language: GrammarClass, Query: QueryClass } = treeSitter;

const require = createRequire(import.meta.url);

/**
 * The `wasm/` folder of the installed `@vscode/tree-sitter-wasm`: the runtime and every grammar. Resolved on
 * first use rather than at import, so a bundle that imports the chunking module but never chunks (the search
 * function) loads without the package's files beside it.
 */
export function defaultWasmDirectory(): string {
  return dirname(require.resolve('@vscode/tree-sitter-wasm/wasm/tree-sitter.wasm'));
}

let runtimeReady: Promise<void> | undefined;
const grammars = new Map<string, Promise<Grammar>>();

/** Loads the runtime once per process; later calls return the same promise, whatever directory they name. */
function initRuntime(wasmDirectory: string): Promise<void> {
  runtimeReady ??= ParserClass.init({ locateFile: (file: string) => join(wasmDirectory, file) }).catch(
    (error: unknown) => {
      runtimeReady = undefined;
      throw error;
    },
  );
  return runtimeReady;
}

/**
 * A grammar's bytes: the `.wasm` file, or where only its gzip copy (`.wasm.gz`) was shipped — as the Lambda
 * bundle ships them, a third of the size, to leave room under Lambda's 250 MB for the model — that copy
 * inflated (a few milliseconds, once per process).
 */
async function grammarBytes(path: string): Promise<string | Uint8Array> {
  if (existsSync(path) || !existsSync(`${path}.gz`)) return path;
  return gunzipSync(await readFile(`${path}.gz`));
}

/**
 * Loads a grammar by its file name, once per process. `wasmDirectory` matters where the package's files
 * were copied elsewhere, as a bundler does for a Lambda function.
 */
export function loadGrammar(wasmFile: string, wasmDirectory = defaultWasmDirectory()): Promise<Grammar> {
  const path = join(wasmDirectory, wasmFile);
  let grammar = grammars.get(path);
  if (!grammar) {
    grammar = initRuntime(wasmDirectory)
      .then(() => grammarBytes(path))
      .then((bytes) => GrammarClass.load(bytes));
    // A failed load is not cached, so a later chunker can try again.
    grammar.catch(() => grammars.delete(path));
    grammars.set(path, grammar);
  }
  return grammar;
}
