// Paired QUIS observations on the device: the lead's short code, the pair id both devices derive
// from it with no server (careobs/quis/pair_ids.py does the same; a browser test holds the two to
// one answer), and the two best-effort calls made while online: announce a pair, list open ones.

// No 0/O, 1/I/L: a code is read aloud across a lounge and typed on a phone.
export const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const CODE_LENGTH = 6;
export const PAIR_NAMESPACE = "6f1c7a52-3d0e-5b8a-9c41-0a9e2f4d7b13";

/** A new code: CODE_LENGTH characters drawn evenly from the alphabet (rejection sampling). */
export function newCode() {
  const limit = 256 - (256 % CODE_ALPHABET.length);
  let code = "";
  while (code.length < CODE_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(CODE_LENGTH * 2))) {
      if (byte < limit && code.length < CODE_LENGTH) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
    }
  }
  return code;
}

/** The code as typed (spaces, dashes and case forgiven), or null if it cannot be one. */
export function normalCode(text) {
  const code = String(text ?? "").replace(/[\s-]/g, "").toUpperCase();
  return code.length === CODE_LENGTH && [...code].every((c) => CODE_ALPHABET.includes(c)) ? code : null;
}

/** Why a typed code cannot be one, in words for the observer ("" when it is fine). */
export function codeProblem(text) {
  const code = String(text ?? "").replace(/[\s-]/g, "").toUpperCase();
  if (!code) return "Enter the lead's code, or choose their observation from the list.";
  const strange = [...new Set([...code].filter((c) => !CODE_ALPHABET.includes(c)))];
  if (strange.length) {
    return `The code cannot contain ${strange.join(", ")}: codes use letters and the digits 2 to 9, never 0, O, 1, I or L. Check it on the lead's screen.`;
  }
  if (code.length !== CODE_LENGTH) {
    return `The code has ${CODE_LENGTH} characters; you entered ${code.length}. Check it on the lead's screen.`;
  }
  return "";
}

/** The code as shown on screen and read aloud: two groups of three ("K7P 2QD"). */
export const spacedCode = (code) => `${code.slice(0, 3)} ${code.slice(3)}`;

// A uuid's 16 bytes, and back to its lower-case, hyphenated text (as Python's str(uuid) writes it).
function uuidBytes(text) {
  const hex = text.replace(/[{}-]/g, "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new TypeError(`Not a uuid: ${text}`);
  return Uint8Array.from(hex.match(/../g), (pair) => parseInt(pair, 16));
}

function uuidText(bytes) {
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** RFC 4122 version 5: SHA-1 of the namespace's bytes then the name's UTF-8, as uuid.uuid5. */
export async function uuid5(namespace, name) {
  const ns = uuidBytes(namespace);
  const text = new TextEncoder().encode(name);
  const input = new Uint8Array(ns.length + text.length);
  input.set(ns);
  input.set(text, ns.length);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-1", input)).slice(0, 16);
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  return uuidText(hash);
}

/** The pair id both devices derive from the service's id and the lead's code. */
export const pairIdFor = (serviceId, code) => uuid5(PAIR_NAMESPACE, `${uuidText(uuidBytes(serviceId))}:${code}`);

async function csrfToken() {
  const response = await fetch("/api/v1/csrf", { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) throw new Error(`csrf ${response.status}`);
  return (await response.json()).csrf_token;
}

/** Tell the server a lead opened this pair, so a second observer online can pick it from a list.
 * Best effort: true once the server knows it (201 new, 200 known), false otherwise (offline,
 * logged out, a server problem); the sessions carry the pair whatever happens here. */
export async function announcePair({ id, code }, serviceId, areaId) {
  if (navigator.onLine === false) return false;
  try {
    const response = await fetch("/api/v1/quis/pairs", {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": await csrfToken() },
      body: JSON.stringify({ id, service_id: serviceId, area_id: areaId || null, code }),
    });
    return response.status === 200 || response.status === 201;
  } catch (error) {
    return false;
  }
}

/** The paired observations open at this service (and area) that the user may join, or null when
 * the server cannot say (offline, an older server): then only the typed code is offered. */
export async function openPairs(serviceId, areaId) {
  if (navigator.onLine === false) return null;
  const query = new URLSearchParams({ service_id: serviceId });
  if (areaId) query.set("area_id", areaId);
  try {
    const response = await fetch(`/api/v1/quis/pairs?${query}`, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) return null;
    const body = await response.json();
    return Array.isArray(body?.pairs) ? body.pairs.filter((p) => normalCode(p.code)) : null;
  } catch (error) {
    return null;
  }
}
