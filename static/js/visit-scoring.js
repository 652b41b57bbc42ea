// Monitoring visit outcome on the device (mirrors careobs/spotchecks/scoring.py): the server
// recomputes everything from the answers it receives.

const POINTS = { met: 2, partly: 1, not_met: 0 };
export const WORDING = {
  green: "Competent",
  amber: "Competent — development agreed",
  red: "Not yet competent — re-check required",
};

export function outcome(answers, items, rules) {
  const critical = new Map(items.map((i) => [i.id, i.critical]));
  const rated = answers.filter((a) => a.rating && a.rating !== "na");
  const points = rated.reduce((sum, a) => sum + POINTS[a.rating], 0);
  const possible = 2 * rated.length;
  const score = possible ? Math.round((points * 1000) / possible) / 10 : null;
  const criticalFailures = rated.filter((a) => a.rating === "not_met" && critical.get(a.item_id)).length;
  let band = null;
  if (criticalFailures) band = "red";
  else if (score !== null) band = score >= rules.green_from ? "green" : score >= rules.amber_from ? "amber" : "red";
  return { score, points, possible, band, criticalFailures, wording: band ? WORDING[band] : null };
}

export function minutesLate(plannedAt, arrivedAt) {
  if (!arrivedAt) return null;
  return (new Date(arrivedAt) - new Date(plannedAt)) / 60000;
}

export function shortfall(plannedMinutes, arrivedAt, leftAt) {
  if (!arrivedAt || !leftAt) return null;
  return Math.max(0, plannedMinutes - (new Date(leftAt) - new Date(arrivedAt)) / 60000);
}

export function nextCheck(day, band, rules) {
  const next = new Date(day);
  next.setDate(next.getDate() + (band === "red" ? rules.recheck_days_after_red : rules.check_frequency_days));
  return next;
}
