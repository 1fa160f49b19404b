/**
 * Projects no model may be trained or tuned on: the evaluation reserve (used to check results
 * independently) and our own dev benchmarks' projects. A Debian package is out when its upstream `Source` is
 * one of these repositories or its project name is one of these names (or an extension named after it, such
 * as `serde-derive`); a file of any other package is out when it sits in a vendored copy — any `vendor`,
 * `_vendor`, `third_party` or `node_modules` directory, or a directory (or file) named after a held-out
 * project, or a Go import path of one.
 *
 * Excluding a little too much costs a few pairs; training on a held-out project would void its evaluation.
 */

export interface HeldOutProject {
  /** The name it is known by (a Python module, a crate, a Go package, an npm package). */
  readonly name: string;
  /** Other names it is packaged or imported under. */
  readonly aliases?: readonly string[];
  /** Upstream repository, `host/owner/name`. */
  readonly repository: string;
  /** Go import paths (`go.uber.org/zap`) besides the repository. */
  readonly importPaths?: readonly string[];
  readonly why: 'evaluation reserve' | 'dev benchmark';
}

const reserve = (
  name: string,
  repository: string,
  more: Omit<HeldOutProject, 'name' | 'repository' | 'why'> = {},
): HeldOutProject => ({ name, repository, why: 'evaluation reserve', ...more });
const dev = (
  name: string,
  repository: string,
  more: Omit<HeldOutProject, 'name' | 'repository' | 'why'> = {},
): HeldOutProject => ({ name, repository, why: 'dev benchmark', ...more });

export const HELD_OUT_PROJECTS: readonly HeldOutProject[] = [
  reserve('requests', 'github.com/psf/requests'),
  reserve('click', 'github.com/pallets/click'),
  reserve('flask', 'github.com/pallets/flask'),
  reserve('httpx', 'github.com/encode/httpx'),
  reserve('urllib3', 'github.com/urllib3/urllib3'),
  reserve('rich', 'github.com/Textualize/rich', { aliases: ['willmcgugan-rich'] }),
  reserve('typer', 'github.com/fastapi/typer', { aliases: ['tiangolo-typer'] }),
  reserve('attrs', 'github.com/python-attrs/attrs', { aliases: ['attr'] }),
  reserve('gin', 'github.com/gin-gonic/gin'),
  reserve('cobra', 'github.com/spf13/cobra'),
  reserve('echo', 'github.com/labstack/echo'),
  reserve('chi', 'github.com/go-chi/chi'),
  reserve('viper', 'github.com/spf13/viper'),
  reserve('logrus', 'github.com/sirupsen/logrus', { importPaths: ['github.com/Sirupsen/logrus'] }),
  reserve('zap', 'github.com/uber-go/zap', { importPaths: ['go.uber.org/zap'] }),
  reserve('testify', 'github.com/stretchr/testify'),
  reserve('axum', 'github.com/tokio-rs/axum'),
  reserve('hyper', 'github.com/hyperium/hyper'),
  reserve('serde', 'github.com/serde-rs/serde'),
  reserve('clap', 'github.com/clap-rs/clap'),
  reserve('reqwest', 'github.com/seanmonstar/reqwest'),
  reserve('rayon', 'github.com/rayon-rs/rayon'),
  reserve('tokio', 'github.com/tokio-rs/tokio'),
  reserve('express', 'github.com/expressjs/express'),
  reserve('fastify', 'github.com/fastify/fastify'),
  reserve('ramda', 'github.com/ramda/ramda'),
  reserve('date-fns', 'github.com/date-fns/date-fns', { aliases: ['date_fns'] }),
  reserve('moment', 'github.com/moment/moment', { aliases: ['momentjs'] }),
  reserve('axios', 'github.com/axios/axios'),
  reserve('chalk', 'github.com/chalk/chalk'),
  // bench/retrieval (the natural-language questions) and the doc → code dev benchmark.
  dev('toolz', 'github.com/pytoolz/toolz', { aliases: ['tlz', 'cytoolz'] }),
  dev('markdown', 'github.com/Python-Markdown/markdown'),
  dev('pflag', 'github.com/spf13/pflag'),
  dev('mux', 'github.com/gorilla/mux'),
  dev('textwrap', 'github.com/mgeisler/textwrap'),
  dev('qs', 'github.com/ljharb/qs'),
  dev('rack', 'github.com/rack/rack'),
  dev('zod', 'github.com/colinhacks/zod'),
  dev('apache-arrow', 'github.com/apache/arrow', { aliases: ['arrow', 'pyarrow'] }),
  dev('commander', 'github.com/tj/commander.js', { aliases: ['commander.js'] }),
  dev('picomatch', 'github.com/micromatch/picomatch'),
  dev('ignore', 'github.com/kaelzhang/node-ignore', { aliases: ['node-ignore'] }),
];

