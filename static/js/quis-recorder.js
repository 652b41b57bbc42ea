// The QUIS recorder: set-up, two-tap recording of interactions, and the session summary.
// Works offline once opened: every tap is saved to the device outbox before anything else.

import {
  $, begin, bootstrap, captureServices, doc, el, renderSubmitted, runCapture, save, show as showSection,
  submitAndSync,
} from "./capture.js";
import { CATEGORIES, NEGATIVE, percent, summarise } from "./quis-metrics.js";
import { announcePair, codeProblem, newCode, normalCode, openPairs, pairIdFor, spacedCode } from "./quis-pair.js";
import { watchField } from "./privacy.js";
import { durationText, plural } from "./wording.js";

// The settings ride in a data attribute (no inline <script>, even a JSON one); textContent is
// the older form, still found in record pages cached on devices before the change.
const configElement = document.getElementById("quis-config");
const config = JSON.parse(configElement.dataset.config ?? configElement.textContent);
const MAX_PEOPLE = 8;

let timer = null;
let wakeLock = null;

function show(name) {
  showSection(name);
  if (name === "recording") keepAwake(); else releaseWakeLock();
  window.scrollTo(0, 0);
}

function service(id) {
  return bootstrap?.services.find((s) => s.id === id);
}

// Times as the organisation's clock shows them (the server's draft_from_quis does the same), not
// the phone's: a phone set to another zone must not put other times in the feedback it drafts.
function orgTime(value, options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }) {
  const timeZone = bootstrap?.settings?.timezone;
  try {
    return new Intl.DateTimeFormat("en-GB", { ...options, timeZone }).format(new Date(value));
  } catch (error) {
    // An unknown zone name (RangeError): the phone's own clock is the best left.
    return new Intl.DateTimeFormat("en-GB", options).format(new Date(value));
  }
}

// ---- Set-up ---------------------------------------------------------------------------

function fillSetup() {
  const select = $("#setup-service");
  const services = captureServices();
  select.replaceChildren(...services.map((s) => el("option", { value: s.id, text: s.name })));
  const careHome = services.find((s) => s.kind === "care_home");
  if (careHome) select.value = careHome.id;
  select.addEventListener("change", fillServiceFields);
  $("#setup-area").addEventListener("change", fillOpenPairs);
  fillServiceFields();
}

function fillServiceFields() {
  const svc = service($("#setup-service").value);
  $("#setup-area").replaceChildren(
    el("option", { value: "", text: svc?.areas.length ? "Choose an area" : "No areas set up" }),
    ...(svc?.areas || []).map((a) => el("option", { value: a.id, text: a.name })),
  );
  const box = $("[data-people]");
  box.replaceChildren(...(svc?.people || []).map((p) => {
    const id = `person-${p.code}`;
    return el("div", { class: "chip" },
      el("input", { type: "checkbox", id, name: "people", value: p.code }),
      el("label", { for: id, text: p.code }));
  }));
  fillOpenPairs();
}

// ---- Set-up of a paired observation ---------------------------------------------------

const pairRole = () => $("#setup-form").pair_role.value;

function showPairChoice() {
  const role = pairRole();
  $("[data-pair-lead]").hidden = role !== "lead";
  $("[data-pair-join]").hidden = role !== "second";
  fillOpenPairs();
}

