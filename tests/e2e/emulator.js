// Bot API server emulator for the bot's end-to-end tests: telegram-test-api, with the
// gaps filled that a real aiogram bot runs into (getMe without is_bot, getUpdates that
// ignores offset and timeout, callback queries without chat_instance or message date,
// no setMyCommands or sendDocument, no webhook secret header).
//
//   node emulator.js PORT
//
// Bot side:    http://127.0.0.1:PORT/bot<TOKEN>/<method>   (ZHIXIN_TELEGRAM_API)
//              getFile and GET /file/bot<TOKEN>/<file_path>: files people sent
// Person side: POST /sendMessage, /sendCommand, /sendCallback, /getUpdates (as shipped)
//              GET  /e2e/messages?token=&chat=&after=  every bot message to a chat,
//                   edits applied, with its message_id (after: the last one seen)
//              POST /e2e/files {data: base64}  store a file a person sends; answers its
//                   file_id, for a photo or document in /sendMessage
//              GET  /e2e/answers?token=  the answers to callback queries (toasts)
// Answered like Telegram where the bot depends on it: an edit that changes nothing is a
// 400 "message is not modified", an edit without reply_markup removes the keyboard, and
// results are objects (the edited Message), never JSON strings.
'use strict';

const express = require('express');
const http = require('http');
const TelegramServer = require('telegram-test-api');

const port = Number(process.argv[2] || 9000);
const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 3600 });
const confirmed = {}; // token -> offset the bot confirmed
const botUser = (token) => ({
  id: Number(String(token).split(':')[0]) || 1,
  is_bot: true,
  first_name: 'Zhixin',
  username: 'zhixin_test_bot',
});

// Telegram's dates are seconds; the emulator stores milliseconds.
const seconds = (value) => (value > 1e11 ? Math.floor(value / 1000) : value);

function formatUpdate(update) {
  if ('callbackQuery' in update) {
    const query = update.callbackQuery;
    const message = Object.assign({}, query.message || {});
    message.date = seconds(message.date || update.time);
    message.message_id = message.message_id || update.messageId;
    delete message.botToken;
    return {
      update_id: update.updateId,
      callback_query: {
        id: String(update.callbackId),
        from: query.from,
        message,
        chat_instance: String((message.chat && message.chat.id) || query.from.id),
        data: query.data,
      },
    };
  }
  const message = Object.assign({}, update.message, { message_id: update.messageId });
  message.date = seconds(message.date || update.time);
  delete message.botToken;
  return { update_id: update.updateId, message };
}

function pendingFor(token) {
  const offset = confirmed[token] || 0;
  return server.storage.userMessages.filter((u) => u.botToken === token && u.updateId >= offset);
}

