// The audit form (document kind audit): a template the user may complete in the chosen service
// (a champion: only their own), about a person (by code), a care worker, an area or the service;
// offline, every answer saved to the device outbox at once, with the score and band worked out
// live from the template's own bands.

import {
  $, auditServices, begin, bootstrap, doc, el, mayAudit, renderSubmitted, runCapture, save, show, submitAndSync,
} from "./capture.js";
import { answerOf, answeringProblems, changeAnswer, itemParts, refusedForSubmission, renderBar, renderSections, unanswered, wireBar } from "./checklist-form.js";
import { watchField } from "./privacy.js";
import { outcome } from "./visit-scoring.js";
import { plural } from "./wording.js";

// The server's answer to an audit with nothing applicable (careobs/audits/documents.py, ALL_NA).
const ALL_NA = "Every item is N/A: an audit must rate at least one item.";
const NO_TEMPLATE = "No audit template is published yet: ask an administrator to publish one.";
// A template whose bands the bootstrap does not give is scored with the defaults (design §2.2).
const DEFAULT_BANDS = { green_from: 90, amber_from: 75 };
const BAND_WORDS = {
  green: "Green: meets the standard",
  amber: "Amber: some improvement needed",
  red: "Red: significant improvement needed",
};
const SUBJECT = {
  person: { label: "Person supported (code)", choose: "Choose a person", missing: "Choose the person whose records you are auditing.", none: "This service has no people supported recorded." },
  staff: { label: "Care worker", choose: "Choose a care worker", missing: "Choose the care worker.", none: "This service has no care workers recorded." },
  area: { label: "Area or room", choose: "Choose an area", missing: "Choose the area.", none: "This service has no areas: choose another service." },
};

const service = (id) => bootstrap?.services.find((s) => s.id === id);
const templates = () => bootstrap?.audit_templates || [];
const templateOf = (data) => templates().find((t) => t.id === data.template_id && t.version === data.template_version)
  || doc?.template;
const itemsOf = (template) => template.domains.flatMap((d) => d.items);
// The bootstrap carries each template's bands in settings.audits.bands, by template id.
const bandsOf = (template) => ({ ...DEFAULT_BANDS, ...bootstrap?.settings?.audits?.bands?.[template.id] });

/** What was audited, as people say it: "R07", "Hal Homecare", "Lounge", "the whole service". */
function subjectText(data) {
  const svc = service(data.service_id);
  const { type, id, code } = data.subject;
  if (type === "person") return code;
  if (type === "staff") return svc?.staff.find((s) => s.id === id)?.name || "a care worker";
  if (type === "area") return svc?.areas.find((a) => a.id === id)?.name || "an area";
  return "the whole service";
}

// ---- Set-up ---------------------------------------------------------------------------------

function fillSetup() {
  // A link may name what to audit: "Start an audit" names the template; a due audit also the
  // service and the subject (a person's code, or a care worker's or an area's id). Anything
  // not on this device's lists is left for the supervisor to choose.
  const asked = new URLSearchParams(location.search);
  $("#a-service").replaceChildren(...auditServices().map((s) => el("option", { value: s.id, text: s.name })));
  if (auditServices().some((s) => s.id === asked.get("service"))) $("#a-service").value = asked.get("service");
  fillTemplates(asked.get("template"));
  $("#a-template").addEventListener("change", fillSubjects);
  $("#a-service").addEventListener("change", () => fillTemplates());
  const subject = asked.get("subject");
  if (subject && [...$("#a-subject").options].some((o) => o.value === subject)) $("#a-subject").value = subject;
}

/** The templates the user may complete in the chosen service (a champion: only their own),
 * keeping the one chosen (or named by the link) when it is still among them. */
function fillTemplates(wanted = chosenTemplate()?.id) {
  const svc = service($("#a-service").value);
  const list = templates().filter((t) => mayAudit(svc, t.id));
  $("#audit-setup-errors").replaceChildren(...(list.length ? [] : [el("li", { text: NO_TEMPLATE })]));
  $("#a-template").replaceChildren(...list.map((t) => el("option", { value: `${t.id}:${t.version}`, text: t.name })));
  const chosen = list.find((t) => t.id === wanted);
  if (chosen) $("#a-template").value = `${chosen.id}:${chosen.version}`;
  fillSubjects();
}

const chosenTemplate = () => templates().find((t) => `${t.id}:${t.version}` === $("#a-template").value);

