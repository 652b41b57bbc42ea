// Rating a key question the way CQC does, on the device: the same sums as
// careobs/selfassess/ratings.py (tests/e2e/test_self_assessment_ratings.py holds them to agree).
// A key question's score is the sum of its assessed statements' scores (1-4) as a percentage of
// 4 per statement, rounded half up to a whole number; its rating from CQC's bands; upper or
// lower threshold by the band's midpoint. A statement not assessed counts in neither sum.

export const RATINGS = {
  outstanding: "Outstanding",
  good: "Good",
  requires_improvement: "Requires improvement",
  inadequate: "Inadequate",
};

// Each rating's whole percentages, best first (25% is the lowest possible: every statement 1).
export const BANDS = [
  ["outstanding", 88, 100],
  ["good", 63, 87],
  ["requires_improvement", 39, 62],
  ["inadequate", 25, 38],
];

/** `total` of 4 × `assessed` as a whole percentage, halves rounded up, in integers (62.5 → 63). */
export function percent(total, assessed) {
  if (!(assessed > 0)) throw new Error("no statement assessed");
  return Math.floor((50 * total + assessed) / (2 * assessed));
}

export function ratingOf(pct) {
  for (const [rating, low] of BANDS) if (pct >= low) return rating;
  return "inadequate";
}

/** "upper" or "lower": which half of its band `pct` is in (above the midpoint is upper). */
export function thresholdOf(pct) {
  const [, low, high] = BANDS.find(([rating]) => rating === ratingOf(pct));
  return 2 * pct > low + high ? "upper" : "lower";
}

/** One key question from its statements' codes and code → score (null or absent: not assessed). */
export function keyQuestion(codes, scores) {
  const given = codes.map((c) => scores[c]).filter((s) => s !== null && s !== undefined);
  for (const s of given) if (![1, 2, 3, 4].includes(s)) throw new Error(`a score is 1 to 4, not ${s}`);
  const total = given.reduce((a, b) => a + b, 0);
  if (!given.length) return { statements: codes.length, assessed: 0, total: 0, scorePct: null, rating: null, threshold: null };
  const pct = percent(total, given.length);
  return { statements: codes.length, assessed: given.length, total, scorePct: pct, rating: ratingOf(pct), threshold: thresholdOf(pct) };
}

/** In words: "Safe: 6 of 8 statements assessed, 18 of 24 = 75%: Good, lower threshold". */
export function lineOf(name, result) {
  const counted = `${result.assessed} of ${result.statements} statements assessed`;
  if (result.scorePct === null) return `${name}: ${counted}: not rated yet`;
  return `${name}: ${counted}, ${result.total} of ${4 * result.assessed} = ${result.scorePct}%: ${RATINGS[result.rating]}, ${result.threshold} threshold`;
}
