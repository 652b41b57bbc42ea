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

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("careobs-shell-") && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function isCapturePage(url) {
  return CAPTURE_PAGES.includes(url.pathname);
}

async function networkFirstPage(request) {
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected && isCapturePage(url) && !url.search) {
      const cache = await caches.open(PAGES_CACHE);
      await cache.put(url.pathname, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await caches.match(url.pathname, { ignoreSearch: true });
    return cached || (await caches.match("/offline")) || Response.error();
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
  if (request.mode === "navigate") {
    event.respondWith(networkFirstPage(request));
  } else if (url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(cacheFirst(request));
  }
  // Everything else (the API above all) goes straight to the network.
});

async function warmCapturePages() {
  const cache = await caches.open(PAGES_CACHE);
  for (const page of CAPTURE_PAGES) {
    try {
      const response = await fetch(page, { credentials: "same-origin", cache: "no-store" });
      if (response.ok && !response.redirected) await cache.put(page, response);
    } catch (error) {
      // Offline: the page stays as it was cached last time.
    }
  }
}

self.addEventListener("message", (event) => {
  const type = event.data && event.data.type;
  if (type === "warm") event.waitUntil(warmCapturePages());
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
    const userId = await self.careobsOutbox.currentUser();
    if (userId) await self.careobsOutbox.flush(userId);
  })());
});
