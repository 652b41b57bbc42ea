// The capture lifecycle every kind of record shares on the device: the drafts list, routing
// between it and the open record, the save on every tap, submit-then-sync, "needs attention" and
// the device's record list. A screen (quis-recorder.js, visit-form.js) registers its kind with
// runCapture() and then only draws and scores its form.
//
// One page captures one record at a time, so the open record and the bootstrap are module state,
// exported as live bindings: a screen reads `doc` and `bootstrap` and always sees the current
// value; only this module replaces them (begin, save, route, submitAndSync, sync news).

import { syncNow } from "./app.js";
import { loadBootstrap } from "./bootstrap.js";

const outbox = self.careobsOutbox;
const userId = document.querySelector('meta[name="careobs-user"]')?.content;

/** Where each kind of record is captured, and where the server shows it once sent. */
export const KINDS = {
  quis_session: { recordPage: "/quis/record", sentPage: (id) => `/quis/sessions/${id}` },
  spot_check: { recordPage: "/visits/record", sentPage: (id) => `/visits/${id}` },
  audit: {
    recordPage: "/audits/record",
    sentPage: (id) => `/audits/${id}`,
    // A co-audit is answered on the easy-read form (easy-read-form.js).
    pageOf: (record) => (record.data?.easy_read ? "/audits/easy-read" : "/audits/record"),
  },
  conversation: { recordPage: "/voice/record", sentPage: (id) => `/voice/${id}` },
  self_assessment: { recordPage: "/self-assessments/record", sentPage: (id) => `/self-assessments/${id}` },
};

export let bootstrap = null;
export let doc = null;
let screen = null;

// What the user may do in each service is on its bootstrap entry (careobs.permissions decides):
// QUIS and visits where `may_capture`, audits of the templates in `audit_template_ids`. A
// bootstrap cached before it said so has neither field, and offered every service as before.
/** The services where the user may run QUIS observations and monitoring visits. */
export const captureServices = () => (bootstrap?.services || []).filter((s) => s.may_capture !== false);
/** The services where the user may complete at least one audit template. */
export const auditServices = () => (bootstrap?.services || []).filter((s) => !s.audit_template_ids || s.audit_template_ids.length > 0);
/** Whether the user may complete audits of this template in this service (a bootstrap entry). */
export const mayAudit = (service, templateId) => !service?.audit_template_ids || service.audit_template_ids.includes(templateId);

export const $ = (selector, root = document) => root.querySelector(selector);

/** A DOM element with attributes (`class`, `text` and boolean attributes handled) and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children);
  return node;
}

export const CHANGED_ELSEWHERE = "This record was changed in another tab or window: it now shows the latest. "
  + "Make your last change again.";

// Saves run one after another, each writing the open record as it is when its turn comes: a
// field saves on every keystroke without waiting, and two writes at once would each carry the
// same updatedAt, so the second would look like another tab's.
let saving = Promise.resolve();
let pending = 0;  // saves asked for and not finished
let asked = 0;  // saves ever asked for
// Copies of a record found out of date by a save: saves still queued for them are dropped.
const outdated = new WeakSet();

/** Store the open record at once: every tap is on the device before anything else happens.
 * Resolves to false when the record had changed in another tab or window since this page read
 * it: nothing is written, the page now shows the stored record and says so (the outbox never
 * lets a stale copy overwrite newer work, nor turn a submitted record back into a draft). */
export function save() {
  const target = doc;
  pending += 1;
  asked += 1;
  const turn = saving.then(() => write(target)).finally(() => { pending -= 1; });
  saving = turn.catch(() => {});
  return turn;
}

async function write(target) {
  if (outdated.has(target)) return false;
  try {
    const record = await outbox.saveDocument(userId, target);
    // The same object stays the open record (a screen may have changed it meanwhile): it takes
    // what the store added, so that its next save is known to follow this one.
    for (const key of ["attempts", "nextAttemptAt", "createdAt", "updatedAt"]) target[key] = record[key];
    return true;
  } catch (error) {
    if (!error?.conflict) throw error;
    outdated.add(target);
    if (doc === target) await showStored(error.stored, CHANGED_ELSEWHERE);
    return false;
  }
}

/** Replace the open record by the stored one (another tab or window changed it) and redraw. */
async function showStored(stored, message) {
  if (!stored) {
    await route();  // sent or discarded meanwhile: the page says where it is
    return;
  }
  doc = stored;
  screen.open();
  problem(message);
}

