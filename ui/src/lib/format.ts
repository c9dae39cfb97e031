// Display helpers. Every value shown comes through React text nodes (never innerHTML), so strings
// from the database are rendered as text whatever they contain.

export function pct(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  return `${x.toFixed(digits)} %`;
}

/** A likelihood in [0, 1] as a percentage. */
export function likelihood(x: number | null | undefined): string {
  if (x === null || x === undefined) return '–';
  return pct(x * 100, x * 100 < 1 ? 2 : 1);
}

/** Whole days between an ISO time and now (floor); null when there is no time. */
export function ageDays(iso: string | null | undefined, now: Date = new Date()): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return null;
  return Math.floor((now.getTime() - t) / 86_400_000);
}

export function ago(iso: string | null | undefined, now: Date = new Date()): string {
  const d = ageDays(iso, now);
  if (d === null) return 'never';
  if (d < 0) return 'in the future';
  if (d === 0) return 'today';
  if (d === 1) return '1 day ago';
  return `${d} days ago`;
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return t.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/:\d\dZ$/, 'Z');
}

/** Comma- or space-separated node names typed by a user, as the API's array (empty: default). */
export function nodeList(s: string): string[] | undefined {
  const items = s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
}

export function roleName(role: string): string {
  return role.replace(/^infracast_/, '');
}
