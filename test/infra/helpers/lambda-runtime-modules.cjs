// Preloaded into the sandboxed function: plays the part of the nodejs22.x runtime, which ships the AWS SDK v3.
// Requests for @aws-sdk/* resolve from the project's node_modules; everything else resolves as in Lambda.
const Module = require('node:module');
const { join } = require('node:path');

const projectRoot = join(__dirname, '..', '..', '..');
const runtimeParent = {
  id: 'lambda-runtime',
  filename: join(projectRoot, 'package.json'),
  paths: Module._nodeModulePaths(projectRoot),
};
const resolve = Module._resolveFilename;

Module._resolveFilename = function resolveLikeLambda(request, parent, ...rest) {
  return request.startsWith('@aws-sdk/')
    ? resolve.call(this, request, runtimeParent, ...rest)
    : resolve.call(this, request, parent, ...rest);
};
