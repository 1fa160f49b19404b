/** The CDK app that `npx cdk synth` / `npx cdk deploy` run (cdk.json: `node infra/app.ts`). */
import { createCodeSearchApp } from './codesearch-app.ts';

createCodeSearchApp();
