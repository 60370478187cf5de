// Shared by the pages' scripts: fetch JSON from the console's API every few seconds.
// Data from the API is only ever put into the page as text (textContent), never as HTML.

export const POLL_MS = 3000;

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function label(value) {
  return value ? String(value).replace(/_/g, " ") : "—";
}

// Calls onData(json) after each successful fetch and onError(message) after a failed one.
// A 401 means the session ended: go to the login page instead of polling on.
export function poll(url, onData, onError) {
  let stopped = false;
  async function tick() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.status === 401) {
        stopped = true;
        window.location.assign("/login");
        return;
      }
      const body = await response.json().catch(() => ({}));
      if (response.ok) onData(body);
      else onError(body.error || `The console answered ${response.status}.`);
    } catch (error) {
      onError("The console is not answering; retrying.");
    }
    if (!stopped) window.setTimeout(tick, POLL_MS);
  }
  window.setTimeout(tick, POLL_MS);
}