function waitForUser(timeoutMs) {
  return new Promise((resolve) => {
    const events = ['AddedUserMessage', 'AddedUserCommand', 'AddedUserCallbackQuery'];
    const done = () => {
      clearTimeout(timer);
      events.forEach((e) => server.off(e, done));
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    events.forEach((e) => server.on(e, done));
  });
}

// sendMessage results: dates in seconds and a sender, as Telegram returns them
const addBotMessage = server.addBotMessage.bind(server);
server.addBotMessage = (raw, token) => {
  const stored = addBotMessage(raw, token);
  const chatId = Number(raw.chat_id);
  // only Message fields: the emulator echoes every request parameter back
  const msg = {
    message_id: stored.message_id,
    date: seconds(stored.date),
    from: botUser(token),
    chat: chatId < 0 ? { id: chatId, type: 'supergroup', title: 'Group' }
      : { id: chatId, type: 'private', first_name: 'Test' },
    text: stored.text,
  };
  if (stored.reply_markup) msg.reply_markup = stored.reply_markup;
  return msg;
};

// webhook deliveries carry the secret token, as Telegram sends it
server.addUserUpdate = async (update) => {
  const webhook = server.webhooks[update.botToken];
  if (!webhook) {
    server.storage.userMessages.push(update);
    server.updateId++;
    return;
  }
  const headers = { 'Content-Type': 'application/json' };
  if (webhook.secret_token) headers['X-Telegram-Bot-Api-Secret-Token'] = webhook.secret_token;
  server.storage.userMessages.push(update); // kept for deleteMessage
  server.updateId++;
  const resp = await fetch(webhook.url, {
    method: 'POST', headers, body: JSON.stringify(formatUpdate(update)),
  });
  if (resp.status > 204) throw new Error(`webhook answered ${resp.status}`);
};

const app = express();
app.use(express.json({ limit: '32mb' }));
app.use(express.urlencoded({ extended: true }));
const params = (req) => Object.assign({}, req.query, req.body);

app.all('/bot:token/getMe', (req, res) => res.json({ ok: true, result: botUser(req.params.token) }));

app.all('/bot:token/getUpdates', async (req, res) => {
  const { token } = req.params;
  const p = params(req);
  if (p.offset !== undefined) confirmed[token] = Math.max(confirmed[token] || 0, Number(p.offset));
  const timeout = Math.min(Number(p.timeout || 0), 30);
  if (!pendingFor(token).length && timeout > 0) await waitForUser(timeout * 1000);
  const limit = Number(p.limit || 100);
  res.json({ ok: true, result: pendingFor(token).slice(0, limit).map(formatUpdate) });
});

for (const method of ['setMyCommands', 'deleteMyCommands', 'setChatMenuButton', 'sendChatAction',
  'setMyDescription', 'setMyShortDescription']) {
  app.all(`/bot:token/${method}`, (req, res) => res.json({ ok: true, result: true }));
}

app.all('/bot:token/sendDocument', (req, res) => {
  const p = params(req);
  const msg = server.addBotMessage({ chat_id: p.chat_id, text: p.caption || '', document: true },
    req.params.token);
  res.json({ ok: true, result: msg });
});

// the toasts and alerts a press got, for the tests to read (GET /e2e/answers)
const answers = [];
app.all('/bot:token/answerCallbackQuery', (req, res) => {
  const p = params(req);
  answers.push({
    token: req.params.token,
    callback_query_id: String(p.callback_query_id),
    text: p.text || '',
    show_alert: p.show_alert === true || p.show_alert === 'true',
  });
  res.json({ ok: true, result: true });
});

app.get('/e2e/answers', (req, res) => {
  res.json({ ok: true, result: answers.filter((a) => a.token === req.query.token) });
});

// edits, answered like Telegram: applied to the stored message; no reply_markup removes
// the keyboard; an edit that changes nothing is refused with "message is not modified";
// the result is the edited Message object
const same = (a, b) => JSON.stringify(a || null) === JSON.stringify(b || null);

app.all('/bot:token/editMessage:what', (req, res) => {
  const p = params(req);
  const stored = server.storage.botMessages.find(
    (u) => String(u.messageId) === String(p.message_id)
      && String(u.message.chat_id) === String(p.chat_id),
  );
  if (!stored) {
    res.status(400).json({ ok: false, error_code: 400, description: 'Bad Request: message to edit not found' });
    return;
  }
  const change = TelegramServer.normalizeMessage(Object.assign({}, p));
  const markup = change.reply_markup && 'inline_keyboard' in change.reply_markup
    ? change.reply_markup : undefined;
  const text = req.params.what === 'Text' ? change.text : stored.message.text;
  if (text === stored.message.text && same(markup, stored.message.reply_markup)) {
    res.status(400).json({
      ok: false,
      error_code: 400,
      description: 'Bad Request: message is not modified: specified new message content and '
        + 'reply markup are exactly the same as a current content and reply markup of the message',
    });
    return;
  }
  const next = Object.assign({}, stored.message, { text });
  if (markup) next.reply_markup = markup; else delete next.reply_markup;
  stored.message = next;
  stored.edited = (stored.edited || 0) + 1;
  const chatId = Number(p.chat_id);
  const result = {
    message_id: stored.messageId,
    date: seconds(stored.time),
    edit_date: Math.floor(Date.now() / 1000),
    from: botUser(req.params.token),
    chat: chatId < 0 ? { id: chatId, type: 'supergroup', title: 'Group' }
      : { id: chatId, type: 'private', first_name: 'Test' },
    text,
  };
  if (markup) result.reply_markup = markup;
  res.json({ ok: true, result });
});

app.all('/bot:token/setWebhook', (req, res) => {
  const p = params(req);
  server.setWebhook(p, req.params.token);
  res.json({ ok: true, result: true });
});

const files = {}; // file_id -> Buffer
let fileCounter = 0;

app.post('/e2e/files', (req, res) => {
  fileCounter += 1;
  const fileId = `e2e-file-${fileCounter}`;
  files[fileId] = Buffer.from(String(req.body.data || ''), 'base64');
  res.json({ ok: true, result: { file_id: fileId, file_unique_id: fileId, file_size: files[fileId].length } });
});

app.all('/bot:token/getFile', (req, res) => {
  const p = params(req);
  const data = files[p.file_id];
  if (!data) {
    res.status(400).json({ ok: false, error_code: 400, description: 'Bad Request: invalid file_id' });
    return;
  }
  res.json({ ok: true, result: { file_id: p.file_id, file_unique_id: p.file_id, file_size: data.length, file_path: `files/${p.file_id}` } });
});

app.get('/file/bot:token/files/:id', (req, res) => {
  const data = files[req.params.id];
  if (!data) {
    res.status(404).end();
    return;
  }
  res.type('application/octet-stream').send(data);
});
// what the bot sent as form fields (JSON text) is given back as objects, as Telegram does
function objects(message) {
  for (const key of ['reply_markup', 'link_preview_options', 'entities', 'reply_parameters']) {
    if (typeof message[key] === 'string') {
      try { message[key] = JSON.parse(message[key]); } catch (e) { /* plain text stays */ }
    }
  }
  return message;
}

app.get('/e2e/messages', (req, res) => {
  const after = Number(req.query.after || 0);
  const result = server.storage.botMessages
    .filter((u) => u.botToken === req.query.token && String(u.message.chat_id) === String(req.query.chat))
    .filter((u) => u.messageId > after || (req.query.edits && u.edited))
    .map((u) => objects({ ...u.message, message_id: u.messageId, edited: u.edited || 0 }));
  res.json({ ok: true, result });
});

app.use(server.webServer);

http.createServer(app).listen(port, '127.0.0.1', () => {
  process.stdout.write(`emulator listening on ${port}\n`);
});