// The pairs open at the chosen service and area, when the server can be asked; the typed code
// is always there (offline, or a lead who could not announce their pair).
let pairsAsked = 0;
async function fillOpenPairs() {
  if (pairRole() !== "second") return;
  const asked = ++pairsAsked;
  const status = $("[data-open-pairs-status]");
  const serviceId = $("#setup-service").value;
  if (!serviceId) return;
  status.textContent = navigator.onLine === false ? "" : "Looking for paired observations open here…";
  const pairs = await openPairs(serviceId, $("#setup-area").value);
  if (asked !== pairsAsked) return; // the service or area changed meanwhile
  const box = $("[data-open-pairs]");
  box.hidden = !pairs?.length;
  if (pairs === null && navigator.onLine === false) status.textContent = "No connection, so no list of the paired observations open here: enter the lead's code.";
  else if (pairs === null) status.textContent = "The list of paired observations open here is not available just now: enter the lead's code.";
  else if (!pairs.length) status.textContent = "No paired observation is open here yet: enter the lead's code.";
  else status.textContent = `${plural(pairs.length, "paired observation is", "paired observations are")} open here: choose one, or enter the lead's code.`;
  $("[data-open-pairs-list]").replaceChildren(...(pairs || []).map((p, index) => {
    const id = `open-pair-${index}`;
    const input = el("input", { type: "radio", id, name: "open_pair", value: p.code });
    input.checked = normalCode($("#pair-code").value) === p.code;
    input.addEventListener("change", () => {
      $("#pair-code").value = p.code;
    });
    const text = `Lead: ${p.lead} · opened ${orgTime(p.opened_at)} · code ${p.code}`;
    return el("div", { class: "radio" }, input, el("label", { for: id, text }));
  }));
}

// The pair this device's session carries: a new code for a lead, the typed one for a second.
async function pairFor(role, serviceId, errors) {
  if (role === "lead") {
    const code = newCode();
    return { id: await pairIdFor(serviceId, code), role, code };
  }
  if (role !== "second") return null;
  const typed = $("#pair-code").value;
  const code = normalCode(typed);
  if (!code) {
    errors.push(codeProblem(typed));
    return null;
  }
  return { id: await pairIdFor(serviceId, code), role, code };
}

function renderPairBanner() {
  const pair = doc.data.pair;
  const banner = $("[data-pair-banner]");
  banner.hidden = !pair;
  if (!pair) return;
  if (pair.role === "lead") {
    banner.replaceChildren(
      el("p", {}, "Pair code ", el("strong", { class: "pair-code", text: spacedCode(pair.code) })),
      el("p", { class: "hint", text: "The second observer enters it on their device." }));
  } else {
    banner.replaceChildren(
      el("p", {}, el("strong", { text: "Second observer: record what you see yourself." })),
      el("p", { class: "hint" }, "Paired with the lead's code ", el("span", { class: "pair-code-inline", text: spacedCode(pair.code) }), "."));
  }
}

// A lead's pair is announced while online so that a second observer may pick it from a list;
// tried again on each opening until the server has it. Nothing waits on it.
async function announceIfNeeded() {
  const pair = doc.data.pair;
  if (pair?.role !== "lead" || doc.ui.announced || doc.data.status !== "draft") return;
  const id = doc.id;
  if (await announcePair(pair, doc.data.service_id, doc.data.area_id) && doc?.id === id) {
    doc.ui.announced = true;
    await save();
  }
}

// A draft in the list: what, when it started and how far it got.
function draftText(draft) {
  const started = orgTime(draft.data.started_at, { dateStyle: "medium", timeStyle: "short" });
  const pair = draft.data.pair;
  const paired = !pair ? "" : pair.role === "lead" ? ` · paired (lead, code ${pair.code})` : " · paired (second)";
  return `${draft.label} · started ${started} · ${plural(draft.data.interactions.length, "interaction", "interactions")}${paired}`;
}

