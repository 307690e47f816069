// The committee's what-if: without script the form is a GET form with a button; with it, ticking a box shows the
// recomputed recommendation at once (the page's what-if part alone, fetched), and the address follows the ticks.
const form = document.getElementById("what-if-form");
const result = document.getElementById("what-if-result");
if (form && result) {
  let latest = 0;
  form.addEventListener("change", async () => {
    const params = new URLSearchParams(new FormData(form));
    const ticked = params.has("leave_out") || params.has("ignore_amendments");
    const query = ticked ? `?${params}` : "";
    history.replaceState(null, "", `${window.location.pathname}${query}#what-if`);
    if (!ticked) {
      result.replaceChildren();
      return;
    }
    const asked = ++latest;
    params.set("partial", "what-if");
    try {
      const response = await fetch(`${window.location.pathname}?${params}`, { credentials: "same-origin" });
      const html = await response.text();
      if (asked === latest) {
        result.innerHTML = response.ok ? html : '<p class="message error" role="alert">The what-if could not be computed; use the button.</p>';
      }
    } catch (error) {
      if (asked === latest) {
        result.innerHTML = '<p class="message error" role="alert">The what-if could not be computed; use the button.</p>';
      }
    }
  });
}
