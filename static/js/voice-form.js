// The conversation form (document kind conversation): a person a draw of people picked is read
// the "I" statements and answers each on a five-point scale, or is recorded as having declined or
// not been available. Offline: every tap saved to the device outbox at once.

import { $, begin, bootstrap, captureServices, doc, el, renderSubmitted, runCapture, save, show, submitAndSync } from "./capture.js";
import { watchField } from "./privacy.js";

// The server's answers (careobs/voice/documents.py), said before sending.
const ALL_QUESTIONS = "Give an answer to every question (Prefer not to say is an answer).";
const OUTCOME_WORDS = { asked: "Asked", declined: "Declined to talk", not_available: "Not available" };

const asked = new URLSearchParams(location.search);
const questionKeys = () => [...document.querySelectorAll("[data-question]")].map((node) => node.dataset.question);
const locked = () => doc.data.status === "submitted";
const service = (id) => bootstrap?.services.find((s) => s.id === id);

// ---- Set-up: the draw and the person come from the draw page's link -----------------------------

// The draw and person come from the address, not the bootstrap: said before anything loads.
function sayWho() {
  const person = asked.get("person");
  if (asked.get("draw") && person) {
    $("[data-voice-who]").textContent = `Person drawn: ${person}.`;
  }
}

function fillSetup() {}

async function start(event) {
  event.preventDefault();
  const draw = asked.get("draw");
  const person = asked.get("person");
  const errors = [];
  if (!draw || !person) errors.push("Open this page from the draw's page, with the person you are asking.");
  $("#voice-setup-errors").replaceChildren(...errors.map((e) => el("li", { text: e })));
  if (errors.length) return;
  const outcome = document.querySelector('input[name="outcome"]:checked')?.value || "asked";
  const now = new Date().toISOString();
  await begin({
    id: crypto.randomUUID(),
    kind: "conversation",
    revision: 1,
    state: "draft",
    label: `Conversation · ${person} · ${OUTCOME_WORDS[outcome]} · ${new Date().toLocaleDateString("en-GB")}`,
    service: asked.get("service"), // for the owners of follow-ups; not sent
    data: {
      draw_id: draw, person_code: person, outcome, started_at: now,
      ended_at: outcome === "asked" ? null : now, answers: [], comments: "", actions: [], status: "draft",
    },
  });
}

// ---- Answers ------------------------------------------------------------------------------------

const answerOf = (key) => doc.data.answers.find((a) => a.question === key);

async function setAnswer(key, changes) {
  let answer = answerOf(key);
  if (!answer) {
    answer = { question: key, answer: null, comment: "" };
    doc.data.answers.push(answer);
  }
  Object.assign(answer, changes);
  // Kept in the statements' order; a comment with no answer yet is not sent as an answer.
  doc.data.answers.sort((a, b) => questionKeys().indexOf(a.question) - questionKeys().indexOf(b.question));
  await save();
}

/** The answers as sent: only those with a choice on the scale. */
function sendable() {
  return doc.data.answers.filter((a) => a.answer);
}

// ---- Follow-up actions --------------------------------------------------------------------------

// The conversations given to this user as a quality checker (bootstrap's conversation_tasks).
const checkerTasks = () => bootstrap?.conversation_tasks || [];
const isCheckerTask = (data) => checkerTasks().some((t) => t.draw_id === data.draw_id && t.person_code === data.person_code);

function owners() {
  // A quality checker names no owner: their follow-ups go to the service's manager, who gives
  // them an owner (the server refuses any other; a checker sees no staff names).
  if (isCheckerTask(doc.data)) return [{ id: "", name: "For the manager" }];
  const you = { id: bootstrap.user.id, name: `${bootstrap.user.name} (you)` };
  const staff = service(doc.service)?.staff || [];
  return [{ id: "", name: "No owner" }, you, ...staff.map((s) => ({ id: s.id, name: s.name }))];
}

async function addAction() {
  const description = $("#v-act-what").value.trim();
  if (!description) {
    $("[data-submit-errors]").replaceChildren(el("li", { text: "Describe the follow-up before adding it." }));
    return;
  }
  doc.data.actions.push({ id: crypto.randomUUID(), description, owner_id: $("#v-act-who").value || null, due_on: $("#v-act-due").value || null });
  $("#v-act-what").value = "";
  $("#v-act-due").value = "";
  $("[data-submit-errors]").replaceChildren();
  await save();
  renderActions();
}