/** The subject list follows the template's subject type and the service's roster. */
function fillSubjects() {
  const template = chosenTemplate();
  const svc = service($("#a-service").value);
  const kind = template?.subject_type;
  const words = SUBJECT[kind];
  const frequency = template?.frequency_days ? ` Due every ${plural(template.frequency_days, "day", "days")}.` : "";
  $("#a-template-about").textContent = template ? `${template.domains.reduce((n, d) => n + d.items.length, 0)} items.${frequency}` : "\u00a0";
  // The row stays for the whole service too (one fixed choice), so changing template moves nothing.
  $("#a-subject").disabled = !words;
  if (!words) {
    $("[data-subject-label]").textContent = "What is audited";
    $("#a-subject").replaceChildren(el("option", { value: "", text: "The whole service" }));
    $("#a-subject-hint").textContent = "";
    return;
  }
  $("[data-subject-label]").textContent = words.label;
  const options = {
    person: (svc?.people || []).map((p) => [p.code, p.code]),
    staff: (svc?.staff || []).map((s) => [s.id, `${s.name} (${s.job_role})`]),
    area: (svc?.areas || []).map((a) => [a.id, a.name]),
  }[kind];
  $("#a-subject").replaceChildren(el("option", { value: "", text: words.choose }),
    ...options.map(([value, text]) => el("option", { value, text })));
  $("#a-subject-hint").textContent = options.length ? "" : words.none;
}

async function start(event) {
  event.preventDefault();
  const template = chosenTemplate();
  const svc = service($("#a-service").value);
  const kind = template?.subject_type;
  const picked = $("#a-subject").value;
  const errors = [];
  if (!template) errors.push(NO_TEMPLATE);
  if (!svc) errors.push("Choose a service.");
  if (SUBJECT[kind] && !picked) errors.push(SUBJECT[kind].missing);
  $("#audit-setup-errors").replaceChildren(...errors.map((e) => el("li", { text: e })));
  if (errors.length) return;
  const subject = {
    type: kind,
    id: kind === "staff" || kind === "area" ? picked : null,
    code: kind === "person" ? picked : null,
  };
  const data = {
    template_id: template.id, template_version: template.version, service_id: svc.id, subject,
    started_at: new Date().toISOString(), ended_at: null, answers: [], actions: [],
    went_well: "", to_develop: "", status: "draft",
  };
  await begin({
    id: crypto.randomUUID(),
    kind: "audit",
    revision: 1,
    state: "draft",
    label: `Audit · ${template.name} · ${subjectText(data)} · ${new Date().toLocaleDateString("en-GB")}`,
    template, // drawn from this copy if the template is replaced while the device is offline
    proposed: {}, // item id → the id of the action proposed for it
    data,
  });
}

// ---- Answers --------------------------------------------------------------------------------

const locked = () => doc.data.status === "submitted";

async function setAnswer(itemId, changes) {
  const answer = changeAnswer(itemId, changes);
  await save();
  const block = document.getElementById(`act-${itemId}`);
  if (block) block.hidden = answer.rating !== "not_met";
  renderOutcome();
}

// ---- Proposed actions: one per Not met item, becoming an action on submit -------------------------

function owners() {
  const svc = service(doc.data.service_id);
  const you = { id: bootstrap.user.id, name: `${bootstrap.user.name} (you)` };
  return [{ id: "", name: "No owner" }, you, ...(svc?.staff || []).map((s) => ({ id: s.id, name: s.name }))];
}

function defaultOwner() {
  return doc.data.subject.type === "staff" ? doc.data.subject.id : bootstrap.user.id;
}

const proposedFor = (itemId) => doc.data.actions.find((a) => a.id === doc.proposed?.[itemId]);

/** Write the item's proposed action from its fields: an empty description proposes nothing. */
async function setProposed(itemId) {
  doc.proposed = doc.proposed || {};
  const description = document.getElementById(`act-${itemId}-what`).value.trim();
  const owner = document.getElementById(`act-${itemId}-who`).value || null;
  const due = document.getElementById(`act-${itemId}-due`).value || null;
  let action = proposedFor(itemId);
  if (!description) {
    doc.data.actions = doc.data.actions.filter((a) => a !== action);
    delete doc.proposed[itemId];
  } else if (action) {
    Object.assign(action, { description, owner_id: owner, due_on: due });
  } else {
    action = { id: crypto.randomUUID(), description, owner_id: owner, due_on: due };
    doc.data.actions.push(action);
    doc.proposed[itemId] = action.id;
  }
  await save();
  renderActions();
}

function actionBlock(item, answer) {
  const action = proposedFor(item.id);
  const id = `act-${item.id}`;
  const what = el("input", { type: "text", id: `${id}-what`, maxlength: "2000", autocomplete: "off", disabled: locked() });
  what.value = action?.description || "";
  const who = el("select", { id: `${id}-who`, disabled: locked() },
    ...owners().map((o) => el("option", { value: o.id, text: o.name })));
  who.value = action ? action.owner_id || "" : defaultOwner();
  const due = el("input", { type: "date", id: `${id}-due`, disabled: locked() });
  due.value = action?.due_on || "";
  for (const field of [what, who, due]) field.addEventListener("change", () => setProposed(item.id));
  what.addEventListener("input", () => setProposed(item.id));
  return el("div", { class: "panel", id, hidden: answer.rating !== "not_met" },
    el("div", { class: "field" }, el("label", { for: what.id, text: "Proposed action (optional)" }), what),
    el("div", { class: "field-row" },
      el("div", { class: "field" }, el("label", { for: who.id, text: "Who" }), who),
      el("div", { class: "field" }, el("label", { for: due.id, text: "Due by" }), due)));
}

