/**
 * The Lambda functions of a synthesized template with what Lambda would give each one: its code folder
 * (/var/task), its layers (merged into /opt) and its environment.
 */
import type { Stack } from 'aws-cdk-lib';
import type { CfnTemplate, Synthesized } from './synth.ts';

export interface SynthesizedFunction {
  readonly logicalId: string;
  /** `index.handler`. */
  readonly handler: string;
  readonly codeDir: string;
  readonly layerDirs: readonly string[];
  /** Literal values as strings; CloudFormation expressions (Ref, Fn::GetAtt …) as objects. */
  readonly environment: Readonly<Record<string, unknown>>;
}

/** `abc123.zip` → `abc123`: CDK names an asset's S3 key after its hash. */
function assetHash(s3Key: unknown, what: string): string {
  if (typeof s3Key !== 'string' || !s3Key.endsWith('.zip'))
    throw new Error(`${what}: unexpected S3Key ${JSON.stringify(s3Key)}`);
  return s3Key.slice(0, -'.zip'.length);
}

function layerLogicalId(reference: unknown): string {
  const ref = (reference as { Ref?: unknown }).Ref;
  if (typeof ref !== 'string')
    throw new Error(`layers must be this stack's LayerVersions, got ${JSON.stringify(reference)}`);
  return ref;
}

export function functionsOf(synth: Pick<Synthesized<Stack>, 'json' | 'assetDir'>): SynthesizedFunction[] {
  const { Resources } = synth.json as CfnTemplate;
  return Object.entries(Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([logicalId, resource]) => {
      const props = resource.Properties as {
        Handler: string;
        Code: { S3Key: unknown };
        Layers?: unknown[];
        Environment?: { Variables?: Record<string, unknown> };
      };
      const layerDirs = (props.Layers ?? []).map((reference) => {
        const layer = Resources[layerLogicalId(reference)]?.Properties as { Content: { S3Key: unknown } };
        return synth.assetDir(assetHash(layer.Content.S3Key, `layer of ${logicalId}`));
      });
      return {
        logicalId,
        handler: props.Handler,
        codeDir: synth.assetDir(assetHash(props.Code.S3Key, logicalId)),
        layerDirs,
        environment: props.Environment?.Variables ?? {},
      };
    });
}
