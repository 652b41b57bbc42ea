// Answering a checklist on the device, for every kind rated item by item (audits, monitoring
// visits): the two-tap rating buttons and comment of each item, the sections, and the sticky
// bar with the live score, "Go to…", "Next unanswered" and the score read out when it changes.
// A form (audit-form.js, visit-form.js) keeps only what is its own: its set-up, what an answer
// changes besides the score, and the parts around the checklist.

import { $, doc, el } from "./capture.js";

export const RATINGS = [["met", "Met"], ["partly", "Partly met"], ["not_met", "Not met"], ["na", "N/A"]];

export const answerOf = (itemId) => doc.data.answers.find((a) => a.item_id === itemId);

/** The ids of the items rated so far. */
export function answeredIds() {
  return new Set(doc.data.answers.filter((a) => a.rating).map((a) => a.item_id));
}

/** The items of `items` not rated yet, in order. */
export function unanswered(items) {
  const answered = answeredIds();
  return items.filter((i) => !answered.has(i.id));
}

/** Change an item's answer in the open document (not saved yet): an answer left with neither a
 * rating nor a comment is taken out. Returns the answer. */
export function changeAnswer(itemId, changes) {
  let answer = answerOf(itemId);
  if (!answer) {
    answer = { item_id: itemId, rating: null, comment: "" };
    doc.data.answers.push(answer);
  }
  Object.assign(answer, changes);
  if (!answer.rating && !answer.comment) doc.data.answers = doc.data.answers.filter((a) => a !== answer);
  return answer;
}

/** An item's rating buttons in their fieldset (its text, and "Critical" if it is) and its
 * comment: `rate(value)` and `comment(text)` keep what is chosen; `tap(value)`, if given, hears
 * every tap on a button, even on the one already chosen (which fires no change). */
export function itemParts(item, { locked, rate, comment, tap, describedBy }) {
  const answer = answerOf(item.id) || {};
  const name = `rating-${item.id}`;
  const ratings = el("div", { class: "ratings" }, ...RATINGS.flatMap(([value, label]) => {
    const id = `${name}-${value}`;
    const input = el("input", { type: "radio", id, name, value, disabled: locked });
    input.checked = answer.rating === value;
    input.addEventListener("change", () => rate(value));
    if (tap) input.addEventListener("click", () => tap(value));
    return [input, el("label", { for: id, text: label })];
  }));
  const legend = el("legend", {}, item.text, item.critical ? el("span", { class: "badge critical", text: "Critical" }) : "");
  const text = el("input", { type: "text", id: `comment-${item.id}`, maxlength: "2000", autocomplete: "off", disabled: locked });
  text.value = answer.comment || "";
  text.addEventListener("input", () => comment(text.value));
  return {
    fieldset: el("fieldset", { "aria-describedby": describedBy }, legend, ratings),
    comment: el("details", {}, el("summary", { text: answer.comment ? "Comment" : "Add a comment" }),
      el("div", { class: "field" }, el("label", { for: text.id, text: "Comment (optional)" }), text)),
  };
}

/** Why the checklist cannot be submitted yet, if it cannot: an item is not answered, or no item
 * applies (`allNa` says so in the form's words: the server refuses such a record too). */
export function answeringProblems(items, allNa) {
  const left = unanswered(items);
  if (left.length) return [`Answer every item (${left.length} left, first: “${left[0].text}”). Use N/A where it does not apply.`];
  if (!doc.data.answers.some((a) => a.rating && a.rating !== "na")) return [allNa];
  return [];
}

/** Show why the record cannot be submitted beside the button, read out at once (aria-live) with
 * the focus moved there; true when there is a reason, so nothing is sent. */
export function refusedForSubmission(errors) {
  const shown = $("[data-submit-errors]");
  shown.replaceChildren(...errors.map((e) => el("li", { text: e })));
  if (!errors.length) return false;
  shown.tabIndex = -1;
  shown.focus();
  return true;
}

