// Server-rendered forms: every textarea marked data-privacy gets the live identifier warning of
// design §2.4 under it, before anything is saved.
import { watchField } from "./privacy.js";

for (const field of document.querySelectorAll("textarea[data-privacy]")) {
  const output = document.createElement("p");
  output.className = "privacy-warning";
  output.id = `${field.id}-privacy`;
  output.setAttribute("aria-live", "polite");
  field.after(output);
  const described = field.getAttribute("aria-describedby");
  field.setAttribute("aria-describedby", described ? `${described} ${output.id}` : output.id);
  watchField(field, output);
}
