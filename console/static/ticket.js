import { element, poll } from "./poll.js";

const list = document.getElementById("transcript");
const status = document.getElementById("transcript-status");
let shown = null; // the lines drawn by this script; the server drew the first ones

function senderName(line) {
  return line.sender === "agent" ? `${line.agent_name} (agent)` : line.sender;
}

function item(line) {
  const li = element("li", `line line-${line.sender.replace(/[^a-z]/g, "")}`);
  li.append(element("span", "sender", senderName(line)));
  if (line.time) {
    const time = element("time", null, line.time.slice(11, 16));
    time.dateTime = line.time;
    li.append(" ", time);
  }
  li.append(" ", element("span", "text", line.text));
  if (line.sender === "customer" && line.time && "canMark" in list.dataset) li.append(" ", markForm(line));
  return li;
}

// "Bot misunderstood" (agents only): sends the customer's line to the trainers' review inbox (same form as the
// server's).
function markForm(line) {
  const form = element("form", "mark");
  form.method = "post";
  form.action = `${list.dataset.source.replace(/\/transcript$/, "")}/misunderstood`;
  const fields = { csrf_token: document.querySelector('meta[name="csrf-token"]')?.content || "", text: line.text, time: line.time };
  for (const [name, value] of Object.entries(fields)) {
    const input = element("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
  const button = element("button", "link-button", "Bot misunderstood");
  button.type = "submit";
  form.append(button);
  return form;
}

function show(data) {
  const lines = (data.lines || []).map((line) => JSON.stringify(line));
  const grows = shown !== null && lines.length >= shown.length && shown.every((line, index) => line === lines[index]);
  if (grows) {
    // Only new lines are added: a screen reader announces just those, and the scroll position stays.
    list.append(...data.lines.slice(shown.length).map(item));
  } else {
    list.replaceChildren(...(data.lines || []).map(item));
    list.setAttribute("aria-live", "polite");
  }
  shown = lines;
  status.textContent = "";
  status.classList.remove("error");
}

function failed(message) {
  status.textContent = message;
  status.classList.add("error");
}

if (list && status) poll(list.dataset.source, show, failed);