function itemCard(item) {
  const { fieldset, comment } = itemParts(item, {
    locked: locked(),
    rate: (rating) => setAnswer(item.id, { rating }),
    comment: (text) => setAnswer(item.id, { comment: text }),
  });
  return el("div", { class: "item-card" }, fieldset, comment, actionBlock(item, answerOf(item.id) || {}));
}

const sectionId = (domain, index) => `d-${index}`;

function renderChecklist() {
  renderSections(templateOf(doc.data).domains, sectionId, itemCard);
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
        const itemId = Object.keys(doc.proposed || {}).find((k) => doc.proposed[k] === a.id);
        if (itemId) {
          delete doc.proposed[itemId];
          document.getElementById(`act-${itemId}-what`).value = "";
        }
        await save();
        renderActions();
      });
      li.append(remove);
    }
    return li;
  }));
  $("[data-actions-none]").hidden = doc.data.actions.length > 0;
}

// ---- Progress and outcome -------------------------------------------------------------------------

const missing = () => unanswered(itemsOf(templateOf(doc.data)));

/** The sticky bar and the outcome; `announce: false` on opening the audit (nothing read out). */
function renderOutcome({ announce = true } = {}) {
  const template = templateOf(doc.data);
  const items = itemsOf(template);
  const bands = bandsOf(template);
  const result = outcome(doc.data.answers, items, bands);
  const critical = result.criticalFailures
    ? `${plural(result.criticalFailures, "critical item", "critical items")} not met: red whatever the score`
    : "";
  const left = missing().length;
  renderBar(result, {
    answered: `${items.length - left} of ${items.length} answered`,
    left,
    locked: locked(),
    domains: template.domains,
    idOf: sectionId,
    after: [["summary-title", "Summary"], ["outcome-title", "Outcome"]],
    announce,
  });
  const rows = [
    ["Score", result.score === null ? "— (no applicable items yet)" : `${result.score.toFixed(1)}% (${result.points} of ${result.possible} points)`],
    ["Band", result.band ? `${BAND_WORDS[result.band]}${critical ? ` (${critical})` : ""}` : "—"],
    ["Bands for this audit", `Green from ${bands.green_from}%, amber from ${bands.amber_from}%, red below.`],
  ];
  $("[data-outcome]").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
}

function showForm() {
  const template = templateOf(doc.data);
  const svc = service(doc.data.service_id);
  $("[data-audit-title]").textContent = `${template.name}: ${subjectText(doc.data)}`;
  $("[data-audit-about]").textContent = `${svc?.name || "Service"} · started ${new Date(doc.data.started_at).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" })}`;
  renderChecklist();
  renderActions();
  for (const field of document.querySelectorAll("#audit-form [data-text]")) {
    field.value = doc.data[field.dataset.text] || "";
    field.disabled = locked();
  }
  renderOutcome({ announce: false });
  renderSubmitted();
  renderCoAuditLink();
  show("form");
}

/** Once the audit is submitted: the same questions with the person, on the easy-read form
 * (offline too: the link carries what the form needs once the audit has left the device). */
function renderCoAuditLink() {
  const box = $("[data-co-audit]");
  box.hidden = !locked();
  if (!locked()) return;
  const { subject } = doc.data;
  const query = new URLSearchParams({
    compare_with: doc.id, with: "person", service: doc.data.service_id, template: doc.data.template_id,
    subject_type: subject.type, subject: subject.code || subject.id || "",
  });
  const link = $("a", box);
  link.href = `/audits/easy-read?${query}`;
  link.textContent = subject.type === "person" ? `Co-audit with ${subject.code} (easy read)` : "Co-audit (easy read)";
}

async function submit() {
  if (refusedForSubmission(answeringProblems(itemsOf(templateOf(doc.data)), ALL_NA))) return;
  doc.data.ended_at = new Date().toISOString();
  await submitAndSync(showForm);
  renderCoAuditLink();
}

function wire() {
  $("#audit-setup-form").addEventListener("submit", start);
  wireBar(missing);
  for (const field of document.querySelectorAll("#audit-form [data-text]")) {
    field.addEventListener("input", () => {
      doc.data[field.dataset.text] = field.value;
      save();
    });
    watchField(field, document.getElementById(field.getAttribute("aria-describedby")));
  }
  $("[data-submit]").addEventListener("click", submit);
}

runCapture({
  kind: "audit",
  root: "#audit",
  problem: "#audit-problem",
  drafts: "#audit-drafts",
  submitControl: "[data-submit]",
  sections: { setup: "audit-setup", form: "audit-form" },
  words: {
    noun: "audit",
    login: "Please log in to record audits.",
    nothingToCapture: "You may not complete audits in any service, so there is nothing to audit.",
    openOnline: "Open this page once while online so the form can load your services and audit templates.",
    openSent: "Open the sent audit",
    waiting: "Submitted. Saved on this device; it will be sent when there is a connection.",
  },
  draftText: (draft) => draft.label,
  owns: (draft) => !draft.data?.easy_read, // co-audits are on the easy-read form
  services: auditServices,
  wire,
  fillSetup,
  open: showForm,
  followsSync: () => doc.data.status === "submitted",
});