/** Open a new draft: saved first, then routed to like any other record on the device. */
export async function begin(draft) {
  doc = draft;
  await save();
  location.hash = doc.id;
}

/** Show one of the screen's sections (by name), or none, and hide the others. The page comes
 * with the set-up section showing, so that opening it draws nothing twice (no layout shift). */
export function show(name) {
  for (const [section, id] of Object.entries(screen.sections)) document.getElementById(id).hidden = section !== name;
  $(screen.root).dataset.state = name || "none";
}

/** The problem box above the screen; an empty message hides it. */
export function problem(message) {
  const box = $(screen.problem);
  box.textContent = message;
  box.hidden = !message;
}

// ---- Drafts and routing --------------------------------------------------------------------

async function listDrafts() {
  const drafts = (await outbox.listDocuments(userId))
    .filter((d) => d.kind === screen.kind && d.state === "draft" && screen.owns(d));
  const panel = $(screen.drafts);
  panel.hidden = drafts.length === 0;
  $("[data-list]", panel).replaceChildren(...drafts.map((d) => {
    const discard = el("button", { type: "button", class: "button small", text: "Discard" });
    discard.addEventListener("click", async () => {
      if (!window.confirm(`Discard this unfinished ${screen.words.noun}? It has not been sent.`)) return;
      await outbox.deleteDocument(userId, d.id);
      listDrafts();
    });
    return el("li", {}, el("a", { href: `#${d.id}`, text: screen.draftText(d) }), discard);
  }));
}

// The address says what is open: nothing (set-up and drafts) or a record's id.
async function route() {
  problem("");
  const id = location.hash.slice(1);
  if (!id) {
    doc = null;
    if (!screen.services().length) {
      problem(bootstrap ? screen.words.nothingToCapture : screen.words.openOnline);
      show(null);
      return;
    }
    await listDrafts();
    screen.show("setup");
    return;
  }
  doc = await outbox.getDocument(userId, id);
  if (!doc) {
    problem(`This ${screen.words.noun} is not on this device. If it was submitted, it has been sent to the server.`);
    $(screen.problem).append(" ", el("a", { href: KINDS[screen.kind].sentPage(id), text: screen.words.openSent }));
    show(null);
    return;
  }
  screen.open();
}

/** A draft open here that another tab or window changed (or submitted) is redrawn from the
 * store rather than kept as a stale copy. Not while this page is saving: its own writes are
 * announced too, and the store is then ahead of `doc` only until the save returns. */
async function followOtherTabs() {
  if (pending) return;
  const open = doc;
  const before = asked;
  const stored = await outbox.getDocument(userId, open.id);
  // A save begun meanwhile may have written after this read: the store is then ahead of it.
  if (asked !== before || doc !== open || !stored || stored.updatedAt === open.updatedAt) return;
  outdated.add(open);
  doc = stored;
  screen.open();
}

// ---- Submit, then sync ---------------------------------------------------------------------

/** The stored copy of the open record, or (once the server has it and the outbox let go) "synced". */
async function reload() {
  doc = (await outbox.getDocument(userId, doc.id)) || { ...doc, state: "synced" };
}

/** Submit the open record: a new revision waiting to send, shown (`whileSending`), then sent at
 * once if there is a connection; the outcome is drawn by the screen's renderSubmitted. */
export async function submitAndSync(whileSending = renderSubmitted) {
  doc.data.status = "submitted";
  doc.revision += 1;
  doc.state = "waiting";
  doc.nextAttemptAt = 0;
  doc.waitReason = "";
  if (!(await save())) return;
  whileSending();
  await syncNow({ force: true });
  await reload();
  renderSubmitted();
}

/** Once submitted, the form gives way to where the record is on its way to the server. */
export function renderSubmitted() {
  const locked = doc.data.status === "submitted";
  $(screen.submitControl).hidden = locked;
  const note = $("[data-submitted]");
  note.hidden = !locked;
  if (!locked) return;
  const states = {
    waiting: waitingText(doc, screen.words.waiting),
    sending: "Submitted. Sending now…",
    attention: `Submitted, but the server did not accept it: ${doc.message || ""}`,
  };
  note.textContent = states[doc.state] || "Submitted and sent.";
}

// Why a submitted record is still on the device, when the outbox knows (outbox-core.js).
const WAITING_BECAUSE = {
  busy: "the server is not answering just now",
  unreachable: "the server cannot be reached",
  failing: "the server had a problem receiving it",
};

