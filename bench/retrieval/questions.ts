/**
 * The questions of the natural-language benchmark: one JSON object per line in `questions/<repository>.jsonl`,
 *
 *   {"query": "how are grouped single-letter flags parsed?", "path": "flag.go", "line": 1007,
 *    "symbol": "parseShortArg", "kind": "behaviour"}
 *
 * `line` is the first line of the definition of `symbol` that answers the question (a hit is a result whose
 * line range holds it); `kind` is `behaviour` ("where/how is X done?"), `describe` ("a function that does
 * X") or `keyword` (a short search-box phrase).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

export const QUESTION_KINDS = ['behaviour', 'describe', 'keyword'] as const;

const QuestionSchema = z.strictObject({
  query: z.string().min(3).max(300),
  path: z.string().min(1),
  line: z.number().int().positive(),
  symbol: z.string().min(1),
  kind: z.enum(QUESTION_KINDS),
});

export type Question = z.infer<typeof QuestionSchema>;

/** Reads a question file; every line must be a question (the error names the file and line). */
export async function readQuestions(file: string): Promise<Question[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .map((line, i) => ({ line, number: i + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, number }) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${number}: not JSON`);
      }
      const parsed = QuestionSchema.safeParse(value);
      if (!parsed.success) throw new Error(`${file}:${number}: ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    });
}
