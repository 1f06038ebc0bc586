// How times, counts and scopes read on the page.

const dateFormat = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

/** "Nov 23, 2026". */
export function date(iso) {
  return dateFormat.format(new Date(iso));
}

/** "Nov 23, 2026, 9:49 PM". */
export function dateTime(iso) {
  return fullFormat.format(new Date(iso));
}

const UNITS = [
  ["year", 365 * 86400],
  ["month", 30 * 86400],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];

/** "3 hours ago", "in 30 days", "just now". */
export function relative(iso, now = Date.now()) {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relativeFormat.format(Math.trunc(seconds / size), unit);
  }
  return "just now";
}

/** "1 token", "2 tokens". */
export function count(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The date `days` days from now. */
export function daysFromNow(days, now = Date.now()) {
  return new Date(now + days * 86400 * 1000).toISOString();
}

/** Characters as the issuer counts them (Unicode scalar values, after trimming). */
export function charCount(text) {
  return [...text.trim()].length;
}

/** "“name”", for confirmations. */
export function quoted(name) {
  return `“${name}”`;
}
