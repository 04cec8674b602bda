// The 台账包 download on a report draft's page: fetched here so the page can say what is
// happening while the server builds it (the pack is streamed as each file is made), then
// saved under the server's file name. Without fetch and streams the link downloads as is.
"use strict";
(function () {
  var link = document.querySelector("a[data-pack]");
  var status = document.getElementById("pack-status");
  if (!link || !status || !window.fetch || !window.Blob || !window.URL || !URL.createObjectURL) {
    return;
  }
  var label = link.textContent;
  var busy = false;

  function say(text) {
    status.textContent = text;
  }

  function kb(n) {
    return n < 1048576 ? Math.round(n / 1024) + " KB" : (n / 1048576).toFixed(1) + " MB";
  }

  function nameOf(response) {
    var header = response.headers.get("Content-Disposition") || "";
    var match = /filename\*=UTF-8''([^;]+)/i.exec(header);
    return match ? decodeURIComponent(match[1]) : "台账包.zip";
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function done(text) {
    busy = false;
    link.textContent = label;
    link.removeAttribute("aria-disabled");
    say(text);
  }

  function read(response) {
    if (!response.body || !response.body.getReader) {
      return response.blob();
    }
    var reader = response.body.getReader();
    var parts = [];
    var received = 0;
    function next() {
      return reader.read().then(function (step) {
        if (step.done) {
          return new Blob(parts, { type: "application/zip" });
        }
        parts.push(step.value);
        received += step.value.length;
        say("正在生成台账包…已生成 " + kb(received));
        return next();
      });
    }
    return next();
  }

  link.addEventListener("click", function (event) {
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    link.textContent = "正在生成台账包…";
    link.setAttribute("aria-disabled", "true");
    say("正在生成台账包：报告、数字名单、签到表逐个生成，请稍候…");
    window.fetch(link.href, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) {
        done(response.status === 401 || response.status === 403 ?
          "登录已失效或没有权限，请重新登录后再下载" : "生成失败（" + response.status + "），请稍后再试");
        return null;
      }
      var name = nameOf(response);
      return read(response).then(function (blob) {
        save(blob, name);
        done("台账包已生成（" + kb(blob.size) + "），已开始下载：" + name);
      });
    }).catch(function () {
      done("网络中断，台账包未下载完，请重试");
    });
  });
})();
