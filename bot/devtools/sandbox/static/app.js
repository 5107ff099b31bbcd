// The sandbox page: three Telegram-like chats over the sandbox HTTP API (SANDBOX_API.md).
// No framework and no build step; everything is fetched from this same server.

import { t } from "/static/i18n.js";

const PANE_KINDS = ["enterprise", "department", "supervisor"];
const HEADINGS = {
  enterprise: "enterprise_pane",
  department: "department_pane",
  supervisor: "supervisor_pane",
};
const PICKERS = {
  enterprise: "enterprise_picker",
  department: "department_picker",
  supervisor: "supervisor_picker",
};
const TOAST_MS = 4000;

const app = {
  lang: readStored("lang", "zh") === "en" ? "en" : "zh",
  state: null,
  version: null,
  refreshing: null, // the running refresh's promise
  again: false,
  panes: {},
  seen: new Map(), // chat id → newest message id shown on this page
};

function readStored(key, fallback) {
  try {
    return localStorage.getItem(`dianxiaoer.sandbox.${key}`) ?? fallback;
  } catch {
    return fallback; // storage may be disabled; the page still works
  }
}

function store(key, value) {
  try {
    localStorage.setItem(`dianxiaoer.sandbox.${key}`, value);
  } catch {
    /* not essential */
  }
}

const tr = (key, values) => t(app.lang, key, values);

// ---------------------------------------------------------------- API

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok || (data && data.ok === false)) {
    throw new Error((data && data.error) || `HTTP ${response.status}`);
  }
  return data;
}

// ---------------------------------------------------------------- toasts

function toast(text, kind = "info") {
  const box = document.getElementById("toasts");
  const item = document.createElement("div");
  item.className = `toast ${kind}`;
  item.dataset.testid = "toast";
  item.textContent = text;
  box.append(item);
  setTimeout(() => item.remove(), kind === "error" ? TOAST_MS * 2 : TOAST_MS);
}

function showError(error) {
  toast(tr("error", { message: error.message || String(error) }), "error");
}

// ---------------------------------------------------------------- time helpers

/** Seconds east of UTC of the sandbox clock ("…+08:00"), so times read as in the zone. */
function zoneOffset() {
  const now = app.state?.clock?.now || "";
  const match = /([+-])(\d\d):?(\d\d)$/.exec(now);
  if (!match) return 0;
  const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60;
  return match[1] === "-" ? -seconds : seconds;
}

function zoned(unix) {
  return new Date((unix + zoneOffset()) * 1000);
}

const pad = (n) => String(n).padStart(2, "0");