async function startSession(event) {
  event.preventDefault();
  const form = event.target;
  const people = [...form.querySelectorAll('input[name="people"]:checked')].map((i) => i.value);
  const planned = Number(form.planned.value);
  const frame = Number(form.frame.value);
  const onDuty = form.on_duty.value === "" ? null : Number(form.on_duty.value);
  const errors = [];
  if (!service(form.service.value)) errors.push("Choose a service.");
  if (!people.length) errors.push("Choose at least one person to observe.");
  if (people.length > MAX_PEOPLE) errors.push(`Choose at most ${MAX_PEOPLE} people.`);
  if (!(planned >= 5 && planned <= 480)) errors.push("Planned length must be 5 to 480 minutes.");
  if (!(frame >= 1 && frame <= 60)) errors.push("Frame length must be 1 to 60 minutes.");
  if (onDuty !== null && !(onDuty >= 0 && onDuty <= 500)) errors.push("Staff on duty must be a number from 0.");
  const pair = service(form.service.value) ? await pairFor(pairRole(), form.service.value, errors) : null;
  $("#setup-errors").replaceChildren(...errors.map((e) => el("li", { text: e })));
  if (errors.length) return;
  const svc = service(form.service.value);
  const area = svc.areas.find((a) => a.id === form.area.value);
  const context = form.context.value;
  await begin({
    id: crypto.randomUUID(),
    kind: "quis_session",
    revision: 1,
    state: "draft",
    label: ["QUIS", svc.name, area?.name, config.contexts[context]].filter(Boolean).join(" · "),
    ui: { selected: people.length === 1 ? [...people] : [] },
    data: {
      service_id: svc.id, area_id: area?.id || null, context,
      started_at: new Date().toISOString(), ended_at: null,
      planned_minutes: planned, frame_minutes: frame, people, staff_on_duty: onDuty,
      status: "draft", notes: "", went_well: "", to_develop: "", interactions: [],
      ...(pair ? { pair } : {}),
    },
  });
}

// ---- Recording ------------------------------------------------------------------------

function renderPicker() {
  const selected = new Set(doc.ui?.selected || []);
  $("[data-picker]").replaceChildren(...doc.data.people.map((code) => {
    const button = el("button", { type: "button", class: "chip-button", "aria-pressed": String(selected.has(code)), text: code });
    button.addEventListener("click", async () => {
      const now = new Set(doc.ui.selected);
      if (now.has(code)) now.delete(code); else now.add(code);
      doc.ui.selected = doc.data.people.filter((c) => now.has(c));
      button.setAttribute("aria-pressed", String(now.has(code)));
      $("[data-pick-person]").hidden = true;
      await save();
    });
    return button;
  }));
}

function renderStaffOptions() {
  const svc = service(doc.data.service_id);
  $("#detail-staff").replaceChildren(
    el("option", { value: "", text: "Agency / not known" }),
    ...(svc?.staff || []).map((s) => el("option", { value: s.id, text: `${s.name} (${s.job_role})` })),
  );
}

function renderTally() {
  const n = doc.data.interactions.length;
  const c = Object.fromEntries(CATEGORIES.map((k) => [k, 0]));
  for (const i of doc.data.interactions) c[i.category] += 1;
  $("[data-tally]").textContent = `${plural(n, "interaction", "interactions")} · ${CATEGORIES.map((k) => `${k} ${c[k]}`).join(" · ")}`;
}

function renderLast() {
  const last = doc.data.interactions.at(-1);
  const panel = $("[data-last]");
  panel.hidden = !last;
  if (!last) return;
  const time = orgTime(last.at);
  $("[data-last-text]").textContent = `Last: ${config.categories[last.category]} with ${last.people.join(", ")} at ${time}.`;
  for (const field of panel.querySelectorAll("[data-field]")) {
    const value = last[field.dataset.field] ?? "";
    if (field.type === "radio") field.checked = field.value === value;
    else field.value = value;
  }
  $("[data-reason-field]").hidden = !NEGATIVE.includes(last.category);
}

async function recordInteraction(category) {
  const people = doc.ui?.selected || [];
  if (!people.length) {
    $("[data-pick-person]").hidden = false;
    $("[data-picker] button")?.focus();
    return;
  }
  doc.data.interactions.push({
    id: crypto.randomUUID(), at: new Date().toISOString(), people: [...people], staff_id: null,
    category, initiated_by: null, communication: null, negative_reason: null, note: "",
  });
  await save();
  renderTally();
  renderLast();
  $("[data-details]").open = NEGATIVE.includes(category);
  $("[data-frame-announce]").textContent = `Recorded ${config.categories[category]} with ${people.join(", ")}.`;
}

