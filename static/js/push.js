// Keeping this device's push subscription known to the server: after turning notifications on,
// and on every app start (subscriptions can change or be lost on the server side).

export function urlBase64ToUint8Array(value) {
  const padded = (value + "=".repeat((4 - (value.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

export async function keepSubscriptionRegistered(subscription) {
  const token = await fetch("/api/v1/csrf", { credentials: "same-origin", cache: "no-store" });
  if (!token.ok) return false;
  const response = await fetch("/api/v1/push/subscriptions", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": (await token.json()).csrf_token },
    body: JSON.stringify(subscription.toJSON()),
  });
  return response.ok;
}

export async function reregisterOnStart() {
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) return;
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (subscription) await keepSubscriptionRegistered(subscription);
}
