// The self-assessment form (document kind self_assessment), also a mock inspection: each CQC
// quality statement scored 1-4 or left not assessed, with a rationale and the evidence careobs
// suggested for it. Works offline: the suggestions are fetched while online and kept on the draft
// (not sent); every tap is saved to the device outbox at once; each key question's rating is
// worked out live on the device (self-assessment-ratings.js, the same sums as the server's).

import { $, begin, bootstrap, doc, el, renderSubmitted, runCapture, save, show, submitAndSync } from "./capture.js";
import { watchField } from "./privacy.js";
import { keyQuestion, lineOf } from "./self-assessment-ratings.js";

const root = document.getElementById("sa");
// The server's own words (careobs/selfassess/documents.py), rendered into the page.
const NOTHING_SCORED = root.dataset.nothingScored;
const NO_RATIONALE = root.dataset.noRationale;
const TYPE_WORDS = { self_assessment: "Self-assessment", mock_inspection: "Mock inspection" };
const SUGGESTIONS = "/api/v1/self-assessments/suggestions";

const services = () => bootstrap?.self_assessment_services || [];
const serviceOf = (id) => services().find((s) => s.id === id);
const keyQuestions = () => [...document.querySelectorAll("[data-key]")].map((node) => ({
  key: node.dataset.key,
  name: node.dataset.name,
  codes: [...node.querySelectorAll("[data-statement]")].map((s) => s.dataset.statement),
}));
const allCodes = () => keyQuestions().flatMap((k) => k.codes);
const locked = () => doc.data.status === "submitted";
const when = (iso) => new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });

// ---- Set-up: the service (from the bootstrap) and the type allowed there -------------------------

function fillTypes() {
  const allowed = serviceOf($("#sa-service").value)?.types || [];
  for (const choice of document.querySelectorAll("[data-type-choice]")) {
    const ok = allowed.includes(choice.dataset.typeChoice);
    choice.hidden = !ok;
    choice.querySelector("input").disabled = !ok;
  }
  const checked = document.querySelector('input[name="sa-type"]:checked');
  if (!checked || checked.disabled) {
    const first = document.querySelector('input[name="sa-type"]:not([disabled])');
    if (first) first.checked = true;
  }
}

function fillSetup() {
  $("#sa-service").replaceChildren(...services().map((s) => el("option", { value: s.id, text: s.name })));
  fillTypes();
}

async function start(event) {
  event.preventDefault();
  const svc = serviceOf($("#sa-service").value);
  const type = document.querySelector('input[name="sa-type"]:checked:not([disabled])')?.value;
  const errors = [];
  if (!svc) errors.push("Choose a service.");
  if (svc && !type) errors.push("Choose what you are doing.");
  $("#sa-setup-errors").replaceChildren(...errors.map((e) => el("li", { text: e })));
  if (errors.length) return;
  const now = new Date();
  await begin({
    id: crypto.randomUUID(),
    kind: "self_assessment",
    revision: 1,
    state: "draft",
    label: `${TYPE_WORDS[type]} · ${svc.name} · ${now.toLocaleDateString("en-GB")}`,
    service: { id: svc.id, name: svc.name }, // for the page; not sent
    suggestions: null, // the evidence suggested, kept on the device; not sent
    data: {
      service_id: svc.id, type, assessed_at: now.toISOString(), statements: [], interview_notes: "", status: "draft",
    },
  }); // opening it (open) fetches the suggestions when online
}

// ---- Suggested evidence: fetched when online, kept on the draft ----------------------------------

