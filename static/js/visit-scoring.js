// Monitoring visit outcome on the device (mirrors careobs/visits/scoring.py): the server
// recomputes everything from the answers it receives.

import { plural } from "./wording.js";

const POINTS = { met: 2, partly: 1, not_met: 0 };
export const WORDING = {
  green: "Competent",
  amber: "Competent — development agreed",
  red: "Not yet competent — re-check required",
};

/** Points as a percentage of those possible, rounded half up to one decimal, for display only
 * (null when nothing was possible). Whole-number arithmetic, as Python's Decimal does it:
 * floating point would round 1799/2000 = 89.95 either way. */
export function scorePercent(points, possible) {
  if (!possible) return null;
  return Math.floor((points * 2000 + possible) / (2 * possible)) / 10;
}

/** Green, amber or red for `points` of `possible`, decided from the exact fraction (never the
 * rounded score: 89.95% shows as 90.0% but is amber when green starts at 90); null when
 * nothing was possible. Same rule as band_for in careobs/visits/scoring.py. */
export function bandFor(points, possible, rules) {
  if (!possible) return null;
  if (points * 100 >= rules.green_from * possible) return "green";
  if (points * 100 >= rules.amber_from * possible) return "amber";
  return "red";
}

export function outcome(answers, items, rules) {
  const critical = new Map(items.map((i) => [i.id, i.critical]));
  const rated = answers.filter((a) => a.rating && a.rating !== "na");
  const points = rated.reduce((sum, a) => sum + POINTS[a.rating], 0);
  const possible = 2 * rated.length;
  const score = scorePercent(points, possible);
  const criticalFailures = rated.filter((a) => a.rating === "not_met" && critical.get(a.item_id)).length;
  const band = criticalFailures ? "red" : bandFor(points, possible, rules);
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

// The Timekeeping items of the default checklist (careobs/checklists/default.py), found by their
// wording: item keys are made per organisation and are not sent to devices. A checklist without
// them gets no suggestion.
export const TIMEKEEPING_ITEMS = {
  arrival: "Arrived within the agreed tolerance of the planned time",
  duration: "Stayed the planned duration",
};

// Their stable keys (careobs.checklists.default.item_key of the wording above): found by key
// first, so rewording them in a new version keeps the suggestions; by wording for checklists
// imported or built by hand.
export const TIMEKEEPING_KEYS = {
  arrival: "a6db0022-5c56-5b7c-9acc-f957e5551f67",
  duration: "61f1c591-aaba-5f27-904d-333f2ca594da",
};


/** Arrival against the planned time, in words, with the rating it suggests (design §2.2:
 * lateness is computed, not typed). Null until the arrival is known. */
export function arrivalJudgement(plannedAt, arrivedAt, tolerance) {
  const late = minutesLate(plannedAt, arrivedAt);
  if (late === null) return null;
  const shown = Math.round(Math.abs(late));
  let words;
  if (late > tolerance) words = `Arrived ${plural(shown, "minute", "minutes")} late (tolerance ${plural(tolerance, "minute", "minutes")}).`;
  else if (shown === 0) words = "Arrived on time.";
  else if (late > 0) words = `Arrived ${plural(shown, "minute", "minutes")} after the planned time, within the ${tolerance}-minute tolerance.`;
  else words = `Arrived ${plural(shown, "minute", "minutes")} early.`;
  return { rating: late > tolerance ? "not_met" : "met", words, minutes: late };
}

/** Time stayed against the planned length: Met with no shortfall, Partly met when at least half
 * the planned time was given, Not met when less. Null until arrival and departure are known. */
export function durationJudgement(plannedMinutes, arrivedAt, leftAt) {
  const short = shortfall(plannedMinutes, arrivedAt, leftAt);
  if (short === null) return null;
  const stayed = Math.round((new Date(leftAt) - new Date(arrivedAt)) / 60000);
  const shown = Math.round(short);
  if (shown <= 0) return { rating: "met", words: `Stayed the full ${plural(plannedMinutes, "planned minute", "planned minutes")}.`, minutes: 0 };
  return {
    rating: stayed * 2 >= plannedMinutes ? "partly" : "not_met",
    words: `Stayed ${stayed} of the ${plural(plannedMinutes, "planned minute", "planned minutes")}: ${plural(shown, "minute", "minutes")} short.`,
    minutes: short,
  };
}

/** The Timekeeping suggestions for a visit: [{item, rating, words}] for the items found. */
export function timekeepingSuggestions(data, items, rules) {
  const find = (which) => items.find((i) => i.key === TIMEKEEPING_KEYS[which])
    ?? items.find((i) => i.text === TIMEKEEPING_ITEMS[which]);
  const found = [
    [find("arrival"), arrivalJudgement(data.planned_at, data.arrived_at, rules.lateness_tolerance_minutes)],
    [find("duration"), durationJudgement(data.planned_minutes, data.arrived_at, data.left_at)],
  ];
  return found.filter(([item, judgement]) => item && judgement).map(([item, judgement]) => ({ item, ...judgement }));
}
