// The monitoring visit form (document kind spot_check): one hand, offline, every answer saved
// to the device outbox at once, with the outcome worked out live.

import {
  $, begin, bootstrap, captureServices, doc, el, renderSubmitted, runCapture, save, show, submitAndSync,
} from "./capture.js";
import { RATINGS, answerOf, answeringProblems, changeAnswer, itemParts, refusedForSubmission, renderBar, renderSections, unanswered, wireBar } from "./checklist-form.js";
import { watchField } from "./privacy.js";
import { feedbackFromVisit, isEmpty } from "./visit-feedback.js";
import { nextCheck, outcome, timekeepingSuggestions } from "./visit-scoring.js";
import { plural } from "./wording.js";

const DEFAULT_CHECKLIST = "Homecare monitoring visit";
// A visit with nothing applicable has no score: it checked nothing. The server's answer to such
// a document is the same (careobs/visits/documents.py, ALL_NA).
const ALL_NA = "Every item is N/A: a visit must rate at least one item.";
const CONSENT_TEXT = {
  yes: "Consent to monitoring visits is on record.",
  no: "This person has said no to monitoring visits. Only continue if they agree today.",
  not_recorded: "No consent is on record: ask the person (or their representative) first.",
};

const service = (id) => bootstrap?.services.find((s) => s.id === id);
const rules = () => bootstrap.settings.visits;
const timeText = (iso) => new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });

function checklistFor(data) {
  return bootstrap.checklists.find((c) => c.id === data.checklist_id && c.version === data.checklist_version)
    || doc?.checklist;
}

// ---- Set-up ---------------------------------------------------------------------------