async function updateLast(event) {
  const field = event.target.closest("[data-field]");
  const last = doc.data.interactions.at(-1);
  if (!field || !last) return;
  if (field.type === "radio" && !field.checked) return;
  last[field.dataset.field] = field.value === "" && field.dataset.field !== "note" ? null : field.value;
  await save();
}

async function undo() {
  const removed = doc.data.interactions.pop();
  if (!removed) return;
  await save();
  renderTally();
  renderLast();
  $("[data-frame-announce]").textContent = `Removed the last interaction (${config.categories[removed.category]}).`;
}

function tick() {
  const started = new Date(doc.data.started_at).getTime();
  const frameMs = doc.data.frame_minutes * 60000;
  const elapsed = Math.max(0, Date.now() - started);
  const frame = Math.floor(elapsed / frameMs) + 1;
  const frames = Math.ceil(doc.data.planned_minutes / doc.data.frame_minutes);
  const left = Math.ceil((frame * frameMs - elapsed) / 1000);
  const label = frame > frames ? `Frame ${frame} (past the planned ${frames})` : `Frame ${frame} of ${frames}`;
  const frameNode = $("[data-frame]");
  if (frameNode.textContent !== label) {
    if (frameNode.dataset.started) $("[data-frame-announce]").textContent = `${label} started.`;
    frameNode.dataset.started = "1";
    frameNode.textContent = label;
  }
  $("[data-left]").textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")} left`;
}

async function keepAwake() {
  try {
    if ("wakeLock" in navigator && document.visibilityState === "visible" && !wakeLock) {
      wakeLock = await navigator.wakeLock.request("screen");
      wakeLock.addEventListener("release", () => { wakeLock = null; });
    }
  } catch (error) {
    // Not allowed (battery saver, old browser): the screen may sleep; nothing is lost.
  }
}

function releaseWakeLock() {
  wakeLock?.release();
  wakeLock = null;
}

function showRecording() {
  renderPairBanner();
  renderPicker();
  renderStaffOptions();
  renderTally();
  renderLast();
  $("[data-notes]").value = doc.data.notes;
  clearInterval(timer);
  tick();
  timer = setInterval(tick, 1000);
  show("recording");
}

// ---- Summary --------------------------------------------------------------------------

function metricRow(label, value) {
  return el("tr", {}, el("th", { scope: "row", text: label }), el("td", { text: value }));
}

function interval(i) {
  return i ? `${percent(i.low)} to ${percent(i.high)}` : "—";
}

