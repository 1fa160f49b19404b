/**
 * The Lambda layers built by scripts/layers from node_modules and the model folder: onnxruntime-node, LanceDB
 * with apache-arrow, and the embedding model. Lambda unpacks every layer into /opt, where NODE_PATH
 * (/opt/nodejs/node_modules) finds the packages and the model sits at /opt/model.
 */
import { AssetHashType } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { type BuiltLayer, MODEL_LAYER_TARGET, type RuntimeLayerFolders } from '../scripts/layers/index.ts';

/** Where the model layer's files are inside a function. */
export const MODEL_DIR_IN_LAMBDA = `/opt/${MODEL_LAYER_TARGET}`;

export interface RuntimeLayersProps {
  /** The folders from `buildLayers()`. */
  readonly folders: RuntimeLayerFolders;
  readonly architecture: lambda.Architecture;
  /**
   * Create the model layer; false when the functions load the model from S3 (`modelS3Uri`).
   * @default true
   */
  readonly modelLayer?: boolean;
}

export class RuntimeLayers extends Construct {
  readonly onnxRuntime: lambda.LayerVersion;
  readonly lanceDb: lambda.LayerVersion;
  /** Absent when the model loads from S3 instead. */
  readonly model?: lambda.LayerVersion;
  /** The built folders, for size checks. */
  readonly folders: RuntimeLayerFolders;

  constructor(scope: Construct, id: string, props: RuntimeLayersProps) {
    super(scope, id);
    this.folders = props.folders;
    const layer = (layerId: string, built: BuiltLayer) =>
      new lambda.LayerVersion(this, layerId, {
        // The build's input hash names the content: CDK need not hash 200 MB of binaries on every synth.
        code: lambda.Code.fromAsset(built.dir, {
          assetHash: built.inputHash,
          assetHashType: AssetHashType.CUSTOM,
        }),
        description: `codesearch: ${built.description}`,
        compatibleRuntimes: [lambda.Runtime.NODEJS_22_X],
        compatibleArchitectures: [props.architecture],
      });
    this.onnxRuntime = layer('OnnxRuntime', props.folders.onnxRuntime);
    this.lanceDb = layer('LanceDb', props.folders.lanceDb);
    if (props.modelLayer ?? true) this.model = layer('Model', props.folders.model);
  }
}
