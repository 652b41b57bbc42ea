/* The device outbox: every captured document lives in IndexedDB until the server confirms it.
   A classic script shared by pages and the service worker (which cannot load ES modules
   everywhere); it defines self.careobsOutbox. Needs /static/vendor/idb/umd.js (self.idb).

   Document record: {id, kind, revision, data, state, message, label, attempts, nextAttemptAt,
   createdAt, updatedAt}. States: draft → waiting → sending → (removed once synced), or
   attention (with the server's reason). Nothing is removed before the server has answered
   created, updated or unchanged for the revision that is stored. */
(function (root) {
  "use strict";

  const DEVICE_DB = "careobs-device";
  const BATCH = 20;
  const HISTORY_KEEP = 30;
  const BASE_DELAY_MS = 15 * 1000;
  const MAX_DELAY_MS = 15 * 60 * 1000;
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

    /* Save a document at once (every tap): the caller's copy is what is stored. */
    async saveDocument(userId, doc) {
      const now = new Date().toISOString();
      const record = { attempts: 0, nextAttemptAt: 0, createdAt: now, ...doc, updatedAt: now };
      await withDb(userId, (db) => db.put("documents", record));
      announce(userId);
      return record;
    },

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
       service worker (Web Locks where available). */
    async flush(userId, options = {}) {
      const run = () => flushBatches(userId, options);
      if (root.navigator && root.navigator.locks) {
        return root.navigator.locks.request(`careobs-flush-${userId}`, { ifAvailable: true },
          (lock) => (lock ? run() : { busy: true }));
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

  function backoff(doc) {
    const attempts = (doc.attempts || 0) + 1;
    const delay = Math.min(BASE_DELAY_MS * 2 ** (attempts - 1), MAX_DELAY_MS);
    return { state: "waiting", attempts, nextAttemptAt: Date.now() + delay };
  }

  async function fetchToken() {
    const response = await fetch("/api/v1/csrf", { credentials: "same-origin", cache: "no-store" });
    if (response.status === 401) return { loginNeeded: true };
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

  function describeErrors(errors) {
    if (!errors) return "";
    return Object.entries(errors).map(([field, messages]) => `${field}: ${messages.join(" ")}`).join("; ");
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
        if (!result || !stored || stored.revision !== sent.revision) continue;
        if (["created", "updated", "unchanged"].includes(result.status)) {
          await docs.delete(sent.id);
          await history.put({ id: sent.id, kind: sent.kind, label: sent.label || sent.kind,
            syncedAt: new Date().toISOString(), status: result.status });
        } else {
          const detail = describeErrors(result.errors);
          await docs.put({ ...stored, state: "attention", status: result.status,
            message: `${ATTENTION[result.status] || "The server did not accept this record."}${detail ? ` (${detail})` : ""}` });
        }
      }
      const all = await history.index("syncedAt").getAllKeys();
      for (const key of all.slice(0, Math.max(0, all.length - HISTORY_KEEP))) await history.delete(key);
      await tx.done;
    });
    announce(userId);
  }

  async function flushBatches(userId, { force = false } = {}) {
    const summary = { sent: 0, failed: false, loginNeeded: false };
    const tried = new Set();  // each document is sent at most once per flush
    for (;;) {
      const batch = (await due(userId, force)).filter((d) => !tried.has(d.id)).slice(0, BATCH);
      batch.forEach((d) => tried.add(d.id));
      if (!batch.length) break;
      await setStates(userId, batch, () => ({ state: "sending" }));
      let response;
      try {
        let token = await fetchToken();
        if (token.loginNeeded) {
          summary.loginNeeded = true;
        } else if (token.token) {
          response = await post(batch, token.token);
          if (response.status === 400) {
            const body = await response.clone().json().catch(() => ({}));
            if (body.error && body.error.code === "csrf_failed") {
              token = await fetchToken();
              if (token.token) response = await post(batch, token.token);
            }
          }
          if (response.status === 401) summary.loginNeeded = true;
        }
      } catch (error) {
        response = undefined;  // network down: retried later
      }
      if (summary.loginNeeded) {
        await setStates(userId, batch, () => ({ state: "waiting" }));
        await outbox.setMeta(userId, "loginNeeded", true);
        announce(userId);
        return summary;
      }
      if (!response || !response.ok) {
        await setStates(userId, batch, backoff);
        summary.failed = true;
        return summary;
      }
      const body = await response.json();
      await applyResults(userId, batch, body.results || []);
      await outbox.setMeta(userId, "loginNeeded", false);
      await outbox.setMeta(userId, "lastSyncAt", new Date().toISOString());
      summary.sent += batch.length;
      force = false;
    }
    return summary;
  }

  root.careobsOutbox = outbox;
})(self);
