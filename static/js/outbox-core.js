/* The device outbox: every captured document lives in IndexedDB until the server confirms it.
   A classic script shared by pages and the service worker (which cannot load ES modules
   everywhere); it defines self.careobsOutbox. Needs /static/vendor/idb/umd.js (self.idb).

   Document record: {id, kind, revision, data, state, message, label, attempts, nextAttemptAt,
   waitReason, refused: {revision, count, status}, createdAt, updatedAt}. States: draft →
   waiting → sending → (removed once synced), or attention (with the server's reason). A waiting
   document that was tried says why it waits in waitReason: "offline" (no network), "busy" (the
   server answered 429 or 503), "unreachable" (online, but no answer), "failing" (the server
   failed on it) or "login" (the login has expired). Nothing is removed before the server has answered created, updated or
   unchanged for the revision that is stored. */
(function (root) {
  "use strict";

  const DEVICE_DB = "careobs-device";
  const BATCH = 20;
  const HISTORY_KEEP = 30;
  const BASE_DELAY_MS = 15 * 1000;
  const MAX_DELAY_MS = 15 * 60 * 1000;
  const MAX_PAUSE_MS = 60 * 60 * 1000;  // the longest Retry-After obeyed
  const MESSAGE_MAX = 300;  // characters of the server's message kept with a document
  // A document the server keeps refusing when sent alone (server errors, "send it again")
  // needs attention after this many refusals of the same revision in a row.
  const REFUSALS_BEFORE_ATTENTION = 5;
  // This many documents in a row failing alone: the server is failing, so the flush stops.
  const SERVER_DOWN_AFTER = 3;
  const channel = "BroadcastChannel" in root ? new BroadcastChannel("careobs-outbox") : null;

  function userDbName(userId) {
    return `careobs-user-${userId}`;
  }

  function openUserDb(userId) {
    return root.idb.openDB(userDbName(userId), 1, {
      upgrade(db) {
        const docs = db.createObjectStore("documents", { keyPath: "id" });
        docs.createIndex("state", "state");
        db.createObjectStore("history", { keyPath: "id" }).createIndex("syncedAt", "syncedAt");
        db.createObjectStore("meta");
      },
    });
  }

  function openDeviceDb() {
    return root.idb.openDB(DEVICE_DB, 1, {
      upgrade(db) {
        db.createObjectStore("meta");
      },
    });
  }

  const listeners = [];

  /* saveDocument refused to write over a record changed since the writer read it; `stored`
     is the record as it is now (undefined if it is no longer on the device). */
  class Conflict extends Error {
    constructor(stored) {
      super("This record was changed elsewhere since it was read.");
      this.name = "OutboxConflict";
      this.conflict = true;
      this.stored = stored;
    }
  }

  /* Whether writing `doc` would lose what is stored: a later revision, a record no longer a
     draft, or any change since the writer's copy was read (its updatedAt). */
  function overwrites(stored, doc) {
    if (!stored) return Boolean(doc.updatedAt);  // gone (sent or discarded) since it was read
    if ((stored.revision || 0) > (doc.revision || 0)) return true;
    if (stored.state !== "draft" && doc.state === "draft") return true;
    return stored.updatedAt !== doc.updatedAt;
  }

  /* Tell this page (listeners) and other tabs and the worker (channel) that data changed. */
  function announce(userId) {
    const message = { type: "changed", userId };
    for (const listener of listeners) listener(message);
    if (channel) channel.postMessage(message);
  }

  async function withDb(userId, work) {
    const db = await openUserDb(userId);
    try {
      return await work(db);
    } finally {
      db.close();
    }
  }

  const outbox = {
    announce,

    onChange(callback) {
      listeners.push(callback);
      if (channel) channel.addEventListener("message", (event) => callback(event.data));
    },

    async setCurrentUser(userId) {
      const db = await openDeviceDb();
      await db.put("meta", userId, "currentUser");
      db.close();
    },

    async currentUser() {
      const db = await openDeviceDb();
      const userId = await db.get("meta", "currentUser");
      db.close();
      return userId;
    },

    async getMeta(userId, key) {
      return withDb(userId, (db) => db.get("meta", key));
    },

    async setMeta(userId, key, value) {
      return withDb(userId, (db) => db.put("meta", value, key));
    },

    async getDocument(userId, id) {
      return withDb(userId, (db) => db.get("documents", id));
    },

    async listDocuments(userId) {
      return withDb(userId, (db) => db.getAll("documents"));
    },

    /* Save a document at once (every tap): the caller's copy is what is stored, unless the
       stored record changed since the caller read it (another tab or window wrote it, or it
       was submitted meanwhile). Then nothing is written and a Conflict is thrown carrying the
       stored record (undefined if it is gone). The caller's copy is the record this returned
       last (or getDocument read), so it carries the stored updatedAt; a new record has none.
       A record that is no longer a draft is never made one again, nor given back a lower
       revision. The outbox's own updates (sending, back-off, attention) keep updatedAt, so a
       page's copy of a draft stays current through them. */
    async saveDocument(userId, doc) {
      const record = await withDb(userId, async (db) => {
        const tx = db.transaction("documents", "readwrite");
        const stored = await tx.store.get(doc.id);
        if (overwrites(stored, doc)) {
          await tx.done;
          throw new Conflict(stored);
        }
        // Strictly later than the copy it replaces, even within the same millisecond.
        const at = Math.max(Date.now(), stored ? Date.parse(stored.updatedAt) + 1 || 0 : 0);
        const now = new Date(at).toISOString();
        const next = { attempts: 0, nextAttemptAt: 0, createdAt: now, ...doc, updatedAt: now };
        await tx.store.put(next);
        await tx.done;
        return next;
      });
      announce(userId);
      return record;
    },

    Conflict,

    async deleteDocument(userId, id) {
      await withDb(userId, (db) => db.delete("documents", id));
      announce(userId);
    },

    async history(userId) {
      const items = await withDb(userId, (db) => db.getAll("history"));
      return items.sort((a, b) => (a.syncedAt < b.syncedAt ? 1 : -1));
    },

    async counts(userId) {
      const docs = await outbox.listDocuments(userId);
      const counts = { draft: 0, waiting: 0, attention: 0, unsynced: docs.length };
      for (const doc of docs) {
        if (doc.state === "draft") counts.draft += 1;
        else if (doc.state === "attention") counts.attention += 1;
        else counts.waiting += 1;
      }
      counts.loginNeeded = Boolean(await outbox.getMeta(userId, "loginNeeded"));
      return counts;
    },

    /* Remove the user's database. No announce(): listeners would read it and so create it
       again, empty, straight away. */
    async forgetUser(userId) {
      await root.idb.deleteDB(userDbName(userId));
    },

    /* Send what is waiting. Only one flush runs at a time per user, across tabs and the
       service worker (Web Locks where available). A timer's flush is dropped while another
       runs; a forced one ("online" again, "Sync now") waits for it and then runs, because the
       one running may have started before the network came back and be putting documents off. */
    async flush(userId, options = {}) {
      const run = () => flushBatches(userId, options);
      if (root.navigator && root.navigator.locks) {
        return root.navigator.locks.request(`careobs-flush-${userId}`,
          options.force ? {} : { ifAvailable: true }, (lock) => (lock ? run() : { busy: true }));
      }
      return run();
    },
  };

  async function due(userId, force) {
    const now = Date.now();
    const docs = await outbox.listDocuments(userId);
    return docs.filter((doc) => (doc.state === "waiting" || doc.state === "sending")
      && (force || !doc.nextAttemptAt || doc.nextAttemptAt <= now));
  }

  /* Whether this revision of the document has failed when sent alone. */
  function suspect(doc) {
    return Boolean(doc.refused && doc.refused.revision === doc.revision);
  }

  /* How often in a row the server has refused this revision sent alone, counting only the
     times it was taking other documents. */
  function refusals(doc) {
    return suspect(doc) ? doc.refused.count : 0;
  }

  /* The next documents to send: up to BATCH that never failed alone, and only once those are
     all sent, one that did, alone, so that it cannot fail a batch of good ones. */
  async function nextBatch(userId, force, tried) {
    const docs = (await due(userId, force)).filter((d) => !tried.has(d.id));
    const clean = docs.filter((d) => !suspect(d));
    return clean.length ? clean.slice(0, BATCH) : docs.slice(0, 1);
  }

  async function setStates(userId, docs, changes) {
    await withDb(userId, async (db) => {
      const tx = db.transaction("documents", "readwrite");
      for (const doc of docs) {
        const stored = await tx.store.get(doc.id);
        if (stored && stored.revision === doc.revision) await tx.store.put({ ...stored, ...changes(stored) });
      }
      await tx.done;
    });
    announce(userId);
  }

  function backoff(doc, waitReason = "failing") {
    const attempts = (doc.attempts || 0) + 1;
    const delay = Math.min(BASE_DELAY_MS * 2 ** (attempts - 1), MAX_DELAY_MS);
    return { state: "waiting", attempts, nextAttemptAt: Date.now() + delay, waitReason };
  }

  /* Why a request that got no answer got none: the device is offline, or the server is not
     reachable from a device that is online. */
  function unansweredReason() {
    return root.navigator && root.navigator.onLine === false ? "offline" : "unreachable";
  }

  /* The server said "later" (429 or 503): every document waits, those just sent with their own
     back-off too, at least as long as its Retry-After asks. */
  async function pauseQueue(userId, sent, delayMs) {
    const revisions = new Map(sent.map((d) => [d.id, d.revision]));
    const until = Date.now() + (delayMs ?? BASE_DELAY_MS);
    await withDb(userId, async (db) => {
      const tx = db.transaction("documents", "readwrite");
      for (const stored of await tx.store.getAll()) {
        if (stored.state !== "waiting" && stored.state !== "sending") continue;
        const next = revisions.get(stored.id) === stored.revision
          ? backoff(stored) : { state: "waiting", nextAttemptAt: stored.nextAttemptAt || 0 };
        await tx.store.put({ ...stored, ...next, waitReason: "busy",
          nextAttemptAt: Math.max(next.nextAttemptAt, until) });
      }
      await tx.done;
    });
    announce(userId);
  }

  async function fetchToken() {
    const response = await fetch("/api/v1/csrf", { credentials: "same-origin", cache: "no-store" });
    if (response.status === 401) return { loginNeeded: true };
    if (response.status === 429 || response.status === 503) return { later: retryAfterMs(response) };
    if (!response.ok) return { failed: `status ${response.status}` };
    return { token: (await response.json()).csrf_token };
  }

  async function post(batch, token) {
    return fetch("/api/v1/sync", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({
        documents: batch.map((d) => ({ kind: d.kind, id: d.id, revision: d.revision, data: d.data })),
      }),
    });
  }

  /* The {"error": {"code", "message"}} of a failed answer, as far as it has one. */
  async function errorOf(response) {
    const body = await response.json().catch(() => null);
    const error = body && typeof body.error === "object" && body.error ? body.error : {};
    return {
      code: typeof error.code === "string" ? error.code : "",
      message: typeof error.message === "string" ? error.message.slice(0, MESSAGE_MAX) : "",
    };
  }

  /* Retry-After in milliseconds (seconds or an HTTP date), at most MAX_PAUSE_MS; null if none. */
  function retryAfterMs(response) {
    const value = (response.headers.get("Retry-After") || "").trim();
    if (!value) return null;
    const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
    return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_PAUSE_MS) : null;
  }

  /* POST one batch and say what the answer means for it: "delivered" (with the results),
     "unreachable" (offline, or the server could not be asked properly: the batch waits),
     "login", "later" (the server asks everyone to wait) or "refused" (the batch failed, and one
     of its documents may be why), with the server's message. One CSRF token serves the whole
     flush; when the server says it expired, a new one is fetched and the batch sent once more. */
  async function send(batch, run) {
    let response;
    try {
      for (let tries = 1; ; tries += 1) {
        if (!run.token) {
          const token = await fetchToken();
          if (token.loginNeeded) return { kind: "login" };
          if ("later" in token) return { kind: "later", delayMs: token.later };
          if (!token.token) return { kind: "unreachable" };
          run.token = token.token;
        }
        response = await post(batch, run.token);
        if (tries > 1 || ![400, 403].includes(response.status)) break;
        if ((await errorOf(response.clone())).code !== "csrf_failed") break;
        run.token = null;
      }
      if (response.status === 401) return { kind: "login" };
      if (response.ok) {
        const body = await response.json().catch(() => null);
        if (body && Array.isArray(body.results)) return { kind: "delivered", results: body.results };
        return { kind: "refused", status: response.status, message: "The server's answer could not be read." };
      }
      const error = await errorOf(response);
      if (error.code === "csrf_failed") return { kind: "unreachable" };
      if (response.status === 429 || response.status === 503) {
        return { kind: "later", delayMs: retryAfterMs(response) };
      }
      return { kind: "refused", status: response.status, message: error.message };
    } catch (error) {
      return { kind: "unreachable" };  // network down: retried later
    }
  }

  function describeErrors(errors) {
    if (!errors) return "";
    return Object.entries(errors).map(([field, messages]) => `${field}: ${messages.join(" ")}`).join("; ");
  }

  /* What the device says about a record the server did not take. A refusal ("forbidden")
     comes with the server's own sentences, written for the person holding the phone: they
     are shown as they are. Other answers name the fields at fault after the general line. */
  function attentionMessage(result) {
    const general = ATTENTION[result.status] || "The server did not accept this record.";
    const sentences = Object.values(result.errors || {}).flat();
    if (result.status === "forbidden" && sentences.length) return sentences.join(" ");
    const detail = describeErrors(result.errors);
    return `${general}${detail ? ` (${detail})` : ""}`;
  }

  const ATTENTION = {
    stale: "A newer copy of this record is already on the server.",
    conflict: "The server already had a different copy; yours was kept for a manager to review.",
    invalid: "The server could not accept this record.",
    forbidden: "You are not allowed to record this for that service.",
  };

  async function applyResults(userId, batch, results) {
    const byId = new Map(results.map((r) => [r.id, r]));
    await withDb(userId, async (db) => {
      const tx = db.transaction(["documents", "history"], "readwrite");
      const docs = tx.objectStore("documents");
      const history = tx.objectStore("history");
      for (const sent of batch) {
        const result = byId.get(sent.id);
        const stored = await docs.get(sent.id);
        if (!stored || stored.revision !== sent.revision) continue;
        if (!result) {
          await docs.put({ ...stored, ...backoff(stored) });  // not answered: send it again later
        } else if (["created", "updated", "unchanged"].includes(result.status)) {
          await docs.delete(sent.id);
          await history.put({ id: sent.id, kind: sent.kind, label: sent.label || sent.kind,
            syncedAt: new Date().toISOString(), status: result.status });
        } else {
          await docs.put({ ...stored, state: "attention", status: result.status,
            message: attentionMessage(result) });
        }
      }
      const all = await history.index("syncedAt").getAllKeys();
      for (const key of all.slice(0, Math.max(0, all.length - HISTORY_KEEP))) await history.delete(key);
      await tx.done;
    });
    announce(userId);
  }

  /* A 4xx the document can never get past unchanged (too large, malformed, not allowed...),
     unlike an expired login (401), a "send it again" (409) or "too many requests" (429). */
  function unchangeable(status) {
    return status >= 400 && status < 500 && ![401, 408, 409, 425, 429].includes(status);
  }

  function refusalMessage(status, count, message) {
    const reason = message || "The server gave no reason.";
    if (unchangeable(status)) return `The server refused this record (error ${status}): ${reason}`;
    return `The server failed on this record ${count} times in a row (error ${status}): ${reason}`;
  }

  /* Back off each document the server refused on its own and send it last from now on. The
     refusal counts against it unless the server was failing everything (several refused and
     nothing delivered). One that can never succeed unchanged, or refused too often, needs
     attention: it stays on the device with the server's message and is not sent again until
     someone tries it again. */
  async function settleRefused(userId, run) {
    if (!run.refused.length) return;
    const counted = run.delivered > 0 || run.refused.length === 1;
    const byId = new Map(run.refused.map((r) => [r.doc.id, r]));
    await setStates(userId, run.refused.map((r) => r.doc), (stored) => {
      const { status, message } = byId.get(stored.id);
      const next = backoff(stored);
      const refused = { revision: stored.revision, count: refusals(stored) + (counted ? 1 : 0), status };
      if (!counted || (!unchangeable(status) && refused.count < REFUSALS_BEFORE_ATTENTION)) {
        return { ...next, refused };
      }
      return { ...next, refused, state: "attention", status: "refused",
        message: refusalMessage(status, refused.count, message) };
    });
  }

  /* Send every due document, BATCH at a time. A refused batch is split and its documents sent
     one by one, so a document the server cannot take (whether it answers that per document or
     fails the whole request) never holds back the others: they are delivered in the same flush
     and it alone backs off. No network, an expired login or a "later" from the server stops
     the flush, with what is left waiting. */
  async function flushBatches(userId, { force = false } = {}) {
    const summary = { sent: 0, failed: false, loginNeeded: false };
    const run = { token: null, delivered: 0, refused: [], failingAlone: 0 };
    const tried = new Set();  // each document goes once per flush in a batch, and once alone
    const alone = [];  // the documents of a refused batch, still to be sent one by one
    for (;;) {
      const batch = alone.length ? [alone.shift()] : await nextBatch(userId, force, tried);
      if (!batch.length) break;
      batch.forEach((d) => tried.add(d.id));
      await setStates(userId, batch, () => ({ state: "sending" }));
      const answer = await send(batch, run);
      if (answer.kind === "delivered") {
        await applyResults(userId, batch, answer.results);
        await outbox.setMeta(userId, "loginNeeded", false);
        await outbox.setMeta(userId, "lastSyncAt", new Date().toISOString());
        summary.sent += batch.length;
        run.delivered += 1;
        run.failingAlone = 0;
        continue;
      }
      if (answer.kind === "refused") {
        if (batch.length > 1) {
          alone.push(...batch);
          continue;
        }
        run.refused.push({ doc: batch[0], status: answer.status, message: answer.message });
        run.failingAlone += 1;
        if (run.failingAlone < SERVER_DOWN_AFTER) continue;
        // Document after document fails alone: the server is failing, not they. The ones that
        // failed are sent last next time, so that documents behind them get their turn.
        await setStates(userId, alone.splice(0), backoff);
        summary.failed = true;
        break;
      }
      const rest = [...batch, ...alone.splice(0)];
      if (answer.kind === "login") {
        summary.loginNeeded = true;
        await setStates(userId, rest, () => ({ state: "waiting", waitReason: "login" }));
        await outbox.setMeta(userId, "loginNeeded", true);
        announce(userId);
        break;
      }
      summary.failed = true;
      if (answer.kind === "later") await pauseQueue(userId, rest, answer.delayMs);
      else await setStates(userId, rest, (stored) => backoff(stored, unansweredReason()));
      break;
    }
    await settleRefused(userId, run);
    if (run.refused.length) summary.failed = true;
    return summary;
  }

  root.careobsOutbox = outbox;
})(self);
