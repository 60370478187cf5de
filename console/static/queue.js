import { element, poll } from "./poll.js";

const table = document.querySelector("table.queue");
const rows = document.getElementById("queue-rows");
const status = document.getElementById("queue-status");
let shown = null;

function cell(text, className) {
  return element("td", className, text);
}

function row(ticket) {
  const tr = document.createElement("tr");
  const priority = cell("");
  priority.append(element("span", `priority priority-${ticket.priority.replace(/[^a-z]/g, "")}`, ticket.priority));
  const customer = cell(ticket.customer_name || "—");
  if (ticket.customer_email) {
    customer.append(document.createElement("br"), element("span", "muted", ticket.customer_email));
  }
  const state = ticket.assigned_agent_name
    ? `${ticket.status_label} by ${ticket.assigned_agent_name}`
    : ticket.status_label;
  const link = element("a", null, `Open #${ticket.id}`);
  link.href = `/tickets/${encodeURIComponent(ticket.id)}`;
  const open = cell("");
  open.append(link);
  tr.append(priority, cell(ticket.waiting), cell(ticket.reason_label), cell(ticket.category_label), customer,
            cell(ticket.summary, "summary"), cell(state), open);
  return tr;
}

function show(data) {
  const tickets = data.tickets || [];
  const fingerprint = JSON.stringify(tickets);
  if (fingerprint !== shown) {
    shown = fingerprint;
    if (tickets.length === 0) {
      const empty = element("tr", "empty");
      const td = cell("No open tickets. New ones appear here by themselves.");
      td.colSpan = 8;
      empty.append(td);
      rows.replaceChildren(empty);
    } else {
      rows.replaceChildren(...tickets.map(row));
    }
  }
  const count = `${tickets.length} open ${tickets.length === 1 ? "ticket" : "tickets"}, most urgent first.`;
  if (status.textContent.trim() !== count) status.textContent = count;
  status.classList.remove("error");
}

function failed(message) {
  status.textContent = message;
  status.classList.add("error");
}

if (table && rows && status) poll(table.dataset.source, show, failed);