function renderActions() {
  const names = Object.fromEntries(owners().map((o) => [o.id, o.name]));
  $("[data-actions]").replaceChildren(...doc.data.actions.map((a) => {
    const due = a.due_on ? ` · by ${new Date(a.due_on).toLocaleDateString("en-GB")}` : "";
    const li = el("li", {}, el("span", { text: `${a.description} · ${names[a.owner_id || ""] || "No owner"}${due}` }));
    if (!locked()) {
      const remove = el("button", { type: "button", class: "button small", text: "Remove" });
      remove.addEventListener("click", async () => {
        doc.data.actions = doc.data.actions.filter((x) => x.id !== a.id);
        await save();
        renderActions();
      });
      li.append(remove);
    }
    return li;
  }));
  $("[data-actions-none]").hidden = doc.data.actions.length > 0;
  $("[data-action-fields]").hidden = locked();
}

// ---- Drawing the open conversation --------------------------------------------------------------

function showForm() {
  const data = doc.data;
  const talked = data.outcome === "asked";
  $("[data-voice-title]").textContent = `Conversation with ${data.person_code}`;
  $("[data-voice-about]").textContent = `${OUTCOME_WORDS[data.outcome]} · started ${new Date(data.started_at).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" })}`;
  $("[data-questions]").hidden = !talked;
  for (const key of questionKeys()) {
    const answer = answerOf(key);
    for (const radio of document.querySelectorAll(`input[name="q-${key}"]`)) {
      radio.checked = radio.value === answer?.answer;
      radio.disabled = locked();
    }
    const comment = document.querySelector(`[data-comment="${key}"]`);
    comment.value = answer?.comment || "";
    comment.disabled = locked();
  }
  $("#v-comments").value = data.comments || "";
  $("#v-comments").disabled = locked();
  $("#v-act-who").replaceChildren(...owners().map((o) => el("option", { value: o.id, text: o.name })));
  $("#v-act-who").value = isCheckerTask(doc.data) ? "" : bootstrap.user.id;
  renderActions();
  renderSubmitted();
  show("form");
}

async function submit() {
  const missing = doc.data.outcome === "asked" && questionKeys().some((key) => !answerOf(key)?.answer);
  if (missing) {
    $("[data-submit-errors]").replaceChildren(el("li", { text: ALL_QUESTIONS }));
    return;
  }
  $("[data-submit-errors]").replaceChildren();
  doc.data.answers = sendable();
  doc.data.ended_at = doc.data.ended_at || new Date().toISOString();
  await submitAndSync(showForm);
}

function wire() {
  sayWho();
  $("#voice-setup-form").addEventListener("submit", start);
  for (const key of questionKeys()) {
    for (const radio of document.querySelectorAll(`input[name="q-${key}"]`)) {
      radio.addEventListener("change", () => setAnswer(key, { answer: radio.value }));
    }
    const comment = document.querySelector(`[data-comment="${key}"]`);
    comment.addEventListener("input", () => setAnswer(key, { comment: comment.value }));
    watchField(comment, document.getElementById(comment.getAttribute("aria-describedby")));
  }
  const comments = $("#v-comments");
  comments.addEventListener("input", () => {
    doc.data.comments = comments.value;
    save();
  });
  watchField(comments, document.getElementById(comments.getAttribute("aria-describedby")));
  $("[data-add-action]").addEventListener("click", addAction);
  $("[data-submit]").addEventListener("click", submit);
}

runCapture({
  kind: "conversation",
  root: "#voice",
  problem: "#voice-problem",
  drafts: "#voice-drafts",
  submitControl: "[data-submit]",
  sections: { setup: "voice-setup", form: "voice-form" },
  words: {
    noun: "conversation",
    login: "Please log in to record conversations.",
    nothingToCapture: "You may not follow up draws in any service, so there is nothing to record.",
    openOnline: "Open this page once while online so the form can load your services.",
    openSent: "Open the sent conversation",
    waiting: "Submitted. Saved on this device; it will be sent when there is a connection.",
  },
  // Where they may draw, or (a quality checker) the conversations given to them.
  services: () => [...captureServices(), ...checkerTasks()],
  draftText: (draft) => draft.label,
  wire,
  fillSetup,
  open: showForm,
  followsSync: () => doc.data.status === "submitted",
});
