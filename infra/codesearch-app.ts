/**
 * Builds the CDK app: reads the context, builds the layer folders (cached by input hash), creates the stack
 * and registers the cdk-nag packs, whose unacknowledged findings make synthesis fail. infra/app.ts runs it
 * for the CDK CLI; the tests call it with their own context and output folder.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { buildLayers } from '../scripts/layers/index.ts';
import { CodeSearchStack } from './codesearch-stack.ts';
import { readDeployConfig } from './deploy-config.ts';

export const STACK_NAME = 'CodeSearch';

export function createCodeSearchApp(props: AppProps = {}): { app: App; stack: CodeSearchStack } {
  const app = new App(props);
  const config = readDeployConfig(app.node);
  const layerFolders = buildLayers({ architecture: config.architecture, modelDir: config.model });
  const stack = new CodeSearchStack(app, STACK_NAME, { config, layerFolders });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}
