import type { CheckResult, DoctorSummary } from '../../core/doctor/types.js';

/**
 * A doctor run as JUnit XML, the shape CI systems display: one testsuite, one testcase per check
 * (classname = its group), a failure for each failed check (and each warning under --strict).
 */

/** Text for XML: the five entities escaped, and characters XML 1.0 cannot hold made visible. */
function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function details(result: CheckResult): string {
  return [`check: ${result.title}`, `sent: ${result.sent}`, `got: ${result.got}`, result.prembly && `Prembly: ${result.prembly}`, result.fix && `fix: ${result.fix}`]
    .filter(Boolean)
    .join('\n');
}

function testcase(result: CheckResult, strict: boolean): string {
  const open = `    <testcase classname="idpass.doctor.${xml(result.group)}" name="${xml(result.id)}" time="${seconds(result.ms)}"`;
  const failing = (result.verdict === 'fail' && result.required) || (strict && (result.verdict === 'warn' || result.verdict === 'fail'));
  if (failing) {
    const type = result.verdict === 'warn' || !result.required ? 'warning' : 'failure';
    return `${open}>\n      <failure message="${xml(result.fix ?? result.got)}" type="${type}">${xml(details(result))}</failure>\n    </testcase>`;
  }
  if (result.verdict === 'skip') return `${open}>\n      <skipped/>\n    </testcase>`;
  if (result.verdict === 'warn' || result.verdict === 'fail') return `${open}>\n      <system-out>${xml(`warning: ${details(result)}`)}</system-out>\n    </testcase>`;
  return `${open}/>`;
}

export function junitXml(results: CheckResult[], summary: DoctorSummary, timestamp = new Date()): string {
  const failures = results.filter(
    (r) => (r.verdict === 'fail' && r.required) || (summary.strict && (r.verdict === 'warn' || r.verdict === 'fail')),
  ).length;
  const skipped = results.filter((r) => r.verdict === 'skip').length;
  const attrs = `tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(summary.ms)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="idpass doctor" ${attrs}>`,
    `  <testsuite name="${xml(`idpass doctor ${summary.url}`)}" ${attrs} timestamp="${timestamp.toISOString().slice(0, 19)}">`,
    ...results.map((r) => testcase(r, summary.strict)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
