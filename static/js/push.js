// Keeping this device's push subscription known to the server: after turning notifications on,
// on app start (subscriptions can change, or be made with a VAPID key the server has replaced),
// and forgetting it when the user logs out (a shared phone must not get the last user's pushes).

const REGISTERED = "careobs-push-registered"; // what the server last stored, and when
const RESEND_AFTER_MS = 24 * 60 * 60 * 1000;

export function urlBase64ToUint8Array(value) {
  const padded = (value + "=".repeat((4 - (value.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function csrfToken() {
  const response = await fetch("/api/v1/csrf", { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) throw new Error("Could not reach careobs.");
  return (await response.json()).csrf_token;
}

function remembered() {
  try {
    return JSON.parse(localStorage.getItem(REGISTERED) || "null");
  } catch (error) {
    return null;
  }
}

function remember(userId, subscription) {
  const json = subscription.toJSON();
  localStorage.setItem(REGISTERED, JSON.stringify({
    user: userId, endpoint: json.endpoint, keys: json.keys, at: Date.now(),
  }));
}

export function forgetRegistered() {
  localStorage.removeItem(REGISTERED);
}

// Stores the subscription on the server. Returns {ok, message}: a refused subscription (400)
// must not be shown as "on".
export async function keepSubscriptionRegistered(subscription, userId = null) {
  const response = await fetch("/api/v1/push/subscriptions", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": await csrfToken() },
    body: JSON.stringify(subscription.toJSON()),
  });
  if (response.ok) {
    if (userId) remember(userId, subscription);
    return { ok: true, message: "" };
  }
  forgetRegistered();
  let message = `The server answered ${response.status}.`;
  try {
    message = (await response.json()).error.message || message;
  } catch (error) {
    // Not JSON: keep the status.
  }
  return { ok: false, message };
}

async function serverKey() {
  const response = await fetch("/api/v1/push/key", { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) return null;
  return (await response.json()).public_key;
}

function sameBytes(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  return a.every((byte, index) => byte === b[index]);
}

function boundKey(subscription) {
  const key = subscription.options?.applicationServerKey;
  return key ? new Uint8Array(key) : null;
}

// The subscription was made with another key (``careobs push keys --force``, a restored
// server): push services refuse every push to it, so make a new one with the server's key.
// Permission is already granted, so no prompt is shown.
export async function subscribeWithKey(pushManager, publicKey, old = null) {
  if (old) await old.unsubscribe();
  return pushManager.subscribe({
    userVisibleOnly: true, applicationServerKey: urlBase64ToUint8Array(publicKey),
  });
}

function needsSending(userId, subscription) {
  const last = remembered();
  const json = subscription.toJSON();
  return !last || last.user !== userId || last.endpoint !== json.endpoint
    || JSON.stringify(last.keys) !== JSON.stringify(json.keys)
    || !(Date.now() - last.at < RESEND_AFTER_MS);
}

export async function reregisterOnStart(userId) {
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) return;
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) return;
  const key = await serverKey();
  const bound = boundKey(subscription); // null in browsers that do not say: nothing to compare
  if (key && bound && !sameBytes(bound, urlBase64ToUint8Array(key))) {
    subscription = await subscribeWithKey(registration.pushManager, key, subscription);
    forgetRegistered();
  }
  // Sent again when it changed, for another login, or once a day (the server may have lost it).
  if (needsSending(userId, subscription)) await keepSubscriptionRegistered(subscription, userId);
}

function withinMs(promise, ms) {
  return Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms))]);
}

// Logging out: the device stops getting this user's pushes. The endpoint is put in the logout
// form too, so the server removes it even if the DELETE below did not get through.
export async function forgetPushSubscription(form) {
  forgetRegistered();
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) return;
  await withinMs((async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    const subscription = await registration?.pushManager.getSubscription();
    if (!subscription) return;
    if (form) {
      const field = form.querySelector('input[name="push_endpoint"]') || document.createElement("input");
      field.type = "hidden";
      field.name = "push_endpoint";
      field.value = subscription.endpoint;
      form.append(field);
    }
    try {
      await fetch("/api/v1/push/subscriptions", {
        method: "DELETE", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": await csrfToken() },
        body: JSON.stringify({ endpoint: subscription.endpoint }),
      });
    } finally {
      await subscription.unsubscribe();
    }
  })().catch(() => {}), 3000);
}
