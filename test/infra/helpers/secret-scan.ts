/**
 * Looks for secrets in synthesized output: well-known credential formats, and the actual secret values this
 * machine holds (secret-named environment variables, the local API signing keys), which a bundler could
 * inline by accident.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { listFiles } from '../../../scripts/layers/layer-files.ts';

export interface SecretFinding {
  readonly where: string;
  readonly kind: string;
  /** The match, shortened so the report does not repeat the secret. */
  readonly excerpt: string;
}

const PATTERNS: readonly { readonly kind: string; readonly pattern: RegExp }[] = [
  { kind: 'AWS access key id', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g },
  { kind: 'AWS secret access key', pattern: /aws.?secret.?access.?key["'\s:=]+[A-Za-z0-9/+=]{40}/gi },
  { kind: 'GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/g },
  { kind: 'private key', pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/g },
  { kind: 'JSON web token', pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g },
  { kind: 'Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g },
  {
    kind: 'secret assigned a literal',
    pattern:
      /["']?(?:client_?secret|secret_?key|password|passwd|api_?key|access_?token)["']?\s*[:=]\s*["'][A-Za-z0-9+/_=-]{20,}["']/gi,
  },
  // A CloudFormation secret must be generated (GenerateSecretString), never given (SecretString).
  { kind: 'literal SecretString', pattern: /"SecretString"\s*:/g },
];

/** Values of secret-named variables in `env`, and the local signing keys. */
export function knownSecretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = Object.entries(env)
    .filter(
      ([name, value]) => /SECRET|TOKEN|PASSWORD|PRIVATE|CREDENTIAL/i.test(name) && (value?.length ?? 0) >= 12,
    )
    .map(([, value]) => value as string);
  const keyFile = env.CODESEARCH_KEY_FILE ?? join(homedir(), '.config', 'codesearch', 'keys.json');
  const fromKeyFile = existsSync(keyFile)
    ? Object.values(JSON.parse(readFileSync(keyFile, 'utf8')) as Record<string, unknown>).filter(
        (value): value is string => typeof value === 'string' && value.length >= 16,
      )
    : [];
  return [...fromEnv, ...fromKeyFile];
}

let machineSecrets: string[] | undefined;

/** This machine's secret values, read once. */
function machineSecretValues(): string[] {
  machineSecrets ??= knownSecretValues();
  return machineSecrets;
}

/** Files worth reading as text: not native code, model weights or WebAssembly. */
export function listScannableFiles(dir: string): string[] {
  return listFiles(dir)
    .filter((path) => !/\.(node|so(\.\d+)*|onnx|wasm|dylib|dll)$/.test(path))
    .map((path) => join(dir, path));
}

export function findSecrets(
  where: string,
  text = readFileSync(where, 'utf8'),
  known: readonly string[] = machineSecretValues(),
): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const { kind, pattern } of PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      findings.push({ where, kind, excerpt: `${match[0].slice(0, 12)}…` });
    }
  }
  for (const secret of known) {
    if (text.includes(secret))
      findings.push({ where, kind: 'a secret value from this machine', excerpt: `${secret.slice(0, 3)}…` });
  }
  return findings;
}
