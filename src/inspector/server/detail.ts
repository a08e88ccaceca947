/**
 * One delivery as the page shows it: the explanation `events show` gives (the same lines), the
 * headers with secrets masked, the body's first tree level, text and hex, and each target's
 * answer. Personal data is masked unless --show-pii; credentials always are.
 */

import { deliveryFromRecord, type DeliveryRecord, type StoredForward } from '../../core/store/codec.js';
import { detailLines, headerValue } from '../../output/render/detail.js';
import { redactText } from '../../output/redact.js';
import { BodyViews, hexDump, isText, type TreeNode } from './body-view.js';
import { summaryOf, type Summary } from './catalog.js';

export interface Keys {
  publicKey: string;
  livePublicKey?: string;
}

/** Query parameters whose values are secrets wherever they appear in a URL. */
const SECRET_PARAMS = /^(?:token|key|api[_-]?key|secret|signature|sig|access[_-]?token|auth|password|pass)$/i;

/** A path or URL with the values of secret-looking query parameters masked. */
export function maskedPath(path: string): string {
  const q = path.indexOf('?');
  if (q < 0) return path;
  const params = path
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // a malformed escape: the name as it came
      }
      return eq >= 0 && SECRET_PARAMS.test(decoded) ? `${name}=••••` : pair;
    });
  return `${path.slice(0, q)}?${params.join('&')}`;
}

function forwardView(f: StoredForward, showPii: boolean) {
  return {
    url: maskedPath(f.url),
    status: f.status,
    answered: f.answered,
    ms: f.ms,
    preview: showPii ? f.preview : redactText(f.preview, 4000),
    error: f.error,
    verdict: f.verdict,
  };
}

export interface DetailView {
  summary: Summary;
  explanation: { section: string; lines: { text: string; tone: string }[] }[];
  headers: { name: string; value: string }[];
  path: string;
  body: {
    size: number;
    kind: 'json' | 'text' | 'binary' | 'none';
    jsonError: string | null;
    tree: { nodes: TreeNode[]; total: number } | null;
    rootType: 'object' | 'array' | null;
    text: string | null;
    textCut: boolean;
    masked: boolean;
    hex: string | null;
  };
  forwards: ReturnType<typeof forwardView>[];
  related: Summary[];
}

export function detailView(record: DeliveryRecord, views: BodyViews, keys: Keys, showPii: boolean, related: Summary[]): DetailView {
  const d = deliveryFromRecord(record, keys);
  const explanation = (['summary', 'signature', 'result'] as const).map((section) => ({
    section,
    lines: detailLines(d, showPii, [section]).map((l) => ({ text: l.text, tone: l.tone })),
  }));
  const bytes = record.body === null ? null : Buffer.from(record.body, 'base64');
  const value = views.value(record);
  const tree = value !== null && typeof value === 'object' ? views.children(record, []) : null;
  const text = bytes && (isText(bytes) || value !== undefined) ? views.text(record) : null;
  const kind = bytes === null || bytes.length === 0 ? 'none' : value !== undefined ? 'json' : text ? 'text' : 'binary';
  const outcome = record.outcome;
  return {
    summary: summaryOf(record, outcome),
    explanation,
    headers: record.headers.map(([name, v]) => ({ name, value: headerValue(name, v) })),
    path: maskedPath(record.path),
    body: {
      size: record.size,
      kind,
      jsonError: record.jsonError,
      tree,
      rootType: tree ? (Array.isArray(value) ? 'array' : 'object') : null,
      text: text?.text ?? null,
      textCut: text?.cut ?? false,
      masked: text?.masked ?? !showPii,
      hex: kind === 'binary' && bytes ? hexDump(bytes) : null,
    },
    forwards: [outcome?.forward, ...(outcome?.others ?? [])]
      .filter((f): f is StoredForward => Boolean(f))
      .map((f) => forwardView(f, showPii)),
    related,
  };
}
