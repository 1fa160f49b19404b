/**
 * Checks that every question's answer is where it says: `line` of `path` is the first line of a definition
 * of `symbol`, as the engine's own chunker finds definitions. A question whose answer drifted (a new version
 * of the package, a typo) is refused before anything is scored, with the nearest definition of the symbol.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { grammarFor } from '#engine/chunking/grammars.ts';
import { DefinitionFinder } from '#engine/chunking/symbols.ts';
import { loadGrammar, ParserClass } from '#engine/chunking/tree-sitter-runtime.ts';
import { detectLanguage } from '#engine/discovery/detect-language.ts';
import type { Question } from './questions.ts';

interface FoundDefinition {
  readonly line: number;
  readonly names: readonly string[];
}

/** The definitions of one file (1-based start lines, names as the chunker records them). */
async function definitionsOf(path: string, text: string): Promise<FoundDefinition[]> {
  const language = detectLanguage(path, text.slice(0, text.indexOf('\n')));
  const spec = language === undefined ? undefined : grammarFor(language);
  if (!spec) return [];
  const grammar = await loadGrammar(spec.wasmFile);
  const parser = new ParserClass();
  parser.setLanguage(grammar);
  const tree = parser.parse(text);
  try {
    const finder = DefinitionFinder.create(grammar, spec);
    if (!tree || !finder) return [];
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
    const lineOf = (offset: number): number => {
      let low = 0;
      let high = lineStarts.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >>> 1;
        if ((lineStarts[mid] as number) <= offset) low = mid;
        else high = mid - 1;
      }
      return low + 1;
    };
    return finder
      .find(tree.rootNode)
      .map((definition) => ({ line: lineOf(definition.offset), names: definition.names }));
  } finally {
    tree?.delete();
    parser.delete();
  }
}

/** Problems with the questions' answers in `corpus`, one line each; empty when every answer checks out. */
export async function answerProblems(
  corpus: string,
  file: string,
  questions: readonly Question[],
): Promise<string[]> {
  // Each file read and parsed once, however many questions it answers.
  const cache = new Map<string, { lines: string[]; definitions: FoundDefinition[] }>();
  const problems: string[] = [];
  for (const [i, question] of questions.entries()) {
    const where = `${file}:${i + 1}`;
    let read = cache.get(question.path);
    if (!read) {
      const text = await readFile(join(corpus, question.path), 'utf8').catch(() => undefined);
      if (text === undefined) {
        problems.push(`${where}: no file ${question.path}`);
        continue;
      }
      read = { lines: text.split('\n'), definitions: await definitionsOf(question.path, text) };
      cache.set(question.path, read);
    }
    const { lines, definitions } = read;
    // `Class.method` and `method`, `module.exports` and `exports`: either spelling names the definition.
    const named = (definition: FoundDefinition): boolean =>
      definition.names.some(
        (name) =>
          name === question.symbol ||
          name.endsWith(`.${question.symbol}`) ||
          question.symbol.endsWith(`.${name}`),
      );
    if (definitions.some((definition) => definition.line === question.line && named(definition))) continue;
    // Some answers are no definition to the chunker: a value built by a function (`var table = (function () {
    // … }())`), a function in an object literal (`{ brackets: function brackets(prefix) { … } }`). Their
    // declaration line still answers, if it names the symbol.
    const text = lines[question.line - 1] ?? '';
    const last = question.symbol.split('.').at(-1) ?? question.symbol;
    if (new RegExp(`\\b${last.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*[:=]`).test(text)) continue;
    const candidates = definitions.filter(named).map((definition) => definition.line);
    problems.push(
      `${where}: ${question.path}:${question.line} is not where ${question.symbol} is defined` +
        (candidates.length > 0
          ? ` (it is at line ${candidates.join(', ')})`
          : ' (no definition of that name)'),
    );
  }
  return problems;
}
