// The exam page: save each answer as it is given, survive a dropped network, count down
// to the SERVER's deadline, and agree with other pages open on the same attempt. Plain
// ES5 for WeChat's Android browser; the page works as one ordinary form without this
// file (DESIGN §5).
//
// Two pages (tabs, or a phone and a PC) on one attempt: each save names the version
// of the answer this page saw and how long ago the answer was given; the server keeps
// the answer given last (exams/answer_versions.py) and answers with the one it keeps.
// Every answer also carries the sum of the attempt's versions: when it is more than
// this page knows of, another page has answered and this one fetches the answers.
(function () {
  "use strict";
  var form = document.getElementById("exam-form");
  if (!form) { return; }

  var attemptId = form.getAttribute("data-attempt");
  var answerUrl = form.getAttribute("data-answer-url");
  var answersUrl = form.getAttribute("data-answers-url");
  var token = form.querySelector("input[name=csrf_token]").value;
  var total = parseInt(form.getAttribute("data-total"), 10) || 0;
  var KEY_PREFIX = "yongxi-exam-" + attemptId + "-q";
  var MAX_DELAY_MS = 30000;
  var LABELS = {
    saving: "保存中…",
    saved: "已保存",
    offline: "未保存（网络断开）",
    updated: "已改为另一页面保存的答案",
    invalid: "答案无效，未保存",
    login: "未保存（登录已失效）",
    closed: "考试已结束，答案未保存",
    expired: "时间已到"
  };

  // position -> the server's version of its answer, as last heard (page, save, fetch).
  var seen = {};
  var inFlight = {};  // position -> "at" of the answer being sent
  var failed = {};
  var memory = {};  // the queue when the browser keeps no localStorage (private mode)
  var retryDelay = 1000;
  var retryTimer = null;
  var closed = false;
  var loginLost = false;
  var expired = false;
  var submitting = false;
  var fetching = false;
  // This page's key and its count of saves: the server keeps a later save of this
  // page over an earlier one that the network delivered last (answer_versions.py).
  var pageKey = makeKey();
  var saveCount = 0;

  function makeKey() {
    var bytes = null, key = "", i;
    try {
      bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
    } catch (e) { bytes = null; }
    for (i = 0; i < 16; i++) {
      key += ((bytes ? bytes[i] : Math.floor(Math.random() * 256)) % 36).toString(36);
    }
    return key;
  }

  // ---------------------------------------------------------------- the queue
  // One localStorage entry per question, {answer, at, base, page, n}: answers given
  // and not yet confirmed by the server. Two pages of one browser share the entries;
  // each writes only the questions it answers and removes an entry only if it is still
  // the one it sent, so neither drops the other's newer answer.

  function keyOf(position) { return KEY_PREFIX + position; }
  function pending(position) {
    var text = null;
    try { text = window.localStorage.getItem(keyOf(position)); } catch (e) { text = null; }
    if (text === null) { return memory[position] || null; }
    try { return JSON.parse(text); } catch (e) { return null; }
  }
  function keep(position, item) {
    memory[position] = item;
    try { window.localStorage.setItem(keyOf(position), JSON.stringify(item)); } catch (e) { /* memory */ }
  }
  function forget(position, item) {
    var current = pending(position);
    if (item && current && current.at !== item.at) { return false; }  // a newer answer
    delete memory[position];
    try { window.localStorage.removeItem(keyOf(position)); } catch (e) { /* ignore */ }
    return true;
  }
  function pendingPositions() {
    var out = [];
    for (var p = 1; p <= total; p++) {
      if (pending(p)) { out.push(p); }
    }
    return out;
  }

  // ---------------------------------------------------------------- the inputs

  function inputsOf(position) {
    return form.querySelectorAll("input[name='q" + position + "']");
  }
  function versionInput(position) {
    return form.querySelector("input[name='v" + position + "']");
  }
  function answerOf(position) {
    var letters = "";
    var inputs = inputsOf(position);
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].checked) { letters += inputs[i].value; }
    }
    return letters;
  }
  function applyAnswer(position, letters) {
    var inputs = inputsOf(position);
    for (var i = 0; i < inputs.length; i++) {
      inputs[i].checked = letters.indexOf(inputs[i].value) !== -1;
    }
  }
  function positionOf(input) {
    var match = /^q(\d+)$/.exec(input.name || "");
    return match ? parseInt(match[1], 10) : null;
  }
  function sumSeen() {
    var sum = 0;
    for (var p = 1; p <= total; p++) { sum += seen[p] || 0; }
    return sum;
  }
  // What the server keeps, once nothing of this page is pending for the question:
  // the page shows it, and 交卷 sends its version.
  function adopt(position, letters, version) {
    seen[position] = version;
    if (pending(position)) { return; }
    var input = versionInput(position);
    if (input) { input.value = String(version); }
    if (answerOf(position) !== letters) {
      applyAnswer(position, letters);
      setQuestionState(position, "updated");
    }
  }

  // ---------------------------------------------------------------- state shown

  function setQuestionState(position, state) {
    var el = form.querySelector("[data-state-for='" + position + "']");
    if (el) {
      el.setAttribute("data-state", state);
      el.textContent = LABELS[state] || "";
    }
  }
  function updateSummary() {
    var answered = 0;
    var unsaved = 0;
    for (var p = 1; p <= total; p++) {
      var done = answerOf(p) !== "";
      var waiting = pending(p) !== null;
      if (done) { answered++; }
      if (waiting) { unsaved++; }
      var nav = form.querySelector("[data-nav='" + p + "']");
      if (nav) {
        nav.className = (done ? "answered" : "") + (waiting ? " unsaved" : "");
        nav.setAttribute("aria-label", "第" + p + "题" + (waiting ? "，未保存" : ""));
      }
    }
    var count = document.getElementById("exam-answered");
    if (count) { count.textContent = answered; }
    var state = "saved";
    if (closed) { state = "closed"; }
    else if (expired) { state = "expired"; }
    else if (loginLost) { state = "login"; }
    else if (hasKeys(failed)) { state = "offline"; }
    else if (unsaved > 0) { state = "saving"; }
    var el = document.getElementById("exam-save-state");
    if (el) {
      el.setAttribute("data-state", state);
      el.textContent = LABELS[state];
    }
    return answered;
  }
  function hasKeys(object) {
    for (var key in object) {
      if (Object.prototype.hasOwnProperty.call(object, key)) { return true; }
    }
    return false;
  }
  // A message with an optional link, built from text nodes (no markup from anywhere).
  function notice(text, linkText) {
    var el = document.getElementById("exam-notice");
    if (!el) { return; }
    el.textContent = text;
    if (linkText) {
      var link = document.createElement("a");
      link.href = window.location.pathname;
      link.textContent = linkText;
      el.appendChild(document.createTextNode(" "));
      el.appendChild(link);
    }
    el.hidden = false;
  }

  // ---------------------------------------------------------------- saving

  function record(position) {
    var input = versionInput(position);
    keep(position, {
      answer: answerOf(position),
      at: Date.now(),
      base: input ? parseInt(input.value, 10) || 0 : -1,
      page: pageKey,
      n: ++saveCount
    });
    send(position);
  }

  function send(position) {
    var item = pending(position);
    if (!item || closed || loginLost || inFlight[position] === item.at) { return; }
    inFlight[position] = item.at;
    setQuestionState(position, "saving");
    updateSummary();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", answerUrl, true);
    xhr.timeout = 15000;
    xhr.setRequestHeader("Content-Type", "application/json");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", token);
    xhr.onload = function () { settle(position, item, xhr.status, parse(xhr)); };
    xhr.onerror = xhr.ontimeout = function () { settle(position, item, 0, null); };
    var body = {
      position: position,
      answer: item.answer,
      base: item.base,
      age: Math.max(0, Date.now() - item.at)
    };
    if (item.page) {  // kept with the entry: a reloaded page sends it as it was given
      body.page = item.page;
      body.n = item.n;
    }
    xhr.send(JSON.stringify(body));
  }

  function parse(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("application/json") === -1) { return null; }
    try { return JSON.parse(xhr.responseText); } catch (e) { return null; }
  }

  function settle(position, item, status, data) {
    if (inFlight[position] === item.at) { delete inFlight[position]; }
    if (status === 200 && data && data.ok) {
      saved(position, item, data);
    } else if (status === 409 && data) {
      finished(data.reason);
    } else if (status === 401 || (status === 400 && data && data.reason === "csrf")) {
      lostLogin();
    } else if (status === 400 && data && data.ok === false) {
      // The server refused the letters themselves: retrying would not help.
      forget(position, item);
      setQuestionState(position, "invalid");
      updateSummary();
    } else {
      // Offline, a timeout or a server error: keep it and retry.
      failed[position] = true;
      setQuestionState(position, "offline");
      updateSummary();
      scheduleRetry();
    }
  }

  function saved(position, item, data) {
    delete failed[position];
    var mine = forget(position, item);
    adopt(position, data.answer, data.version);
    if (!mine) {
      send(position);  // a newer answer was given meanwhile (here or in another tab)
    } else if (data.answer === item.answer) {
      setQuestionState(position, "saved");
    }
    if (typeof data.remaining_seconds === "number") { syncTimer(data.remaining_seconds); }
    retryDelay = 1000;
    updateSummary();
    if (data.total > sumSeen()) { refresh(); }
    if (hasKeys(failed)) { flush(); }
  }

  function scheduleRetry() {
    if (retryTimer || closed || loginLost) { return; }
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      flush();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, MAX_DELAY_MS);
  }

  function flush() {
    var positions = pendingPositions();
    for (var i = 0; i < positions.length; i++) { send(positions[i]); }
  }

  // Another page has answered: show what the server keeps now.
  function refresh() {
    if (fetching || closed || loginLost) { return; }
    fetching = true;
    var xhr = new XMLHttpRequest();
    xhr.open("GET", answersUrl, true);
    xhr.timeout = 15000;
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () {
      fetching = false;
      var data = parse(xhr);
      if (xhr.status === 200 && data && data.ok) {
        for (var p = 1; p <= total; p++) {
          var item = data.answers[String(p)];
          if (item) { adopt(p, item.answer, item.version); }
        }
        if (typeof data.remaining_seconds === "number") { syncTimer(data.remaining_seconds); }
        updateSummary();
      } else if (xhr.status === 409 && data) {
        finished(data.reason);
      } else if (xhr.status === 401) {
        lostLogin();
      }
    };
    xhr.onerror = xhr.ontimeout = function () { fetching = false; };
    xhr.send();
  }

  function lostLogin() {
    loginLost = true;
    var positions = pendingPositions();
    for (var i = 0; i < positions.length; i++) { setQuestionState(positions[i], "login"); }
    updateSummary();
    notice("登录已失效：未保存的答案留在本机，重新登录后回到本页会自动保存。", "重新登录");
  }

  function finished(reason) {
    if (closed) { return; }
    closed = true;
    // Answers this browser still holds were not counted: say how many, then drop them.
    var late = pendingPositions();
    for (var i = 0; i < late.length; i++) { forget(late[i], null); }
    updateSummary();
    var first = reason === "submitted" ? "本次考试已在另一个页面交卷。" : "考试时间已到，已按保存的答案自动交卷。";
    if (late.length > 0) {
      var tail = reason === "submitted" ? " 个答案在交卷后送达，未计入。" : " 个答案在截止后送达，未计入。";
      notice(first + late.length + tail, "查看成绩");
    } else {
      notice(first, "查看成绩");
      // The server has closed the attempt: its page now leads to the result.
      window.setTimeout(function () { window.location.reload(); }, 1500);
    }
  }

  // ---------------------------------------------------------------- the countdown

  var timerEl = document.getElementById("exam-remaining");
  var remainingAttr = form.getAttribute("data-remaining");
  var endsAt = null;

  function syncTimer(seconds) {
    endsAt = Date.now() + seconds * 1000;
  }
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    if (endsAt === null || !timerEl) { return; }
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    timerEl.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
    timerEl.parentNode.className = left <= 300 ? "exam-timer is-low" : "exam-timer";
    if (left === 0 && !expired && !closed) { timeUp(); }
  }
  function timeUp() {
    // The answers stop here; what the page shows is handed in (the server allows a
    // short grace), now or as soon as the network is back.
    expired = true;
    form.className += " is-expired";
    updateSummary();
    notice("时间已到，答案不能再修改。" +
      (navigator.onLine === false ? "网络恢复后将自动交卷。" : "正在交卷…"));
    handIn();
  }
  function handIn() {
    if (submitting || closed || navigator.onLine === false) { return; }
    startSubmitting();
    form.submit();
  }

  // ---------------------------------------------------------------- 长辈模式
  // One question per screen, with 上一题 / 下一题 and the numbers to jump: the others
  // are only hidden, so each answer still saves as it is given and 交卷 sends them all.

  var pager = document.getElementById("q-pager");
  var counter = document.getElementById("q-counter");
  var current = 0;

  function questionAt(position) { return document.getElementById("q" + position); }
  function show(position, moveFocus) {
    var target = questionAt(position);
    if (!target) { return; }
    var was = questionAt(current);
    if (was) { was.className = "question"; }
    target.className = "question is-current";
    current = position;
    counter.textContent = "第 " + position + " 题 / 共 " + total + " 题";
    var steps = pager.querySelectorAll("button.q-step");
    for (var i = 0; i < steps.length; i++) {
      var step = parseInt(steps[i].value, 10);
      steps[i].disabled = position + step < 1 || position + step > total;
    }
    try { window.sessionStorage.setItem(KEY_PREFIX + "-shown", String(position)); } catch (e) { /* none */ }
    if (moveFocus) {
      target.setAttribute("tabindex", "-1");
      target.focus();
      target.scrollIntoView(true);
    }
  }
  // The question asked for (#q5), else the one shown before a reload, else the
  // first one not answered.
  function firstShown() {
    var match = /^#q(\d+)$/.exec(window.location.hash || "");
    var shown = null;
    try { shown = window.sessionStorage.getItem(KEY_PREFIX + "-shown"); } catch (e) { shown = null; }
    if (match && questionAt(parseInt(match[1], 10))) { return parseInt(match[1], 10); }
    if (shown && questionAt(parseInt(shown, 10))) { return parseInt(shown, 10); }
    for (var p = 1; p <= total; p++) {
      if (answerOf(p) === "") { return p; }
    }
    return 1;
  }
  function startOneByOne() {
    form.className += " one-by-one";
    pager.hidden = false;
    var nav = form.querySelector(".exam-nav");
    if (nav) { pager.parentNode.insertBefore(nav, pager.nextSibling); }
    pager.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("button.q-step") : null;
      if (button && !button.disabled) {
        show(current + parseInt(button.value, 10), true);
      }
    });
    form.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest(".exam-nav a") : null;
      var match = link ? /#q(\d+)$/.exec(link.getAttribute("href") || "") : null;
      if (match) {
        event.preventDefault();
        show(parseInt(match[1], 10), true);
      }
    });
    show(firstShown(), false);
  }

  // ---------------------------------------------------------------- wiring

  // The queue stays until the server has the form: should 交卷 not arrive, the page
  // reopened shows and sends the answers again.
  function startSubmitting() {
    submitting = true;
    var buttons = form.querySelectorAll("button[type=submit]");
    for (var j = 0; j < buttons.length; j++) {
      buttons[j].disabled = true;
      buttons[j].textContent = "提交中…";
    }
  }

  // After the time is up nothing changes an answer (a click, a key, a label's tap).
  form.addEventListener("click", function (event) {
    if (expired && positionOf(event.target) !== null) { event.preventDefault(); }
  }, true);

  form.addEventListener("change", function (event) {
    var position = positionOf(event.target);
    if (position !== null && !closed && !expired) { record(position); }
    updateSummary();
  });

  form.addEventListener("submit", function (event) {
    if (submitting) { event.preventDefault(); return; }
    var unanswered = total - updateSummary();
    var message = unanswered > 0
      ? "还有 " + unanswered + " 题未作答，确定交卷吗？交卷后不能再修改。"
      : "确定交卷吗？交卷后不能再修改。";
    if (!window.confirm(message)) { event.preventDefault(); return; }
    if (navigator.onLine === false) {
      event.preventDefault();
      notice("网络已断开：答案已保存在本机，联网后请再点“交卷”。");
      return;
    }
    startSubmitting();
  });

  window.addEventListener("beforeunload", function (event) {
    if (submitting || closed || pendingPositions().length === 0) { return undefined; }
    event.preventDefault();
    event.returnValue = "还有答案未保存，离开本页可能丢失。";
    return event.returnValue;
  });

  // Back from the browser's page cache after 交卷 failed to leave: usable again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && submitting && !closed) { window.location.reload(); }
  });

  window.addEventListener("online", function () {
    retryDelay = 1000;
    if (expired) { handIn(); } else { flush(); }
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !expired) { refresh(); }
  });

  for (var p = 1; p <= total; p++) {
    var input = versionInput(p);
    seen[p] = input ? parseInt(input.value, 10) || 0 : 0;
    // Answers given here while offline before a reload: show them again and send them.
    var item = pending(p);
    if (item) {
      applyAnswer(p, item.answer);
      setQuestionState(p, "saving");
    }
  }
  if (remainingAttr !== null) {
    syncTimer(parseInt(remainingAttr, 10) || 0);
    tick();
    window.setInterval(tick, 1000);
  }
  // A login new to this attempt (another device, a new login) says so once, for the
  // monitor's 多设备: the page itself (a GET) writes nothing.
  var openedUrl = form.getAttribute("data-opened-url");
  if (openedUrl) {
    var note = new XMLHttpRequest();
    note.open("POST", openedUrl, true);
    note.setRequestHeader("Accept", "application/json");
    note.setRequestHeader("X-CSRFToken", token);
    note.send();
  }
  if (pager && total > 0 && /(^|\s)elder(\s|$)/.test(document.documentElement.className)) {
    startOneByOne();
  }
  updateSummary();
  flush();
})();