function renderSummary() {
  const s = summarise(doc.data);
  const c = s.counts;
  const observed = plural(s.peopleObserved, "person observed", "people observed");
  $("[data-summary-context]").textContent = `${doc.label.replace(/^QUIS · /, "")} · ${durationText(s.minutes)} · ${observed}`;
  const metrics = el("table", { class: "metrics" },
    el("caption", { text: `All interactions (n = ${c.total})` }),
    el("tbody", {},
      ...CATEGORIES.map((k) => metricRow(config.categories[k], `${c[k]} (${percent(c.total ? c[k] / c.total : null)})`)),
      metricRow("Positive", `${c.positive} (${percent(s.positive)}; 95% CI ${interval(s.positiveInterval)})`),
      metricRow("Neutral", `${c.N} (${percent(s.neutral)})`),
      metricRow("Negative", `${c.negative} (${percent(s.negative)}; 95% CI ${interval(s.negativeInterval)})`),
      metricRow("Positive : negative", s.ratio),
      metricRow("Social share of positives", percent(s.social)),
      metricRow("Interactions per person-hour", s.rate),
      metricRow("People with at least one negative", `${s.peopleWithNegative.length} of ${s.peopleObserved}${s.peopleWithNegative.length ? ` (${s.peopleWithNegative.join(", ")})` : ""}`),
    ));
  const timeline = el("table", { class: "timeline" },
    el("caption", { text: `Interactions per frame (${plural(doc.data.frame_minutes, "minute", "minutes")})` }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Frame" }), el("th", { scope: "col", text: "Starts" }),
      ...CATEGORIES.map((k) => el("th", { scope: "col", text: k, title: config.categories[k] })), el("th", { scope: "col", text: "Bar" }))),
    el("tbody", {}, ...s.frames.map((f) => {
      const bar = el("div", { class: "bar", "aria-hidden": "true" });
      for (const k of CATEGORIES) {
        if (!f.counts[k]) continue;
        const part = el("span", { class: `bar-${k.toLowerCase()}` });
        part.style.width = `${(f.counts[k] / Math.max(1, ...s.frames.map((x) => x.counts.total))) * 100}%`;
        bar.append(part);
      }
      return el("tr", {}, el("th", { scope: "row", text: String(f.number) }),
        el("td", { text: orgTime(f.startsAt) }),
        ...CATEGORIES.map((k) => el("td", { text: String(f.counts[k]) })), el("td", {}, bar));
    })));
  const people = el("table", { class: "per-person" },
    el("caption", { text: "Interactions per person" }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Person" }),
      ...CATEGORIES.map((k) => el("th", { scope: "col", text: k, title: config.categories[k] })), el("th", { scope: "col", text: "Total" }))),
    el("tbody", {}, ...s.perPerson.map((p) => el("tr", {}, el("th", { scope: "row", text: p.code }),
      ...CATEGORIES.map((k) => el("td", { text: String(p.counts[k]) })), el("td", { text: String(p.counts.total) })))));
  const wrap = (table, label) => el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": label }, table);
  $("[data-summary-body]").replaceChildren(wrap(metrics, "Metrics"), wrap(timeline, "Timeline"), wrap(people, "Per person"));
  for (const field of document.querySelectorAll("#summary-form [data-text]")) field.value = doc.data[field.dataset.text] || "";
  renderStaffFeedback();
}

function feedbackEntry(staffId) {
  doc.data.feedback = doc.data.feedback || [];
  let entry = doc.data.feedback.find((f) => f.staff_id === staffId);
  if (!entry) {
    entry = { staff_id: staffId, went_well: "", to_develop: "", release: false, auto: true };
    doc.data.feedback.push(entry);
  }
  return entry;
}

// A second observer gives no feedback to staff: it comes from the lead's record.
const isSecond = () => doc.data.pair?.role === "second";

const hasText = (entry) => Boolean(entry.went_well?.trim() || entry.to_develop?.trim());

// Whether the device may rewrite an entry: only its own drafts (`auto`). Entries saved by earlier
// versions carry no marker and may hold the observer's words: only an empty one is the device's.
function isAutomatic(entry) {
  if (entry.auto !== undefined) return entry.auto === true;
  return !entry.edited && !hasText(entry);
}

const staffInInteractions = () => new Set(doc.data.interactions.map((i) => i.staff_id).filter(Boolean));

// Feedback follows the interactions: an entry for someone no longer named in any interaction
// (undone, or given to someone else) is dropped, so it is neither sent nor blocks submitting;
// unless the observer wrote in it, and then it stays on screen for them to keep, untick or clear.
function pruneFeedback() {
  if (isSecond() && doc.data.status !== "submitted" && doc.data.feedback) {
    delete doc.data.feedback;
    return true;
  }
  if (doc.data.status === "submitted" || !doc.data.feedback) return false;
  const named = staffInInteractions();
  const kept = doc.data.feedback.filter((f) => named.has(f.staff_id) || (!isAutomatic(f) && hasText(f)));
  const changed = kept.length !== doc.data.feedback.length;
  doc.data.feedback = kept;
  return changed;
}

