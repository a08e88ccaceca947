/** Small text forms every renderer shares. */

/** HH:MM:SS in the local time zone, as a person reading a terminal expects. */
export function clockTime(iso: string | number): string {
  const d = new Date(iso);
  // a hand-edited or hostile store line may hold anything as its time
  if (Number.isNaN(d.getTime())) return '--:--:--';
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  return `${Number((ms / 60_000).toFixed(1))}m`;
}

/** The URL to paste into the Identitypass dashboard for a public tunnel URL. */
export function webhookUrl(base: string): string {
  return `${base.replace(/\/$/, '')}/webhook`;
}

/** 512 B, 2.0 KB, 8.4 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
