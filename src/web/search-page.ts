/**
 * The search page served at `/`: one HTML document with inline style and script, allowed by hash in a strict
 * Content-Security-Policy (nothing else may load or run). The page holds no data; it calls the API with the
 * token the user pastes (kept in sessionStorage), so serving it needs no auth.
 */
import { createHash } from 'node:crypto';
import { LANGUAGES } from '#engine/languages.ts';
import { SEARCH_MODES } from '#engine/search/search.ts';
import { PAGE_SCRIPT } from './page-script.ts';

const PAGE_STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #fff; --code: #f6f8fa;
  --mark: #fff3b0; --accent: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --bg: #0d1117;
  --code: #151b23; --mark: #5a4a00; --accent: #4493f8; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 1.5rem; font: 15px/1.5 system-ui, sans-serif; color: var(--fg);
  background: var(--bg); }
h1 { font-size: 1.3rem; margin: 0 0 1rem; }
form { display: grid; gap: .5rem; grid-template-columns: repeat(6, 1fr); margin-bottom: 1rem; }
#query { grid-column: 1 / 6; font-size: 1.05rem; }
input, select, button { font: inherit; padding: .45rem .6rem; border: 1px solid var(--line); border-radius: 6px;
  background: var(--bg); color: var(--fg); min-width: 0; }
button { cursor: pointer; background: var(--accent); color: #fff; border-color: var(--accent); }
details { grid-column: 1 / -1; color: var(--muted); }
details input { width: 100%; margin-top: .3rem; }
#status { color: var(--muted); min-height: 1.5em; }
#status.error { color: #cf222e; }
ol { list-style: none; padding: 0; margin: 0; }
.result { border: 1px solid var(--line); border-radius: 8px; margin: 0 0 1rem; overflow: hidden; }
.result-head { display: flex; flex-wrap: wrap; gap: .75rem; align-items: baseline; padding: .5rem .75rem;
  border-bottom: 1px solid var(--line); }
.location { font-family: ui-monospace, monospace; font-weight: 600; color: var(--accent); }
.repo, .lang, .symbols, .score { color: var(--muted); font-size: .85rem; }
.score { margin-left: auto; }
.snippet { margin: 0; padding: .5rem 0; background: var(--code); overflow-x: auto; font-size: .82rem; }
.line { display: inline-block; min-width: 100%; padding-right: .75rem; }
.ln { display: inline-block; width: 3.5rem; padding-right: .75rem; text-align: right; color: var(--muted);
  user-select: none; }
mark { background: var(--mark); color: inherit; border-radius: 2px; }
#more { display: block; margin: 0 auto; }
`;

const option = (value: string, label = value) => `<option value="${value}">${label}</option>`;

const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>codesearch</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<h1>codesearch</h1>
<form id="search-form" role="search">
  <input id="query" name="query" type="search" placeholder="Ask in plain language or paste code…" maxlength="1000" required autofocus aria-label="Query">
  <button type="submit">Search</button>
  <select id="repo" aria-label="Repository"><option value="">All repositories</option></select>
  <select id="language" aria-label="Language">${option('', 'Any language')}${LANGUAGES.map((l) => option(l)).join('')}</select>
  <input id="path" placeholder="Path or glob (src/**/*.ts)" maxlength="512" aria-label="Path filter">
  <input id="symbol" placeholder="Defines symbol" maxlength="200" aria-label="Symbol filter">
  <select id="mode" aria-label="Mode">${SEARCH_MODES.map((m) => option(m)).join('')}</select>
  <details id="token-panel"><summary>API token</summary>
    <input id="token" type="password" autocomplete="off" placeholder="Paste a token from: codesearch token create …" aria-label="API token">
  </details>
</form>
<p id="status" role="status"></p>
<ol id="results"></ol>
<button id="more" type="button" hidden>More results</button>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** Only the inline style and script above may run; the page may talk to its own origin and nothing else. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${hash(PAGE_SCRIPT)}`,
  `style-src ${hash(PAGE_STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function searchPage(): { body: string; headers: Record<string, string> } {
  return {
    body: PAGE_HTML,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    },
  };
}
