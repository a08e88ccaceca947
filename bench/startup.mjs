#!/usr/bin/env node
// Startup cost of the CLI against a bare `node -e 0`, measured in the same run, interleaved so
// that machine noise hits every command alike. Prints medians and ratios; asserts nothing.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/idpass.js', import.meta.url));
const rounds = Number(process.env.ROUNDS ?? 25);
const cases = [
  ['bare node (node -e 0)', ['-e', '0']],
  ['idpass --version', [bin, '--version']],
  ['idpass --help', [bin, '--help']],
  ['idpass trigger --list', [bin, 'trigger', '--list']],
];

const samples = cases.map(() => []);
for (let round = 0; round < rounds + 2; round++) {
  cases.forEach(([, args], i) => {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
    if (round >= 2) samples[i].push(ms); // the first rounds warm the disk cache
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const base = median(samples[0]);
console.log(`startup, median of ${rounds} runs (node ${process.version})`);
cases.forEach(([name], i) => {
  const m = median(samples[i]);
  console.log(`  ${name.padEnd(24)} ${m.toFixed(1).padStart(7)} ms   ${(m / base).toFixed(2)}× bare node`);
});
console.log('goal: idpass --help within 1.5× bare node');
