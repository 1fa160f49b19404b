/**
 * cdk-nag (AwsSolutions and Serverless packs) gates the synth: the stack passes only because every finding
 * is fixed or acknowledged with a reason, and a new unacknowledged finding fails the synth.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { createCodeSearchApp } from '../../infra/codesearch-app.ts';
import { acknowledge } from '../../infra/nag-acknowledgements.ts';

function appIn(outdir: string) {
  return createCodeSearchApp({
    outdir,
    context: { [cxapi.BUNDLING_STACKS]: [], [cxapi.DISABLE_ASSET_STAGING_CONTEXT]: true },
  });
}

describe('cdk-nag', () => {
  it('reports no violation for the stack as it is', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'codesearch-nag-'));
    appIn(outdir).app.synth();
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: unknown[];
    };
    expect(report.pluginReports).toEqual([]);
  });

  it('fails the synth on a finding nobody acknowledged', () => {
    // Given the stack plus a queue without a dead-letter queue or a TLS-only policy
    const outdir = mkdtempSync(join(tmpdir(), 'codesearch-nag-'));
    const { app, stack } = appIn(outdir);
    new sqs.Queue(stack, 'CarelessQueue');

    // When it is synthesized, then the synth fails and the report names the rules
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
    const report = readFileSync(join(outdir, 'validation-report.json'), 'utf8');
    expect(report).toContain('AwsSolutions-SQS3');
    expect(report).toContain('AwsSolutions-SQS4');
    expect(report).toContain('CarelessQueue');
  });

  it('does not accept an acknowledgement without a real reason', () => {
    const { stack } = appIn(mkdtempSync(join(tmpdir(), 'codesearch-nag-')));
    expect(() => acknowledge(stack, 'AwsSolutions-SQS4', 'fine')).toThrow(/needs a reason/);
  });
});
