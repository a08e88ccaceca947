/** The page's calls to the inspector's JSON API (same origin; the token travels in the cookie the first page set). */

export interface Summary {
  id: string;
  receivedAt: string;
  method: string;
  path: string;
  event: string | null;
  result: string | null;
  reference: string | null;
  token: string | null;
  signature: { valid: boolean; reason: string | null; scheme: string | null; key: string | null };
  appStatus: number | null;
  answerStatus: number | null;
  duplicate: boolean;
  relayed: boolean;
  size: number;
  tooLarge: boolean;
  jsonError: boolean;
}

export interface TreeNode {
  key: string;
  type: 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';
  size: number;
  preview?: string;
  image?: string;
}

export interface Detail {
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
  forwards: {
    url: string;
    status: number;
    answered: boolean;
    ms: number;
    preview: string;
    error: { message: string } | null;
    verdict: string;
  }[];
  related: Summary[];
}

export interface SendResult {
  url: string;
  status: number | null;
  ms: number;
  preview: string;
  error: string | null;
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', ...init });
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: string }).error ?? text;
    } catch {
      // not JSON: the text as it came
    }
    throw new Error(`${res.status}: ${message}`);
  }
  return (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T;
}

const post = <T>(path: string, body: unknown) =>
  call<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const id = (value: string) => encodeURIComponent(value);

export const api = {
  info: () => call<{ version: string; showPii: boolean; receiverUrl: string | null; total: number; events: string[] }>('/api/info'),
  list: (query: Record<string, string>) =>
    call<{ deliveries: Summary[]; more: boolean; total: number }>(`/api/deliveries?${new URLSearchParams(query)}`),
  detail: (d: string) => call<Detail>(`/api/deliveries/${id(d)}`),
  tree: (d: string, path: string[], from = 0) =>
    call<{ nodes: TreeNode[]; total: number }>(
      `/api/deliveries/${id(d)}/tree?${new URLSearchParams({ path: JSON.stringify(path), from: String(from) })}`,
    ),
  curl: (d: string, to?: string) => call<string>(`/api/deliveries/${id(d)}/curl${to ? `?${new URLSearchParams({ to })}` : ''}`),
  resend: (d: string, to?: string) => post<{ results: SendResult[] }>(`/api/deliveries/${id(d)}/resend`, to ? { to } : {}),
  send: (body: { body: string; to?: string; from?: string; curl?: boolean }) =>
    post<{ results?: SendResult[]; token: string; key: string; curl: string }>('/api/send', body),
  compare: (a: string, b: string) =>
    call<{ a: Summary; b: Summary; rows: { path: string; a: string | null; b: string | null; change: string }[] }>(
      `/api/compare?${new URLSearchParams({ a, b })}`,
    ),
  rawUrl: (d: string) => `/api/deliveries/${id(d)}/raw`,
};
