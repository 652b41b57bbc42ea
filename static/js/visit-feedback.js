// The feedback a care worker receives from a monitoring visit, composed on the device exactly as
// the server's draft_from_visit (careobs/feedback/service.py) composes it: same order, same
// wording. The form shows it as a live preview, so what is released is what the supervisor saw.

// Month abbreviations as Python's strftime("%b") writes them (browsers may write "Sept").
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-12-31" as the server writes a due date: "31 Dec 2026". */
export function dueText(isoDate) {
  const [year, month, day] = isoDate.split("-").map(Number);
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

/** What went well, areas for development and agreed actions, from the visit's data. */
export function feedbackFromVisit(data, checklist) {
  const answers = new Map(data.answers.filter((a) => a.rating).map((a) => [a.item_id, a]));
  const items = checklist.domains.flatMap((d) => d.items);
  const metComments = items
    .filter((i) => answers.get(i.id)?.rating === "met" && answers.get(i.id).comment)
    .map((i) => `${i.text}: ${answers.get(i.id).comment}`);
  const notMet = items
    .filter((i) => ["not_met", "partly"].includes(answers.get(i.id)?.rating))
    .map((i) => {
      const comment = answers.get(i.id).comment;
      return `${i.text}${i.critical ? " (critical)" : ""}${comment ? `: ${comment}` : ""}`;
    });
  return {
    went_well: [data.went_well, ...metComments].filter(Boolean).join("\n"),
    to_develop: [data.to_develop, ...notMet.map((t) => `- ${t}`)].filter(Boolean).join("\n"),
    actions: data.actions
      .map((a) => `- ${a.description}${a.due_on ? ` (by ${dueText(a.due_on)})` : ""}`)
      .join("\n"),
  };
}

/** True when the feedback has nothing worth sending. */
export function isEmpty(feedback) {
  return !Object.values(feedback).some((text) => text.trim());
}
