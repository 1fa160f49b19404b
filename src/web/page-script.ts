/**
 * The search page's browser script, as text: the page is one self-contained HTML document (no build step, no
 * asset hosting, the same bytes from `codesearch serve` and Lambda). It is plain ES2020 for any current
 * browser. Data from the API is only ever inserted as text nodes, never as HTML.
 */
export const PAGE_SCRIPT = String.raw`
'use strict';
const $ = (id) => document.getElementById(id);
const form = $('search-form');
const resultsList = $('results');
const statusLine = $('status');
const moreButton = $('more');
const tokenPanel = $('token-panel');
const tokenInput = $('token');
let nextCursor = null;
let lastRequest = null;

tokenInput.value = sessionStorage.getItem('codesearch.token') || '';
if (tokenInput.value) tokenPanel.open = true;
tokenInput.addEventListener('change', () => {
  sessionStorage.setItem('codesearch.token', tokenInput.value.trim());
  loadRepos();
});

async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  const token = tokenInput.value.trim();
  if (token) headers.authorization = 'Bearer ' + token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => ({ error: 'Unexpected response (' + response.status + ')' }));
  if (response.status === 401) {
    tokenPanel.open = true;
    tokenInput.focus();
  }
  if (!response.ok) {
    const issues = (data.issues || []).map((i) => i.path + ': ' + i.message).join('; ');
    throw new Error(issues || data.error || 'Request failed (' + response.status + ')');
  }
  return data;
}

async function loadRepos() {
  const select = $('repo');
  try {
    const { repos } = await api('GET', '/repos');
    const chosen = select.value;
    select.replaceChildren(new Option('All repositories', ''));
    // A branch index is its own entry: owner/name@branch here, its repository and branch in the request.
    for (const r of repos) {
      const name = r.branch ? r.repo + '@' + r.branch : r.repo;
      select.add(new Option(name + ' (' + r.chunks + ' chunks)', name));
    }
    select.value = chosen;
  } catch {
    // Without a token (or with a bad one) the list stays at "All repositories"; searching shows the error.
  }
}

function requestFromForm() {
  const request = { query: $('query').value, mode: $('mode').value, limit: 10 };
  const chosen = $('repo').value;
  if (chosen) {
    const at = chosen.indexOf('@');
    request.repo = at === -1 ? chosen : chosen.slice(0, at);
    if (at !== -1) request.branch = chosen.slice(at + 1);
  }
  if ($('language').value) request.language = $('language').value;
  if ($('path').value.trim()) request.path = $('path').value.trim();
  if ($('symbol').value.trim()) request.symbol = $('symbol').value.trim();
  return request;
}

async function run(request, append) {
  statusLine.textContent = 'Searching…';
  statusLine.className = '';
  moreButton.hidden = true;
  try {
    const page = await api('POST', '/search', append ? { ...request, cursor: nextCursor } : request);
    if (!append) resultsList.replaceChildren();
    for (const result of page.results) resultsList.append(renderResult(result, request.query));
    nextCursor = page.nextCursor;
    moreButton.hidden = !nextCursor;
    const shown = resultsList.children.length;
    statusLine.textContent = shown === 0 ? 'No results.' : shown + ' results · ' + page.tookMs + ' ms';
  } catch (error) {
    if (!append) resultsList.replaceChildren();
    statusLine.textContent = error.message;
    statusLine.className = 'error';
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  lastRequest = requestFromForm();
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(lastRequest)) if (k !== 'limit') params.set(k, String(v));
  history.replaceState(null, '', '?' + params.toString());
  run(lastRequest, false);
});
moreButton.addEventListener('click', () => lastRequest && run(lastRequest, true));

const GITHUB_REPO = /^[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+$/;

function sourceLink(r) {
  if (!GITHUB_REPO.test(r.repo)) return null;
  const path = r.path.split('/').map(encodeURIComponent).join('/');
  return 'https://github.com/' + r.repo + '/blob/' + encodeURIComponent(r.commit || 'HEAD') + '/' + path +
    '#L' + r.startLine + '-L' + r.endLine;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderResult(r, query) {
  const item = el('li', 'result');
  const head = el('div', 'result-head');
  const where = r.path + ':' + r.startLine;
  const href = sourceLink(r);
  const location = href ? el('a', 'location', where) : el('span', 'location', where);
  if (href) {
    location.href = href;
    location.target = '_blank';
    location.rel = 'noopener noreferrer';
  }
  head.append(location, el('span', 'repo', r.branch ? r.repo + '@' + r.branch : r.repo), el('span', 'lang', r.language));
  if (r.symbols.length) head.append(el('span', 'symbols', r.symbols.slice(0, 4).join(', ')));
  head.append(el('span', 'score', 'score ' + r.score.toFixed(3)));
  const code = el('code');
  const terms = queryTerms(query);
  r.snippet.split('\n').forEach((line, i) => {
    const row = el('span', 'line');
    row.append(el('span', 'ln', String(r.startLine + i)));
    appendHighlighted(row, line, terms);
    code.append(row, '\n');
  });
  const pre = el('pre', 'snippet');
  pre.append(code);
  item.append(head, pre);
  return item;
}

/** Words of the query and the parts of its identifiers (retryUpload → retry, upload), longest first. */
function queryTerms(query) {
  const words = new Set();
  for (const word of query.match(/[A-Za-z_$][A-Za-z0-9_$]*|[0-9]+/g) || []) {
    if (word.length >= 3) words.add(word.toLowerCase());
    for (const part of word.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) || [])
      if (part.length >= 3) words.add(part.toLowerCase());
  }
  return [...words].sort((a, b) => b.length - a.length);
}

function appendHighlighted(parent, text, terms) {
  if (terms.length === 0) return parent.append(text);
  const pattern = new RegExp(terms.map((t) => t.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')).join('|'), 'gi');
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    parent.append(text.slice(last, match.index));
    parent.append(el('mark', '', match[0]));
    last = match.index + match[0].length;
  }
  parent.append(text.slice(last));
}

const initial = new URLSearchParams(location.search);
for (const field of ['query', 'mode', 'language', 'path', 'symbol']) {
  if (initial.get(field)) $(field).value = initial.get(field);
}
loadRepos().then(() => {
  if (initial.get('repo'))
    $('repo').value = initial.get('repo') + (initial.get('branch') ? '@' + initial.get('branch') : '');
  if (initial.get('query')) form.requestSubmit();
});
`;