// The same draft as careobs.feedback.service.draft_from_quis: positive social moments first,
// negatives with their reasons and the coaching prompts that help most.
function draftFor(staffId) {
  const theirs = doc.data.interactions.filter((i) => i.staff_id === staffId);
  const social = theirs.filter((i) => i.category === "PS");
  const care = theirs.filter((i) => i.category === "PC").length;
  const negative = theirs.filter((i) => i.category === "NP" || i.category === "NR");
  const wentWell = [
    social.length ? `${plural(social.length, "positive social interaction", "positive social interactions")} seen, where you treated people as individuals beyond the task.` : "",
    ...social.filter((i) => i.note).map((i) => `- ${orgTime(i.at)}: ${i.note}`),
    care ? `${plural(care, "kind, respectful care interaction", "kind, respectful care interactions")}.` : "",
  ];
  const toDevelop = negative.map((i) => `- ${orgTime(i.at)} ${config.categories[i.category]}`
    + (i.negative_reason ? `: ${config.reasons[i.negative_reason]}` : "")
    + (i.note ? ` (${i.note})` : ""));
  if (negative.length) toDevelop.push(`Things that help: ${config.coaching.join("; ")}.`);
  return { went_well: wentWell.filter(Boolean).join("\n"), to_develop: toDevelop.join("\n") };
}

// Untouched entries follow the interactions; once the observer types, the words are theirs.
function refreshDrafts(staffIds) {
  if (doc.data.status === "submitted") return;
  let changed = pruneFeedback();
  for (const staffId of staffIds) {
    const entry = feedbackEntry(staffId);
    if (!isAutomatic(entry)) continue;
    const draft = draftFor(staffId);
    if (entry.auto !== true || entry.went_well !== draft.went_well || entry.to_develop !== draft.to_develop) {
      Object.assign(entry, draft, { auto: true });
      changed = true;
    }
  }
  if (changed) save();
}

function renderStaffFeedback() {
  $("[data-second-no-feedback]").hidden = !isSecond();
  if (isSecond()) {
    // Feedback comes from the lead's record; the server refuses a second's.
    $("[data-staff-feedback]").hidden = true;
    if (doc.data.feedback && doc.data.status !== "submitted") {
      delete doc.data.feedback;
      save();
    }
    return;
  }
  const named = staffInInteractions();
  const roster = service(doc.data.service_id)?.staff || [];
  const locked = doc.data.status === "submitted";
  refreshDrafts([...named]);
  // Those named in the interactions, then anyone the observer wrote to who is no longer named.
  const staffIds = [...new Set([...named, ...(doc.data.feedback || []).map((f) => f.staff_id)])];
  $("[data-staff-feedback]").hidden = staffIds.length === 0;
  $("[data-staff-feedback-list]").replaceChildren(...staffIds.map((staffId) => {
    const name = roster.find((s) => s.id === staffId)?.name || "Member of staff";
    const entry = (doc.data.feedback || []).find((f) => f.staff_id === staffId) || {};
    const field = (key, label) => {
      const id = `fb-${key}-${staffId}`;
      const area = el("textarea", { id, rows: "3", disabled: locked, "aria-describedby": `${id}-warning` });
      const warning = el("p", { class: "privacy-warning", id: `${id}-warning`, "aria-live": "polite" });
      area.value = entry[key] || "";
      area.addEventListener("input", () => {
        Object.assign(feedbackEntry(staffId), { [key]: area.value, auto: false });
        save();
      });
      watchField(area, warning);
      return el("div", { class: "field" }, el("label", { for: id, text: label }), area, warning);
    };
    const sendId = `fb-send-${staffId}`;
    const send = el("input", { type: "checkbox", id: sendId, disabled: locked });
    send.checked = Boolean(entry.release);
    send.addEventListener("change", () => { feedbackEntry(staffId).release = send.checked; save(); });
    const gone = named.has(staffId) ? "" : el("p", { class: "hint",
      text: `No interaction by ${name} is recorded now. Keep what you wrote, or untick "send" or clear it if it no longer applies.` });
    return el("fieldset", {}, el("legend", { text: name }), gone,
      field("went_well", `What went well for ${name}`),
      field("to_develop", `Areas for development for ${name}`),
      el("div", { class: "checkbox" }, send, el("label", { for: sendId, text: `Send to ${name} when the session is submitted` })));
  }));
}

