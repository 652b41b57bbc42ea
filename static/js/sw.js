/* careobs service worker: app shell cache, offline pages and background sync of the outbox.
   Served at /sw.js (root scope) with the cache version and file lists filled in by the server. */
"use strict";

// Imported at start-up: browsers refuse importScripts() after the worker has been installed.
importScripts("/static/vendor/idb/umd.js", "/static/js/outbox-core.js");

const CACHE_VERSION = "__CACHE_VERSION__";
const SHELL = "__SHELL__";
const CAPTURE_PAGES = "__CAPTURE_PAGES__";
const SHELL_CACHE = `careobs-shell-${CACHE_VERSION}`;
const PAGES_CACHE = "careobs-pages";  // capture pages, kept across versions, cleared on logout
const SYNC_TAG = "careobs-outbox";

// A content-hashed static file (js/app.3f9c1a2b7d4e.js) never changes under its name.
const HASHED = /\.[0-9a-f]{12}\.\w+$/;

// The shell is the same for everyone, so it is fetched without cookies: a response to a request
// sent with the login page's session could otherwise overwrite the session cookie of a login
// that finished meanwhile, logging the user straight out again. A hashed file the previous
// version already holds is copied from its cache, not downloaded again: a new version costs only
// the files that changed.
self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    await Promise.all(SHELL.map(async (url) => {
      const kept = HASHED.test(url) ? await caches.match(url) : undefined;
      const response = kept
        || await fetch(new Request(url, { cache: "reload", credentials: "omit" }));
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      await cache.put(url, response);
    }));
    await self.skipWaiting();
  })());
});

// The capture pages kept for offline use name the previous version's files: the previous shell
// stays until they have been fetched again for this version. The page that saw this worker take
// over asks for that at once (app.js, on controllerchange), with the id of the user logged in
// there; until then, a phone that goes offline still opens a working recorder.
self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    if (!(await warmedFor()).key) await dropOldShells();  // nothing kept for offline use
    await self.clients.claim();
  })());
});

/* The shells of earlier versions, once nothing kept for offline use names their files: the
   capture pages have been fetched for this version, and the dashboards viewed under an earlier
   one (which name its files too) are forgotten; the next online view keeps them again. */
async function dropOldShells() {
  const old = (await caches.keys()).filter((name) => name.startsWith("careobs-shell-") && name !== SHELL_CACHE);
  if (!old.length) return;
  const pages = await caches.open(PAGES_CACHE);
  for (const request of await pages.keys()) {
    if (isDashboard(new URL(request.url))) await pages.delete(request);
  }
  for (const name of old) await caches.delete(name);
}

function isCapturePage(url) {
  return CAPTURE_PAGES.includes(url.pathname);
}

// Dashboards and their data: the last one viewed (whatever its filters) stays readable offline.
function isDashboard(url) {
  return (url.pathname.startsWith("/dashboards/") || url.pathname.startsWith("/api/v1/dashboards/"))
    && !url.pathname.endsWith(".csv");
}

function keepsOffline(url) {
  return (isCapturePage(url) && !url.search) || isDashboard(url);
}

async function networkFirstPage(request) {
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected && keepsOffline(url)) {
      const cache = await caches.open(PAGES_CACHE);
      await cache.put(url.pathname, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await caches.match(url.pathname, { ignoreSearch: true });
    if (cached || request.mode !== "navigate") return cached || Response.error();
    return (await caches.match("/offline")) || Response.error();
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  if (cached) return cached;
  return fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" || isDashboard(url)) {
    event.respondWith(networkFirstPage(request));
  } else if (url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(cacheFirst(request));
  }
  // Everything else (the API above all) goes straight to the network.
});

// Which app version and user the capture pages in PAGES_CACHE were last fetched for, and which
// of them that user may not have: {key: "<version> <user id>", absent: [paths]}.
const WARMED_FOR = "/__careobs-warmed-for";

async function warmedFor() {
  const marker = await (await caches.open(PAGES_CACHE)).match(WARMED_FOR);
  return (marker && (await marker.json().catch(() => null))) || { key: "", absent: [] };
}

/* Keep the capture pages ready for offline use. They are fetched again only when this worker
   (the app version) or the logged-in user is new to them, or one is missing; otherwise an
   ordinary page view costs nothing. A page opened online is revalidated anyway (its ETag makes
   that a 304), and networkFirstPage keeps the copy it gets. */
