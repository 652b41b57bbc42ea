// What this user may capture offline (design §3.1 bootstrap), kept on the device and refreshed
// whenever the server can be reached (with its ETag, so an unchanged copy costs nothing).

const outbox = self.careobsOutbox;

export async function loadBootstrap(userId) {
  let bootstrap = await outbox.getMeta(userId, "bootstrap");
  const etag = await outbox.getMeta(userId, "bootstrapEtag");
  try {
    const response = await fetch("/api/v1/bootstrap", {
      credentials: "same-origin", cache: "no-store", headers: etag ? { "If-None-Match": etag } : {},
    });
    if (response.status === 200) {
      bootstrap = await response.json();
      await outbox.setMeta(userId, "bootstrap", bootstrap);
      await outbox.setMeta(userId, "bootstrapEtag", response.headers.get("ETag"));
    }
  } catch (error) {
    // Offline: the copy saved last time is used.
  }
  return bootstrap;
}
