/* 绩效自评表校验 — the drop page. Plain JavaScript, no libraries, nothing from the internet.
 *
 * Files go to POST /api/check (a few per request); the answer holds each
 * file's findings and its corrected copy (base64), kept here in the page.
 * The zip re-sends the original files to POST /api/bundle: the server keeps
 * nothing between requests.
 */
(function () {
  "use strict";

  var config = {
    max_file_bytes: 20 * 1024 * 1024,
    max_files: 200,
    max_request_bytes: 256 * 1024 * 1024,
    extensions: [".xlsx", ".xlsm", ".xls"],
    year: new Date().getFullYear() - 1
  };
  var CHUNK_FILES = 8;
  var CHUNK_BYTES = 16 * 1024 * 1024;
  var KIND = { department: "部门整体支出", project: "项目支出" };
  var LAYOUT = { "mof-3-1": "财政部附件3-1", "mof-3-2": "财政部附件3-2", sichuan: "四川", hubei: "湖北",
    chongqing: "重庆", yunnan: "云南", evaluation: "决策/过程/产出/效益", unknown: "未识别" };
  var LEVEL = { error: "错误", warning: "警告" };

  var entries = [];   // {file, result, sendable, node}
  var busy = false;
  var queue = [];

  var $ = function (id) { return document.getElementById(id); };
  var drop = $("drop"), input = $("file-input"), results = $("results"), messages = $("messages");

  /* ---------- small helpers ---------- */

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === "text") node.textContent = value;
        else if (key === "class") node.className = value;
        else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? "" : value);
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function mb(bytes) {
    var value = bytes / (1024 * 1024);
    return value >= 1 ? (Math.round(value * 10) / 10) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function num(value, digits) {
    if (value === null || value === undefined || value === "") return "未填";
    if (typeof value !== "number") return String(value);
    var d = digits === undefined ? 3 : digits;
    return String(Number(value.toFixed(d)));
  }

  function percent(rate) {
    if (rate === null || rate === undefined) return "—";
    return (Math.round(rate * 10000) / 100).toFixed(2) + "%";
  }

  function extension(name) {
    var dot = name.lastIndexOf(".");
    return dot < 0 ? "" : name.slice(dot).toLowerCase();
  }

  function say(text, kind) {
    messages.appendChild(el("div", { class: "message " + (kind || "error"), role: kind === "info" ? "status" : "alert", text: text }));
  }

  function clearMessages() { messages.textContent = ""; }

  function saveBlob(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = el("a", { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 30000);
  }

  function base64Blob(data, type) {
    var raw = atob(data), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return new Blob([bytes], { type: type });
  }

  function filenameFrom(disposition, fallback) {
    if (!disposition) return fallback;
    var star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
    if (star) { try { return decodeURIComponent(star[1]); } catch (e) { /* fall through */ } }
    var plain = /filename="([^"]+)"/i.exec(disposition);
    return plain ? plain[1] : fallback;
  }

  async function errorText(response) {
    try {
      var body = await response.json();
      if (body && body.error) return body.error;
    } catch (e) { /* not JSON */ }
    if (response.status === 413) return "上传内容超过上限。";
    return "服务器返回错误（" + response.status + "）。";
  }

  /* ---------- one file's result ---------- */

  function counts(result) {
    var errors = 0, warnings = 0;
    (result.forms || []).forEach(function (form) {
      (form.findings || []).forEach(function (f) {
        if (f.severity === "error") errors++; else warnings++;
      });
    });
    return { errors: errors, warnings: warnings };
  }

  function verdict(result) {
    if (result.status === "unreadable") return "unreadable";
    var c = counts(result);
    if (result.status === "errors" || c.errors) return "errors";
    return c.warnings ? "warnings" : "ok";
  }

  function badge(result) {
    var v = verdict(result), c = counts(result), text;
    if (v === "unreadable") text = "无法读取";
    else if (v === "errors") text = c.errors + " 个错误" + (c.warnings ? " · " + c.warnings + " 个警告" : "");
    else if (v === "warnings") text = "无错误 · " + c.warnings + " 个警告";
    else text = "通过";
    return el("span", { class: "badge " + v, text: text });
  }

  function scoreBox(label, stated, computed, digits, isNumber) {
    var differ;
    if (isNumber) differ = stated === null || stated === undefined || computed === null || computed === undefined ||
      Math.abs(stated - computed) > 0.005;
    else differ = (stated || "") !== (computed || "");
    if (computed === null || computed === undefined) differ = false;
    var shownStated = isNumber ? num(stated, digits) : (stated || "未填");
    // no computed value: the form is not filled in completely, or a part it needs was not understood
    var shownComputed = computed === null || computed === undefined || computed === "" ? "未核验"
      : (isNumber ? num(computed, digits) : computed);
    if (computed === "") differ = false;
    return el("div", { class: "score" + (differ ? " bad" : "") }, [
      el("dt", { text: label }),
      el("dd", null, [
        el("span", { class: "label", text: "填报" }),
        el("span", { class: "num stated", text: shownStated }),
        el("span", { class: "arrow", text: "→" }),
        el("span", { class: "label", text: "计算" }),
        el("span", { class: "num computed", text: shownComputed })
      ])
    ]);
  }

  function findingsTable(form) {
    var findings = form.findings || [];
    if (!findings.length) return el("p", { class: "no-findings", text: "没有发现问题。" });
    var rows = findings.map(function (f) {
      return el("tr", { class: "sev-" + f.severity }, [
        el("td", { class: "sheet", text: form.sheet || "" , title: form.sheet || "" }),
        el("td", { class: "cell", text: f.cell || "—" }),
        el("td", { class: "code", text: f.code || "" }),
        el("td", { class: "level", text: LEVEL[f.severity] || f.severity }),
        el("td", { class: "message", text: f.message || "" })
      ]);
    });
    return el("div", { class: "findings-wrap" }, [
      el("table", { class: "grid findings" }, [
        el("thead", null, [el("tr", null, ["工作表", "单元格", "代码", "级别", "说明"].map(function (h) {
          return el("th", { text: h });
        }))]),
        el("tbody", null, rows)
      ])
    ]);
  }

  function formBlock(form) {
    var budget = form.budget || {}, total = form.total || {}, conclusion = form.conclusion || {};
    var sub = [KIND[form.kind] || form.kind, form.unit, form.year ? form.year + " 年度" : null,
      form.indicator_count !== undefined ? "三级指标 " + form.indicator_count + " 项" : null,
      form.layout ? "版式 " + (LAYOUT[form.layout] || form.layout) : null,
      form.profile && form.profile.auto ? "按版式选用配置 " + form.profile.name : null]
      .filter(Boolean).join(" · ");
    var boxes = [
      scoreBox("总分", total.stated, total.computed, 3, true),
      scoreBox("自评结论", conclusion.stated, conclusion.computed, 0, false),
      el("div", { class: "score" }, [
        el("dt", { text: "预算执行" }),
        el("dd", null, [
          el("span", { class: "label", text: "执行率" }),
          el("span", { class: "num", text: percent(budget.rate) }),
          el("span", { class: "arrow", text: " " }),
          el("span", { class: "label", text: "得分" }),
          el("span", { class: "num", text: budget.score === null || budget.score === undefined ? "—" : num(budget.score) })
        ])
      ])
    ];
    return el("div", { class: "form" }, [
      el("div", { class: "form-head" }, [
        el("span", { class: "form-title", text: "工作表「" + (form.sheet || "") + "」" }),
        el("span", { class: "form-sub", text: sub })
      ]),
      el("dl", { class: "scores" }, boxes),
      form.unfilled ? el("p", { class: "unfilled", text: "未回填：" + form.unfilled + "；校正副本中此表没有改动任何单元格" }) : null,
      findingsTable(form)
    ]);
  }

  function changesBlock(changes) {
    if (!changes || !changes.length) return null;
    var rows = changes.map(function (c) {
      return el("tr", null, [
        el("td", { class: "sheet", text: c.sheet || "" }),
        el("td", { class: "cell", text: c.cell || "" }),
        el("td", { class: "num", text: c.old === null || c.old === undefined ? "（空）" : num(c.old, 4) }),
        el("td", { class: "num", text: (c.new === null || c.new === undefined ? "（空）" : num(c.new, 4)) +
          (c.formula ? "（公式改为 " + c.formula + "）" : "") })
      ]);
    });
    return el("details", { class: "changes" }, [
      el("summary", { text: "校正副本改动了 " + changes.length + " 个单元格（点击查看）" }),
      el("div", { class: "findings-wrap" }, [
        el("table", { class: "grid" }, [
          el("thead", null, [el("tr", null, ["工作表", "单元格", "原值", "新值"].map(function (h) {
            return el("th", { text: h });
          }))]),
          el("tbody", null, rows)
        ])
      ])
    ]);
  }

  function downloadCorrected(result) {
    saveBlob(base64Blob(result.corrected, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
      result.corrected_name || "校正副本.xlsx");
  }

  function totalBrief(total) {
    if (total.computed === null || total.computed === undefined) return null;
    var differ = total.stated === null || total.stated === undefined || Math.abs(total.stated - total.computed) > 0.005;
    return el("span", { class: "file-total" + (differ ? " bad" : "") }, [
      "总分 ", el("b", { text: num(total.stated) }), " → ", el("b", { text: num(total.computed) })
    ]);
  }

  function fileNode(entry, open) {
    var result = entry.result;
    if (result.status === "unreadable") {
      return el("article", { class: "file st-unreadable", "data-name": result.name }, [
        el("p", { class: "unreadable-text", role: "alert", text: "无法读取：" + result.name + "：" + (result.error || "无法读取") })
      ]);
    }
    var forms = result.forms || [];
    var head = el("summary", { class: "file-head" }, [
      badge(result),
      el("span", { class: "file-name", text: result.name, title: result.name }),
      el("span", { class: "file-meta", text: (forms.length ? forms.length + " 张自评表" : "未找到自评表") + " · " + mb(result.size || entry.file.size) }),
      forms.length === 1 && forms[0].total ? totalBrief(forms[0].total) : null,
      el("span", { class: "file-spacer" }),
      result.corrected ? el("button", {
        type: "button", class: "btn btn-small download-corrected", text: "下载校正副本",
        onclick: function (event) { event.preventDefault(); event.stopPropagation(); downloadCorrected(result); }
      }) : null
    ]);
    var body = el("div", { class: "file-body" }, forms.map(formBlock).concat([changesBlock(result.changes)]));
    if (!forms.length) body.insertBefore(el("p", { class: "no-findings", text: "文件中没有找到绩效自评表。" }), body.firstChild);
    return el("details", { class: "file st-" + verdict(result), "data-name": result.name, open: open }, [head, body]);
  }

  /* ---------- the batch ---------- */

  function renderSummary() {
    var done = entries.filter(function (e) { return e.result; });
    var tally = { ok: 0, warnings: 0, errors: 0, unreadable: 0 };
    done.forEach(function (e) { tally[verdict(e.result)]++; });
    var box = $("batch-summary");
    box.textContent = "";
    box.appendChild(el("span", null, ["已校验 ", el("b", { text: String(done.length) }), " 个文件"]));
    [["ok", "通过", "count-ok"], ["warnings", "仅有警告", "count-warnings"], ["errors", "有错误", "count-errors"],
     ["unreadable", "无法读取", "count-unreadable"]].forEach(function (item) {
      if (!tally[item[0]]) return;
      box.appendChild(el("span", { class: "sep", text: "|" }));
      box.appendChild(el("span", { class: item[2] }, [item[1] + " ", el("b", { text: String(tally[item[0]]) })]));
    });
    var bundleable = entries.filter(function (e) { return e.sendable && e.result; }).length;
    $("zip-button").hidden = !(entries.length > 1 && bundleable > 0);
    $("batch").hidden = entries.length === 0;
    document.body.classList.toggle("has-results", entries.length > 0);
  }

  function progress(done, total) {
    var box = $("progress");
    if (total === 0 || done >= total) { box.hidden = true; return; }
    box.hidden = false;
    $("progress-bar").style.width = Math.round(done / total * 100) + "%";
    $("progress-text").textContent = "正在校验 " + done + " / " + total + " 个文件……";
  }

  function show(entry, open) {
    entry.node = fileNode(entry, open);
    results.appendChild(entry.node);
  }

  function localReason(file) {
    if (config.extensions.indexOf(extension(file.name)) < 0)
      return "不是 Excel 工作簿（只接受 " + config.extensions.join("、") + "）";
    if (file.size > config.max_file_bytes) return "文件超过 " + mb(config.max_file_bytes) + " 的上限，未处理";
    if (file.size === 0) return "文件是空的（0 字节）";
    return null;
  }

  function addFiles(list) {
    var files = Array.prototype.slice.call(list || []);
    if (!files.length) return;
    clearMessages();
    if (files.length > config.max_files) {
      say("一次最多 " + config.max_files + " 个文件，本次选择了 " + files.length + " 个。请分批拖入。");
      return;
    }
    var open = files.length <= 3;
    var fresh = files.map(function (file) {
      var reason = localReason(file);
      var entry = { file: file, sendable: !reason, result: null, node: null, open: open };
      if (reason) entry.result = { name: file.name, size: file.size, status: "unreadable", error: reason, forms: [] };
      entries.push(entry);
      return entry;
    });
    fresh.forEach(function (entry) { if (entry.result) show(entry, false); });
    queue.push.apply(queue, fresh.filter(function (e) { return e.sendable; }));
    renderSummary();
    pump();
  }

  function nextChunk() {
    var chunk = [], bytes = 0;
    while (queue.length && chunk.length < CHUNK_FILES) {
      var size = queue[0].file.size;
      if (chunk.length && bytes + size > CHUNK_BYTES) break;
      chunk.push(queue.shift());
      bytes += size;
    }
    return chunk;
  }

  async function pump() {
    if (busy) return;
    busy = true;
    drop.classList.add("busy");
    var total = queue.length, done = 0;
    try {
      while (queue.length) {
        progress(done, done + queue.length);
        var chunk = nextChunk();
        var body = new FormData();
        chunk.forEach(function (e) { body.append("files", e.file, e.file.name); });
        var answers = null, failure = null;
        try {
          var response = await fetch("/api/check", { method: "POST", body: body });
          if (response.ok) answers = (await response.json()).files || [];
          else failure = await errorText(response);
        } catch (e) {
          failure = "无法连接到本机的校验服务，请确认 selfeval serve 仍在运行。";
        }
        if (failure) say("上传失败：" + failure);
        chunk.forEach(function (entry, i) {
          var answer = answers && answers[i];
          entry.result = answer || { name: entry.file.name, size: entry.file.size, status: "unreadable",
            error: failure || "服务器没有返回结果", forms: [] };
          if (!answer) entry.sendable = false;
          show(entry, entry.open);
        });
        done += chunk.length;
        total = done + queue.length;
        progress(done, total);
        renderSummary();
      }
    } finally {
      busy = false;
      drop.classList.remove("busy");
      progress(0, 0);
    }
  }

  async function downloadBundle() {
    var sendable = entries.filter(function (e) { return e.sendable && e.result; });
    if (!sendable.length) return;
    var bytes = sendable.reduce(function (sum, e) { return sum + e.file.size; }, 0);
    clearMessages();
    if (sendable.length > config.max_files || bytes > config.max_request_bytes) {
      say("文件太多或太大，无法一次打包（最多 " + config.max_files + " 个、共 " + mb(config.max_request_bytes) +
        "）。请清空后分批处理。");
      return;
    }
    var button = $("zip-button"), label = button.textContent;
    button.disabled = true;
    button.textContent = "正在打包 " + sendable.length + " 个文件……";
    try {
      var body = new FormData();
      sendable.forEach(function (e) { body.append("files", e.file, e.file.name); });
      var response = await fetch("/api/bundle", { method: "POST", body: body });
      if (!response.ok) { say("打包失败：" + await errorText(response)); return; }
      var name = filenameFrom(response.headers.get("Content-Disposition"), "自评表校正结果.zip");
      saveBlob(await response.blob(), name);
    } catch (e) {
      say("打包失败：无法连接到本机的校验服务，请确认 selfeval serve 仍在运行。");
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  }

  function clearAll() {
    if (busy) return;
    entries = [];
    results.textContent = "";
    clearMessages();
    renderSummary();
  }

  /* ---------- wiring ---------- */

  input.addEventListener("change", function () {
    addFiles(input.files);
    input.value = "";
  });

  drop.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); input.click(); }
  });

  var depth = 0;
  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return types && Array.prototype.indexOf.call(types, "Files") >= 0;
  }
  document.addEventListener("dragenter", function (event) {
    if (!hasFiles(event)) return;
    depth++;
    drop.classList.add("dragover");
  });
  document.addEventListener("dragleave", function () {
    depth = Math.max(0, depth - 1);
    if (!depth) drop.classList.remove("dragover");
  });
  document.addEventListener("dragover", function (event) {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("drop", function (event) {
    event.preventDefault();   // a file dropped anywhere on the page is taken, never opened by the browser
    depth = 0;
    drop.classList.remove("dragover");
    if (event.dataTransfer && event.dataTransfer.files) addFiles(event.dataTransfer.files);
  });

  $("zip-button").addEventListener("click", downloadBundle);
  $("clear-button").addEventListener("click", clearAll);

  function describeLimits() {
    $("limits").textContent = "支持 " + config.extensions.join(" / ") + "；每个文件不超过 " + mb(config.max_file_bytes) +
      "，一次最多 " + config.max_files + " 个";
  }

  $("template-year").value = config.year;
  fetch("/api/info").then(function (r) { return r.json(); }).then(function (info) {
    Object.keys(config).forEach(function (key) { if (info[key] !== undefined) config[key] = info[key]; });
    if (!$("template-year").dataset.touched) $("template-year").value = config.year;
    if (info.profile) $("top-note").textContent = "在本机运行，文件不会上传到互联网 · 评分规则：" + info.profile;
    describeLimits();
  }).catch(function () { /* keep the defaults */ });
  $("template-year").addEventListener("input", function () { this.dataset.touched = "1"; });

  window.selfevalPage = { entries: function () { return entries; }, busy: function () { return busy; } };
})();