function localInputValue(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function fillSetup() {
  const services = captureServices().sort((a, b) => (a.kind === "homecare" ? -1 : 1) - (b.kind === "homecare" ? -1 : 1));
  $("#v-service").replaceChildren(...services.map((s) => el("option", { value: s.id, text: s.name })));
  $("#v-service").addEventListener("change", fillServiceFields);
  $("#v-person").addEventListener("change", showConsent);
  const now = new Date();
  now.setMinutes(Math.floor(now.getMinutes() / 5) * 5, 0, 0);
  $("#v-planned").value = localInputValue(now);
  fillServiceFields();
  fillChecklists();
}

// With more than one published checklist the supervisor chooses; the default checklist first.
function fillChecklists() {
  const lists = bootstrap.checklists;
  const chosen = lists.find((c) => c.name === DEFAULT_CHECKLIST) || lists[0];
  $("#v-checklist").replaceChildren(...lists.map((c) => el("option",
    { value: `${c.id}:${c.version}`, text: `${c.name} (version ${c.version})` })));
  if (chosen) $("#v-checklist").value = `${chosen.id}:${chosen.version}`;
  $("#v-checklist-row").hidden = lists.length < 2;
}

function fillServiceFields() {
  const svc = service($("#v-service").value);
  $("#v-worker").replaceChildren(el("option", { value: "", text: "Choose a care worker" }),
    ...(svc?.staff || []).map((s) => el("option", { value: s.id, text: `${s.name} (${s.job_role})` })));
  $("#v-person").replaceChildren(el("option", { value: "", text: "Choose a person" }),
    ...(svc?.people || []).map((p) => el("option", { value: p.code, text: p.code })));
  showConsent();
}

function consentOf(code) {
  return service($("#v-service").value)?.people.find((p) => p.code === code)?.consent;
}

function showConsent() {
  const consent = consentOf($("#v-person").value);
  $("#v-consent-status").textContent = consent ? CONSENT_TEXT[consent] : "";
  $("#v-consent-confirm-row").hidden = !consent || consent === "yes";
}

async function start(event) {
  event.preventDefault();
  const form = event.target;
  const svc = service(form.service.value);
  const consent = consentOf(form.person.value);
  const planned = new Date(form.planned.value);
  const minutes = Number(form.minutes.value);
  const checklist = bootstrap.checklists.find((c) => `${c.id}:${c.version}` === form.checklist.value);
  const errors = [];
  if (!svc) errors.push("Choose a service.");
  if (!form.worker.value) errors.push("Choose the care worker.");
  if (!form.person.value) errors.push("Choose the person visited.");
  if (consent && consent !== "yes" && !form.consent_today.checked) errors.push("Confirm that consent was obtained today, or do not go ahead.");
  if (Number.isNaN(planned.getTime())) errors.push("Enter the planned time.");
  if (!(minutes >= 5 && minutes <= 600)) errors.push("Planned length must be 5 to 600 minutes.");
  if (!checklist) errors.push("No checklist is published yet: ask an administrator.");
  $("#visit-setup-errors").replaceChildren(...errors.map((e) => el("li", { text: e })));
  if (errors.length) return;
  const worker = svc.staff.find((s) => s.id === form.worker.value);
  await begin({
    id: crypto.randomUUID(),
    kind: "spot_check",
    revision: 1,
    state: "draft",
    label: `Visit · ${svc.name} · ${worker.name} · ${planned.toLocaleDateString("en-GB")}`,
    checklist,
    data: {
      service_id: svc.id, staff_id: worker.id, person_code: form.person.value,
      visit_type: form.visit_type.value, consent: consent === "yes" ? "on_record" : "obtained_today",
      checklist_id: checklist.id, checklist_version: checklist.version,
      // When the visit was set up here: a checklist version retired later, while the phone
      // was offline, is still accepted for it.
      started_at: new Date().toISOString(),
      planned_at: planned.toISOString(), planned_minutes: minutes, arrived_at: null, left_at: null,
      answers: [], person_view: { satisfaction: null, comment: "" }, went_well: "", to_develop: "",
      actions: [], status: "draft", release_feedback: true,
    },
  });
}

// ---- The visit ------------------------------------------------------------------------

async function setAnswer(itemId, changes) {
  const answer = changeAnswer(itemId, changes);
  if (changes.rating) delete answer.suggested; // her own answer: never replaced by a suggestion
  await save();
  renderSuggestions();
  renderOutcome();
}

// ---- Timekeeping: worked out from the times, suggested unless she answered herself ----------

function suggestions() {
  return timekeepingSuggestions(doc.data, checklistFor(doc.data).domains.flatMap((d) => d.items), rules());
}

/** Put the suggested ratings in place of missing or earlier suggested ones; true if any changed. */
function applySuggestions() {
  let changed = false;
  for (const { item, rating } of suggestions()) {
    let answer = answerOf(item.id);
    if (answer?.rating && !answer.suggested) continue;
    if (!answer) {
      answer = { item_id: item.id, rating: null, comment: "" };
      doc.data.answers.push(answer);
    }
    if (answer.rating !== rating || !answer.suggested) {
      Object.assign(answer, { rating, suggested: true });
      changed = true;
    }
  }
  return changed;
}

function renderSuggestions() {
  for (const node of document.querySelectorAll("[data-computed]")) node.hidden = true;
  for (const { item, rating, words } of suggestions()) {
    const node = document.getElementById(`computed-${item.id}`);
    if (!node) continue;
    const label = Object.fromEntries(RATINGS)[rating];
    const answer = answerOf(item.id);
    const mine = answer?.rating && !answer.suggested && answer.rating !== rating
      ? ` You chose ${Object.fromEntries(RATINGS)[answer.rating]}.` : "";
    node.textContent = `From the times: ${words} Suggested: ${label}.${mine}`;
    node.hidden = false;
    const radio = document.getElementById(`rating-${item.id}-${answer?.rating}`);
    if (radio) radio.checked = true;
  }
}

function itemCard(item, locked) {
  const computed = el("p", { class: "computed", id: `computed-${item.id}`, "data-computed": true, hidden: true });
  const { fieldset, comment } = itemParts(item, {
    locked,
    rate: (rating) => setAnswer(item.id, { rating }),
    comment: (text) => setAnswer(item.id, { comment: text }),
    // Tapping the rating suggested from the times makes it hers (no change event fires).
    tap: (value) => {
      if (answerOf(item.id)?.suggested && answerOf(item.id).rating === value) setAnswer(item.id, { rating: value });
    },
    describedBy: computed.id,
  });
  const parts = [fieldset, computed];
  if (item.guidance) parts.push(el("p", { class: "hint", text: item.guidance }));
  parts.push(comment);
  return el("div", { class: "item-card" }, ...parts);
}

const sectionId = (domain) => `d-${domain.id}`;

function renderChecklist(locked) {
  renderSections(checklistFor(doc.data).domains, sectionId, (item) => itemCard(item, locked));
}

const timeValue = (iso) => (iso ? localInputValue(new Date(iso)).slice(11) : "");

function renderTimes() {
  const d = doc.data;
  const planned = new Date(d.planned_at);
  $("[data-planned-text]").textContent = `Planned: ${planned.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" })} for ${plural(d.planned_minutes, "minute", "minutes")}.`;
  $("[data-arrived-time]").value = timeValue(d.arrived_at);
  $("[data-left-time]").value = timeValue(d.left_at);
  $("[data-left]").disabled = !d.arrived_at;
  $("[data-left-time]").disabled = !d.arrived_at || d.status === "submitted";
  $("[data-arrived-time]").disabled = d.status === "submitted";
  const said = suggestions().map((s) => s.words);
  if (!d.arrived_at) said.push("Press Arrived now when the care worker arrives, or type the time.");
  else if (!d.left_at) said.push("Press Left now when the care worker leaves, or type the time.");
  $("[data-times]").textContent = said.join(" ");
}

/** The instant at ``hhmm`` (device time) on the day nearest to ``near``. */
function instantAt(hhmm, near) {
  const [hours, minutes] = hhmm.split(":").map(Number);
  const candidates = [-1, 0, 1].map((shift) => {
    const t = new Date(near);
    t.setDate(t.getDate() + shift);
    t.setHours(hours, minutes, 0, 0);
    return t;
  });
  candidates.sort((a, b) => Math.abs(a - near) - Math.abs(b - near));
  return candidates[0];
}

function timesProblem(message) {
  const box = $("[data-times-error]");
  box.textContent = message;
  box.hidden = !message;
}

/** Record an arrival or departure time (a button stamps the current minute; the inputs take a
 * typed correction) and update the Timekeeping suggestions. */
async function setTime(which, when) {
  const d = doc.data;
  timesProblem("");
  if (which === "arrived_at" && d.left_at && when > new Date(d.left_at)) {
    timesProblem(`The arrival cannot be after the leaving time (${timeText(d.left_at)}): correct the leaving time first.`);
    renderTimes();
    return;
  }
  if (which === "left_at" && when < new Date(d.arrived_at)) {
    timesProblem(`The leaving time cannot be before the arrival (${timeText(d.arrived_at)}).`);
    renderTimes();
    return;
  }
  d[which] = when.toISOString();
  applySuggestions();
  await save();
  renderTimes();
  renderChecklistAnswers();
  renderSuggestions();
  renderOutcome();
}

/** Show the stored ratings on the rating buttons (suggestions change them without a tap). */
function renderChecklistAnswers() {
  for (const answer of doc.data.answers) {
    const radio = document.getElementById(`rating-${answer.item_id}-${answer.rating}`);
    if (radio) radio.checked = true;
  }
}

function renderActions(locked) {
  const svc = service(doc.data.service_id);
  const owners = [{ id: doc.data.staff_id, name: svc?.staff.find((s) => s.id === doc.data.staff_id)?.name || "The care worker" },
    { id: bootstrap.user.id, name: `${bootstrap.user.name} (you)` }];
  $("#action-owner").replaceChildren(...owners.map((o) => el("option", { value: o.id, text: o.name })));
  $("[data-actions]").replaceChildren(...doc.data.actions.map((a) => {
    const owner = owners.find((o) => o.id === a.owner_id)?.name || "No owner";
    const li = el("li", {}, el("span", { text: `${a.description} · ${owner}${a.due_on ? ` · by ${new Date(a.due_on).toLocaleDateString("en-GB")}` : ""}` }));
    if (!locked) {
      const remove = el("button", { type: "button", class: "button small", text: "Remove" });
      remove.addEventListener("click", async () => {
        doc.data.actions = doc.data.actions.filter((x) => x.id !== a.id);
        await save();
        renderActions(false);
      });
      li.append(remove);
    }
    return li;
  }));
  $("#action-form").hidden = locked;
  renderPreview();
}

const missing = () => unanswered(checklistFor(doc.data).domains.flatMap((d) => d.items));

/** The sticky bar and the outcome; `announce: false` on opening the visit (nothing read out).
 * "Go to…" lists the times, each checklist section and the parts after the checklist. */
function renderOutcome({ announce = true } = {}) {
  const checklist = checklistFor(doc.data);
  const items = checklist.domains.flatMap((d) => d.items);
  const result = outcome(doc.data.answers, items, rules());
  const bandText = result.band ? result.band[0].toUpperCase() + result.band.slice(1) : "not scored yet";
  const left = missing().length;
  renderBar(result, {
    answered: `${items.length - left} of ${plural(items.length, "item", "items")} answered`,
    left,
    locked: doc.data.status === "submitted",
    domains: checklist.domains,
    idOf: sectionId,
    before: [["times-title", "Times"]],
    after: [["view-title", "The person's view"], ["feedback-title", "Feedback"],
      ["actions-title", "Agreed actions"], ["outcome-title", "Outcome"]],
    announce,
  });
  const day = doc.data.arrived_at || doc.data.planned_at;
  const rows = [
    ["Score", result.score === null ? "— (no applicable items yet)" : `${result.score.toFixed(1)}% (${result.points} of ${result.possible} points)`],
    ["Band", result.band ? `${bandText}${result.criticalFailures ? `: ${result.criticalFailures} critical item${result.criticalFailures > 1 ? "s" : ""} not met` : ""}` : "—"],
    ["Outcome", result.wording || "—"],
    ["Suggested next check", result.band ? nextCheck(day, result.band, rules()).toLocaleDateString("en-GB", { dateStyle: "medium" }) : "—"],
  ];
  $("[data-outcome]").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
  renderPreview();
}

const workerName = () => service(doc.data.service_id)?.staff.find((s) => s.id === doc.data.staff_id)?.name || "the care worker";

/** The feedback the worker will receive, composed as the server composes it. */
function renderPreview() {
  const feedback = feedbackFromVisit(doc.data, checklistFor(doc.data));
  for (const [key, text] of Object.entries(feedback)) {
    $(`[data-preview="${key}"]`).textContent = text;
    $(`[data-preview="${key}"]`).hidden = !text;
    $(`[data-preview-none="${key}"]`).hidden = Boolean(text);
  }
  return feedback;
}

function showForm() {
  const locked = doc.data.status === "submitted";
  const svc = service(doc.data.service_id);
  const worker = svc?.staff.find((s) => s.id === doc.data.staff_id);
  $("[data-visit-title]").textContent = `Visit: ${worker?.name || "care worker"} with ${doc.data.person_code}`;
  $("[data-preview-title]").textContent = `Feedback ${workerName()} will receive`;
  $("[data-release-label]").textContent = `Send this feedback to ${workerName()} when the visit is submitted`;
  $("[data-release-feedback]").checked = doc.data.release_feedback !== false;
  timesProblem("");
  if (!locked && applySuggestions()) save();
  renderTimes();
  renderChecklist(locked);
  renderSuggestions();
  renderActions(locked);
  for (const field of document.querySelectorAll("#visit-form [data-text]")) {
    const key = field.dataset.text;
    field.value = key === "person_comment" ? doc.data.person_view.comment : doc.data[key];
    field.disabled = locked;
  }
  for (const radio of document.querySelectorAll("[data-satisfaction]")) {
    radio.checked = String(doc.data.person_view.satisfaction ?? "") === radio.value;
    radio.disabled = locked;
  }
  $("[data-arrived]").hidden = locked;
  $("[data-release-feedback]").closest(".checkbox").hidden = locked;
  $("[data-left]").hidden = locked;
  renderOutcome({ announce: false });
  renderSubmitted();
  show("form");
}

async function submit() {
  const errors = [];
  if (!doc.data.arrived_at) errors.push("Press Arrived now (or type the arrival time) to record when the care worker arrived.");
  errors.push(...answeringProblems(checklistFor(doc.data).domains.flatMap((d) => d.items), ALL_NA));
  const release = $("[data-release-feedback]").checked;
  if (release && isEmpty(renderPreview())) {
    errors.push(`There is no feedback to send to ${workerName()}: write what went well or areas for development, or untick “Send this feedback”.`);
  }
  if (refusedForSubmission(errors)) return;
  doc.data.release_feedback = release;
  await submitAndSync(showForm);
}

function wire() {
  $("#visit-setup-form").addEventListener("submit", start);
  const nowToTheMinute = () => {
    const now = new Date();
    now.setSeconds(0, 0);
    return now;
  };
  $("[data-arrived]").addEventListener("click", () => setTime("arrived_at", nowToTheMinute()));
  wireBar(missing);
  $("[data-left]").addEventListener("click", () => setTime("left_at", nowToTheMinute()));
  $("[data-arrived-time]").addEventListener("change", (event) => {
    if (!event.target.value) return renderTimes(); // a time cannot be taken back, only corrected
    setTime("arrived_at", instantAt(event.target.value, new Date(doc.data.planned_at)));
  });
  $("[data-left-time]").addEventListener("change", (event) => {
    if (!event.target.value) return renderTimes();
    const expected = new Date(new Date(doc.data.arrived_at).getTime() + doc.data.planned_minutes * 60000);
    setTime("left_at", instantAt(event.target.value, expected));
  });
  $("[data-release-feedback]").addEventListener("change", (event) => {
    doc.data.release_feedback = event.target.checked;
    save();
  });
  for (const field of document.querySelectorAll("#visit-form [data-text]")) {
    field.addEventListener("input", () => {
      if (field.dataset.text === "person_comment") doc.data.person_view.comment = field.value;
      else doc.data[field.dataset.text] = field.value;
      save();
      renderPreview();
    });
    watchField(field, document.getElementById(field.getAttribute("aria-describedby")));
  }
  for (const radio of document.querySelectorAll("[data-satisfaction]")) {
    radio.addEventListener("change", () => {
      doc.data.person_view.satisfaction = radio.value ? Number(radio.value) : null;
      save();
    });
  }
  $("#action-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const description = $("#action-description").value.trim();
    $("[data-action-error]").hidden = Boolean(description);
    if (!description) return;
    doc.data.actions.push({ id: crypto.randomUUID(), description, owner_id: $("#action-owner").value || null,
      due_on: $("#action-due").value || null });
    await save();
    $("#action-description").value = "";
    $("#action-due").value = "";
    renderActions(false);
  });
  $("[data-submit]").addEventListener("click", submit);
}

runCapture({
  kind: "spot_check",
  root: "#visit",
  problem: "#visit-problem",
  drafts: "#visit-drafts",
  submitControl: "[data-submit]",
  sections: { setup: "visit-setup", form: "visit-form" },
  words: {
    noun: "visit",
    login: "Please log in to record visits.",
    nothingToCapture: "You are not a supervisor or manager of any service, so there is nothing to check.",
    openOnline: "Open this page once while online so the form can load your services and checklist.",
    openSent: "Open the sent visit",
    waiting: "Submitted. Saved on this device; it will be sent when there is a connection.",
  },
  draftText: (draft) => draft.label,
  wire,
  fillSetup,
  open: showForm,
  followsSync: () => doc.data.status === "submitted",
});