/** The checklist's sections, numbered, each headed (`idOf(domain, index)` names the heading,
 * for "Go to…") and holding `card(item)` for each of its items. */
export function renderSections(domains, idOf, card) {
  $("[data-checklist]").replaceChildren(...domains.map((domain, index) => el("section",
    { class: "panel", "aria-labelledby": idOf(domain, index) },
    el("h2", { id: idOf(domain, index), tabindex: "-1", text: `${index + 1}. ${domain.name}` }),
    ...domain.items.map(card))));
}

/** The bar's "Go to…" list: the parts `before` the checklist, each section with how much of it
 * is answered, and the parts `after` it, each as [heading id, text]. */
function renderJump(domains, idOf, before, after) {
  const answered = answeredIds();
  const parts = [
    ...before,
    ...domains.map((domain, index) => [idOf(domain, index),
      `${index + 1}. ${domain.name} (${domain.items.filter((i) => answered.has(i.id)).length} of ${domain.items.length})`]),
    ...after,
  ];
  $("[data-jump]").replaceChildren(el("option", { value: "", text: "Go to…" }),
    ...parts.map(([id, text]) => el("option", { value: id, text })));
}

/** Bring `shown` to the top of the screen, just below the sticky bar (whose height depends on
 * the screen's width), and focus `element` in it. */
function goTo(element, shown = element) {
  const bar = $("[data-outcome-bar]").offsetHeight;
  window.scrollTo({ top: window.scrollY + shown.getBoundingClientRect().top - bar - 8 });
  element.focus({ preventScroll: true });
}

/** What the score and band are, said in words: "Score 86.0%, amber". */
export function scoreWords(result) {
  if (result.score === null) return "No score yet: every item answered so far is N/A.";
  const score = `Score ${result.score.toFixed(1)}%`;
  if (!result.criticalFailures) return `${score}, ${result.band}.`;
  const items = result.criticalFailures === 1 ? "a critical item is" : `${result.criticalFailures} critical items are`;
  return `${score}. Red: ${items} not met.`;
}

let said = null; // what the bar's score last said, read out only when an answer changes it

/** The sticky bar: score, band, how much is answered, "Next unanswered" and "Go to…".
 * With `announce`, a score or band that changed is read out (politely, once); opening a record
 * only sets what was said, so nothing is read out on load. */
export function renderBar(result, { answered, left, locked, domains, idOf, before = [], after = [], announce = true }) {
  const bandText = result.band ? result.band[0].toUpperCase() + result.band.slice(1) : "not scored yet";
  $("[data-score]").textContent = result.score === null ? "Score —" : `Score ${result.score.toFixed(1)}%`;
  $("[data-band]").textContent = result.criticalFailures ? `${bandText} (critical item not met)` : bandText;
  $("[data-band]").className = result.band ? `band-chip band-${result.band}` : "";
  $("[data-answered]").textContent = answered;
  $("[data-next-unanswered]").hidden = locked || left === 0;
  renderJump(domains, idOf, before, after);
  const words = scoreWords(result);
  if (announce && said !== null && words !== said) $("[data-score-said]").textContent = words;
  said = words;
}

/** Wire the bar once: "Go to…" moves to the part chosen, "Next unanswered" to the first item of
 * `unansweredItems()`. Adds the bar's live region, empty, so that only changes are read out. */
export function wireBar(unansweredItems) {
  $("[data-outcome-bar]").append(el("p", { class: "visually-hidden", role: "status", "aria-live": "polite", "data-score-said": true }));
  $("[data-jump]").addEventListener("change", (event) => {
    const target = document.getElementById(event.target.value);
    event.target.value = "";
    if (target) goTo(target);
  });
  $("[data-next-unanswered]").addEventListener("click", () => {
    const [next] = unansweredItems();
    const first = next && document.getElementById(`rating-${next.id}-${RATINGS[0][0]}`);
    if (first) goTo(first, first.closest(".item-card"));
  });
}
