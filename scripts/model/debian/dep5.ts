/**
 * Reads a Debian package's `/usr/share/doc/<package>/copyright` in the machine-readable DEP-5 format
 * (https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/) and decides whether the upstream code
 * may be trained on: every `Files` paragraph outside `debian/` must be under a licence we accept (an `or`
 * needs one accepted alternative, an `and` needs all of them). A file in any other format is refused, not
 * guessed at.
 */

/** The licences we train on, by SPDX id. */
export const ACCEPTED_LICENSES = ['MIT', 'ISC', 'BSD-2-Clause', 'BSD-3-Clause', 'Apache-2.0'] as const;
export type AcceptedLicense = (typeof ACCEPTED_LICENSES)[number];

/** Debian's short names (lower-cased) for the accepted licences. `Expat` is Debian's name for MIT. */
const SHORT_NAMES: Readonly<Record<string, AcceptedLicense>> = {
  mit: 'MIT',
  expat: 'MIT',
  isc: 'ISC',
  'bsd-2-clause': 'BSD-2-Clause',
  'bsd-3-clause': 'BSD-3-Clause',
  'apache-2.0': 'Apache-2.0',
  'apache-2': 'Apache-2.0',
};

export interface Dep5Paragraph {
  /** Field name (as written) → value, continuation lines joined with newlines. */
  readonly fields: ReadonlyMap<string, string>;
}

/** Paragraphs separated by blank lines; a line starting with white space continues the previous field. */
export function parseDep5(text: string): Dep5Paragraph[] {
  const paragraphs: Dep5Paragraph[] = [];
  let fields = new Map<string, string>();
  let last: string | undefined;
  const flush = () => {
    if (fields.size > 0) paragraphs.push({ fields });
    fields = new Map();
    last = undefined;
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (/^[ \t]/.test(line)) {
      if (last !== undefined) fields.set(last, `${fields.get(last)}\n${line.trim()}`);
      continue;
    }
    if (line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    fields.set(last, line.slice(colon + 1).trim());
  }
  flush();
  return paragraphs;
}

/**
 * The accepted licence a DEP-5 licence expression (its first line) comes to, or undefined. `or` picks the
 * first accepted alternative; `and` and `,` need every part accepted (then the first is named); `with`
 * exceptions and unknown names are refused. A trailing `+` ("or any later version") is allowed.
 */
export function acceptedLicense(expression: string): AcceptedLicense | undefined {
  const text = expression.trim().toLowerCase();
  if (text === '' || /\bwith\b/.test(text)) return undefined;
  const alternatives = text.split(/\s+or\s+|\s*\|\s*/);
  for (const alternative of alternatives) {
    const parts = alternative
      .replace(/[()]/g, ' ')
      .split(/\s+and\s+|\s*,\s*|\s*&\s*/)
      .map((part) => part.trim().replace(/\+$/, ''))
      .filter(Boolean);
    const accepted = parts.map((part) => SHORT_NAMES[part]);
    if (accepted.length > 0 && accepted.every((name) => name !== undefined)) return accepted[0];
  }
  return undefined;
}

export type CopyrightVerdict =
  | {
      readonly ok: true;
      /** The licence of `Files: *` (or of the first upstream paragraph). */
      readonly license: AcceptedLicense;
      /** The header's `Source` (where upstream lives), if given. */
      readonly source?: string;
      readonly upstreamName?: string;
    }
  | { readonly ok: false; readonly reason: string };

const isDebianOnly = (files: string): boolean =>
  files.split(/\s+/).every((pattern) => pattern === '' || pattern.startsWith('debian/'));

/** Whether the package described by `text` may be trained on, and under which licence. */
export function judgeCopyright(text: string): CopyrightVerdict {
  const paragraphs = parseDep5(text);
  const header = paragraphs[0];
  if (!header?.fields.get('format')?.includes('copyright-format'))
    return { ok: false, reason: 'copyright file is not in the DEP-5 format' };
  const upstream = paragraphs.filter((p) => {
    const files = p.fields.get('files');
    return files !== undefined && !isDebianOnly(files);
  });
  if (upstream.length === 0) return { ok: false, reason: 'no Files paragraph for upstream code' };
  let license: AcceptedLicense | undefined;
  for (const paragraph of upstream) {
    const files = (paragraph.fields.get('files') ?? '').split(/\s+/);
    const expression = (paragraph.fields.get('license') ?? '').split('\n')[0] ?? '';
    const accepted = acceptedLicense(expression);
    if (!accepted)
      return {
        ok: false,
        reason: `Files: ${files.slice(0, 3).join(' ')} is under "${expression.slice(0, 60)}"`,
      };
    // The package's licence is that of `Files: *`, or of the first upstream paragraph when none says `*`.
    if (files.includes('*') || license === undefined) license = accepted;
  }
  const source = header.fields.get('source')?.split(/\s+/)[0];
  const upstreamName = header.fields.get('upstream-name');
  return {
    ok: true,
    license: license as AcceptedLicense,
    ...(source ? { source } : {}),
    ...(upstreamName ? { upstreamName } : {}),
  };
}
