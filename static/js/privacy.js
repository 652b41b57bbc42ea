// Warn before saving free text that looks like it holds personal identifiers (design §2.4).
// Mirrors careobs/privacy.py, which also flags on the server whatever slips through.

const CHECKS = [
  [/[\w.+-]+@[\w-]+\.[\w.-]+/, "an email address"],
  [/(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)/, "a number that looks like an NHS number or phone number"],
  [/(?<!\d)(\d{1,2}[/.-]\d{1,2}[/.-](\d{2}|\d{4})|\d{4}-\d{2}-\d{2})(?!\d)/, "a date that could be a date of birth"],
  [/\b\d{1,2}(st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{4}\b/i, "a date that could be a date of birth"],
  [/\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b/i, "a postcode"],
  [/\b(Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z][a-z]+/i, "a name with a title (Mr, Mrs, ...)"],
];

export function identifierWarnings(text) {
  const found = new Set();
  for (const [pattern, what] of CHECKS) if (pattern.test(text || "")) found.add(what);
  return [...found].map((what) => `This looks like it contains ${what}. Use codes such as R07, never names or other identifiers.`);
}

export function watchField(field, output) {
  const update = () => { output.textContent = identifierWarnings(field.value).join(" "); };
  field.addEventListener("input", update);
  update();
}
