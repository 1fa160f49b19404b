/**
 * The languages codesearch recognises. Every language here is indexed; the ones with a tree-sitter grammar
 * (see `chunking/grammars.ts`) are chunked along syntax, the rest in overlapping line windows.
 */
export const LANGUAGES = [
  'typescript',
  'tsx',
  'javascript',
  'python',
  'go',
  'java',
  'rust',
  'c',
  'cpp',
  'csharp',
  'ruby',
  'php',
  'bash',
  'css',
  'kotlin',
  'scala',
  'swift',
  'lua',
  'sql',
  'html',
  'markdown',
  'yaml',
  'toml',
  'json',
  'text',
] as const;

export type Language = (typeof LANGUAGES)[number];

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

/** File extension (lower case, with the dot) → language. */
export const EXTENSION_LANGUAGE: Readonly<Record<string, Language>> = {
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.py': 'python',
  '.pyi': 'python',
  '.go': 'go',
  '.java': 'java',
  '.rs': 'rust',
  '.c': 'c',
  '.h': 'c',
  '.cc': 'cpp',
  '.cpp': 'cpp',
  '.cxx': 'cpp',
  '.hpp': 'cpp',
  '.hh': 'cpp',
  '.hxx': 'cpp',
  '.cs': 'csharp',
  '.rb': 'ruby',
  '.php': 'php',
  '.sh': 'bash',
  '.bash': 'bash',
  '.zsh': 'bash',
  '.css': 'css',
  '.scss': 'css',
  '.kt': 'kotlin',
  '.kts': 'kotlin',
  '.scala': 'scala',
  '.swift': 'swift',
  '.lua': 'lua',
  '.sql': 'sql',
  '.html': 'html',
  '.htm': 'html',
  '.vue': 'html',
  '.svelte': 'html',
  '.md': 'markdown',
  '.mdx': 'markdown',
  '.rst': 'text',
  '.txt': 'text',
  '.yml': 'yaml',
  '.yaml': 'yaml',
  '.toml': 'toml',
  '.json': 'json',
};

/** Whole file names that carry a language without an extension. */
export const FILENAME_LANGUAGE: Readonly<Record<string, Language>> = {
  Dockerfile: 'text',
  Makefile: 'text',
  Rakefile: 'ruby',
  Gemfile: 'ruby',
};

/** Interpreter named on a `#!` line → language (for extension-less scripts). */
export const SHEBANG_LANGUAGE: Readonly<Record<string, Language>> = {
  node: 'javascript',
  deno: 'typescript',
  bun: 'javascript',
  tsx: 'typescript',
  'ts-node': 'typescript',
  python: 'python',
  python3: 'python',
  python2: 'python',
  ruby: 'ruby',
  php: 'php',
  bash: 'bash',
  sh: 'bash',
  zsh: 'bash',
  dash: 'bash',
  lua: 'lua',
};
