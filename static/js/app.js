// Progressive enhancements shared by every page. Pages work without it.

function enableCopyButtons() {
  for (const button of document.querySelectorAll("[data-copy-target]")) {
    const source = document.getElementById(button.dataset.copyTarget);
    const status = button.parentElement.querySelector("[data-copy-status]");
    if (!source || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(source.value);
        if (status) status.textContent = "Copied. Paste it into an email or message.";
      } catch {
        source.select();
        if (status) status.textContent = "Select the link and copy it.";
      }
    });
  }
}

enableCopyButtons();
