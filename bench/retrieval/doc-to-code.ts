/**
 * The doc → code benchmark, in the CodeSearchNet manner, for every language the model is trained on: each
 * query is a definition's doc comment (its first paragraph, as training reads them: Go and Rust doc comments,
 * Python docstrings, Ruby comments, JSDoc), the corpus is the repository with every doc comment blanked (line
 * numbers kept), and a hit is a result that holds the definition's first line. Queries come from
 * implementation files only; the corpus keeps tests and everything else, as a user indexes a repository.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { TEST_PATH } from '../../scripts/model/debian-pairs.ts';
import { docLanguageOf, documentedFile } from '../../scripts/model/doc-comments.ts';

export interface DocQuery {
  readonly query: string;
  readonly path: string;
  readonly line: number;
}

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) out.push(relative(root, path).split('\\').join('/'));
    }
  };
  await walk(root);
  return out;
}

/**
 * Writes `out` as the blanked copy of `corpus` (only the files `include` accepts; every file by default) and
 * returns its queries. Repeated queries are dropped (each would have several right answers).
 */
export async function buildDocBenchmark(
  corpus: string,
  out: string,
  include: (path: string) => boolean = () => true,
): Promise<DocQuery[]> {
  await rm(out, { recursive: true, force: true });
  const queries: DocQuery[] = [];
  const counts = new Map<string, number>();
  for (const path of (await listFiles(corpus)).filter(include)) {
    const text = await readFile(join(corpus, path), 'utf8');
    const language = docLanguageOf(path);
    let written = text;
    if (language) {
      const { definitions, stripped } = documentedFile(text, language);
      written = stripped;
      if (!TEST_PATH.test(path))
        for (const d of definitions) {
          queries.push({ query: d.query, path, line: d.line });
          counts.set(d.query, (counts.get(d.query) ?? 0) + 1);
        }
    }
    await mkdir(dirname(join(out, path)), { recursive: true });
    await writeFile(join(out, path), written);
  }
  return queries.filter((q) => counts.get(q.query) === 1);
}
