import { EXTENSION_LANGUAGE, FILENAME_LANGUAGE, type Language, SHEBANG_LANGUAGE } from '../languages.ts';

/**
 * The language of a file, from its extension, then its whole file name, then the interpreter on its `#!`
 * line. `undefined` when none of them is known.
 *
 * @param path - POSIX or plain file name; only the last segment is looked at.
 * @param firstLine - The file's first line (without the newline), for extension-less scripts.
 * @example
 * detectLanguage('src/app.ts'); // 'typescript'
 * detectLanguage('bin/deploy', '#!/usr/bin/env -S python3 -u'); // 'python'
 */
export function detectLanguage(path: string, firstLine?: string): Language | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const extension = extensionOf(name);
  return (
    (extension === undefined ? undefined : lookup(EXTENSION_LANGUAGE, extension)) ??
    lookup(FILENAME_LANGUAGE, name) ??
    (firstLine === undefined ? undefined : languageFromShebang(firstLine))
  );
}

/** Lower-case extension with its dot; a leading dot (`.bashrc`) is a hidden file, not an extension. */
export function extensionOf(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : undefined;
}

/** The language of the interpreter named on a `#!` line, tolerating `env`, its flags and versioned names. */
export function languageFromShebang(line: string): Language | undefined {
  const interpreter = shebangInterpreter(line);
  if (interpreter === undefined) return undefined;
  // `python3.12` → `python3`, `ruby2.7` → `ruby2` → `ruby`.
  const candidates = [
    interpreter,
    interpreter.replace(/(?:\.\d+)+$/, ''),
    interpreter.replace(/[\d.]+$/, ''),
  ];
  for (const candidate of candidates) {
    const language = lookup(SHEBANG_LANGUAGE, candidate);
    if (language !== undefined) return language;
  }
  return undefined;
}

/** Base name of the program a `#!` line runs: `#!/usr/bin/env -S VAR=1 node --flag` → `node`. */
export function shebangInterpreter(line: string): string | undefined {
  if (!line.startsWith('#!')) return undefined;
  const words = line.slice(2).trim().split(/\s+/);
  const program = baseName(words[0] ?? '');
  if (program !== 'env') return program || undefined;
  // `env` takes options (`-S`, `-i`) and variable assignments before the program it runs.
  const target = words.slice(1).find((word) => !word.startsWith('-') && !word.includes('='));
  return target === undefined ? undefined : baseName(target);
}

function baseName(program: string): string {
  return program.slice(program.lastIndexOf('/') + 1);
}

// Object.hasOwn: a file called `constructor` or `__proto__` must not find Object.prototype members.
function lookup(table: Readonly<Record<string, Language>>, key: string): Language | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
