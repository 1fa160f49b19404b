/**
 * Runs a synthesized function's bundle the way the nodejs22.x runtime would, as far as module loading goes:
 * its layers merged into a private `/opt`, NODE_PATH as Lambda sets it, the AWS SDK v3 provided by "the
 * runtime", and nothing else resolvable. The folders live under the OS temp dir, so a module missing from
 * the bundle or the layers cannot be found in the project's node_modules by walking up the tree.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SynthesizedFunction } from './functions.ts';

const HELPERS = dirname(fileURLToPath(import.meta.url));
const RUNTIME_MODULES_PRELOAD = join(HELPERS, 'lambda-runtime-modules.cjs');
const INVOKE = join(HELPERS, 'invoke-handler.cjs');

export interface Sandbox {
  readonly optDir: string;
  readonly taskDir: string;
  /** The function's environment with /opt and /var/task mapped into the sandbox. */
  readonly environment: Record<string, string>;
}

/** Folders that would let Node resolve a package from outside the bundle and the layers. */
function leakyAncestors(dir: string): string[] {
  const found: string[] = [];
  for (let current = dirname(dir); current !== dirname(current); current = dirname(current)) {
    if (existsSync(join(current, 'node_modules'))) found.push(join(current, 'node_modules'));
  }
  return found;
}

/**
 * Prepares the sandbox. CloudFormation expressions in the environment (ARNs, queue URLs, the s3:// index
 * URI) cannot be resolved offline; `overrides` supplies stand-ins, and any other one becomes a dummy string.
 */
export function createSandbox(fn: SynthesizedFunction, overrides: Record<string, string> = {}): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'codesearch-lambda-'));
  const optDir = join(root, 'opt');
  mkdirSync(optDir);
  for (const layer of fn.layerDirs) cpSync(layer, optDir, { recursive: true });
  const taskDir = fn.codeDir;
  const leaks = [...leakyAncestors(taskDir), ...leakyAncestors(optDir)];
  if (leaks.length > 0) throw new Error(`the sandbox would see ${leaks.join(', ')}`);

  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(fn.environment)) {
    environment[name] =
      typeof value === 'string'
        ? value.replace(/^\/opt(?=\/|$)/, optDir).replace(/^\/var\/task(?=\/|$)/, taskDir)
        : `unresolved-${name}`;
  }
  return { optDir, taskDir, environment: { ...environment, ...overrides } };
}

export interface InvokeResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Loads the handler module in a fresh Node process and, with an `event`, invokes it once; without one it only
 * checks that the module loads and exports the handler function.
 */
export function invokeInSandbox(
  sandbox: Sandbox,
  handler: string,
  event?: unknown,
  extraEnvironment: Record<string, string> = {},
): Promise<InvokeResult> {
  const [file, exportName] = handler.split('.');
  const env = {
    PATH: process.env.PATH ?? '',
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: 'sandbox',
    LAMBDA_TASK_ROOT: sandbox.taskDir,
    NODE_PATH: `${sandbox.optDir}/nodejs/node22/node_modules:${sandbox.optDir}/nodejs/node_modules`,
    ...sandbox.environment,
    ...extraEnvironment,
  };
  const args = [
    '--require',
    RUNTIME_MODULES_PRELOAD,
    INVOKE,
    join(sandbox.taskDir, `${file}.js`),
    exportName ?? 'handler',
  ];
  if (event !== undefined) args.push(JSON.stringify(event));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: sandbox.taskDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