/** The note under a submitted record still waiting to send: `offline` (the screen's words) unless
 * the device is online and the server is the reason, then when the device will try again. */
export function waitingText(record, offline) {
  if (navigator.onLine === false) return offline;
  if (record.waitReason === "login") return "Submitted. Saved on this device; log in again to send it.";
  const because = WAITING_BECAUSE[record.waitReason];
  if (!because || !record.nextAttemptAt) return offline;
  if (record.nextAttemptAt <= Date.now()) return `Submitted. Saved on this device, but ${because}. Press Sync now to try again.`;
  const at = new Date(record.nextAttemptAt).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  return `Submitted. Saved on this device, but ${because}. This device will try again at ${at}, or press Sync now.`;
}

/**
 * Run a capture screen. `kind` describes it:
 * - kind: the document kind; root, problem, drafts, submitControl: selectors;
 *   sections: {name: element id}, "setup" among them;
 * - words: noun ("observation"), nothingToCapture, openOnline, login, openSent, waiting;
 * - draftText(draft): the line in the drafts list;
 * - wire(), fillSetup(), open(): the screen's listeners, set-up fields, and drawing `doc`;
 * - services() (optional, defaults to captureServices): the services the screen offers;
 * - owns(draft) (optional, defaults to every draft of the kind): the drafts the screen lists;
 * - show(name) (optional, defaults to show), followsSync() (when sync news redraws the state).
 */
export async function runCapture(kind) {
  screen = { show, services: captureServices, owns: () => true, ...kind };
  if (!userId || !outbox) {
    problem(screen.words.login);
    show(null);
    return;
  }
  screen.wire();
  window.addEventListener("hashchange", route);
  outbox.onChange(async () => {
    if (!doc) return;
    if (doc.state === "draft") {
      await followOtherTabs();
      return;
    }
    if (!screen.followsSync()) return;
    await reload();
    renderSubmitted();
  });
  bootstrap = await loadBootstrap(userId);
  if (bootstrap) screen.fillSetup();
  await route();
}

// ---- The device's record list ("On this device") -------------------------------------------

const STATE_TEXT = {
  draft: "Draft, not submitted yet",
  waiting: "Waiting to send",
  sending: "Sending…",
  attention: "Needs attention",
};

// A record that needs attention shows the server's reason and can be retried or removed.
function deviceRecord(record, panel) {
  const state = el("p", { class: "hint", text: `${STATE_TEXT[record.state] || record.state}${record.message ? `: ${record.message}` : ""}` });
  const page = KINDS[record.kind]?.pageOf?.(record) || KINDS[record.kind]?.recordPage || "";
  const link = el("a", { href: `${page}#${record.id}`, text: record.label || record.kind });
  const li = el("li", {}, el("div", {}, link, state));
  if (record.state === "attention") {
    const retry = el("button", { type: "button", class: "button small", text: "Try again" });
    retry.addEventListener("click", async () => {
      try {
        await outbox.saveDocument(userId, { ...record, state: "waiting", message: "", nextAttemptAt: 0, waitReason: "" });
      } catch (error) {
        if (!error?.conflict) throw error;
        return renderDeviceRecords(panel);  // changed meanwhile: show it as it is now
      }
      await syncNow({ force: true });
    });
    const remove = el("button", { type: "button", class: "button small", text: "Remove from this device" });
    remove.addEventListener("click", async () => {
      if (window.confirm("Remove this record from this device? Only do this once a manager has what they need.")) {
        await outbox.deleteDocument(userId, record.id);
      }
    });
    li.append(retry, remove);
  }
  return li;
}

async function renderDeviceRecords(panel) {
  const records = await outbox.listDocuments(userId);
  const history = (await outbox.history(userId)).slice(0, 10);
  panel.hidden = false;
  panel.querySelector("[data-current]").replaceChildren(...records.map((r) => deviceRecord(r, panel)));
  panel.querySelector("[data-current-empty]").hidden = records.length > 0;
  panel.querySelector("[data-history]").replaceChildren(...history.map((h) => {
    const when = new Date(h.syncedAt).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
    return el("li", { text: `${h.label} · sent ${when}` });
  }));
  panel.querySelector("[data-history-empty]").hidden = history.length > 0;
}

/** "On this device": what the outbox holds for this user, and what it sent recently. */
export function showDeviceRecords(panel) {
  if (!panel || !userId || !outbox) return;
  outbox.onChange(() => renderDeviceRecords(panel));
  renderDeviceRecords(panel);
}