function clockTime(unix) {
  const d = zoned(unix);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

function dayKey(unix) {
  const d = zoned(unix);
  return `${d.getUTCFullYear()}-${d.getUTCMonth()}-${d.getUTCDate()}`;
}

function dayLabel(unix) {
  const d = zoned(unix);
  if (app.lang === "en") {
    const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    return `${days[d.getUTCDay()]} ${d.getUTCDate()} ${months[d.getUTCMonth()]}`;
  }
  const days = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${days[d.getUTCDay()]}`;
}

// ---------------------------------------------------------------- static labels

function applyLabels() {
  document.documentElement.lang = app.lang === "en" ? "en" : "zh-CN";
  for (const el of document.querySelectorAll("[data-i18n]")) {
    el.textContent = tr(el.dataset.i18n);
  }
  for (const el of document.querySelectorAll("[data-i18n-aria-label]")) {
    el.setAttribute("aria-label", tr(el.dataset.i18nAriaLabel));
  }
  document.getElementById("language-toggle").lang = app.lang === "en" ? "zh-CN" : "en";
  for (const pane of Object.values(app.panes)) labelPane(pane);
}

function labelPane(pane) {
  pane.heading.textContent = tr(HEADINGS[pane.kind]);
  pane.chips.setAttribute("aria-label", tr(PICKERS[pane.kind]));
  pane.input.placeholder = tr("composer_placeholder");
  pane.input.setAttribute("aria-label", tr("composer_placeholder"));
  pane.send.setAttribute("aria-label", tr("send"));
  pane.send.title = tr("send");
  pane.attachInput.setAttribute("aria-label", tr("attach_label"));
  pane.attach.title = tr("attach_label");
  pane.kbToggle.setAttribute("aria-label", tr("keyboard_toggle"));
  pane.kbToggle.title = tr("keyboard_toggle");
  pane.cancelReply.setAttribute("aria-label", tr("cancel_reply"));
  pane.messages.dataset.empty = tr("no_messages");
  pane.chipsSig = null; // chip labels depend on the language
  pane.kbSig = null;
  if (pane.replyTo) showReplyBanner(pane);
}

// ---------------------------------------------------------------- panes

function buildPane(section) {
  const kind = section.dataset.pane;
  section.append(document.getElementById("pane-template").content.cloneNode(true));
  const $ = (selector) => section.querySelector(selector);
  const pane = {
    kind,
    el: section,
    heading: $(".pane-heading"),
    chips: $(".chips"),
    chatTitle: $(".chat-title"),
    acting: $(".acting"),
    messages: $(".messages"),
    banner: $(".reply-banner"),
    bannerText: $(".reply-banner-text"),
    cancelReply: $(".cancel-reply"),
    composer: $(".composer"),
    input: $(".composer-input"),
    attach: $(".attach"),
    attachInput: $(".attach-input"),
    send: $(".send"),
    kbToggle: $(".keyboard-toggle"),
    keyboard: $(".reply-keyboard"),
    selected: readStored(`pane.${kind}`, null),
    chat: null,
    renderedChat: null,
    rendered: new Map(),
    lastSeenId: 0,
    lastForceReply: 0,
    replyTo: null,
    keyboardHidden: false,
    stickBottom: true,
    chipsSig: null,
    kbSig: null,
    queue: Promise.resolve(),
    pending: 0,
    loads: 0,
  };
  pane.heading.id = `heading-${kind}`;
  pane.messages.setAttribute("aria-labelledby", pane.heading.id);

  pane.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = pane.input.value;
    if (!text.trim()) return;
    act(pane, () => sendText(pane, text, { fromComposer: true }));
  });
  pane.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      pane.composer.requestSubmit();
    } else if (event.key === "Escape" && pane.replyTo) {
      setReply(pane, null);
    }
  });
  pane.input.addEventListener("input", () => autoGrow(pane.input));
  pane.attachInput.addEventListener("change", () => {
    const file = pane.attachInput.files?.[0];
    pane.attachInput.value = "";
    if (file) act(pane, () => upload(pane, file));
  });
  pane.cancelReply.addEventListener("click", () => setReply(pane, null));
  pane.kbToggle.addEventListener("click", () => {
    pane.keyboardHidden = !pane.keyboardHidden;
    pane.keyboard.hidden = pane.keyboardHidden || !pane.keyboard.childElementCount;
    pane.kbToggle.setAttribute("aria-pressed", String(!pane.keyboardHidden));
  });
  pane.messages.addEventListener("scroll", () => {
    const m = pane.messages;
    pane.stickBottom = m.scrollHeight - m.scrollTop - m.clientHeight < 40;
  });
  return pane;
}

function autoGrow(textarea) {
  textarea.style.height = "auto";
  textarea.style.height = `${Math.min(textarea.scrollHeight, 140)}px`;
}

/** The choices of a pane's selector, from /api/state. */
function options(pane) {
  const state = app.state;
  if (!state) return [];
  if (pane.kind === "enterprise") {
    return state.enterprises.map((e) => ({
      key: String(e.user_id),
      label: e.name,
      title: e.company,
      chatId: e.chat_id,
      userId: e.user_id,
      actor: e.name,
      chatTitle: `${e.company} · ${tr("chat_with_bot")}`,
      last: e.last_message_id ?? null,
    }));
  }
  const wanted = (g) => (pane.kind === "department" ? g.role === "department" : g.role !== "department");
  return state.groups.filter(wanted).map((g) => {
    const name = app.lang === "en" ? g.name_en || g.name : g.name;
    return {
      key: g.code,
      label: name,
      title: `${g.name} · ${g.name_en} (${tr("roles")[g.role] || g.role})`,
      chatId: g.chat_id,
      userId: g.staff?.user_id,
      actor: g.staff?.name || "",
      chatTitle: g.title,
      last: g.last_message_id ?? null,
      role: g.role,
    };
  });
}

/**
 * New messages in a chat that is not on screen put a dot on its chip. Needs the optional
 * `last_message_id` of enterprises and groups in /api/state; without it there are no dots.
 */
function unread(choice) {
  if (choice.last === null || choice.last === undefined) return false;
  return choice.last > (app.seen.get(choice.chatId) ?? 0);
}

function markSeen(chatId, messageId) {
  if (messageId > (app.seen.get(chatId) ?? 0)) app.seen.set(chatId, messageId);
}

/** What exists when the page opens counts as read. */
function markAllSeen(state) {
  for (const item of [...state.enterprises, ...state.groups]) {
    if (item.last_message_id !== undefined && item.last_message_id !== null) {
      markSeen(item.chat_id, item.last_message_id);
    }
  }
}

function currentChoice(pane) {
  const choices = options(pane);
  return choices.find((c) => c.key === pane.selected) || choices[0] || null;
}

function select(pane, key) {
  if (pane.selected === key) return;
  pane.selected = key;
  store(`pane.${pane.kind}`, key);
  setReply(pane, null);
  renderChips(pane);
  pane.pending += 1;
  pane.el.setAttribute("aria-busy", "true");
  loadPane(pane)
    .catch(showError)
    .finally(() => {
      pane.pending -= 1;
      if (!pane.pending) pane.el.removeAttribute("aria-busy");
    });
}

function renderChips(pane) {
  const choices = options(pane);
  const choice = currentChoice(pane);
  const sig = JSON.stringify([
    app.lang,
    choice?.key,
    choices.map((c) => [c.key, c.label, c !== choice && unread(c)]),
  ]);
  if (sig === pane.chipsSig) return;
  pane.chipsSig = sig;
  pane.chips.replaceChildren();
  for (const c of choices) {
    const chip = document.createElement("button");
    chip.type = "button";
    chip.className = "chip";
    chip.dataset.testid = "chip";
    chip.dataset.key = c.key;
    chip.title = c.title;
    chip.textContent = c.label;
    const on = choice && c.key === choice.key;
    chip.setAttribute("aria-pressed", String(Boolean(on)));
    if (!on && unread(c)) {
      chip.classList.add("unread");
      chip.title = `${c.title} · ${tr("unread")}`;
    }
    if (c.role && c.role !== "department") chip.dataset.role = c.role;
    chip.addEventListener("click", () => select(pane, c.key));
    pane.chips.append(chip);
  }
  if (pane.kind === "enterprise") {
    const add = document.createElement("button");
    add.type = "button";
    add.className = "chip add";
    add.dataset.testid = "new-enterprise";
    add.textContent = tr("new_enterprise");
    add.addEventListener("click", openNewEnterprise);
    pane.chips.append(add);
  }
}

async function loadPane(pane) {
  renderChips(pane);
  const choice = currentChoice(pane);
  pane.chat = choice;
  if (!choice) {
    pane.chatTitle.textContent = "";
    pane.acting.textContent = "";
    renderMessages(pane, null, []);
    return;
  }
  pane.el.dataset.chatId = String(choice.chatId);
  pane.chatTitle.textContent = choice.chatTitle;
  pane.acting.textContent = choice.actor ? tr("acting_as", { name: choice.actor }) : "";
  pane.loads += 1;
  const load = pane.loads;
  const data = await api("GET", `/api/chats/${choice.chatId}/messages`);
  if (load !== pane.loads) return; // a later load (newer data, or another chat) wins
  renderMessages(pane, choice, data.messages || []);
}

// ---------------------------------------------------------------- messages

function plainText(html) {
  const div = document.createElement("div");
  div.innerHTML = html;
  return (div.textContent || "").replace(/\s+/g, " ").trim();
}

function snippetOf(message) {
  const text = plainText(message.html || "");
  if (text) return text.length > 48 ? `${text.slice(0, 47)}…` : text;
  if (message.photo) return `[${tr("photo")}]`;
  if (message.document) return message.document.file_name;
  return message.other || "";
}

function renderMessages(pane, choice, messages) {
  const box = pane.messages;
  const chatId = choice ? choice.chatId : null;
  let arrived = false;
  if (pane.renderedChat !== chatId) {
    box.replaceChildren();
    pane.rendered = new Map();
    pane.renderedChat = chatId;
    pane.lastSeenId = 0;
    pane.lastForceReply = 0;
    pane.keyboardHidden = false;
    arrived = true;
  }
  const wanted = [];
  const keep = new Set();
  let previousDay = null;
  for (const m of messages) {
    const day = dayKey(m.date);
    const showDay = day !== previousDay;
    previousDay = day;
    const out = choice && m.from && m.from.id === choice.userId;
    const sig = JSON.stringify([app.lang, showDay, out, m]);
    let entry = pane.rendered.get(m.message_id);
    if (!entry || entry.sig !== sig) {
      const el = messageElement(pane, m, { showDay, out });
      if (entry) entry.el.replaceWith(el);
      entry = { el, sig };
      pane.rendered.set(m.message_id, entry);
    }
    keep.add(m.message_id);
    wanted.push(entry.el);
    if (m.message_id > pane.lastSeenId) {
      pane.lastSeenId = m.message_id;
      if (chatId !== null) markSeen(chatId, m.message_id);
      arrived = true;
    }
  }
  for (const [id, entry] of pane.rendered) {
    if (!keep.has(id)) {
      entry.el.remove();
      pane.rendered.delete(id);
    }
  }
  wanted.forEach((el, i) => {
    if (box.children[i] !== el) box.insertBefore(el, box.children[i] || null);
  });
  box.classList.toggle("empty", messages.length === 0);

  renderReplyKeyboard(pane, choice, messages);
  followForceReply(pane, choice, messages);
  if (arrived || pane.stickBottom) scrollToBottom(pane);
}

function scrollToBottom(pane) {
  pane.messages.scrollTop = pane.messages.scrollHeight;
  pane.stickBottom = true;
}

function messageElement(pane, m, { showDay, out }) {
  const row = document.createElement("article");
  row.className = `msg ${out ? "out" : "in"}${m.from?.is_bot ? " from-bot" : ""}`;
  row.dataset.testid = "message";
  row.dataset.messageId = String(m.message_id);
  if (showDay) {
    const day = document.createElement("div");
    day.className = "day";
    day.textContent = dayLabel(m.date);
    row.append(day);
  }
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  row.append(bubble);

  const isGroup = pane.kind !== "enterprise";
  if (!out && m.from && (isGroup || !m.from.is_bot)) {
    const from = document.createElement("div");
    from.className = "from";
    from.textContent = m.from.name + (m.from.is_bot ? ` · ${tr("bot")}` : "");
    bubble.append(from);
  }
  if (m.reply_to) {
    const quote = document.createElement("button");
    quote.type = "button";
    quote.className = "quote";
    quote.dataset.testid = "quote";
    const who = document.createElement("b");
    who.textContent = m.reply_to.from_name;
    const what = document.createElement("span");
    what.textContent = m.reply_to.snippet;
    quote.append(who, what);
    quote.addEventListener("click", () => {
      const target = pane.rendered.get(m.reply_to.message_id)?.el;
      if (target) {
        target.scrollIntoView({ block: "center" });
        target.classList.add("flash");
        setTimeout(() => target.classList.remove("flash"), 1200);
      }
    });
    bubble.append(quote);
  }
  if (m.photo) {
    const link = document.createElement("a");
    link.className = "photo";
    link.href = m.photo.url;
    link.target = "_blank";
    link.rel = "noopener";
    const img = document.createElement("img");
    img.src = m.photo.url;
    img.alt = snippetOf({ ...m, photo: null }) || tr("photo");
    img.dataset.testid = "photo";
    img.addEventListener("load", () => {
      if (pane.stickBottom) scrollToBottom(pane);
    });
    link.append(img);
    bubble.append(link);
  }
  if (m.document) {
    const link = document.createElement("a");
    link.className = "document";
    link.dataset.testid = "document-link";
    link.href = m.document.url;
    link.setAttribute("download", m.document.file_name || "");
    link.title = `${tr("download")} ${m.document.file_name}`;
    const icon = document.createElement("span");
    icon.className = "doc-icon";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = "📄";
    const name = document.createElement("span");
    name.className = "doc-name";
    name.textContent = m.document.file_name;
    const kind = document.createElement("span");
    kind.className = "doc-kind";
    kind.textContent = `${tr("download")} · ${m.document.mime_type || ""}`;
    link.append(icon, name, kind);
    bubble.append(link);
  }
  if (m.other) {
    const other = document.createElement("div");
    other.className = "other";
    other.textContent = m.other;
    bubble.append(other);
  }
  if (m.html) {
    const text = document.createElement("div");
    text.className = "text";
    text.dataset.testid = "message-text";
    text.innerHTML = m.html; // the API's contract: safe, re-rendered HTML
    for (const a of text.querySelectorAll("a[href]")) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    }
    bubble.append(text);
  }
  const meta = document.createElement("div");
  meta.className = "meta";
  if (m.reactions && m.reactions.length) {
    const reactions = document.createElement("span");
    reactions.className = "reactions";
    reactions.dataset.testid = "reactions";
    reactions.textContent = m.reactions.join(" ");
    meta.append(reactions);
  }
  if (m.edited) {
    const edited = document.createElement("span");
    edited.className = "edited";
    edited.textContent = tr("edited");
    meta.append(edited);
  }
  const time = document.createElement("time");
  time.textContent = clockTime(m.date);
  time.dateTime = zoned(m.date).toISOString();
  meta.append(time);
  const reply = document.createElement("button");
  reply.type = "button";
  reply.className = "reply-action";
  reply.dataset.testid = "reply-action";
  reply.textContent = `↩ ${tr("reply")}`;
  reply.setAttribute("aria-label", tr("reply_label"));
  reply.addEventListener("click", () => {
    setReply(pane, { message_id: m.message_id, name: m.from?.name || "", snippet: snippetOf(m) });
    pane.input.focus();
  });
  meta.append(reply);
  bubble.append(meta);

  if (m.inline_keyboard && m.inline_keyboard.length) {
    const keyboard = document.createElement("div");
    keyboard.className = "inline-keyboard";
    keyboard.dataset.testid = "inline-keyboard";
    for (const buttons of m.inline_keyboard) {
      const line = document.createElement("div");
      line.className = "kb-row";
      for (const b of buttons) line.append(inlineButton(pane, m, b));
      keyboard.append(line);
    }
    row.append(keyboard);
  }
  return row;
}

function inlineButton(pane, m, b) {
  if (b.url && !b.callback_data) {
    const link = document.createElement("a");
    link.className = "kb-button url";
    link.dataset.testid = "inline-button";
    link.href = b.url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.textContent = `${b.text} ↗`;
    return link;
  }
  const button = document.createElement("button");
  button.type = "button";
  button.className = "kb-button";
  button.dataset.testid = "inline-button";
  button.textContent = b.text;
  button.disabled = !b.callback_data;
  button.addEventListener("click", () =>
    act(pane, async () => {
      const result = await api("POST", "/api/press", {
        chat_id: pane.chat.chatId,
        user_id: pane.chat.userId,
        message_id: m.message_id,
        callback_data: b.callback_data,
      });
      if (result && result.answer) toast(result.answer);
    }),
  );
  return button;
}

/** Telegram keeps the last reply keyboard until the bot removes it (or a one-time one is used). */
function currentReplyKeyboard(choice, messages) {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const m = messages[i];
    if (m.from?.is_bot && m.remove_keyboard) return null;
    if (m.reply_keyboard && m.reply_keyboard.length) {
      const usedOnce =
        m.one_time_keyboard && messages.slice(i + 1).some((n) => choice && n.from?.id === choice.userId);
      return usedOnce ? null : m.reply_keyboard;
    }
  }
  return null;
}

function renderReplyKeyboard(pane, choice, messages) {
  const rows = currentReplyKeyboard(choice, messages);
  const sig = JSON.stringify([app.lang, choice?.chatId, rows]);
  if (sig !== pane.kbSig) {
    pane.kbSig = sig;
    pane.keyboard.replaceChildren();
    for (const buttons of rows || []) {
      const line = document.createElement("div");
      line.className = "kb-row";
      for (const b of buttons) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "kb-button reply";
        button.dataset.testid = "reply-keyboard-button";
        button.textContent = b.text;
        if (b.request_contact) button.dataset.requestContact = "true";
        button.addEventListener("click", () =>
          act(pane, async () => {
            if (b.request_contact) {
              await api("POST", "/api/contact", {
                chat_id: pane.chat.chatId,
                user_id: pane.chat.userId,
              });
              toast(tr("sent_contact"));
            } else {
              await sendText(pane, b.text, { fromComposer: false });
            }
          }),
        );
        line.append(button);
      }
      pane.keyboard.append(line);
    }
  }
  const has = pane.keyboard.childElementCount > 0;
  pane.kbToggle.hidden = !has;
  pane.kbToggle.setAttribute("aria-pressed", String(!pane.keyboardHidden));
  pane.keyboard.hidden = !has || pane.keyboardHidden;
}

/** A bot question sent with force_reply opens the reply to it, as Telegram clients do. */
function followForceReply(pane, choice, messages) {
  const last = messages[messages.length - 1];
  if (!last || !last.force_reply || !last.from?.is_bot) return;
  if (last.message_id <= pane.lastForceReply) return;
  pane.lastForceReply = last.message_id;
  setReply(pane, { message_id: last.message_id, name: last.from.name, snippet: snippetOf(last) });
}

function setReply(pane, target) {
  pane.replyTo = target;
  if (!target) {
    pane.banner.hidden = true;
    pane.bannerText.textContent = "";
    return;
  }
  showReplyBanner(pane);
}

function showReplyBanner(pane) {
  const target = pane.replyTo;
  pane.bannerText.textContent = tr("replying_to", { name: target.name, snippet: target.snippet });
  pane.banner.dataset.messageId = String(target.message_id);
  pane.banner.hidden = false;
}

// ---------------------------------------------------------------- acting

/** Run one user action of a pane after the previous one finished, then refresh. */
function act(pane, action) {
  pane.pending += 1;
  pane.el.setAttribute("aria-busy", "true");
  pane.queue = pane.queue
    .then(action)
    .catch(showError)
    .then(() => refresh())
    .finally(() => {
      pane.pending -= 1;
      if (!pane.pending) pane.el.removeAttribute("aria-busy");
    });
  return pane.queue;
}

async function sendText(pane, text, { fromComposer }) {
  const replyTo = pane.replyTo ? pane.replyTo.message_id : null;
  await api("POST", "/api/send", {
    chat_id: pane.chat.chatId,
    user_id: pane.chat.userId,
    text,
    reply_to: replyTo,
  });
  if (fromComposer && pane.input.value === text) {
    pane.input.value = "";
    autoGrow(pane.input);
  }
  if (pane.replyTo && pane.replyTo.message_id === replyTo) setReply(pane, null);
}

async function upload(pane, file) {
  const form = new FormData();
  form.append("chat_id", String(pane.chat.chatId));
  form.append("user_id", String(pane.chat.userId));
  form.append("file", file, file.name);
  const caption = pane.input.value.trim();
  if (caption) form.append("caption", caption);
  const replyTo = pane.replyTo ? pane.replyTo.message_id : null;
  if (replyTo) form.append("reply_to", String(replyTo));
  await api("POST", "/api/upload", form);
  if (caption && pane.input.value.trim() === caption) {
    pane.input.value = "";
    autoGrow(pane.input);
  }
  if (replyTo) setReply(pane, null);
}

let clockBusy = Promise.resolve();

function clockAction(button, run) {
  const buttons = document.querySelectorAll("[data-advance], #weekly");
  for (const b of buttons) b.disabled = true;
  document.body.setAttribute("aria-busy", "true");
  clockBusy = clockBusy
    .then(run)
    .catch(showError)
    .then(() => refresh())
    .finally(() => {
      for (const b of buttons) b.disabled = false;
      document.body.removeAttribute("aria-busy");
    });
  return clockBusy;
}

function wireTimebar() {
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () =>
      clockAction(button, async () => {
        const result = await api("POST", "/api/clock/advance", JSON.parse(button.dataset.advance));
        if (result?.clock) {
          const label = app.lang === "en" ? result.clock.label_en : result.clock.label_zh;
          toast(tr("clock_moved", { label }));
        }
      }),
    );
  }
  const weekly = document.getElementById("weekly");
  weekly.addEventListener("click", () =>
    clockAction(weekly, async () => {
      const result = await api("POST", "/api/weekly", {});
      const leadership = app.state?.groups.find((g) => g.chat_id === result?.chat_id);
      if (leadership) {
        const pane = app.panes.supervisor;
        pane.selected = leadership.code;
        store("pane.supervisor", leadership.code);
        setReply(pane, null);
      }
      toast(tr("weekly_done"));
    }),
  );
}

// ---------------------------------------------------------------- new enterprise

function openNewEnterprise() {
  const dialog = document.getElementById("new-enterprise-dialog");
  document.getElementById("new-enterprise-form").reset();
  dialog.showModal();
}

function wireNewEnterprise() {
  const dialog = document.getElementById("new-enterprise-dialog");
  const form = document.getElementById("new-enterprise-form");
  document.getElementById("new-enterprise-cancel").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = form.elements.name.value.trim();
    const company = form.elements.company.value.trim();
    if (!name || !company) return;
    dialog.close();
    const pane = app.panes.enterprise;
    act(pane, async () => {
      const created = await api("POST", "/api/enterprises", { name, company });
      pane.selected = String(created.user_id);
      store("pane.enterprise", pane.selected);
      setReply(pane, null);
      toast(tr("enterprise_created", { name: created.name }));
    });
  });
}

// ---------------------------------------------------------------- refresh and live updates

function renderHeader() {
  const state = app.state;
  if (!state) return;
  const name = app.lang === "en" ? state.desk.name_en || state.desk.name : state.desk.name;
  document.getElementById("desk-name").textContent = name;
  document.title = `${name} — ${tr("sandbox")}`;
  const clock = document.getElementById("clock");
  clock.textContent = app.lang === "en" ? state.clock.label_en : state.clock.label_zh;
  clock.title = state.clock.now;
}

/**
 * Fetch the state and the three visible chats. A call made while a refresh runs is folded
 * into one more round, and its promise resolves only after that round: an action that
 * awaits refresh() sees its own effects on screen.
 */
function refresh() {
  if (app.refreshing) {
    app.again = true;
    return app.refreshing;
  }
  app.refreshing = (async () => {
    try {
      do {
        app.again = false;
        const state = await api("GET", "/api/state");
        app.state = state;
        if (app.version === null) markAllSeen(state);
        app.version = state.version;
        renderHeader();
        await Promise.all(Object.values(app.panes).map((pane) => loadPane(pane)));
      } while (app.again);
    } catch (error) {
      showError(error);
    } finally {
      app.refreshing = null;
    }
  })();
  return app.refreshing;
}

function setLive(on) {
  const live = document.getElementById("live");
  live.textContent = on ? `● ${tr("connected")}` : `○ ${tr("reconnecting")}`;
  live.classList.toggle("off", !on);
  live.dataset.on = String(on);
}

function connect() {
  const events = new EventSource("/api/events");
  events.addEventListener("change", (event) => {
    let version = null;
    try {
      version = JSON.parse(event.data).version;
    } catch {
      version = null;
    }
    if (version === null || version !== app.version) refresh();
  });
  events.addEventListener("open", () => setLive(true));
  events.addEventListener("error", () => setLive(false)); // EventSource reconnects by itself
}

function start() {
  for (const kind of PANE_KINDS) {
    const section = document.querySelector(`[data-pane="${kind}"]`);
    app.panes[kind] = buildPane(section);
  }
  document.getElementById("language-toggle").addEventListener("click", () => {
    app.lang = app.lang === "en" ? "zh" : "en";
    store("lang", app.lang);
    applyLabels();
    renderHeader();
    setLive(document.getElementById("live").dataset.on === "true");
    // Each message's signature includes the language, so every message is re-rendered.
    for (const pane of Object.values(app.panes)) loadPane(pane).catch(showError);
  });
  wireTimebar();
  wireNewEnterprise();
  applyLabels();
  setLive(false);
  refresh();
  connect();
}

start();