function showSummary() {
  clearInterval(timer);
  renderSummary();
  renderSubmitted();
  show("summary");
}

async function submit(event) {
  event.preventDefault();
  pruneFeedback();
  const empty = (doc.data.feedback || []).filter((f) => f.release && !hasText(f));
  const message = $("[data-feedback-error]");
  message.hidden = empty.length === 0;
  if (empty.length) {
    const roster = service(doc.data.service_id)?.staff || [];
    const names = empty.map((f) => roster.find((s) => s.id === f.staff_id)?.name || "a member of staff");
    message.textContent = `The feedback to ${names.join(", ")} is empty: write it or untick "send".`;
    message.focus();
    return;
  }
  await submitAndSync();
}

// ---- The record's lifecycle (capture.js) ------------------------------------------------

// A session still being observed opens on the recording screen; an ended one on its summary.
function open() {
  doc.ui = doc.ui || { selected: [] };
  announceIfNeeded();
  if (doc.data.status === "draft" && !doc.data.ended_at) showRecording();
  else showSummary();
}

function wire() {
  $("#setup-form").addEventListener("submit", startSession);
  for (const radio of document.querySelectorAll('input[name="pair_role"]')) radio.addEventListener("change", showPairChoice);
  $("#pair-code").addEventListener("input", () => {
    const code = normalCode($("#pair-code").value);
    for (const radio of document.querySelectorAll('input[name="open_pair"]')) radio.checked = radio.value === code;
  });
  window.addEventListener("online", () => {
    fillOpenPairs();
    if (doc?.ui) announceIfNeeded();
  });
  for (const button of document.querySelectorAll("[data-category]")) {
    button.addEventListener("click", () => recordInteraction(button.dataset.category));
  }
  $("[data-last]").addEventListener("change", updateLast);
  $("#detail-note").addEventListener("input", updateLast);
  $("[data-undo]").addEventListener("click", undo);
  let notesTimer;
  $("[data-notes]").addEventListener("input", (event) => {
    doc.data.notes = event.target.value;
    clearTimeout(notesTimer);
    notesTimer = setTimeout(save, 300);
  });
  $("[data-notes]").addEventListener("blur", () => save());
  watchField($("[data-notes]"), $("[data-notes-warning]"));
  for (const field of document.querySelectorAll("#summary-form [data-text]")) {
    field.addEventListener("input", () => { doc.data[field.dataset.text] = field.value; save(); });
    watchField(field, document.getElementById(field.getAttribute("aria-describedby")));
  }
  $("[data-end]").addEventListener("click", async () => {
    doc.data.ended_at = new Date().toISOString();
    await save();
    showSummary();
  });
  $("[data-resume]").addEventListener("click", async () => {
    doc.data.ended_at = null;
    await save();
    showRecording();
  });
  $("#summary-form").addEventListener("submit", submit);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && $("#recorder").dataset.state === "recording") keepAwake();
  });
}

runCapture({
  kind: "quis_session",
  root: "#recorder",
  problem: "#recorder-problem",
  drafts: "#device-drafts",
  submitControl: "#summary-form",
  sections: { setup: "setup", recording: "recording", summary: "summary" },
  words: {
    noun: "observation",
    login: "Please log in to record observations.",
    nothingToCapture: "You are not a supervisor or manager of any service, so there is nothing to observe.",
    openOnline: "Open this page once while online so the recorder can load your services.",
    openSent: "Open the sent session",
    waiting: "Submitted. It is saved on this device and will be sent when there is a connection.",
  },
  draftText,
  wire,
  fillSetup,
  open,
  show,
  followsSync: () => $("#recorder").dataset.state === "summary",
});
