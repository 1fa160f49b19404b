/**
 * Directory names that are never walked, at any depth, whatever the ignore files say: version-control
 * metadata, installed dependencies, build output, caches and editor settings. They are left out silently
 * (only counted in the `done` statistics) because they are large and never what a code search is for.
 */
export const BUILTIN_EXCLUDED_DIRECTORIES: ReadonlySet<string> = new Set([
  // Version control
  '.git',
  '.hg',
  '.svn',
  '.jj',
  // Installed dependencies and virtual environments
  'node_modules',
  'bower_components',
  'jspm_packages',
  'vendor',
  '.venv',
  'venv',
  '.tox',
  '.nox',
  '.yarn',
  '.pnpm-store',
  // Build output
  'dist',
  'build',
  'out',
  'target',
  '.next',
  '.nuxt',
  '.svelte-kit',
  '.output',
  '.turbo',
  '.parcel-cache',
  '.gradle',
  '.terraform',
  '.serverless',
  '.aws-sam',
  'cdk.out',
  // Caches and reports
  '.cache',
  '__pycache__',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  'coverage',
  '.nyc_output',
  // Our own index
  '.codesearch',
  // Editor and IDE settings
  '.idea',
  '.vscode',
  '.vs',
  '.fleet',
]);
