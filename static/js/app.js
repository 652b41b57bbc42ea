import { forgetPushSubscription, reregisterOnStart } from "./push.js";

// Shared by every page: the outbox status in the header, when to sync, the service worker,
// the logout guard and the install hint. Pages work without it; capture screens need it.

const outbox = self.careobsOutbox;
const userId = document.querySelector('meta[name="careobs-user"]')?.content || null;
const SYNC_TAG = "careobs-outbox";
const TIMER_MS = 60 * 1000;

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

async function renderStatus() {
  const region = document.getElementById("sync-status");
  if (!region || !userId || !outbox) return;
  const counts = await outbox.counts(userId);
  const text = region.querySelector("[data-sync-text]");
  const button = region.querySelector("[data-sync-now]");
  const login = region.querySelector("[data-sync-login]");
  const waiting = counts.waiting;
  let message;
  if (counts.loginNeeded && waiting) message = `${plural(waiting, "record", "records")} waiting: log in again to send`;
  else if (waiting) message = `${plural(waiting, "record", "records")} waiting to send`;
  else if (counts.attention) message = `${plural(counts.attention, "record needs", "records need")} attention`;
  else if (counts.draft) message = `${plural(counts.draft, "draft", "drafts")} on this device`;
  else message = "All records sent";
  if (waiting && counts.attention) message += `; ${counts.attention} need attention`;
  text.textContent = message;
  region.dataset.state = counts.loginNeeded && waiting ? "login" : waiting ? "waiting" : counts.attention ? "attention" : "ok";
  button.hidden = waiting === 0;
  login.hidden = !(counts.loginNeeded && waiting);
  region.setAttribute("role", "status");  // after the first text: later changes are announced
}

export async function syncNow({ force = false } = {}) {
  if (!userId || !outbox) return { sent: 0 };
  const result = await outbox.flush(userId, { force });
  await renderStatus();
  // Only a failed send asks for a Background Sync: Chromium fires it as soon as it is online,
  // and asking again after every flush that had nothing due made it fire in a busy loop.
  if (result?.failed) await requestBackgroundSync();
  document.dispatchEvent(new CustomEvent("careobs:synced", { detail: result }));
  return result;
}

async function requestBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.ready;
    if (registration && "sync" in registration) await registration.sync.register(SYNC_TAG);
  } catch (error) {
    // Background Sync is a bonus (Chromium only); the page triggers cover every browser.
  }
}

function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  const warm = (worker) => { if (userId && worker) worker.postMessage({ type: "warm", user: userId }); };
  navigator.serviceWorker.register("/sw.js", { scope: "/", updateViaCache: "none" })
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => warm(registration.active))
    .catch(() => {});
  // A new version took over from the one that served this page: it fetches the capture pages
  // for this user under its own files before it lets the previous version's files go. (A first
  // worker taking over an uncontrolled page was warmed above.)
  const controlledAtLoad = navigator.serviceWorker.controller !== null;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (controlledAtLoad) warm(navigator.serviceWorker.controller);
  });
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data?.type === "flush") syncNow();
  });
}

function guardLogout() {
  const form = document.querySelector("form.logout");
  const dialog = document.getElementById("logout-dialog");
  if (!form || !dialog || !userId || !outbox) return;
  let confirmed = false;
  form.addEventListener("submit", async (event) => {
    if (confirmed) return;
    event.preventDefault();
    const counts = await outbox.counts(userId);
    if (counts.unsynced === 0) {
      await forgetDevice();
      await forgetPushSubscription(form);
      confirmed = true;
      form.requestSubmit();
      return;
    }
    dialog.querySelector("[data-unsynced]").textContent = plural(counts.unsynced, "record", "records");
    dialog.showModal();
  });
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue === "sync") {
      await syncNow({ force: true });
      form.requestSubmit();
    } else if (dialog.returnValue === "logout") {
      // The records stay on the device, but its pushes and its pages (which would open this
      // user's outbox offline) must not reach the next person.
      await forgetPages();
      await forgetPushSubscription(form);
      confirmed = true;
      form.requestSubmit();
    }
  });
}

async function forgetPages() {
  const registration = await navigator.serviceWorker?.getRegistration();
  registration?.active?.postMessage({ type: "forget-pages" });
}

async function forgetDevice() {
  // Everything is synced: remove this user's offline copies from the device.
  await outbox.forgetUser(userId);
  await forgetPages();
}

function offerInstall() {
  const button = document.getElementById("install-app");
  if (!button) return;
  let prompt;
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault();
    prompt = event;
    button.hidden = false;
  });
  button.addEventListener("click", async () => {
    if (!prompt) return;
    button.hidden = true;
    prompt.prompt();
    await prompt.userChoice;
    prompt = null;
  });
  window.addEventListener("appinstalled", () => { button.hidden = true; });
}

function enableCopyButtons() {
  for (const button of document.querySelectorAll("[data-copy-target]")) {
    const source = document.getElementById(button.dataset.copyTarget);
    const status = button.parentElement.querySelector("[data-copy-status]");
    if (!source || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(source.value);
        if (status) status.textContent = "Copied. Paste it into an email or message.";
      } catch {
        source.select();
        if (status) status.textContent = "Select the link and copy it.";
      }
    });
  }
}

function start() {
  enableCopyButtons();
  offerInstall();
  registerServiceWorker();
  if (!userId || !outbox) return;
  outbox.setCurrentUser(userId);
  navigator.storage?.persist?.().catch(() => {});
  document.querySelector("[data-sync-now]")?.addEventListener("click", () => syncNow({ force: true }));
  outbox.onChange(() => renderStatus());
  guardLogout();
  window.addEventListener("online", () => syncNow({ force: true }));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") syncNow();
  });
  setInterval(() => syncNow(), TIMER_MS);
  renderStatus().then(() => syncNow({ force: true }));
  reregisterOnStart(userId).catch(() => {});
}

start();