const lower = (text: string) => text.toLowerCase();
/** Every name of every project, lower-case, `_` as `-`. */
const HELD_OUT_NAMES = new Map<string, HeldOutProject>(
  HELD_OUT_PROJECTS.flatMap((p) =>
    [p.name, ...(p.aliases ?? [])].map((n) => [lower(n).replace(/_/g, '-'), p]),
  ),
);
const HELD_OUT_REPOSITORIES = new Map<string, HeldOutProject>(
  HELD_OUT_PROJECTS.flatMap((p) => [p.repository, ...(p.importPaths ?? [])].map((r) => [lower(r), p])),
);

/** `https://github.com/Owner/Name.git/` → `github.com/owner/name`; undefined for anything else. */
export function repositoryKey(url: string): string | undefined {
  const match = url
    .trim()
    .toLowerCase()
    .match(/^(?:[a-z+]+:\/\/)?(?:www\.)?((?:github\.com|gitlab\.com|bitbucket\.org)\/[^/\s]+\/[^/\s#?]+)/);
  return match?.[1]?.replace(/\.git$/, '');
}

/**
 * The project a Debian package name is about: `golang-github-spf13-cobra-dev` → `cobra`,
 * `librust-serde-derive-dev` → `serde-derive`, `python3-attr` → `attr`, `node-date-fns` → `date-fns`,
 * `ruby-rack-test` → `rack-test`. Version suffixes (`-v4`, `-1.0`) are dropped.
 */
export function projectOfPackage(pkg: string): string {
  const name = lower(pkg);
  const go = name.match(/^golang-(.+)-dev$/);
  if (go) {
    const tokens = (go[1] as string).replace(/-v\d+$/, '').split('-');
    return tokens.at(-1) as string;
  }
  return name
    .replace(/^(?:librust-|python3-|ruby-|node-)/, '')
    .replace(/-dev$/, '')
    .replace(/\+.*$/, '')
    .replace(/-(?:v?\d+(?:\.\d+)*)$/, '');
}

/** Why the package is held out, or undefined when it may be used. */
export function heldOutPackage(pkg: string, upstreamSource?: string): HeldOutProject | undefined {
  const repository = upstreamSource === undefined ? undefined : repositoryKey(upstreamSource);
  const byRepository = repository === undefined ? undefined : HELD_OUT_REPOSITORIES.get(repository);
  if (byRepository) return byRepository;
  const project = projectOfPackage(pkg);
  const exact = HELD_OUT_NAMES.get(project);
  if (exact) return exact;
  // Extensions and split-out parts named after a held-out project: serde-derive, tokio-util, clap-builder.
  for (const [name, heldOut] of HELD_OUT_NAMES) if (project.startsWith(`${name}-`)) return heldOut;
  return undefined;
}

const VENDOR_DIRECTORY = /(?:^|\/)(?:vendor|_vendor|vendored|third_party|third-party|node_modules)\//;

/**
 * Why a file of an admitted package is left out as a possible vendored copy of a held-out project, or
 * undefined. `path` is relative to the package's unpacked root.
 */
export function heldOutPath(path: string): string | undefined {
  const p = lower(path);
  if (VENDOR_DIRECTORY.test(p)) return 'vendored directory';
  for (const repository of HELD_OUT_REPOSITORIES.keys()) if (p.includes(`${repository}/`)) return repository;
  const parts = p.split('/');
  for (const [i, part] of parts.entries()) {
    const isFile = i === parts.length - 1;
    // A crate directory is `name-1.2.3`; a file is `name.py`, `name.js`.
    const base = (isFile ? part.replace(/\.[a-z]+$/, '') : part.replace(/-\d+(?:\.\d+)*$/, '')).replace(
      /_/g,
      '-',
    );
    const heldOut = HELD_OUT_NAMES.get(base);
    if (heldOut) return heldOut.repository;
  }
  return undefined;
}
