// Turning push notifications on and off on this device. Permission is asked only after the
// user taps "Turn on"; the subscription is stored on the server (design §3.1 push endpoints).

import { forgetRegistered, keepSubscriptionRegistered, subscribeWithKey } from "./push.js";

const panel = document.getElementById("push-panel");
const state = panel.querySelector("[data-push-state]");
const onButton = panel.querySelector("[data-push-on]");
const offButton = panel.querySelector("[data-push-off]");
const userId = document.querySelector('meta[name="careobs-user"]')?.content || null;

async function csrf() {
  const response = await fetch("/api/v1/csrf", { credentials: "same-origin", cache: "no-store" });
  return (await response.json()).csrf_token;
}

async function render(problem = "") {
  onButton.hidden = true;
  offButton.hidden = true;
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    state.textContent = "This browser cannot show notifications from careobs. You will still see everything under Notifications.";
    return;
  }
  if (Notification.permission === "denied") {
    state.textContent = "Notifications are blocked for careobs in this browser's settings. Allow them there to turn them on.";
    return;
  }
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (subscription && Notification.permission === "granted") {
    state.textContent = "Notifications are on for this device.";
    offButton.hidden = false;
  } else {
    state.textContent = problem
      ? `Notifications could not be turned on: ${problem} They are off for this device.`
      : "Notifications are off for this device.";
    onButton.hidden = false;
  }
}

async function turnOn() {
  onButton.disabled = true;
  try {
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      await render();
      return;
    }
    const keyResponse = await fetch("/api/v1/push/key", { credentials: "same-origin" });
    if (!keyResponse.ok) throw new Error("Push is not set up on this server.");
    const { public_key: publicKey } = await keyResponse.json();
    const registration = await navigator.serviceWorker.ready;
    const subscription = await subscribeWithKey(registration.pushManager, publicKey);
    const stored = await keepSubscriptionRegistered(subscription, userId);
    if (!stored.ok) {
      // The server refused it (a browser with broken keys): pushes could never arrive, so the
      // device must not look subscribed.
      await subscription.unsubscribe();
      await render(stored.message);
      return;
    }
    await render();
  } catch (error) {
    await render(error.message);
  } finally {
    onButton.disabled = false;
  }
}

async function turnOff() {
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (subscription) {
    await fetch("/api/v1/push/subscriptions", {
      method: "DELETE", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": await csrf() },
      body: JSON.stringify({ endpoint: subscription.endpoint }),
    });
    await subscription.unsubscribe();
  }
  forgetRegistered();
  await render();
}

onButton.addEventListener("click", turnOn);
offButton.addEventListener("click", turnOff);
render();
