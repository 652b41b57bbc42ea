// The easy-read co-audit form (document kind audit with co_audit and easy_read, issue 16): the
// staff audit's template asked again with a person supported (who agrees first) or by a quality
// checker, one question a screen, Yes / Partly / No / Not sure. No score, band or colour while
// answering. Offline: every tap saved to the device outbox at once; a reload resumes at the
// question it was on.

import { $, begin, bootstrap, doc, el, renderSubmitted, runCapture, save, show, submitAndSync } from "./capture.js";
import { watchField } from "./privacy.js";

const outbox = self.careobsOutbox;
const userId = document.querySelector('meta[name="careobs-user"]')?.content;
const asked = new URLSearchParams(location.search);

// The answers' values are the audit's (careobs/checklists/scoring.py RATINGS).
const WORDS = { met: "Yes", partly: "Partly", not_met: "No", na: "Not sure" };
const NOT_FOUND = "This device cannot find the audit to compare with. Open the co-audit from the staff audit's page while online, or from the end of the audit on the device that recorded it.";
const NOT_YOURS = "The audit to compare with is of a template or service you cannot complete audits of on this device. Open this page once while online to refresh your services.";

const service = (id) => bootstrap?.services.find((s) => s.id === id);
const templates = () => bootstrap?.audit_templates || [];
const templateOf = (data) => templates().find((t) => t.id === data.template_id && t.version === data.template_version) || doc?.template;
const itemsOf = (template) => template.domains.flatMap((d) => d.items);
// Plain-language wording where the template has it (bootstrap items' easy_read_text).
const wording = (item) => item.easy_read_text || item.text;
const locked = () => doc.data.status === "submitted";
const tasks = () => bootstrap?.co_audit_tasks || [];

/** What was audited, as people say it: "R07", "Lounge", "the whole service". */
function subjectText(svc, subject) {
  if (subject.type === "person") return subject.code;
  if (subject.type === "area") return svc?.areas.find((a) => a.id === subject.id)?.name || "an area";
  if (subject.type === "staff") return "a care worker";
  return "the whole service";
}

// ---- Set-up: what to compare with, then the person's agreement ----------------------------

let context = null; // {compareWith, with, svc, template, subject}: what the set-up found

/** The staff audit to compare with, from (1) the checker's tasks in the bootstrap, (2) the staff
 * audit still on this device, or (3) the staff audit page's link; null when none says. */
async function findContext() {
  const compareWith = asked.get("compare_with");
  if (!compareWith) return null;
  const task = tasks().find((t) => t.compare_with === compareWith);
  let found = task && { service_id: task.service_id, template_id: task.template_id, subject: task.subject };
  if (!found) {
    const saved = await outbox.getDocument(userId, compareWith);
    if (saved?.kind === "audit" && !saved.data.co_audit) {
      const { service_id, template_id, subject } = saved.data;
      found = { service_id, template_id, subject };
    }
  }
  if (!found && asked.get("service") && asked.get("template")) {
    const type = asked.get("subject_type") || "service";
    const value = asked.get("subject") || null;
    found = {
      service_id: asked.get("service"),
      template_id: asked.get("template"),
      subject: { type, id: type === "staff" || type === "area" ? value : null, code: type === "person" ? value : null },
    };
  }
  if (!found) return { problem: NOT_FOUND };
  const svc = service(found.service_id);
  const template = templates().find((t) => t.id === found.template_id);
  if (!svc || !template) return { problem: NOT_YOURS };
  const withWhom = task ? "quality_checker" : "person";
  return { compareWith, with: withWhom, svc, template, subject: found.subject };
}

/** A checker opening the page with nothing named: their open co-audits, one link each. */
function listTasks() {
  const links = tasks().map((t) => {
    const svc = service(t.service_id);
    const template = templates().find((x) => x.id === t.template_id);
    const href = `/audits/easy-read?compare_with=${encodeURIComponent(t.compare_with)}&with=quality_checker`;
    return el("li", {}, el("a", { href, text: `${template?.name || "Audit"}: ${subjectText(svc, t.subject)} · ${svc?.name || ""}` }));
  });
  if (!links.length) return;
  $("[data-er-context]").replaceChildren(el("span", { text: "Your co-audits to do:" }), el("ul", { class: "list" }, ...links));
}

