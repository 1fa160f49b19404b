/**
 * Synthesizes the real app (the same `createCodeSearchApp` that `cdk synth` runs, cdk-nag included) into a
 * temporary folder outside the project, so that nothing in it can resolve modules from the project's
 * node_modules by walking up the tree.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { createCodeSearchApp } from '../../../infra/codesearch-app.ts';
import type { CodeSearchStack } from '../../../infra/codesearch-stack.ts';

export interface SynthOptions {
  /**
   * Run esbuild for the functions. Off, CDK records the assets without building them (fast, enough for
   * template assertions).
   * @default false
   */
  readonly bundle?: boolean;
  /** Extra CDK context (the deploy options). */
  readonly context?: Record<string, unknown>;
}

export interface Synthesized<S extends Stack = CodeSearchStack> {
  readonly stack: S;
  readonly template: Template;
  readonly outdir: string;
  /** The template as JSON. */
  readonly json: CfnTemplate;
  /** Absolute folder of the asset with this hash (the layers are referenced in place, not copied). */
  assetDir(hash: string): string;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, unknown>;
}

interface AssetManifest {
  readonly files: Record<string, { readonly source: { readonly path: string } }>;
}

export function synthesize(options: SynthOptions = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'codesearch-synth-'));
  const { app, stack } = createCodeSearchApp({ outdir, context: testContext(options) });
  return assemble(app, stack, outdir);
}

/** Context for synthesizing in tests: bundling on or off, layers referenced in place. */
export function testContext(options: SynthOptions = {}): Record<string, unknown> {
  return {
    [cxapi.BUNDLING_STACKS]: options.bundle ? ['**'] : [],
    // Layers stay where scripts/layers built them instead of being copied (220 MB) into every outdir.
    [cxapi.DISABLE_ASSET_STAGING_CONTEXT]: true,
    ...options.context,
  };
}

/** Synthesizes `app` (whose outdir is `outdir`) and reads `stack`'s template and asset manifest. */
export function assemble<S extends Stack>(app: App, stack: S, outdir: string): Synthesized<S> {
  const template = Template.fromStack(stack);
  app.synth();
  const manifest = JSON.parse(
    readFileSync(join(outdir, `${stack.artifactId}.assets.json`), 'utf8'),
  ) as AssetManifest;
  return {
    stack,
    template,
    outdir,
    json: template.toJSON() as CfnTemplate,
    assetDir(hash) {
      const file = manifest.files[hash];
      if (!file) throw new Error(`no asset ${hash} in the assembly`);
      return isAbsolute(file.source.path) ? file.source.path : join(outdir, file.source.path);
    },
  };
}
