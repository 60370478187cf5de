// Keyboard shortcuts on the review page: j/k move between groups, x selects, o/d label the selected (or the
// current) group as out of scope / discard, i jumps to the intent picker, / to the filters.
const rows = Array.from(document.querySelectorAll("tr.group"));
const bulk = document.getElementById("bulk");
let current = -1;

function focusRow(index) {
  if (!rows.length) return;
  current = Math.max(0, Math.min(rows.length - 1, index));
  rows.forEach((row, i) => row.classList.toggle("current", i === current));
  rows[current].focus();
}

function submitAs(kind) {
  if (!bulk) return;
  const checked = bulk.querySelectorAll("input[name=keys]:checked");
  if (!checked.length && current >= 0) rows[current].querySelector("input[name=keys]").checked = true;
  const button = bulk.querySelector(`button[name=kind][value=${kind}]`);
  if (button) bulk.requestSubmit(button);
}

document.addEventListener("keydown", (event) => {
  const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(event.target.tagName) && event.target.type !== "checkbox";
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  const actions = {
    j: () => focusRow(current + 1),
    k: () => focusRow(current - 1),
    x: () => { if (current >= 0) rows[current].querySelector("input[name=keys]").click(); },
    o: () => submitAs("out_of_scope"),
    d: () => submitAs("discard"),
    i: () => document.getElementById("bulk-intent")?.focus(),
    "/": () => document.getElementById("flag")?.focus(),
  };
  const action = actions[event.key];
  if (action) {
    event.preventDefault();
    action();
  }
});
