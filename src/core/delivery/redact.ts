/**
 * Hides personal data in delivery bodies before they are shown: ID numbers, dates of birth,
 * phone numbers, e-mail and street addresses, and base64 images. Names stay, so a developer can
 * still tell deliveries apart.
 */

const SENSITIVE_KEY =
  /^(bvn|nin|vnin|vin|number|id_?number|document_?number|licen[cs]e_?no|licen[cs]e_?number|passport_?number|phone.*|telephone.*|mobile.*|msisdn|birth_?date|birthdate|dob|date_?of_?birth|email|e_?mail|.*address.*|residence_.*|signature|photo|image.*|.*_image|base64.*|selfie.*|images|doc_?image|face_?image|front_?image|back_?image)$/i;

const BASE64_BLOB = /^(data:[\w/+.-]+;base64,)?[A-Za-z0-9+/\r\n]{200,}={0,2}$/;

function describeBlob(value: string): string {
  const bytes = Math.floor((value.replace(/^data:[^,]*,/, '').length * 3) / 4);
  return `[image, ${bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`}, redacted]`;
}

function maskScalar(value: unknown): unknown {
  if (typeof value === 'string') {
    if (value === '') return value;
    if (BASE64_BLOB.test(value) || value.length > 64) return describeBlob(value);
    // keep the last two characters of ID numbers so two records can be told apart
    return /^\d{6,}$/.test(value) ? `${'•'.repeat(value.length - 2)}${value.slice(-2)}` : '[redacted]';
  }
  if (typeof value === 'number') return '[redacted]';
  return value;
}

function redactValue(value: unknown, sensitive: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => redactValue(item, sensitive));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = redactValue(inner, sensitive || SENSITIVE_KEY.test(key));
    return out;
  }
  if (sensitive) return maskScalar(value);
  if (typeof value === 'string' && BASE64_BLOB.test(value)) return describeBlob(value);
  return value;
}

/** A deep copy of `body` with personal data masked. */
export function redact<T>(body: T): T {
  return redactValue(body, false) as T;
}
