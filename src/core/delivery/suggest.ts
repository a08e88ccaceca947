/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known names closest to `input`, best first: near misspellings and names that contain it. */
export function suggestNames(input: string, names: readonly string[], max = 3): string[] {
  const needle = input.toLowerCase();
  const scored = names.map((name) => {
    const last = name.split('.').slice(1).join('.');
    let score = Math.min(distance(needle, name), last ? distance(needle, last) + 1 : Infinity);
    if (needle.length >= 3 && name.includes(needle)) score = Math.min(score, 1);
    return { name, score };
  });
  const limit = Math.max(2, Math.floor(needle.length / 5));
  return scored
    .filter((s) => s.score <= limit)
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((s) => s.name);
}
