// hyperjourney assistant widget: one <script src=".../widget.js" data-key="<widget key>"> on any page opens a chat
// box that talks to POST /v1/conversations and /v1/conversations/{id}/messages. Replies are set as text (never as
// HTML); a failed send is retried with the same message id, so the assistant acts on it once.
(function () {
  "use strict";
  var me = document.currentScript;
  var key = me.getAttribute("data-key");
  var api = me.getAttribute("data-api") || new URL(me.src).origin;
  var store = window.localStorage;
  var visitor = store.getItem("hj_visitor");
  if (!visitor) {
    visitor = "v_" + Array.from(crypto.getRandomValues(new Uint8Array(12)), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
    store.setItem("hj_visitor", visitor);
  }
  var conversation = store.getItem("hj_conversation");

  var root = document.createElement("div");
  root.id = "hj-assistant";
  root.style.cssText = "position:fixed;right:16px;bottom:16px;font:14px sans-serif;z-index:2147483647";
  var open = document.createElement("button");
  open.id = "hj-open";
  open.textContent = "Chat with us";
  var panel = document.createElement("div");
  panel.id = "hj-panel";
  panel.style.cssText = "display:none;width:320px;background:#fff;border:1px solid #ccc;border-radius:8px;padding:8px";
  var log = document.createElement("div");
  log.id = "hj-log";
  log.style.cssText = "height:320px;overflow-y:auto;white-space:pre-wrap";
  var form = document.createElement("form");
  var input = document.createElement("input");
  input.id = "hj-input";
  input.placeholder = "Ask us anything";
  input.style.cssText = "width:75%";
  var send = document.createElement("button");
  send.id = "hj-send";
  send.type = "submit";
  send.textContent = "Send";
  form.append(input, send);
  panel.append(log, form);
  root.append(panel, open);
  document.body.appendChild(root);
  open.addEventListener("click", function () {
    panel.style.display = panel.style.display === "none" ? "block" : "none";
  });

  function say(role, text) {
    var line = document.createElement("div");
    line.className = "hj-" + role;
    line.textContent = text;
    log.appendChild(line);
    log.scrollTop = log.scrollHeight;
  }

  function post(path, body) {
    return fetch(api + path, {
      method: "POST",
      headers: { Authorization: "Bearer " + key, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  async function conversationId() {
    if (conversation) return conversation;
    var resp = await post("/v1/conversations", { visitor_id: visitor });
    if (!resp.ok) throw new Error("could not start a conversation: HTTP " + resp.status);
    conversation = (await resp.json()).conversation_id;
    store.setItem("hj_conversation", conversation);
    return conversation;
  }

  function events(text) {
    return text.split("\n\n").filter(Boolean).map(function (block) {
      var fields = {};
      block.split("\n").forEach(function (line) {
        var at = line.indexOf(": ");
        fields[line.slice(0, at)] = line.slice(at + 2);
      });
      return { event: fields.event, data: JSON.parse(fields.data) };
    });
  }

  async function ask(text) {
    var id = "m_" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    say("visitor", text);
    for (var attempt = 0; attempt < 3; attempt++) {
      try {
        var cid = await conversationId();
        var resp = await post("/v1/conversations/" + cid + "/messages", { visitor_id: visitor, message_id: id, text: text });
        if (resp.status === 404) { conversation = null; store.removeItem("hj_conversation"); continue; }
        if (!resp.ok) { say("error", "Sorry, that did not go through (HTTP " + resp.status + ")."); return; }
        events(await resp.text()).forEach(function (e) {
          if (e.event === "delta") say("assistant", e.data.text);
        });
        return;
      } catch (err) {
        await new Promise(function (done) { setTimeout(done, 500 * (attempt + 1)); });
      }
    }
    say("error", "Sorry, we could not reach the assistant. Please try again.");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    input.value = "";
    if (text) ask(text);
  });
})();
