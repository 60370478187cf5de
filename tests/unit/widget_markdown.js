// Renders bot messages as rasa-webchat 1.0.1 does, for test_agent_markdown.py (no tests here).
//
// The widget (shop/node_modules/rasa-webchat/lib/index.js, component of class "rw-message-text") shows a bot
// message with react-markdown 4 and these props: escapeHtml left at its default (true), transformLinkUri: null
// (no link sanitising), a linkTarget function and a custom link renderer. The same react-markdown and
// remark-parse (5.0.0, gfm on, commonmark off) are installed next to it in shop/node_modules.
//
// Reads a JSON array of strings on stdin; writes a JSON array of the HTML each one renders to.
"use strict";

const path = require("path");
const modules = process.argv[2] || path.join(__dirname, "..", "..", "shop", "node_modules");
const load = (name) => require(path.join(modules, name));
const React = load("react");
const { renderToStaticMarkup } = load("react-dom/server");
const ReactMarkdown = load("react-markdown");

function render(text) {
  return renderToStaticMarkup(React.createElement(ReactMarkdown, {
    className: "rw-markdown",
    source: text,
    linkTarget: (url) => (!url.startsWith("mailto") && !url.startsWith("javascript") ? "_blank" : undefined),
    transformLinkUri: null,
    renderers: {
      link: (props) => React.createElement("a", {href: props.href, target: "_blank", rel: "noopener noreferrer"},
                                           props.children),
    },
  }));
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => { process.stdout.write(JSON.stringify(JSON.parse(input).map(render))); });
