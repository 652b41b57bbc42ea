// QUIS metrics on the device, so the summary works offline. Mirrors careobs/quis/scoring.py;
// the server recomputes everything from the interactions it receives.

export const CATEGORIES = ["PS", "PC", "N", "NP", "NR"];
export const NEGATIVE = ["NP", "NR"];
const Z = 1.959963984540054;

export function counts(interactions) {
  const c = { PS: 0, PC: 0, N: 0, NP: 0, NR: 0 };
  for (const i of interactions) c[i.category] += 1;
  c.total = interactions.length;
  c.positive = c.PS + c.PC;
  c.negative = c.NP + c.NR;
  return c;
}

export function share(part, whole) {
  return whole ? part / whole : null;
}

export function wilson(successes, n) {
  if (!n) return null;
  const p = successes / n;
  const z2 = Z * Z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export function percent(value, digits = 1) {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(digits)}%`;
}

export function ratioText(c) {
  if (!c.total) return "no interactions";
  if (!c.negative) return "no negatives";
  return `${(c.positive / c.negative).toFixed(1)} : 1`;
}

// Below this much observed time a rate says more about chance than about care (a 9-second
// session would read as hundreds an hour): as MIN_RATED_MINUTES in careobs/quis/scoring.py.
export const MIN_RATED_MINUTES = 10;
export const TOO_SHORT = "too short to rate";

export function perPersonHour(interactions, personMinutes, observedMinutes) {
  if (personMinutes <= 0 || observedMinutes < MIN_RATED_MINUTES) return null;
  return (interactions / personMinutes) * 60;
}

// The rate as the summary shows it: one decimal, "too short to rate", or — for nobody observed.
export function rateText(interactions, personMinutes, observedMinutes) {
  if (personMinutes <= 0) return "—";
  if (observedMinutes < MIN_RATED_MINUTES) return TOO_SHORT;
  return ((interactions / personMinutes) * 60).toFixed(1);
}

export function minutesBetween(start, end) {
  return Math.max(0, (new Date(end) - new Date(start)) / 60000);
}

export function frames(interactions, startedAt, frameMinutes, endedAt) {
  const start = new Date(startedAt).getTime();
  const length = frameMinutes * 60000;
  const total = Math.max(1, Math.ceil((new Date(endedAt).getTime() - start) / length));
  const list = Array.from({ length: total }, (_, n) => ({
    number: n + 1, startsAt: new Date(start + n * length), items: [],
  }));
  for (const i of interactions) {
    const index = Math.min(total - 1, Math.max(0, Math.floor((new Date(i.at).getTime() - start) / length)));
    list[index].items.push(i);
  }
  return list.map((f) => ({ ...f, counts: counts(f.items) }));
}

export function summarise(data) {
  const interactions = data.interactions || [];
  const end = data.ended_at || new Date().toISOString();
  const c = counts(interactions);
  const minutes = minutesBetween(data.started_at, end);
  const personMinutes = data.people.length * minutes;
  const negativePeople = new Set();
  const perPerson = Object.fromEntries(data.people.map((code) => [code, []]));
  for (const i of interactions) {
    for (const code of i.people) {
      if (perPerson[code]) perPerson[code].push(i);
      if (NEGATIVE.includes(i.category) && perPerson[code]) negativePeople.add(code);
    }
  }
  return {
    counts: c,
    positive: share(c.positive, c.total),
    neutral: share(c.N, c.total),
    negative: share(c.negative, c.total),
    positiveInterval: wilson(c.positive, c.total),
    negativeInterval: wilson(c.negative, c.total),
    ratio: ratioText(c),
    social: share(c.PS, c.positive),
    perPersonHour: perPersonHour(c.total, personMinutes, minutes),
    rate: rateText(c.total, personMinutes, minutes),
    minutes,
    peopleObserved: data.people.length,
    peopleWithNegative: [...negativePeople].sort(),
    frames: frames(interactions, data.started_at, data.frame_minutes, end),
    perPerson: Object.entries(perPerson).map(([code, items]) => ({ code, counts: counts(items) })),
  };
}
