/**
 * Injected into every function bundle (esbuild `inject`, with `import.meta.url` defined as `importMetaUrl`).
 * The bundles are CommonJS, where `import.meta` does not exist, but the engine locates its worker script and
 * resources with `new URL(…, import.meta.url)`. CommonJS is chosen because only `require()` honours
 * NODE_PATH, and NODE_PATH is how Lambda finds the packages in layers (/opt/nodejs/node_modules).
 */
import { pathToFileURL } from 'node:url';

export const importMetaUrl = pathToFileURL(__filename).href;