async function warmCapturePages(userId) {
  const fetched = [];
  if (!userId) return fetched;
  const key = `${CACHE_VERSION} ${userId}`;
  const cache = await caches.open(PAGES_CACHE);
  const warmed = await warmedFor();
  const current = warmed.key === key;
  // Pages kept for another user must never open for this one offline, whether or not this user
  // may have them: they go before anything is fetched. (Every logout forgets them too.)
  if (warmed.key && warmed.key.split(" ")[1] !== userId) {
    for (const page of CAPTURE_PAGES) await cache.delete(page);
  }
  const absent = [];
  let complete = true;
  for (const page of CAPTURE_PAGES) {
    if (current && (warmed.absent.includes(page) || (await cache.match(page)))) continue;
    fetched.push(page);
    try {
      // "no-cache": revalidated with the browser's copy (ETag), never taken unchecked from it.
      const response = await fetch(page, { credentials: "same-origin", cache: "no-cache" });
      if (response.ok && !response.redirected) {
        await cache.put(page, response);
      } else if (response.status >= 400 && response.status < 500) {
        await cache.delete(page);  // not this user's page (a care worker's 403): settled
        absent.push(page);
      } else {
        complete = false;  // logged out meanwhile (sent to log in) or a server error: try again
      }
    } catch (error) {
      complete = false;  // offline: the page stays as it was cached last time
    }
  }
  if (complete && (!current || absent.length)) {
    const settled = current ? [...warmed.absent, ...absent] : absent;
    await cache.put(WARMED_FOR, new Response(JSON.stringify({ key, absent: settled })));
  }
  if (complete) await dropOldShells();
  return fetched;
}

self.addEventListener("message", (event) => {
  const type = event.data && event.data.type;
  if (type === "warm") {
    // A sender that passes a port hears which pages were fetched (the browser tests do).
    event.waitUntil(warmCapturePages(event.data.user)
      .then((fetched) => event.ports[0]?.postMessage({ fetched })));
  }
  if (type === "forget-pages") event.waitUntil(caches.delete(PAGES_CACHE));
});

// Background Sync (Chromium): send the outbox even when no careobs page is open.
self.addEventListener("sync", (event) => {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window" });
    if (windows.length) {
      for (const client of windows) client.postMessage({ type: "flush" });
      return;
    }
    // The event means "online again": send now, as the page does on `online`, even what is
    // still in back-off from the failure that asked for this sync (it would wait otherwise
    // until a careobs page is opened again).
    const userId = await self.careobsOutbox.currentUser();
    if (userId) await self.careobsOutbox.flush(userId, { force: true });
  })());
});

// ---- Web Push: the payload is {title, url, tag}, never personal data ----
self.addEventListener("push", (event) => {
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch (error) {
    payload = {};
  }
  const title = payload.title || "careobs";
  event.waitUntil(self.registration.showNotification(title, {
    body: "Open careobs to read it.",
    icon: "/static/img/icon-192.png",
    badge: "/static/img/icon-192.png",
    tag: payload.tag || "careobs",
    data: { url: payload.url || "/notifications/" },
  }));
});

// A push leads to /notifications/<uuid>, which marks the notice read and redirects to the
// record, so no open window ever shows that URL: a tap always opens a new window. Focusing a
// window already at the record would leave the notice unread; navigating an open one could take
// a QUIS recorder or visit form away mid-session (and fails on a window this worker does not
// control).
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || "/", self.location.origin);
  if (target.origin !== self.location.origin) return;
  event.waitUntil(self.clients.openWindow(target.href));
});

function pushKeyBytes(key) {
  const padded = (key + "=".repeat((4 - (key.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function pushApi(method, body) {
  const token = await fetch("/api/v1/csrf", { credentials: "same-origin", cache: "no-store" });
  if (!token.ok) return null;
  return fetch("/api/v1/push/subscriptions", {
    method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": (await token.json()).csrf_token },
    body: JSON.stringify(body),
  });
}

// The browser replaced (or dropped) the subscription: store the new one, made again with the
// server's key when the browser did not make it, and forget the old endpoint. The page checks
// again on the next app start, for browsers that never fire this event.
async function onSubscriptionChange(event) {
  let subscription = event.newSubscription;
  if (!subscription) {
    const keyResponse = await fetch("/api/v1/push/key", { credentials: "same-origin" });
    if (!keyResponse.ok) return;
    const { public_key: key } = await keyResponse.json();
    subscription = await self.registration.pushManager.subscribe({
      userVisibleOnly: true, applicationServerKey: pushKeyBytes(key),
    });
  }
  await pushApi("POST", subscription.toJSON());
  const old = event.oldSubscription;
  if (old && old.endpoint && old.endpoint !== subscription.endpoint) {
    await pushApi("DELETE", { endpoint: old.endpoint });
  }
}

self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(onSubscriptionChange(event));
});