async function fillSetup() {
  context = await findContext();
  if (!context) {
    listTasks();
    return;
  }
  if (context.problem) {
    $("[data-er-context]").textContent = context.problem;
    return;
  }
  const { svc, template, subject } = context;
  $("[data-er-context]").textContent = `${template.name}: ${subjectText(svc, subject)} · ${svc.name}. The answers will be compared with the staff audit.`;
  $("#easy-read-start").hidden = false;
  const withPerson = context.with === "person";
  $("[data-er-person]").hidden = !withPerson;
  $("[data-er-not-today]").hidden = !withPerson;
  if (withPerson) {
    const codes = (svc.people || []).map((p) => p.code);
    $("#er-person").replaceChildren(el("option", { value: "", text: "Choose the person" }), ...codes.map((c) => el("option", { value: c, text: c })));
    if (subject.type === "person" && codes.includes(subject.code)) $("#er-person").value = subject.code;
  }
  sayAgreed();
}

/** The big button says what pressing it records: "R07 has agreed to take part — start". With
 * the person, it is described by what agreeing means (#er-consent-meaning). */
function sayAgreed() {
  const code = $("#er-person").value;
  const begin = $("[data-er-begin]");
  const withPerson = context?.with === "person";
  begin.textContent = !withPerson ? "Start" : code ? `${code} has agreed to take part — start` : "Choose the person first";
  if (withPerson) begin.setAttribute("aria-describedby", "er-consent-meaning");
  else begin.removeAttribute("aria-describedby");
}

/** Only a press of the agreement button starts (and, with a person, records consent): the form's
 * own submit (Enter in a field) does nothing, so agreeing is never a side effect. */
async function start() {
  if (!context || context.problem) return;
  const withPerson = context.with === "person";
  const code = withPerson ? $("#er-person").value : null;
  if (withPerson && !code) {
    $("#easy-read-start-errors").replaceChildren(el("li", { text: "Choose the code of the person taking part." }));
    return;
  }
  $("#easy-read-start-errors").replaceChildren();
  const { svc, template, subject, compareWith } = context;
  const coAudit = { with: context.with, person_code: code, compare_with: compareWith };
  if (withPerson) coAudit.consent = true;
  const who = withPerson ? `with ${code}` : "by a quality checker";
  await begin({
    id: crypto.randomUUID(),
    kind: "audit",
    revision: 1,
    state: "draft",
    label: `Co-audit ${who} · ${template.name} · ${subjectText(svc, subject)} · ${new Date().toLocaleDateString("en-GB")}`,
    template, // drawn from this copy if the template is replaced while the device is offline
    step: 0, // the question on screen; the number of items means the summary
    notes: {}, // item id → comment, kept even before the item is answered
    data: {
      template_id: template.id, template_version: template.version, service_id: svc.id, subject,
      started_at: new Date().toISOString(), ended_at: null, answers: [], actions: [],
      went_well: "", to_develop: "", status: "draft", co_audit: coAudit, easy_read: true,
    },
  });
}

function notToday() {
  // Nothing is saved: the person did not agree, so nothing about them is kept.
  $("#easy-read-start").hidden = true;
  $("[data-er-ended]").hidden = false;
}

// ---- One question a screen ----------------------------------------------------------------

const items = () => itemsOf(templateOf(doc.data));
const ratingOf = (item) => doc.data.answers.find((a) => a.item_id === item.id)?.rating;

/** Rebuild the answers as sent (in the template's order) from the ratings and the notes. */
async function setAnswer(item, rating) {
  const ratings = Object.fromEntries(doc.data.answers.map((a) => [a.item_id, a.rating]));
  if (rating) ratings[item.id] = rating;
  doc.notes = doc.notes || {};
  doc.data.answers = items().filter((i) => ratings[i.id]).map((i) => ({ item_id: i.id, rating: ratings[i.id], comment: doc.notes[i.id] || "" }));
  await save();
}

