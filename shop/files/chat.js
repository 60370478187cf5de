// Starts the rasa-webchat widget with the settings the page carries in #webchat's data attributes, and adds
// what the widget lacks for keyboard and screen-reader users (a label on the message field, a named launcher).
(function () {
  "use strict";
  var settings = document.getElementById("webchat").dataset;
  var customData = { language: "en" };
  // The shop's signed token for a signed-in customer: the assistant verifies it and ignores any other identity.
  if (settings.customerToken) { customData.customer_token = settings.customerToken; }

  // rasa-webchat 1.0.1 renders into its own element (#rasaWebchatPro) at the end of <body>.
  window.WebChat.default({
    initPayload: "/greet",
    customData: customData,
    socketUrl: settings.socketUrl,
    socketPath: "/socket.io/",
    title: settings.title,
    subtitle: settings.subtitle,
    inputTextFieldHint: "Type your message...",
    // Keep the conversation in localStorage: a reload or a later visit shows the history and continues it.
    params: { storage: "local" },
    showFullScreenButton: false,
    showMessageDate: false,
    customMessageDelay: function () { return 0; }
  }, null);

  function label() {
    var field = document.querySelector(".rw-new-message");
    if (field && !field.getAttribute("aria-label")) {
      field.setAttribute("aria-label", "Message to Larkspur customer care");
    }
    var launcher = document.querySelector(".rw-launcher");
    if (launcher && !launcher.getAttribute("aria-label")) {
      launcher.setAttribute("aria-label", "Open or close the chat with Larkspur customer care");
    }
    var send = document.querySelector(".rw-send");
    if (send && !send.getAttribute("aria-label")) {
      send.setAttribute("aria-label", "Send message");
    }
  }
  new MutationObserver(label).observe(document.body, { childList: true, subtree: true });
  label();
})();