async function fetchSuggestions() {
  if (!doc || locked()) return;
  const asking = doc.id;
  try {
    const response = await fetch(`${SUGGESTIONS}?service_id=${encodeURIComponent(doc.data.service_id)}`, {
      credentials: "same-origin", headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(String(response.status));
    const body = await response.json();
    if (!doc || doc.id !== asking) return;
    doc.suggestions = { generated_at: body.generated_at, statements: keepChosen(body.statements) };
    await save();
  } catch {
    // Offline, or the server could not answer: the draft keeps what it had.
  }
  if (doc && doc.id === asking) drawEvidence();
}

/** The new suggestions, plus any chosen evidence they no longer list (so it stays shown). */
function keepChosen(fresh) {
  const old = doc.suggestions?.statements || {};
  const merged = {};
  for (const code of allCodes()) {
    const list = [...(fresh[code] || [])];
    for (const ref of statementOf(code)?.evidence || []) {
      if (!list.some((s) => s.kind === ref.kind && s.id === ref.id)) {
        const known = (old[code] || []).find((s) => s.kind === ref.kind && s.id === ref.id);
        if (known) list.push(known);
      }
    }
    merged[code] = list;
  }
  return merged;
}

function sayEvidence() {
  const note = $("[data-suggested]");
  if (doc.suggestions) note.textContent = `Evidence suggested as of ${when(doc.suggestions.generated_at)}.`;
  else if (navigator.onLine === false) note.textContent = "You are offline: evidence suggestions load when you are online, and evidence can be added then.";
  else note.textContent = "No evidence suggestions loaded yet: press Refresh suggestions.";
  $("[data-refresh]").hidden = locked();
}

function drawEvidence() {
  sayEvidence();
  const listed = doc.suggestions?.statements || {};
  for (const code of allCodes()) {
    const chosen = statementOf(code)?.evidence || [];
    const items = listed[code] || [];
    $(`[data-evidence="${code}"]`).replaceChildren(...items.map((s, index) => {
      const id = `ev-${code}-${index}`;
      const box = el("input", { type: "checkbox", id, "data-kind": s.kind, "data-id": s.id });
      box.checked = chosen.some((c) => c.kind === s.kind && c.id === s.id);
      box.disabled = locked();
      box.addEventListener("change", () => toggleEvidence(code, s, box.checked));
      return el("div", { class: "checkbox sa-evidence-item" }, box, el("label", { for: id, text: s.label }));
    }));
    $(`[data-evidence-none="${code}"]`).hidden = items.length > 0;
    sayChosen(code);
  }
}

/** The evidence list is folded away (34 statements on one page): its summary says what it
 * holds, "Evidence it rests on: 2 chosen of 12 suggested". */
function sayChosen(code) {
  const chosen = (statementOf(code)?.evidence || []).length;
  const listed = (doc.suggestions?.statements?.[code] || []).length;
  const summary = $(`[data-evidence-summary="${code}"]`);
  if (!listed && !chosen) summary.textContent = "Evidence it rests on: none suggested";
  else summary.textContent = `Evidence it rests on: ${chosen} chosen of ${listed} suggested`;
}

// ---- Statements ---------------------------------------------------------------------------------

const statementOf = (code) => doc.data.statements.find((s) => s.code === code);

async function changeStatement(code, changes) {
  let statement = statementOf(code);
  if (!statement) {
    statement = { code, score: null, rationale: "", evidence: [] };
    doc.data.statements.push(statement);
  }
  Object.assign(statement, changes);
  const order = allCodes();
  doc.data.statements.sort((a, b) => order.indexOf(a.code) - order.indexOf(b.code));
  await save();
}

async function toggleEvidence(code, suggestion, on) {
  const evidence = (statementOf(code)?.evidence || []).filter((e) => !(e.kind === suggestion.kind && e.id === suggestion.id));
  if (on) evidence.push({ kind: suggestion.kind, id: suggestion.id });
  await changeStatement(code, { evidence });
  sayChosen(code);
}

/** Each key question's line, worked out on the device as the server does. */
function drawRatings() {
  const scores = Object.fromEntries(doc.data.statements.map((s) => [s.code, s.score]));
  for (const { key, name, codes } of keyQuestions()) {
    const line = lineOf(name, keyQuestion(codes, scores));
    // The line is a live region: rewritten unchanged, a screen reader may read it out again, and
    // one tap would be announced for every key question.
    const live = $(`[data-kq-line="${key}"]`);
    if (live.textContent !== line) live.textContent = line;
    const short = $(`[data-kq-short="${key}"]`);
    const rest = line.slice(name.length + 2);
    if (short.textContent !== rest) short.textContent = rest;
  }
}

// ---- Drawing the open assessment ----------------------------------------------------------------

function showForm() {
  const data = doc.data;
  const mock = data.type === "mock_inspection";
  $("[data-sa-title]").textContent = `${TYPE_WORDS[data.type]}: ${doc.service?.name || serviceOf(data.service_id)?.name || ""}`;
  $("[data-sa-about]").textContent = `Assessed on ${when(data.assessed_at)}`;
  for (const code of allCodes()) {
    const statement = statementOf(code);
    const score = statement?.score ? String(statement.score) : "";
    for (const radio of document.querySelectorAll(`input[name="s-${code}"]`)) {
      radio.checked = radio.value === score;
      radio.disabled = locked();
    }
    const rationale = $(`[data-rationale="${code}"]`);
    rationale.value = statement?.rationale || "";
    rationale.disabled = locked();
  }
  $("#sa-interview").hidden = !mock;
  $("#sa-notes").value = data.interview_notes || "";
  $("#sa-notes").disabled = locked();
  for (const field of document.querySelectorAll("#sa-form textarea")) field.dispatchEvent(new Event("input"));
  $("[data-submit-errors]").replaceChildren();
  drawEvidence();
  drawRatings();
  renderSubmitted();
  show("form");
}

// A field's input event also re-runs its privacy check; it must not save when drawn.
let drawing = false;

// What Python's str.strip() removes (the server's test of "has a rationale"): JavaScript's trim()
// also removes U+FEFF but keeps U+001C-U+001F and U+0085, so it would disagree with the server.
const BLANK = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

/** Whether the text has anything in it besides what the server strips away. */
const written = (text) => !BLANK.test(text || "");

/** The statements as sent: those with a score, a rationale or evidence. */
function sendable() {
  return doc.data.statements.filter((s) => s.score || written(s.rationale) || s.evidence.length);
}

async function submit() {
  const scored = doc.data.statements.filter((s) => s.score);
  const errors = [];
  if (!scored.length) errors.push(el("li", { text: NOTHING_SCORED }));
  for (const s of scored.filter((x) => !written(x.rationale))) {
    errors.push(el("li", {}, el("a", { href: `#r-${s.code}`, text: `${s.code}: ${NO_RATIONALE}` })));
  }
  $("[data-submit-errors]").replaceChildren(...errors);
  if (errors.length) return;
  doc.data.statements = sendable();
  await submitAndSync(showForm);
}

/** The jump list and the links to a statement move within the page without touching the
 * address, whose hash names the open record (capture.js routes on it). */
function jump(event) {
  const link = event.target.closest('a[href^="#"]');
  const target = link && document.getElementById(link.getAttribute("href").slice(1));
  if (!target) return;
  event.preventDefault();
  target.scrollIntoView({ block: "start" });
  const focus = target.matches("h2, textarea") ? target : target.querySelector("h2");
  focus?.focus({ preventScroll: true });
}

function wire() {
  $("#sa-service").addEventListener("change", fillTypes);
  $("#sa-setup-form").addEventListener("submit", start);
  for (const code of allCodes()) {
    for (const radio of document.querySelectorAll(`input[name="s-${code}"]`)) {
      radio.addEventListener("change", async () => {
        await changeStatement(code, { score: radio.value ? Number(radio.value) : null });
        drawRatings();
      });
    }
    const rationale = $(`[data-rationale="${code}"]`);
    rationale.addEventListener("input", () => {
      if (!drawing && doc && !locked()) changeStatement(code, { rationale: rationale.value });
    });
    watchField(rationale, document.getElementById(rationale.getAttribute("aria-describedby")));
  }
  const notes = $("#sa-notes");
  notes.addEventListener("input", () => {
    if (drawing || !doc || locked()) return;
    doc.data.interview_notes = notes.value;
    save();
  });
  watchField(notes, document.getElementById("sa-notes-warning"));
  $("#sa-form").addEventListener("click", jump);
  $("[data-refresh]").addEventListener("click", fetchSuggestions);
  $("[data-submit]").addEventListener("click", submit);
  window.addEventListener("online", () => {
    if (doc && !doc.suggestions && !locked()) fetchSuggestions();
  });
  window.addEventListener("offline", () => doc && sayEvidence());
}

function open() {
  drawing = true;
  try {
    showForm();
  } finally {
    drawing = false;
  }
  if (!doc.suggestions && navigator.onLine !== false && !locked()) fetchSuggestions();
}

runCapture({
  kind: "self_assessment",
  root: "#sa",
  problem: "#sa-problem",
  drafts: "#sa-drafts",
  submitControl: "[data-submit]",
  sections: { setup: "sa-setup", form: "sa-form" },
  words: {
    noun: "self-assessment",
    login: "Please log in to record a self-assessment.",
    nothingToCapture: "You may not assess any service, so there is nothing to record here.",
    openOnline: "Open this page once while online so the form can load your services.",
    openSent: "Open the sent self-assessment",
    waiting: "Submitted. Saved on this device; it will be sent when there is a connection.",
  },
  services,
  draftText: (draft) => draft.label,
  wire,
  fillSetup,
  open,
  followsSync: () => doc.data.status === "submitted",
});