function drawQuestion() {
  const list = items();
  const item = list[doc.step];
  const rating = ratingOf(item);
  $("[data-er-progress]").textContent = `Question ${doc.step + 1} of ${list.length}`;
  $("[data-er-question]").textContent = wording(item);
  for (const button of document.querySelectorAll("[data-answer]")) {
    button.setAttribute("aria-pressed", String(button.dataset.answer === rating));
  }
  $("[data-er-chosen]").textContent = rating ? `Answer: ${WORDS[rating]}` : "Not answered yet";
  $("#er-comment").value = doc.notes?.[item.id] || "";
  $("[data-er-back]").hidden = doc.step === 0;
  $("[data-er-next]").textContent = doc.step === list.length - 1 ? "Check the answers" : "Next";
  show("question");
}

function drawSummary() {
  const list = items();
  const svc = service(doc.data.service_id);
  $("[data-er-about]").textContent = `${templateOf(doc.data).name}: ${subjectText(svc, doc.data.subject)}`;
  $("[data-er-summary]").replaceChildren(...list.map((item, index) => {
    const rating = ratingOf(item);
    const note = doc.notes?.[item.id];
    const li = el("li", {},
      el("p", { text: wording(item) }),
      el("p", { class: "er-summary-answer", text: rating ? `Answer: ${WORDS[rating]}` : "Not answered yet" }),
      ...(note ? [el("p", { class: "hint", text: `Added: ${note}` })] : []));
    if (!locked()) {
      const change = el("button", { type: "button", class: "button small", text: "Change", "aria-label": `Change the answer to question ${index + 1}` });
      change.addEventListener("click", () => go(index));
      li.append(change);
    }
    return li;
  }));
  $("[data-er-finish-hint]").hidden = locked();
  renderSubmitted();
  show("summary");
}

function open() {
  const count = items().length;
  doc.step = Math.min(Math.max(doc.step || 0, 0), count);
  if (locked() || doc.step >= count) drawSummary();
  else drawQuestion();
}

async function go(step) {
  doc.step = step;
  await save();
  open();
  const heading = doc.step >= items().length ? "#er-summary-title" : "[data-er-question]";
  $(heading).focus();
}

async function finish() {
  const list = items();
  const missing = list.findIndex((item) => !ratingOf(item));
  if (missing >= 0) {
    const more = list.filter((item) => !ratingOf(item)).length;
    $("[data-er-finish-errors]").replaceChildren(el("li", { text: `Question ${missing + 1} has no answer yet (${more} to answer). "Not sure" is an answer.` }));
    return;
  }
  $("[data-er-finish-errors]").replaceChildren();
  doc.data.ended_at = new Date().toISOString();
  await submitAndSync(drawSummary);
  drawSummary();
}

function wire() {
  $("#easy-read-start").addEventListener("submit", (event) => event.preventDefault());
  $("[data-er-begin]").addEventListener("click", start);
  $("#er-person").addEventListener("change", sayAgreed);
  $("[data-er-not-today]").addEventListener("click", notToday);
  for (const button of document.querySelectorAll("[data-answer]")) {
    button.addEventListener("click", async () => {
      await setAnswer(items()[doc.step], button.dataset.answer);
      drawQuestion();
    });
  }
  const comment = $("#er-comment");
  comment.addEventListener("input", async () => {
    const item = items()[doc.step];
    doc.notes = { ...doc.notes, [item.id]: comment.value };
    await setAnswer(item, null);
  });
  watchField(comment, $("#er-comment-warning"));
  $("[data-er-back]").addEventListener("click", () => go(doc.step - 1));
  $("[data-er-next]").addEventListener("click", () => go(doc.step + 1));
  $("[data-er-finish]").addEventListener("click", finish);
}

runCapture({
  kind: "audit",
  root: "#easy-read",
  problem: "#easy-read-problem",
  drafts: "#easy-read-drafts",
  submitControl: "[data-er-finish]",
  sections: { setup: "easy-read-setup", question: "easy-read-question", summary: "easy-read-summary" },
  words: {
    noun: "co-audit",
    login: "Please log in to record co-audits.",
    nothingToCapture: "You have no services to complete co-audits in.",
    openOnline: "Open this page once while online so the form can load your services and audit templates.",
    openSent: "Open the sent co-audit",
    waiting: "Finished. Saved on this device; it will be sent when there is a connection.",
  },
  draftText: (draft) => draft.label,
  owns: (draft) => Boolean(draft.data?.easy_read),
  services: () => bootstrap?.services || [],
  wire,
  fillSetup,
  open,
  followsSync: () => doc.data.status === "submitted",
});
