#!/usr/bin/env node
// The only place that ends the process: everything else returns an exit code.
import module from 'node:module';

module.enableCompileCache?.();

let cli;
try {
  cli = await import('../dist/cli.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    process.stderr.write('error: idpass is not built yet\nhint: run npm install (or npm run build) in the idpass folder\n');
    process.exit(2);
  }
  throw error;
}
process.exitCode = await cli.run(process.argv.slice(2));
