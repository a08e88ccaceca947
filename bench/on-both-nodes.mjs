#!/usr/bin/env node
// Runs a bench script on this Node and then on the Node 24 that .ci/run tests with (fetched through
// npx from the npm registry, as CI does), so every figure exists for both. The script's own children
// start with the same Node as the script (they use process.execPath).
import { spawnSync } from 'node:child_process';

const NODE24_VERSION = '24.21.0';
const script = process.argv[2];
const args = process.argv.slice(3);
if (!script) throw new Error('usage: node bench/on-both-nodes.mjs <bench script> [args…]');

const run = (node) => spawnSync(node, [script, ...args], { stdio: 'inherit' }).status ?? 1;

let status = run(process.execPath);
if (process.versions.node.split('.')[0] !== '24') {
  const found = spawnSync('npx', ['-y', `node@${NODE24_VERSION}`, '-p', 'process.execPath'], { encoding: 'utf8' });
  const node24 = found.stdout.trim().split('\n').at(-1);
  if (found.status === 0 && node24) {
    console.log('');
    status = run(node24) || status;
  } else {
    console.log(
      `\n(could not fetch Node ${NODE24_VERSION} with npx: ${found.stderr.trim().split('\n').at(-1) ?? 'no output'}; only this Node was measured)`,
    );
  }
}
process.exit(status);
