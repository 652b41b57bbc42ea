// "On this device": what the outbox holds for this user, and what it sent recently.
// Records that need attention show the server's reason and can be retried or removed.

import { syncNow } from "./app.js";

const outbox = self.careobsOutbox;
const userId = document.querySelector('meta[name="careobs-user"]')?.content;
const panel = document.getElementById("device-records");

const STATE_TEXT = {
  draft: "Draft, not submitted yet",
  waiting: "Waiting to send",
  sending: "Sending…",
  attention: "Needs attention",
};

function item(doc) {
  const li = document.createElement("li");
  const text = document.createElement("div");
  const link = document.createElement("a");
  link.href = doc.kind === "quis_session" ? `/quis/record#${doc.id}` : `/visits/record#${doc.id}`;
  link.textContent = doc.label || doc.kind;
  const state = document.createElement("p");
  state.className = "hint";
  state.textContent = `${STATE_TEXT[doc.state] || doc.state}${doc.message ? `: ${doc.message}` : ""}`;
  text.append(link, state);
  li.append(text);
  if (doc.state === "attention") {
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "button small";
    retry.textContent = "Try again";
    retry.addEventListener("click", async () => {
      await outbox.saveDocument(userId, { ...doc, state: "waiting", message: "", nextAttemptAt: 0 });
      await syncNow({ force: true });
    });
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button small";
    remove.textContent = "Remove from this device";
    remove.addEventListener("click", async () => {
      if (window.confirm("Remove this record from this device? Only do this once a manager has what they need.")) {
        await outbox.deleteDocument(userId, doc.id);
      }
    });
    li.append(retry, remove);
  }
  return li;
}

async function render() {
  const docs = await outbox.listDocuments(userId);
  const history = (await outbox.history(userId)).slice(0, 10);
  panel.hidden = false;
  const current = panel.querySelector("[data-current]");
  current.replaceChildren(...docs.map(item));
  panel.querySelector("[data-current-empty]").hidden = docs.length > 0;
  panel.querySelector("[data-history]").replaceChildren(...history.map((h) => {
    const li = document.createElement("li");
    const when = new Date(h.syncedAt).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
    li.textContent = `${h.label} · sent ${when}`;
    return li;
  }));
  panel.querySelector("[data-history-empty]").hidden = history.length > 0;
}

if (panel && userId && outbox) {
  outbox.onChange(render);
  render();
}
