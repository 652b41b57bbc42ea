// Counts and lengths in plain English on the device: "1 interaction", "9 seconds".
// The same rules and sums as careobs/wording.py, so what the recorder drafts and shows offline
// reads exactly as the server's pages and drafts; keep the two in step.

export function plural(n, singular, pluralForm) {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

// Seconds under a minute, then minutes and hours, rounded down so a length is never shown longer
// than it was: 0.15 → "9 seconds", 65 → "1 hour 5 minutes". The tiny allowance keeps a whole
// second whole after the trip through minutes.
export function durationText(minutes) {
  const seconds = Math.floor(Math.max(0, minutes) * 60 + 1e-9);
  if (seconds < 60) return plural(seconds, "second", "seconds");
  const whole = Math.floor(seconds / 60);
  const hours = Math.floor(whole / 60);
  const rest = whole % 60;
  const parts = hours ? [plural(hours, "hour", "hours")] : [];
  if (rest || !hours) parts.push(plural(rest, "minute", "minutes"));
  return parts.join(" ");
}
