/**
 * A doctor run as JUnit XML, the shape CI systems display: one testsuite, one testcase per check
 * (classname = its group), a failure for each failed check (and each warning under --strict).
 */

import type { CheckResult, DoctorSummary } from '../../core/doctor/types.js';
import { visible } from '../sanitize.js';

/** Whether XML 1.0 can hold this UTF-16 code unit where it stands (tab, newline and CR are the only controls it allows). */
function xmlSafe(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code < 0x20) return code === 0x09 || code === 0x0a || code === 0x0d;
  if (code === 0xfffe || code === 0xffff) return false;
  if (code >= 0xd800 && code <= 0xdbff) return i + 1 < text.length && text.charCodeAt(i + 1) >= 0xdc00 && text.charCodeAt(i + 1) <= 0xdfff;
  if (code >= 0xdc00 && code <= 0xdfff) return i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff;
  return true;
}

/** Text for XML: the five entities escaped, and what XML 1.0 cannot hold written as \xNN / \uNNNN. */
function xml(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (!xmlSafe(text, i)) {
      const code = text.charCodeAt(i);
      out += code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += ENTITIES[ch] ?? ch;
  }
  return out;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function details(result: CheckResult): string {
  return [
    `check: ${result.title}`,
    `sent: ${result.sent}`,
    `got: ${result.got}`,
    result.prembly && `Prembly: ${result.prembly}`,
    result.fix && `fix: ${result.fix}`,
  ]
    .filter((part): part is string => Boolean(part))
    .map(visible) // what the handler answered may carry escape sequences or bidi overrides: shown, not obeyed
    .join('\n');
}

function testcase(result: CheckResult, strict: boolean): string {
  const open = `    <testcase classname="idpass.doctor.${xml(result.group)}" name="${xml(result.id)}" time="${seconds(result.ms)}"`;
  const failing = (result.verdict === 'fail' && result.required) || (strict && (result.verdict === 'warn' || result.verdict === 'fail'));
  if (failing) {
    const type = result.verdict === 'warn' || !result.required ? 'warning' : 'failure';
    return `${open}>\n      <failure message="${xml(visible(result.fix ?? result.got))}" type="${type}">${xml(details(result))}</failure>\n    </testcase>`;
  }
  if (result.verdict === 'skip') return `${open}>\n      <skipped/>\n    </testcase>`;
  if (result.verdict === 'warn' || result.verdict === 'fail')
    return `${open}>\n      <system-out>${xml(`warning: ${details(result)}`)}</system-out>\n    </testcase>`;
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
