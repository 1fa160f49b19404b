/**
 * fast-check arbitraries for source files: random sequences of realistic snippets of one language
 * (functions, classes with methods, comments, long functions, nested blocks), with random blank lines and a
 * few garbage lines mixed in. Sizes vary from one line to a few hundred, so files land on both sides of
 * every chunk size.
 */
import fc from 'fast-check';
import type { Language } from '#engine/languages.ts';

/** Builds one snippet from a name and a size (statement count, nesting depth, etc.). */
type Snippet = (name: string, size: number) => string;

const repeat = (count: number, line: (i: number) => string): string[] =>
  Array.from({ length: count }, (_, i) => line(i));
const indent = (text: string, by: string): string =>
  text
    .split('\n')
    .map((line) => (line === '' ? line : by + line))
    .join('\n');

/** C-like nested blocks: `if (…) {` inside `for (…) {` … */
function cBlocks(depth: number, open: (i: number) => string, body: string, close = '}'): string {
  let text = body;
  for (let i = depth - 1; i >= 0; i--) text = `${open(i)}\n${indent(text, '    ')}\n${close}`;
  return text;
}

const tsStatements = (n: number) =>
  repeat(n, (i) => `const value${i} = compute(input.items[${i}], options?.scale ?? ${i});`);

const TYPESCRIPT: Snippet[] = [
  (name) => `import { ${name} } from './${name}.ts';`,
  (name, n) =>
    `/**\n * Computes ${name}.\n * @param input what to compute from\n */\nexport function ${name}(input: Input): number {\n${indent(tsStatements(n).join('\n'), '  ')}\n  return ${n};\n}`,
  (name, n) =>
    `export class ${name} extends Base {\n  private readonly cache = new Map<string, number>();\n\n${repeat(
      (n % 6) + 1,
      (m) =>
        `  /** Method ${m}. */\n  method${m}(key: string): number {\n${indent(tsStatements(n).join('\n'), '    ')}\n    return this.cache.get(key) ?? ${m};\n  }\n`,
    ).join('\n')}}`,
  (name) =>
    `export interface ${name} {\n  readonly id: string;\n  count?: number;\n  run(input: string): Promise<void>;\n}`,
  (name) => `export type ${name} = { kind: 'a'; value: number } | { kind: 'b'; text: string };`,
  (name, n) =>
    `export const ${name} = async (items: readonly string[]): Promise<number> => {\n${indent(
      cBlocks((n % 5) + 1, (i) => `for (const item${i} of items) {`, 'total += item0.length;'),
      '  ',
    )}\n  return total;\n};`,
  (name) => `@Component({ selector: '${name}' })\nexport class ${name}Component {\n  @Input() value = 0;\n}`,
  (name, n) => `export enum ${name} {\n${repeat(n + 1, (i) => `  Member${i} = ${i},`).join('\n')}\n}`,
  (name, n) =>
    `namespace ${name} {\n  export function inner(): string {\n    return \`${'line\n'.repeat(n % 8)}\`;\n  }\n}`,
  (name, n) => `// ${name}: ${'a comment that explains why '.repeat((n % 4) + 1)}`,
  (name, n) =>
    `export const ${name}Table = [\n${repeat(n * 3, (i) => `  { id: ${i}, name: '${name}${i}', enabled: ${i % 2 === 0} },`).join('\n')}\n];`,
];

const JAVASCRIPT: Snippet[] = [
  (name) => `const { ${name} } = require('./${name}');`,
  (name, n) =>
    `/** Does ${name}. */\nfunction ${name}(a, b) {\n${repeat(n, (i) => `  const x${i} = a[${i}] + b * ${i};`).join('\n')}\n  return a;\n}`,
  (name, n) =>
    `class ${name} {\n  constructor(options) {\n    this.options = options;\n  }\n\n${repeat((n % 5) + 1, (m) => `  method${m}(value) {\n${repeat(n, (i) => `    value += this.options.step${i} ?? ${i};`).join('\n')}\n    return value;\n  }\n`).join('\n')}}`,
  (name) => `${name}.prototype.render = function render(node) {\n  return node.children.map(render);\n};`,
  (name, n) =>
    `export const ${name} = (list) => {\n${indent(
      cBlocks((n % 6) + 1, (i) => `if (list.length > ${i}) {`, 'list.pop();'),
      '  ',
    )}\n};`,
  (name, n) => `function* ${name}Gen() {\n${repeat(n, (i) => `  yield ${i};`).join('\n')}\n}`,
  (name) => `module.exports = { ${name} };`,
];

const TSX: Snippet[] = [
  ...TYPESCRIPT.slice(0, 4),
  (name, n) =>
    `export function ${name}({ items }: { items: string[] }) {\n  return (\n    <ul className="${name}">\n${repeat(n, (i) => `      <li key="${i}">{items[${i}]}</li>`).join('\n')}\n    </ul>\n  );\n}`,
  (name) => `export const ${name} = () => <div>{/* empty */}</div>;`,
];

const pyStatements = (n: number, pad: string) =>
  repeat(n, (i) => `${pad}value_${i} = compute(items[${i}], scale=${i})`).join('\n');

const PYTHON: Snippet[] = [
  (name) => `import ${name}\nfrom .${name} import helper`,
  (name, n) =>
    `def ${name}(items, scale=1):\n    """Computes ${name} for the items."""\n${pyStatements(n, '    ')}\n    return items`,
  (name, n) => `@decorator\n@functools.lru_cache(maxsize=${n})\ndef ${name}(x):\n    return x * ${n}`,
  (name, n) =>
    `class ${name}(Base):\n    """A ${name}."""\n\n    limit = ${n}\n\n${repeat((n % 5) + 1, (m) => `    def method_${m}(self, items):\n        # step ${m}\n${pyStatements(n, '        ')}\n        return self.limit\n`).join('\n')}`,
  (name, n) => {
    let body = 'total += 1';
    for (let i = (n % 6) + 1; i > 0; i--) body = `for item_${i} in items:\n${indent(body, '    ')}`;
    return `def ${name}(items):\n    total = 0\n${indent(body, '    ')}\n    return total`;
  },
  (name, n) => `# ${name}: ${'notes on the design '.repeat((n % 3) + 1)}`,
  (name) => `if __name__ == "__main__":\n    ${name}()`,
];

const GO: Snippet[] = [
  (name) => `import "${name}"`,
  (name, n) =>
    `// ${name} computes a value.\nfunc ${name}(items []int) int {\n\ttotal := 0\n${repeat(n, (i) => `\ttotal += items[${i}] * ${i}`).join('\n')}\n\treturn total\n}`,
  (name, n) =>
    `// ${name} holds state.\ntype ${name} struct {\n${repeat(n + 1, (i) => `\tField${i} int`).join('\n')}\n}`,
  (name, n) =>
    `func (s *Server) ${name}(ctx context.Context) error {\n${indent(
      cBlocks((n % 5) + 1, (i) => `for i${i} := 0; i${i} < ${i}; i${i}++ {`, 's.count++'),
      '\t',
    )}\n\treturn nil\n}`,
  (name) => `type ${name} interface {\n\tRun(ctx context.Context) error\n}`,
  (name, n) => `var ${name} = map[string]int{\n${repeat(n, (i) => `\t"k${i}": ${i},`).join('\n')}\n}`,
];

const JAVA: Snippet[] = [
  (name) => `import java.util.${name};`,
  (name, n) =>
    `/** The ${name} service. */\npublic class ${name} {\n    private int count;\n\n${repeat((n % 5) + 1, (m) => `    @Override\n    public int method${m}(List<String> items) {\n${repeat(n, (i) => `        count += items.get(${i}).length();`).join('\n')}\n        return count;\n    }\n`).join('\n')}}`,
  (name) => `interface ${name} {\n    void run();\n}`,
  (name, n) => `enum ${name} {\n${repeat(n + 1, (i) => `    VALUE_${i},`).join('\n')}\n}`,
  (name, n) =>
    `class ${name}Loop {\n    void loop(int[] a) {\n${indent(
      cBlocks((n % 5) + 1, (i) => `for (int i${i} = 0; i${i} < a.length; i${i}++) {`, 'a[0]++;'),
      '        ',
    )}\n    }\n}`,
];

const RUST: Snippet[] = [
  (name) => `use std::collections::${name};`,
  (name, n) =>
    `/// Computes ${name}.\npub fn ${name}(items: &[i64]) -> i64 {\n    let mut total = 0;\n${repeat(n, (i) => `    total += items[${i}] * ${i};`).join('\n')}\n    total\n}`,
  (name, n) =>
    `#[derive(Debug, Clone)]\npub struct ${name} {\n${repeat(n + 1, (i) => `    pub field_${i}: u32,`).join('\n')}\n}`,
  (name, n) =>
    `impl ${name} {\n${repeat((n % 5) + 1, (m) => `    /// Method ${m}.\n    pub fn method_${m}(&self) -> u32 {\n${repeat(n, (i) => `        let v${i} = self.field_0 + ${i};`).join('\n')}\n        0\n    }\n`).join('\n')}}`,
  (name) => `pub trait ${name} {\n    fn run(&self) -> Result<(), Error>;\n}`,
  (name, n) =>
    `fn ${name}_match(x: u32) -> u32 {\n    match x {\n${repeat(n + 1, (i) => `        ${i} => ${i * 2},`).join('\n')}\n        _ => 0,\n    }\n}`,
  (name) => `mod ${name} {\n    pub fn helper() {}\n}`,
];

const C: Snippet[] = [
  (name) => `#include <${name}.h>`,
  (name, n) => `#define ${name.toUpperCase()}_MAX ${n}`,
  (name, n) =>
    `/* Computes ${name}. */\nint ${name}(const int *items, size_t count)\n{\n    int total = 0;\n${repeat(n, (i) => `    total += items[${i}] * ${i};`).join('\n')}\n    return total;\n}`,
  (name, n) => `typedef struct {\n${repeat(n + 1, (i) => `    int field_${i};`).join('\n')}\n} ${name}_t;`,
  (name, n) =>
    `static void ${name}_loop(int *a, int n) {\n${indent(
      cBlocks((n % 5) + 1, (i) => `for (int i${i} = 0; i${i} < n; i${i}++) {`, 'a[0]++;'),
      '    ',
    )}\n}`,
  (name) => `struct ${name} {\n    int x;\n    int y;\n};`,
  (name) => `int ${name}_prototype(void);`,
];

const CPP: Snippet[] = [
  ...C.slice(0, 3),
  (name, n) =>
    `class ${name} : public Base {\npublic:\n    ${name}() = default;\n${repeat((n % 5) + 1, (m) => `    int method${m}(int x) const {\n${repeat(n, (i) => `        x += ${i};`).join('\n')}\n        return x;\n    }\n`).join('\n')}\nprivate:\n    int value_ = 0;\n};`,
  (name) => `namespace ${name} {\nint helper() { return 1; }\n}  // namespace ${name}`,
  (name, n) =>
    `template <typename T>\nT ${name}(const std::vector<T>& v) {\n    T sum{};\n${repeat(n, (i) => `    sum += v[${i}];`).join('\n')}\n    return sum;\n}`,
  (name) => `int ${name}::method0(int x) const { return x; }`,
];

const CSHARP: Snippet[] = [
  (name) => `using System.${name};`,
  (name, n) =>
    `/// <summary>The ${name}.</summary>\npublic class ${name}\n{\n    public int Count { get; set; }\n\n${repeat((n % 5) + 1, (m) => `    [Obsolete]\n    public int Method${m}(int[] items)\n    {\n${repeat(n, (i) => `        Count += items[${i}];`).join('\n')}\n        return Count;\n    }\n`).join('\n')}}`,
  (name) => `public interface I${name}\n{\n    void Run();\n}`,
  (name, n) =>
    `namespace ${name}.Core\n{\n    public enum State { ${repeat(n + 1, (i) => `S${i}`).join(', ')} }\n}`,
  (name) => `public record ${name}(string Id, int Count);`,
];

const RUBY: Snippet[] = [
  (name) => `require '${name}'`,
  (name, n) =>
    `# Computes ${name}.\ndef ${name}(items)\n  total = 0\n${repeat(n, (i) => `  total += items[${i}] * ${i}`).join('\n')}\n  total\nend`,
  (name, n) =>
    `class ${name.charAt(0).toUpperCase()}${name.slice(1)} < Base\n  attr_reader :count\n\n${repeat((n % 5) + 1, (m) => `  def method_${m}(items)\n${repeat(n, (i) => `    @count += items[${i}]`).join('\n')}\n  end\n`).join('\n')}end`,
  (name) =>
    `module ${name.charAt(0).toUpperCase()}${name.slice(1)}Helpers\n  def self.helper\n    :ok\n  end\nend`,
  (name, n) => `${name}.each do |item|\n${repeat(n, (i) => `  puts item + ${i}`).join('\n')}\nend`,
];

const PHP: Snippet[] = [
  (name) => `use App\\${name};`,
  (name, n) =>
    `/** Computes ${name}. */\nfunction ${name}(array $items): int\n{\n    $total = 0;\n${repeat(n, (i) => `    $total += $items[${i}] * ${i};`).join('\n')}\n    return $total;\n}`,
  (name, n) =>
    `final class ${name}\n{\n    private int $count = 0;\n\n${repeat((n % 5) + 1, (m) => `    public function method${m}(array $items): int\n    {\n${repeat(n, (i) => `        $this->count += $items[${i}];`).join('\n')}\n        return $this->count;\n    }\n`).join('\n')}}`,
  (name) => `interface ${name}Contract\n{\n    public function run(): void;\n}`,
];

const BASH: Snippet[] = [
  (name) => `source ./${name}.sh`,
  (name, n) => `# Runs ${name}.\n${name}() {\n${repeat(n, (i) => `  echo "step ${i}" >&2`).join('\n')}\n}`,
  (name, n) =>
    `for ${name} in ${repeat(n + 1, (i) => `a${i}`).join(' ')}; do\n  if [ -f "$${name}" ]; then\n    cat "$${name}"\n  fi\ndone`,
  (name) => `${name.toUpperCase()}_DIR="\${1:-/tmp}"`,
  (name, n) => `cat <<EOF\n${repeat(n, (i) => `${name} line ${i}`).join('\n')}\nEOF`,
];

const CSS: Snippet[] = [
  (name, n) => `.${name} {\n${repeat(n + 1, (i) => `  --var-${i}: ${i}px;`).join('\n')}\n}`,
  (name) => `/* ${name} styles */`,
  (name, n) => `@media (min-width: ${n * 10}px) {\n  .${name} { display: grid; }\n}`,
];

const PLAIN_TEXT: Snippet[] = [
  (name, n) =>
    `# ${name}\n\n${repeat(n, (i) => `Paragraph ${i} about ${name}, with some words.`).join('\n')}`,
  (name, n) => `${name}:\n${repeat(n, (i) => `  key${i}: value ${i}`).join('\n')}`,
  (name) => `fun ${name}(x: Int): Int = x * 2`,
];

/** Snippets per language; languages without a grammar use text-like snippets. */
export const SNIPPETS: Readonly<Record<string, readonly Snippet[]>> = {
  typescript: TYPESCRIPT,
  tsx: TSX,
  javascript: JAVASCRIPT,
  python: PYTHON,
  go: GO,
  java: JAVA,
  rust: RUST,
  c: C,
  cpp: CPP,
  csharp: CSHARP,
  ruby: RUBY,
  php: PHP,
  bash: BASH,
  css: CSS,
};

export function snippetsFor(language: Language): readonly Snippet[] {
  return SNIPPETS[language] ?? PLAIN_TEXT;
}

const identifier = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,11}$/);

/** A line of noise: random characters, sometimes unbalanced brackets, sometimes very long. */
const garbageLine = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('}}}', '{ ( [', '#!@$%^&*', '"unterminated', '/* open comment', "'", '\t  \t', '\r'),
  fc.integer({ min: 500, max: 6000 }).map((length) => 'x=1;'.repeat(Math.ceil(length / 4)).slice(0, length)),
);

const separator = fc.constantFrom('\n', '\n', '\n\n', '\n\n\n', '\n  \n', '\r\n', ' ');

/** A source file in `language`: snippets separated by blank lines, with occasional garbage lines. */
export function programIn(language: Language): fc.Arbitrary<string> {
  const snippets = snippetsFor(language);
  const piece = fc.oneof(
    {
      weight: 12,
      arbitrary: fc
        .tuple(fc.nat(snippets.length - 1), identifier, fc.nat(40))
        .map(([i, name, size]) => (snippets[i] as Snippet)(name, size)),
    },
    { weight: 1, arbitrary: garbageLine },
  );
  const prefix = language === 'php' ? '<?php\n\n' : '';
  return fc
    .array(fc.tuple(piece, separator), { maxLength: 24 })
    .map((parts) => prefix + parts.map(([text, sep]) => text + sep).join(''));
}

/** Text that no grammar makes sense of. */
export const garbageFile: fc.Arbitrary<string> = fc
  .array(fc.tuple(garbageLine, separator), { maxLength: 40 })
  .map((parts) => parts.map(([text, sep]) => text + sep).join(''));
